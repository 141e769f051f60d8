import { runInNewContext } from "node:vm";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { bucketNameProblem } from "../../components/autoname";
import { StaticSite, type StaticSiteArgs } from "../../components/static-site";
import { validateBucketName } from "../../components/static-site/spec";
import { MANAGED_CACHING_DISABLED, spaRewriteCode } from "../../components/static-site/distribution";
import { normaliseSecurityHeaders, securityHeadersConfig } from "../../components/static-site/headers";
import { aliasNames, attachedTo, ofType, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";

const path = "tests/fixtures/site";
const RECORD = "aws:route53/record:Record";

const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";

async function build(name: string, args: Partial<StaticSiteArgs> = {}) {
  const graph = await record(() => new StaticSite(name, { path, ...args }));
  const get = (type: string, suffix: string) => resource(graph, type, `${name}${suffix}`);
  return {
    graph,
    get,
    site: get("aws:s3/bucket:Bucket", "-bucket"),
    logs: get("aws:s3/bucket:Bucket", "-logs"),
    distribution: get("aws:cloudfront/distribution:Distribution", "-cdn"),
    attached: (type: string, bucket: RecordedResource) => attachedTo(graph, type, "bucket", bucket),
  };
}

describe("StaticSite buckets", () => {
  it("keeps the site bucket private, versioned, encrypted and logging to the separate log bucket", async () => {
    const { site, logs, attached, get } = await build("priv", { logs: { prefix: "examplebucket-logs/" } });
    expect(attached("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", site)[0].inputs).toMatchObject({
      blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true,
    });
    expect(attached("aws:s3/bucketOwnershipControls:BucketOwnershipControls", site)[0].inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    expect(attached("aws:s3/bucketVersioning:BucketVersioning", site)[0].inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    expect(attached("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", site)[0].inputs.rules[0])
      .toMatchObject({ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } });
    const logging = get("aws:s3/bucketLogging:BucketLogging", "-bucket-logging");
    expect(logging.inputs).toMatchObject({ bucket: site.state.bucket, targetBucket: logs.state.bucket, targetPrefix: "examplebucket-logs/s3/" });
    expect(attached("aws:s3/bucketLogging:BucketLogging", logs)).toEqual([]);
  });

  it("lets only this distribution read the site bucket, and only over TLS", async () => {
    const { site, distribution, get } = await build("policy");
    const statements = policyDocument(get("aws:s3/bucketPolicy:BucketPolicy", "-bucket-policy").inputs.policy).Statement;
    const read = statements.find((s) => s.Sid === "AllowCloudFrontRead")!;
    expect(read).toMatchObject({ Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: `${site.state.arn}/*` });
    expect(read.Condition).toEqual({ StringEquals: { "AWS:SourceArn": distribution.state.arn } });
    expect(statements.find((s) => s.Sid === "DenyInsecureTransport")).toMatchObject({
      Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("gives the log bucket the ACL ownership CloudFront logging needs, expiry, and S3 log delivery from the site bucket only", async () => {
    const { site, logs, attached, get } = await build("logsite", { logs: { prefix: "p/", retentionDays: 45 } });
    expect(attached("aws:s3/bucketOwnershipControls:BucketOwnershipControls", logs)[0].inputs.rule).toEqual({ objectOwnership: "BucketOwnerPreferred" });
    const rules = get("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "-logs-lifecycle").inputs.rules;
    expect(rules[0]).toMatchObject({ status: "Enabled", filter: { prefix: "p/" }, expiration: { days: 45 } });
    const delivery = policyDocument(get("aws:s3/bucketPolicy:BucketPolicy", "-logs-policy").inputs.policy).Statement.find((s) => s.Sid === "AllowSiteAccessLogs")!;
    expect(delivery).toMatchObject({ Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: `${logs.state.arn}/p/s3/*` });
    expect(delivery.Condition.ArnLike).toEqual({ "aws:SourceArn": site.state.arn });
  });

  it("retains both buckets when asked (prod) and lets dev stacks delete them with their objects", async () => {
    const kept = await build("kept", { retainOnDelete: true });
    expect([kept.site.retainOnDelete, kept.logs.retainOnDelete]).toEqual([true, true]);
    expect(kept.site.inputs.forceDestroy).toBe(false);
    const dev = await build("throwaway");
    expect([dev.site.retainOnDelete, dev.site.inputs.forceDestroy]).toEqual([false, true]);
  });

  it("deletes each setting with the bucket it configures (website hosting's too): kept with a kept bucket, deleted when removed alone", async () => {
    for (const [hosting, retainOnDelete] of [["oac", true], ["s3-website", true], ["oac", false]] as const) {
      const { graph } = await build(`with-${hosting}-${retainOnDelete}`, { retainOnDelete, hosting });
      const buckets = graph.filter((r) => r.type === "aws:s3/bucket:Bucket");
      const settings = graph.filter((r) => r.type.startsWith("aws:s3/") && r.type !== "aws:s3/bucket:Bucket");
      expect(settings.map((r) => r.type.split(":")[1])).toEqual(expect.arrayContaining(["s3/bucketPublicAccessBlock", "s3/bucketPolicy", "s3/bucketOwnershipControls", "s3/bucketLogging"]));
      const deletedWithItsBucket = (s: RecordedResource) => !s.retainOnDelete && s.deletedWith !== undefined && s.deletedWith === buckets.find((b) => b.id === s.inputs.bucket)?.urn;
      expect(settings.filter((s) => !deletedWithItsBucket(s)).map((r) => r.name), `${hosting} ${retainOnDelete}`).toEqual([]);
    }
    // Moving to OAC removes the website configuration alone: with deletedWith (not retainOnDelete) that deletes it.
    const { graph, site } = await build("website-kept", { retainOnDelete: true, hosting: "s3-website" });
    const website = resource(graph, "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", "website-kept-website");
    expect([website.deletedWith, website.retainOnDelete]).toEqual([site.urn, false]);
  });

  it("switches the site bucket's access logging on once the log bucket's policy and ownership exist", async () => {
    const { get } = await build("ordered");
    expect(get("aws:s3/bucketLogging:BucketLogging", "-bucket-logging").dependencies).toEqual(expect.arrayContaining([
      get("aws:s3/bucketPolicy:BucketPolicy", "-logs-policy").urn,
      get("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "-logs-ownership").urn,
    ]));
  });
});

describe("StaticSite distribution", () => {
  it("redirects to HTTPS, speaks HTTP/2 and HTTP/3, compresses, serves the index and the error document", async () => {
    const { distribution, get, logs } = await build("cdn", { priceClass: "PriceClass_200", logs: { prefix: "cdn-logs/" } });
    const d = distribution.inputs;
    expect(d).toMatchObject({ enabled: true, httpVersion: "http2and3", isIpv6Enabled: true, priceClass: "PriceClass_200", defaultRootObject: "index.html" });
    expect(d.defaultCacheBehavior).toMatchObject({
      viewerProtocolPolicy: "redirect-to-https",
      compress: true,
      allowedMethods: ["GET", "HEAD", "OPTIONS"],
      cachePolicyId: get("aws:cloudfront/cachePolicy:CachePolicy", "-cache").id,
      responseHeadersPolicyId: get("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "-headers").id,
    });
    expect(d.customErrorResponses).toEqual([{ errorCode: 404, responseCode: 404, responsePagePath: "/error.html", errorCachingMinTtl: 10 }]);
    expect(d.loggingConfig).toEqual({ bucket: logs.state.bucketDomainName, prefix: "cdn-logs/cloudfront/", includeCookies: false });
    expect(d.origins[0]).toMatchObject({ originId: "site", originAccessControlId: get("aws:cloudfront/originAccessControl:OriginAccessControl", "-oac").id });
    expect(get("aws:cloudfront/originAccessControl:OriginAccessControl", "-oac").inputs).toMatchObject({ signingBehavior: "always", signingProtocol: "sigv4", originAccessControlOriginType: "s3" });
  });

  it("caches by each object's Cache-Control and sends the security headers", async () => {
    const { get } = await build("policies", { securityHeaders: { frameOptions: "SAMEORIGIN" } });
    expect(get("aws:cloudfront/cachePolicy:CachePolicy", "-cache").inputs).toMatchObject({
      minTtl: 0, defaultTtl: 86400, maxTtl: 31536000,
      parametersInCacheKeyAndForwardedToOrigin: { enableAcceptEncodingGzip: true, enableAcceptEncodingBrotli: true, queryStringsConfig: { queryStringBehavior: "none" } },
    });
    const headers = get("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "-headers").inputs.securityHeadersConfig;
    expect(headers).toEqual(securityHeadersConfig(normaliseSecurityHeaders({ frameOptions: "SAMEORIGIN" })));
    expect(headers.frameOptions).toEqual({ frameOption: "SAMEORIGIN", override: true });
    expect(headers.strictTransportSecurity).toMatchObject({ accessControlMaxAgeSec: 63072000, includeSubdomains: true });
  });

  it("adds custom headers through the response headers policy, without overriding an origin's own", async () => {
    const customHeaders = { "Permissions-Policy": "camera=()", "Cross-Origin-Opener-Policy": "same-origin" };
    const { get, distribution } = await build("custom", { securityHeaders: { customHeaders } });
    const policy = get("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "-headers");
    expect(policy.inputs.customHeadersConfig).toEqual({
      items: [{ header: "Permissions-Policy", value: "camera=()", override: false }, { header: "Cross-Origin-Opener-Policy", value: "same-origin", override: false }],
    });
    expect(distribution.inputs.defaultCacheBehavior.responseHeadersPolicyId).toBe(policy.id);
    expect((await build("nocustom")).get("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "-headers").inputs.customHeadersConfig).toBeUndefined();
  });

  it("keeps the API's 404 bodies: no distribution-wide error response once routes share the distribution", async () => {
    // Custom error responses apply to every behaviour, so one for the site would turn the API's JSON 404s into error.html.
    const api = { pathPattern: "/api/*", originId: "api", domainName: "abc123.execute-api.us-east-1.amazonaws.com" };
    const { distribution } = await build("apierrors", { routes: [api] });
    expect(distribution.inputs.customErrorResponses).toEqual([]);
    // An origin-response Lambda@Edge on every site behaviour serves the error document instead.
    const errorPages = {
      pathPattern: "default", eventType: "origin-response" as const, kind: "lambda" as const, edgeLogic: "edge", key: "origin-response",
      arn: "arn:aws:lambda:us-east-1:123456789012:function:errors:1", servesErrorDocument: true,
    };
    const withEdge = await build("edgeerrors", { routes: [api], edge: [errorPages] });
    expect(withEdge.distribution.inputs.customErrorResponses).toEqual([]);
    expect(withEdge.distribution.inputs.defaultCacheBehavior.lambdaFunctionAssociations).toEqual([{ eventType: "origin-response", lambdaArn: errorPages.arn }]);
  });

  it("routes extra path patterns to other origins, uncached and over HTTPS only", async () => {
    const { distribution } = await build("routes", {
      routes: [{ pathPattern: "/api/*", originId: "api", domainName: "abc123.execute-api.us-east-1.amazonaws.com", originPath: "/prod" }],
    });
    expect(distribution.inputs.origins[1]).toMatchObject({
      originId: "api", domainName: "abc123.execute-api.us-east-1.amazonaws.com", originPath: "/prod",
      customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
    });
    expect(distribution.inputs.orderedCacheBehaviors[0]).toMatchObject({
      pathPattern: "/api/*", targetOriginId: "api", viewerProtocolPolicy: "https-only", cachePolicyId: MANAGED_CACHING_DISABLED,
      allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
    });
  });

  it("serves single-page apps through a viewer-request CloudFront Function on the site behaviour only", async () => {
    const { distribution, get } = await build("spa", { spa: true });
    const fn = get("aws:cloudfront/function:Function", "-spa");
    expect(fn.inputs).toMatchObject({ runtime: "cloudfront-js-2.0", publish: true });
    expect(distribution.inputs.defaultCacheBehavior.functionAssociations).toEqual([{ eventType: "viewer-request", functionArn: fn.state.arn }]);
    const handler = runInNewContext(`${spaRewriteCode("index.html")}; handler`, {});
    const uriFor = (uri: string) => handler({ request: { uri } }).uri;
    expect([uriFor("/albums/42"), uriFor("/"), uriFor("/settings/"), uriFor("/assets/app.1a2b3c4d.js")]).toEqual([
      "/index.html", "/index.html", "/index.html", "/assets/app.1a2b3c4d.js",
    ]);
  });

  it("hosts through the S3 website endpoint when asked, readable only with CloudFront's secret Referer", async () => {
    const { site, distribution, attached, get } = await build("web", { hosting: "s3-website" });
    const website = get("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", "-website");
    expect(website.inputs).toMatchObject({ indexDocument: { suffix: "index.html" }, errorDocument: { key: "error.html" } });
    const origin = distribution.inputs.origins[0];
    expect(origin).toMatchObject({ domainName: website.state.websiteEndpoint, customOriginConfig: { originProtocolPolicy: "http-only" } });
    const secret = origin.customHeaders.find((h: { name: string }) => h.name === "Referer").value;
    const statements = policyDocument(get("aws:s3/bucketPolicy:BucketPolicy", "-bucket-policy").inputs.policy).Statement;
    expect(statements[0]).toMatchObject({ Principal: "*", Action: "s3:GetObject", Condition: { StringEquals: { "aws:Referer": secret } } });
    expect(statements.find((s) => s.Effect === "Deny")).toMatchObject({ Effect: "Deny", NotAction: "s3:GetObject" });
    expect(attached("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", site)[0].inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: false });
    expect(distribution.inputs.customErrorResponses).toEqual([]);
  });
});

describe("StaticSite domains", () => {
  it("creates a DNS-validated certificate in us-east-1 and alias records, and enforces TLS 1.2", async () => {
    const { graph, distribution, get } = await build("dom", { domain: { name: "gallery.example.com", aliases: ["www.gallery.example.com"], hostedZoneId: "Z1" } });
    const cert = get("aws:acm/certificate:Certificate", "-cert");
    expect(cert.inputs).toMatchObject({ domainName: "gallery.example.com", subjectAlternativeNames: ["www.gallery.example.com"], validationMethod: "DNS", region: "us-east-1" });
    expect(get("aws:route53/record:Record", "-cert-validation-gallery.example.com").inputs).toMatchObject({ zoneId: "Z1", type: "CNAME", name: "_x1.gallery.example.com." });
    expect(distribution.inputs.aliases).toEqual(["gallery.example.com", "www.gallery.example.com"]);
    expect(distribution.inputs.viewerCertificate).toMatchObject({ sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" });
    const records = graph.filter((r) => r.type === "aws:route53/record:Record" && /-(a|aaaa)-/.test(r.name));
    expect(records.map((r) => `${r.inputs.type} ${r.inputs.name}`).sort()).toEqual([
      "A gallery.example.com", "A www.gallery.example.com", "AAAA gallery.example.com", "AAAA www.gallery.example.com",
    ]);
    expect(records[0].inputs.aliases[0]).toEqual({ name: distribution.state.domainName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false });
  });

  it("uses a given certificate without creating one", async () => {
    const { graph, distribution } = await build("given", { domain: { name: "a.example.com", certificateArn } });
    expect(distribution.inputs.viewerCertificate.acmCertificateArn).toBe(certificateArn);
    expect(graph.filter((r) => r.type.startsWith("aws:acm/") || r.type.startsWith("aws:route53/"))).toEqual([]);
  });

  it("fails over: PRIMARY records with a health check on the distribution, SECONDARY to the standby", async () => {
    const { graph, distribution, get } = await build("fo", {
      domain: { name: "app.example.com", hostedZoneId: "Z1", certificateArn, failover: { domainName: "standby.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2" } },
    });
    const health = get("aws:route53/healthCheck:HealthCheck", "-health");
    expect(health.inputs).toMatchObject({ fqdn: distribution.state.domainName, type: "HTTPS", resourcePath: "/index.html", port: 443 });
    const primary = get("aws:route53/record:Record", "-a-app.example.com").inputs;
    const secondary = get("aws:route53/record:Record", "-a-app.example.com-secondary").inputs;
    expect(primary).toMatchObject({ name: "app.example.com", type: "A", failoverRoutingPolicies: [{ type: "PRIMARY" }], healthCheckId: health.id });
    expect(secondary).toMatchObject({ name: "app.example.com", type: "A", failoverRoutingPolicies: [{ type: "SECONDARY" }] });
    expect(secondary.aliases[0].name).toBe("standby.cloudfront.net");
    expect(primary.setIdentifier).not.toBe(secondary.setIdentifier);
    expect(graph.filter((r) => r.type === "aws:route53/record:Record")).toHaveLength(4);
  });

  it("writes each name's own validation record, though the provider lists the certificate's validation options in an order of its own (a set)", async () => {
    // www (CRC-32 4102295155) and api (3855538777): the provider's order is api, www; the request's www, api.
    const { graph } = await build("vo", { domain: { name: "www.gallery.example.com", aliases: ["api.gallery.example.com"], hostedZoneId: "Z1" } });
    const validation = ofType(graph, RECORD).filter((r) => r.name.startsWith("vo-cert-validation-"));
    expect(Object.fromEntries(validation.map((r) => [r.name, r.inputs.name]))).toEqual({
      "vo-cert-validation-www.gallery.example.com": "_x1.www.gallery.example.com.",
      "vo-cert-validation-api.gallery.example.com": "_x1.api.gallery.example.com.",
    });
  });

  it("writes one validation record for a name and its wildcard, which ACM gives one CNAME, keyed by the base name whichever is listed", async () => {
    const validation = async (site: string, host: string, aliases?: string[]) => {
      const { graph } = await build(site, { domain: { name: host, aliases, hostedZoneId: "Z1" } });
      const records = ofType(graph, RECORD).filter((r) => r.name.startsWith(`${site}-cert-validation-`));
      const check = resource(graph, "aws:acm/certificateValidation:CertificateValidation", `${site}-cert-validation`);
      return { records: Object.fromEntries(records.map((r) => [r.name, r.inputs.name])), fqdns: check.inputs.validationRecordFqdns, aliases: records.map(aliasNames) };
    };
    // Both names: one record, the base name's (its URN and index alias as before), and the certificate waits for it.
    const both = await validation("wc", "example.com", ["*.example.com", "www.example.com"]);
    expect(both.records).toEqual({ "wc-cert-validation-example.com": "_x1.example.com.", "wc-cert-validation-www.example.com": "_x1.www.example.com." });
    expect(both.fqdns).toHaveLength(2);
    expect(both.aliases).toEqual([["wc-cert-validation-0"], ["wc-cert-validation-2"]]);
    // The wildcard listed first: still the base name's record, written from the base name's option.
    expect((await validation("wf", "*.example.com", ["example.com"])).records).toEqual({ "wf-cert-validation-example.com": "_x1.example.com." });
    // The wildcard alone: the same key, so adding or dropping the base name later keeps the record; the wildcard's
    // earlier key is an alias, so stacks deployed with it keep theirs.
    const alone = await validation("wa", "*.example.com");
    expect(alone.records).toEqual({ "wa-cert-validation-example.com": "_x1.example.com." });
    expect(alone.aliases).toEqual([["wa-cert-validation-_wildcard.example.com", "wa-cert-validation-0"]]);
  });

  it("keeps every alias and validation record's URN when domain.aliases is reordered, so no record is created on a name another holds", async () => {
    // Route 53 record names are ForceNew and not autonamed: a record whose URN moved to another host would be
    // replaced create-first, onto a name the record of that host still holds ("already exists").
    const recordUrns = async (aliases: string[]) => {
      const { graph } = await build("order", { domain: { name: "gallery.example.com", aliases, hostedZoneId: "Z1" } });
      return Object.fromEntries(ofType(graph, RECORD).map((r) => [`${r.inputs.type} ${r.inputs.name}`, r.urn]));
    };
    const before = await recordUrns(["www.gallery.example.com", "shop.gallery.example.com"]);
    expect(Object.keys(before)).toHaveLength(9);
    expect(await recordUrns(["shop.gallery.example.com", "www.gallery.example.com"])).toEqual(before);
  });

  it("aliases the records of stacks deployed before to their index names, so upgrading with the same config changes nothing", async () => {
    const graph = await record(() => new StaticSite("old", { path, domain: { name: "gallery.example.com", aliases: ["www.gallery.example.com"], hostedZoneId: "Z1" } }));
    expect(aliasNames(resource(graph, RECORD, "old-a-www.gallery.example.com"))).toEqual(["old-a-1", "old-a-1-primary"]);
    expect(aliasNames(resource(graph, RECORD, "old-aaaa-gallery.example.com"))).toEqual(["old-aaaa-0", "old-aaaa-0-primary"]);
    expect(aliasNames(resource(graph, RECORD, "old-cert-validation-www.gallery.example.com"))).toEqual(["old-cert-validation-1"]);
  });

  it("turns failover on and off without moving the plain record: the PRIMARY takes its URN, the SECONDARY waits for it", async () => {
    // Route 53 keeps one routing policy per name and type. Kept on one URN, the simple record becomes the PRIMARY
    // in one update (the provider deletes the old set and creates the new one in a single change batch), and the
    // SECONDARY is created only after it.
    const failover = { domainName: "standby.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2" };
    const build2 = async (withFailover: boolean) => {
      const graph = await record(() => new StaticSite("flip", { path, domain: { name: "app.example.com", hostedZoneId: "Z1", certificateArn, failover: withFailover ? failover : undefined } }));
      const records = ofType(graph, RECORD);
      return { aliases: (name: string) => aliasNames(resource(graph, RECORD, name)), byPolicy: (policy: string) => records.find((r) => r.inputs.type === "A" && (r.inputs.failoverRoutingPolicies?.[0]?.type ?? "simple") === policy)! };
    };
    const plain = (await build2(false)).byPolicy("simple");
    const withFailover = await build2(true);
    const primary = withFailover.byPolicy("PRIMARY");
    const secondary = withFailover.byPolicy("SECONDARY");
    expect(primary.urn).toBe(plain.urn);
    expect(secondary.dependencies).toContain(primary.urn);
    expect(withFailover.aliases("flip-a-app.example.com")).toEqual(["flip-a-0", "flip-a-0-primary"]);
    expect(withFailover.aliases("flip-a-app.example.com-secondary")).toEqual(["flip-a-0-secondary"]);
  });
});

describe("StaticSite outputs and naming", () => {
  it("prefixes every child with the component name and parents it to the component", async () => {
    const { graph } = await build("named");
    const component = resource(graph, "serverless-fullstack:index:StaticSite", "named");
    const children = graph.filter((r) => r !== component);
    expect(children.length).toBeGreaterThan(10);
    for (const child of children) {
      expect(child.name.startsWith("named-")).toBe(true);
      expect(child.parent).toBe(component.urn);
    }
  });
});

describe("StaticSite rejects bad arguments", () => {
  it.each<[string, Partial<StaticSiteArgs>, RegExp]>([
    ["a missing folder", { path: "no/such/folder" }, /StaticSite "bad": path "no\/such\/folder" is not a folder\. Point path at the site's files/],
    ["a dotted bucket name", { bucketName: "my.site" }, /^StaticSite "bad": bucketName "my\.site" contains a period; HTTPS to S3 fails on dotted bucket names\. Use "my-site"\.$/],
    ["a short bucket name", { bucketName: "ab" }, /bucketName "ab" is 2 characters; S3 bucket names are 3–63/],
    ["a long bucket name", { bucketName: "a".repeat(64) }, /is 64 characters; S3 bucket names are 3–63/],
    ["an upper-case bucket name", { bucketName: "MySite" }, /bucketName "MySite" has upper-case letters.*Use "mysite"/],
    ["a bucket name with underscores", { bucketName: "my_site" }, /has characters S3 does not allow/],
    ["a bucket name that starts with a hyphen", { bucketName: "-my-site" }, /^StaticSite "bad": bucketName "-my-site" has characters S3 does not allow, or does not start and end with a letter or digit\. Use lowercase letters, digits and hyphens\.$/],
    ["an upper-case bucket name with underscores", { bucketName: "My_Site" }, /bucketName "My_Site" has upper-case letters; S3 bucket names are lowercase\. Use "my_site"\.$/],
    ["a dotted bucket name too short", { bucketName: "a." }, /bucketName "a\." is 2 characters; S3 bucket names are 3–63\. Shorten or lengthen the name\.$/],
    ["a bucket name with S3's reserved prefix", { bucketName: "xn--my-site" }, /bucketName "xn--my-site" starts with the reserved prefix xn--, which S3 reserves\. Pick another name\.$/],
    ["a bucket name with S3's reserved suffix", { bucketName: "my-site-s3alias" }, /bucketName "my-site-s3alias" ends with the reserved suffix -s3alias, which S3 reserves\. Pick another name\.$/],
    ["the site bucket as log target", { bucketName: "my-site", logs: { bucketName: "my-site" } }, /logs\.bucketName "my-site" is the site bucket; a bucket that logs into itself.*Use a separate log bucket, e\.g\. "logs-my-site"/],
    ["a fixed site bucket name kept on delete", { bucketName: "gallery-site", retainOnDelete: true },
      /^StaticSite "bad": bucketName "gallery-site" is a fixed name on a bucket kept on delete \(retainOnDelete: true\): after `pulumi destroy` the kept bucket still holds the name.*Leave bucketName unset \(Pulumi names the bucket "bad-bucket-<random suffix>".*\{ protect: true \} on the StaticSite/],
    ["a fixed log bucket name kept on delete", { logs: { bucketName: "gallery-site-logs" }, retainOnDelete: true },
      /^StaticSite "bad": logs\.bucketName "gallery-site-logs" is a fixed name on a bucket kept on delete.*Leave logs\.bucketName unset \(Pulumi names the bucket "bad-logs-<random suffix>"/],
    ["a log prefix without a slash", { logs: { prefix: "logs" } }, /logs\.prefix "logs" must be a key prefix ending in \//],
    ["a price class", { priceClass: "PriceClass_1" as never }, /priceClass "PriceClass_1" is not a CloudFront price class/],
    ["a hosting mode", { hosting: "public" as never }, /hosting "public" is not a hosting mode/],
    ["an index document path in website mode", { hosting: "s3-website", indexDocument: "docs/index.html" }, /indexDocument "docs\/index.html" contains a slash/],
    // The index document is CloudFront's DefaultRootObject: 255 characters from A-Z a-z 0-9 _ - . * $ / ~ " ' & at most.
    ["an index document with a space", { indexDocument: "my page.html" },
      /^StaticSite "bad": indexDocument "my page\.html" holds characters CloudFront refuses in a default root object \(InvalidDefaultRootObject\): it takes A-Z a-z 0-9 _ - \. \* \$ \/ ~ " ' & only\. Rename the file, e\.g\. "index\.html"\.$/],
    ["an index document with a non-ASCII letter", { indexDocument: "seite-ü.html" }, /indexDocument "seite-ü\.html" holds characters CloudFront refuses in a default root object/],
    ["an index document over 255 characters", { indexDocument: `${"a".repeat(251)}.html` }, /indexDocument "a+\.html" is 256 characters, over CloudFront's 255 for a default root object/],
    // CloudFront's standard logging does not deliver to buckets there, and the log bucket is in the site's region.
    ["a region CloudFront's standard logging does not deliver to", { region: "af-south-1" },
      /^StaticSite "bad": region "af-south-1" is a region CloudFront's standard logging does not deliver to, and the site's log bucket is created there, so CreateDistribution is refused\. Put the site in another region \(e\.g\. "eu-west-1"\); CloudFront serves it worldwide either way\. Regions refused: af-south-1, ap-east-1, eu-south-1, me-south-1\.$/],
    ["a domain with no way to get a certificate", { domain: { name: "a.example.com" } }, /domain "a\.example\.com" has neither certificateArn nor hostedZoneId/],
    ["a certificate outside us-east-1", { domain: { name: "a.example.com", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" } }, /is not an ACM certificate ARN in us-east-1/],
    ["an invalid host name", { domain: { name: "Not A Host", hostedZoneId: "Z1" } }, /domain\.name "Not A Host" is not a lowercase DNS host name/],
    ["a host name given twice", { domain: { name: "a.example.com", aliases: ["a.example.com"], hostedZoneId: "Z1" } }, /domain\.aliases\[0\] "a\.example\.com" is already one of the site's host names.*List each host name once/],
    ["failover without a zone", { domain: { name: "a.example.com", certificateArn, failover: { domainName: "b.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2" } } }, /domain\.failover "set" needs Route 53 records/],
    ["a CloudFront standby under another zone", { domain: { name: "a.example.com", hostedZoneId: "Z1", certificateArn, failover: { domainName: "d111111abcdef8.cloudfront.net", hostedZoneId: "Z3BJ6K6RIION7M" } } },
      /domain\.failover\.hostedZoneId "Z3BJ6K6RIION7M" is not the hosted zone of the alias target d111111abcdef8\.cloudfront\.net, a CloudFront distribution's name: every distribution's alias zone is Z2FDTNDATAQYW2, and Route 53 refuses the record .*Set it to the distribution's hostedZoneId \(Z2FDTNDATAQYW2\)/],
    ["a catch-all route", { routes: [{ pathPattern: "/*", originId: "api", domainName: "x.example.com" }] }, /routes\[0\]\.pathPattern "\/\*" is not a path pattern for an extra behaviour/],
    ["a duplicate route", { routes: [{ pathPattern: "/api/*", originId: "a", domainName: "x" }, { pathPattern: "/api/*", originId: "b", domainName: "y" }] }, /routes\[1\]\.pathPattern "\/api\/\*" is used by another route/],
    // CloudFront behaves the same with or without the leading "/" (API_CacheBehavior PathPattern): one behaviour.
    ["a duplicate route spelled without its leading slash", { routes: [{ pathPattern: "/api/*", originId: "a", domainName: "x" }, { pathPattern: "api/*", originId: "b", domainName: "y" }] }, /routes\[1\]\.pathPattern "\/api\/\*" is used by another route/],
    ["a catch-all route without its slash", { routes: [{ pathPattern: "*", originId: "api", domainName: "x.example.com" }] }, /routes\[0\]\.pathPattern "\*" is not a path pattern for an extra behaviour/],
    ["the reserved origin id", { routes: [{ pathPattern: "/api/*", originId: "site", domainName: "x" }] }, /routes\[0\]\.originId "site" is not a usable origin id/],
    // Taken whenever replicaRegion is set, and refused without it too: adding replicaRegion later must not collide.
    ["the replica's origin id", { routes: [{ pathPattern: "/api/*", originId: "site-replica", domainName: "x" }] },
      /^StaticSite "bad": routes\[0\]\.originId "site-replica" is one of StaticSite's own origin ids \(site, site-replica, site-failover\); CloudFront origin ids are unique within a distribution\. Use another id, e\.g\. "api"\.$/],
    ["the failover group's id", { routes: [{ pathPattern: "/api/*", originId: "site-failover", domainName: "x" }] }, /routes\[0\]\.originId "site-failover" is one of StaticSite's own origin ids/],
    ["one origin id for two routes", { routes: [{ pathPattern: "/api/*", originId: "api", domainName: "x" }, { pathPattern: "/auth/*", originId: "api", domainName: "x" }] },
      /routes\[1\]\.originId "api" is the origin id of routes\[0\] too; CloudFront origin ids are unique within a distribution/],
    ["an origin path ending in a slash", { routes: [{ pathPattern: "/api/*", originId: "api", domainName: "x", originPath: "/prod/" }] },
      /^StaticSite "bad": routes\[0\]\.originPath "\/prod\/" is not a directory path CloudFront takes: it must begin with \/ and not end with \/\. Use e\.g\. "\/prod", or "" for none\.$/],
    ["an origin path without its leading slash", { routes: [{ pathPattern: "/api/*", originId: "api", domainName: "x", originPath: "prod" }] }, /routes\[0\]\.originPath "prod" is not a directory path CloudFront takes/],
    ["an origin path of a lone slash", { routes: [{ pathPattern: "/api/*", originId: "api", domainName: "x", originPath: "/" }] }, /routes\[0\]\.originPath "\/" is not a directory path/],
    ["a cache rule without a value", { cacheRules: [{ pattern: "**", cacheControl: "" }] }, /cacheRules\[0\] .* needs both pattern and cacheControl/],
    ["a custom header name that is not a token", { securityHeaders: { customHeaders: { "Permissions Policy": "camera=()" } } },
      /securityHeaders\.customHeaders "Permissions Policy" is not an HTTP header name/],
    ["a custom header the security headers already set", { securityHeaders: { customHeaders: { "X-Frame-Options": "SAMEORIGIN" } } },
      /securityHeaders\.customHeaders "X-Frame-Options" is one of the security headers the policy already sends.*securityHeaders\.frameOptions/],
    ["a custom header twice", { securityHeaders: { customHeaders: { "X-Robots-Tag": "none", "x-robots-tag": "noindex" } } }, /securityHeaders\.customHeaders "x-robots-tag" is set twice/],
    ["a custom header value with a line break", { securityHeaders: { customHeaders: { "X-A": "a\r\nSet-Cookie: x=1" } } }, /securityHeaders\.customHeaders\["X-A"\] .* is not a single-line header value/],
  ])("%s", (_, bad, message) => {
    expect(() => new StaticSite("bad", { path, ...bad })).toThrow(message);
  });

  it("refuses the stack's aws:region when CloudFront's standard logging does not deliver there, and leaves an explicit provider's to the plan", () => {
    const previous = process.env.AWS_REGION;
    process.env.AWS_REGION = "me-south-1";
    try {
      expect(() => new StaticSite("bahrain", { path })).toThrow(/^StaticSite "bahrain": region "me-south-1 \(the stack's aws:region\)" is a region CloudFront's standard logging does not deliver to/);
      const provider = new aws.Provider("site-milan", { region: "eu-south-1" });
      expect(() => new StaticSite("milan", { path }, { provider })).not.toThrow();
    } finally {
      if (previous === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = previous;
    }
  });

  it("accepts the longest index document CloudFront takes, with every character it allows", () => {
    const allowed = `A-Za-z0_9.*$~"'&/index`;
    expect(() => new StaticSite("root-object", { path, indexDocument: allowed })).not.toThrow();
    expect(() => new StaticSite("root-object-long", { path, indexDocument: `${"a".repeat(250)}.html` })).not.toThrow();
  });

  it("accepts what those checks allow: an empty or nested origin path, and 11 names on a certificate it does not request", async () => {
    const routes = [{ pathPattern: "/api/*", originId: "api", domainName: "x", originPath: "" }, { pathPattern: "/v1/*", originId: "v1", domainName: "y", originPath: "/prod/v1" }];
    const aliases = Array.from({ length: 10 }, (_, i) => `h${i}.example.com`);
    const { distribution } = await build("fine", { routes, domain: { name: "a.example.com", aliases, certificateArn } });
    expect(distribution.inputs.origins.map((o: { originPath?: string }) => o.originPath)).toEqual([undefined, "", "/prod/v1"]);
    expect(distribution.inputs.aliases).toHaveLength(11);
  });
});

describe("StaticSite bucketName: S3's rules, plus no periods", () => {
  // One check of S3's bucket naming rules (bucketNameProblem, which the deploy rules use too): a given bucketName is
  // refused when S3 would refuse it, or when it holds a period (HTTPS to a dotted bucket name fails), and only then.
  const refusal = (bucketName: string) => {
    try {
      validateBucketName((argument, value, problem) => { throw new Error(`${argument} ${String(value)} ${problem}`); }, "bucketName", bucketName);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };
  it("refuses a name exactly when S3 does or it holds a period", () => {
    const characters = fc.constantFrom(..."abz09.-_A".split(""));
    const names = fc.oneof(
      fc.string({ unit: characters, minLength: 0, maxLength: 66 }),
      fc.constantFrom("192.168.1.1", "a..b", "xn--site", "sthree-site", "amzn-s3-demo-site", "site-s3alias", "site--ol-s3", "site.mrap", "site--x-s3", "site--table-s3", "a".repeat(63), "a".repeat(64)),
    );
    fc.assert(fc.property(names, (bucketName) => {
      expect(refusal(bucketName) !== undefined).toBe(bucketName.includes(".") || bucketNameProblem(bucketName) !== undefined);
    }), { numRuns: 2000 });
  });
});

describe("StaticSite: more host names than ACM's default quota on the certificate it requests", () => {
  it("warns, naming the component, the count and the quota, and still requests the certificate (the quota is adjustable, and a deployed site may rely on a raised one)", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      const aliases = Array.from({ length: 10 }, (_, i) => `h${i}.example.com`);
      const graph = await record(() => new StaticSite("many", { path, domain: { name: "a.example.com", aliases, hostedZoneId: "Z1" } }));
      expect(resource(graph, "aws:acm/certificate:Certificate", "many-cert").inputs.subjectAlternativeNames).toHaveLength(10);
      const messages = warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes("ACM"));
      expect(messages).toEqual([
        expect.stringMatching(
          /^StaticSite "many": domain\.aliases gives the certificate StaticSite requests 11 host names \(domain\.name and 10 aliases\), more than ACM's default quota: "The default quota is 10 domain names for each ACM certificate" \(https:\/\/docs\.aws\.amazon\.com\/acm\/latest\/userguide\/acm-limits\.html\)\. The quota is adjustable: unless your account's was raised to 11 or more, RequestCertificate fails\. Raise it in Service Quotas \(ACM\), serve at most 10 names, or pass domain\.certificateArn\.$/,
        ),
      ]);
      warn.mockClear();
      await record(() => new StaticSite("ten", { path, domain: { name: "a.example.com", aliases: aliases.slice(1), hostedZoneId: "Z1" } }));
      await record(() => new StaticSite("given", { path, domain: { name: "a.example.com", aliases, certificateArn } }));
      expect(warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes("ACM"))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
