/**
 * The rules of testing/deploy-rules/cloudfront-behaviours.ts: each fails its fixtures (fixtures/cloudfront-behaviours.ts)
 * and nothing else does, and each passes what CloudFront accepts: StaticSite's own distributions, the method sets in any
 * order, the edges of each range, headers CloudFront may add, an empty origin path.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  checkDeployRules,
  checkDeployWarnings,
  CLOUDFRONT_BEHAVIOUR_METHODS,
  CLOUDFRONT_ORIGIN_CONNECTION,
  CLOUDFRONT_ORIGIN_CUSTOM_HEADER_COUNT,
  CLOUDFRONT_ORIGIN_CUSTOM_HEADERS,
  CLOUDFRONT_ORIGIN_PATH,
  CLOUDFRONT_ORIGIN_PROTOCOLS,
  CLOUDFRONT_ORIGIN_TIMEOUT_QUOTA,
  CLOUDFRONT_RULES,
  CLOUDFRONT_VIEWER_CERTIFICATE,
  CLOUDFRONT_WARNING_RULES,
  originCustomHeaderRefusal,
  type DeployRule,
} from "../../testing/deploy-rules";
import { devContext, handBuilt, matches } from "./fixture";
import { domainSite, edgeSite } from "./fixtures/cloudfront";
import { CLOUDFRONT_BEHAVIOUR_FIXTURES, CLOUDFRONT_BEHAVIOUR_WARNING_FIXTURES, routedSite } from "./fixtures/cloudfront-behaviours";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const FAILING: DeployRule[] = [CLOUDFRONT_BEHAVIOUR_METHODS, CLOUDFRONT_ORIGIN_CONNECTION, CLOUDFRONT_ORIGIN_PROTOCOLS, CLOUDFRONT_ORIGIN_CUSTOM_HEADERS, CLOUDFRONT_ORIGIN_PATH, CLOUDFRONT_VIEWER_CERTIFICATE];
const WARNING: DeployRule[] = [CLOUDFRONT_ORIGIN_TIMEOUT_QUOTA, CLOUDFRONT_ORIGIN_CUSTOM_HEADER_COUNT];
const ALL = [...FAILING, ...WARNING];

/** A hand-built distribution with one origin and one behaviour, for the edges of each rule. */
const cdn = (origin: Record<string, any>, behaviour: Record<string, any> = {}, more: Record<string, any> = {}) =>
  handBuilt(DISTRIBUTION, "cdn", {
    origins: [{ originId: "o", domainName: "origin.example.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] }, ...origin }],
    defaultCacheBehavior: { targetOriginId: "o", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"], ...behaviour },
    viewerCertificate: { cloudfrontDefaultCertificate: true },
    ...more,
  });
const problems = (rules: DeployRule[], ...graph: ReturnType<typeof cdn>[]) => checkDeployRules(graph, devContext, rules).map((f) => `${f.rule}: ${f.problem}`);

describe("the behaviour, origin and certificate rules", () => {
  it("are CloudFront's: failing ones in CLOUDFRONT_RULES, quota ones in CLOUDFRONT_WARNING_RULES", () => {
    for (const rule of FAILING) expect(CLOUDFRONT_RULES, rule.id).toContain(rule);
    for (const rule of WARNING) expect(CLOUDFRONT_WARNING_RULES, rule.id).toContain(rule);
  });

  it.each(CLOUDFRONT_BEHAVIOUR_FIXTURES.map((f) => [`${f.rule}: ${f.title}`, f] as const))("fail %s, and no other rule does", async (_, fixture) => {
    const findings = checkDeployRules(await fixture.build(), { ...devContext, ...fixture.context });
    expect(matches(fixture.rule, findings, fixture.expected)).toEqual([]);
  });

  it.each(CLOUDFRONT_BEHAVIOUR_WARNING_FIXTURES.map((f) => [`${f.rule}: ${f.title}`, f] as const))("warn %s, and fail no rule", async (_, fixture) => {
    const graph = await fixture.build();
    const context = { ...devContext, ...fixture.context };
    expect(matches(fixture.rule, [...checkDeployRules(graph, context), ...checkDeployWarnings(graph, context)], fixture.expected)).toEqual([]);
  });

  it("pass StaticSite's own distributions: default certificate, custom domain, and a routed API origin", async () => {
    for (const site of [edgeSite, domainSite, routedSite]) expect(checkDeployRules(await site(), devContext, ALL)).toEqual([]);
  });
});

describe("CloudFrontBehaviourMethods", () => {
  it("takes the three allowed sets and two cached sets in any order", () => {
    expect(problems([CLOUDFRONT_BEHAVIOUR_METHODS], cdn({}, { allowedMethods: ["HEAD", "GET"], cachedMethods: ["HEAD", "GET"] }))).toEqual([]);
    expect(problems([CLOUDFRONT_BEHAVIOUR_METHODS], cdn({}, { allowedMethods: ["OPTIONS", "HEAD", "GET"], cachedMethods: ["OPTIONS", "GET", "HEAD"] }))).toEqual([]);
    expect(problems([CLOUDFRONT_BEHAVIOUR_METHODS], cdn({}, { allowedMethods: ["DELETE", "POST", "PATCH", "PUT", "OPTIONS", "HEAD", "GET"] }))).toEqual([]);
  });

  it("refuses a set with a method twice, and six of the seven", () => {
    expect(problems([CLOUDFRONT_BEHAVIOUR_METHODS], cdn({}, { allowedMethods: ["GET", "GET"] }))).toHaveLength(1);
    expect(problems([CLOUDFRONT_BEHAVIOUR_METHODS], cdn({}, { allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST"] }))).toHaveLength(1);
  });
});

describe("CloudFrontOriginConnection and CloudFrontOriginTimeoutQuota", () => {
  it("take the edges of each range, and leave unset values alone", () => {
    expect(problems(ALL, cdn({ connectionAttempts: 1, connectionTimeout: 10 }))).toEqual([]);
    expect(problems(ALL, cdn({ connectionAttempts: 3, connectionTimeout: 1, customOriginConfig: { originProtocolPolicy: "http-only", originSslProtocols: ["TLSv1.2"], originReadTimeout: 60, originKeepaliveTimeout: 1 } }))).toEqual([]);
    expect(problems(ALL, cdn({ customOriginConfig: undefined, s3OriginConfig: { originAccessIdentity: "" } }))).toEqual([]);
  });

  it("refuses a VPC origin's read or keep-alive timeout under 1 s or fractional, and takes 1 and 120 (API_VpcOriginConfig)", () => {
    const vpc = (config: Record<string, unknown>) => cdn({ customOriginConfig: undefined, vpcOriginConfig: { vpcOriginId: "vo_0", ...config } });
    expect(problems(ALL, vpc({ originReadTimeout: 0, originKeepaliveTimeout: 1.5 }))).toEqual([
      expect.stringMatching(/^CloudFrontOriginConnection: origin o \(origins\[0\]\) has vpcOriginConfig\.originReadTimeout 0;/),
      expect.stringMatching(/^CloudFrontOriginConnection: origin o \(origins\[0\]\) has vpcOriginConfig\.originKeepaliveTimeout 1\.5;/),
    ]);
    expect(problems(ALL, vpc({ originReadTimeout: 1, originKeepaliveTimeout: 120 }))).toEqual([]);
  });

  it("warns over 60 s, and only the quota rule does (a raised quota makes it deployable)", () => {
    const graph = [cdn({ customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originReadTimeout: 61 } })];
    expect(checkDeployRules(graph, devContext)).toEqual([]);
    expect(checkDeployWarnings(graph, devContext).map((f) => f.rule)).toEqual(["CloudFrontOriginTimeoutQuota"]);
  });
});

describe("CloudFrontOriginCustomHeaders", () => {
  it("refuses the documented names in any case, and names that begin with X-Amz- or X-Edge-", () => {
    for (const name of ["Cache-Control", "cookie", "HOST", "If-None-Match", "Proxy-Connection", "Request-Range", "TE", "transfer-encoding", "Via", "X-Real-Ip", "X-Amz-Cf-Id", "x-edge-location"]) {
      expect(originCustomHeaderRefusal(name), name).toBeDefined();
    }
  });

  it("lets CloudFront add others, such as Referer (StaticSite's website origin), Origin and X-Origin-Verify", () => {
    // Only names the guide itself uses (Origin, in its CORS use case) or that deploy today (StaticSite's Referer); whether CloudFront takes Authorization or X-Amzn-* is not confirmed, so not asserted.
    for (const name of ["Referer", "Origin", "X-Origin-Verify"]) expect(originCustomHeaderRefusal(name), name).toBeUndefined();
    expect(problems(ALL, cdn({ customHeaders: Array.from({ length: 10 }, (_, i) => ({ name: `X-H${i}`, value: "v".repeat(1_000) })) }))).toEqual([]);
  });
});

describe("CloudFrontOriginPath", () => {
  it("takes no origin path, one segment and several", () => {
    for (const originPath of [undefined, "", "/prod", "/a/b.c/d"]) expect(problems([CLOUDFRONT_ORIGIN_PATH], cdn({ originPath })), String(originPath)).toEqual([]);
  });

  it("refuses / alone and an empty segment, and suggests the tidied path", () => {
    expect(problems([CLOUDFRONT_ORIGIN_PATH], cdn({ originPath: "/" }))).toEqual([expect.stringMatching(/has originPath "\/"/)]);
    const [f] = checkDeployRules([cdn({ originPath: "/a//b/" })], devContext, [CLOUDFRONT_ORIGIN_PATH]);
    expect(f.fix).toBe('set origins[0].originPath to "/a/b"');
  });
});

describe("CloudFrontViewerCertificate", () => {
  it("leaves a custom certificate without sslSupportMethod on a distribution with aliases to CloudFrontAliasCertificate", async () => {
    const [site] = [await domainSite()];
    const graph = site.map((r) => (r.type === DISTRIBUTION ? { ...r, inputs: { ...r.inputs, viewerCertificate: { acmCertificateArn: r.inputs.viewerCertificate.acmCertificateArn } } } : r));
    expect(checkDeployRules(graph, devContext).map((f) => f.rule)).toEqual(["CloudFrontAliasCertificate"]);
  });

  it("takes an IAM certificate with SNI and a TLS policy, and the default certificate with any minimumProtocolVersion (CloudFront sets TLSv1 itself)", () => {
    expect(problems([CLOUDFRONT_VIEWER_CERTIFICATE], cdn({}, {}, { viewerCertificate: { iamCertificateId: "ASCA0000", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" } }))).toEqual([]);
    expect(problems([CLOUDFRONT_VIEWER_CERTIFICATE], cdn({}, {}, { viewerCertificate: { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1.2_2021" } }))).toEqual([]);
  });
});

/**
 * At `pulumi preview` an input from a resource not yet created is unknown (the mocks record Pulumi's unknown value, as
 * the engine sends it): a certificate issued in the same program, an origin's timeout or header from another stack's
 * output. No rule judges a value it does not hold, whole or inside a list.
 */
describe("values unknown at preview", () => {
  const unknown = pulumi.unknown;

  it("a custom certificate's ARN (cloudfrontDefaultCertificate: false, as StaticSite sets it with a domain)", () => {
    expect(problems(ALL, cdn({}, {}, { aliases: ["www.example.com"], viewerCertificate: { cloudfrontDefaultCertificate: false, acmCertificateArn: unknown, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" } }))).toEqual([]);
    expect(problems(ALL, cdn({}, {}, { viewerCertificate: { cloudfrontDefaultCertificate: false, iamCertificateId: unknown, sslSupportMethod: "sni-only" } }))).toEqual([]);
    const arn = "arn:aws:acm:us-east-1:123456789012:certificate/0000";
    expect(problems(ALL, cdn({}, {}, { viewerCertificate: { acmCertificateArn: arn, sslSupportMethod: unknown } }))).toEqual([]);
    expect(problems(ALL, cdn({}, {}, { aliases: unknown, viewerCertificate: { acmCertificateArn: arn } }))).toEqual([]);
    expect(problems(ALL, cdn({}, {}, { aliases: [unknown], viewerCertificate: { acmCertificateArn: arn } }))).toEqual([]);
  });

  it("a method in a behaviour's method lists", () => {
    expect(problems(ALL, cdn({}, { allowedMethods: ["GET", "HEAD", unknown], cachedMethods: ["GET", "HEAD", unknown] }))).toEqual([]);
  });

  it("an origin's connection settings, timeouts, protocols, headers and path", () => {
    const origin = {
      connectionAttempts: unknown,
      connectionTimeout: unknown,
      originPath: unknown,
      customHeaders: [{ name: unknown, value: unknown }, unknown],
      customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: unknown, originSslProtocols: [unknown], originReadTimeout: unknown, originKeepaliveTimeout: unknown },
    };
    expect(problems(ALL, cdn(origin))).toEqual([]);
  });
});
