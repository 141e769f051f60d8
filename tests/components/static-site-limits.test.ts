/**
 * StaticSite arguments that reach fields AWS limits (review 22: F1, S1, S5): the certificate's Common Name, the
 * response headers policy's HSTS max-age, CSP and custom headers, and the behaviours' path patterns and count.
 * Refused where AWS refuses whatever the account; warned where the limit is a default quota an account may raise.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { StaticSite, type StaticSiteArgs } from "../../components/static-site";
import type { EdgeAssociation } from "../../components/edge-logic/associations";
import { argFailer } from "../../components/errors";
import { validateBuildArgs } from "../../components/static-site/build";
import { record, resource } from "../harness/mocks";

const path = "tests/fixtures/site";
const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
/** A per-branch preview host of 67 characters (review 22, F1). */
const LONG_HOST = "pr-1234-add-album-sharing-links.preview.gallery.example-company.com";
/** `length` characters, a valid host name under example.com. */
const hostOf = (length: number) => `${"a".repeat(length - ".example.com".length)}.example.com`;
const route = (pathPattern: string, originId = "api") => ({ pathPattern, originId, domainName: "x.example.com" });
const association = (pathPattern: string): EdgeAssociation => ({ pathPattern, eventType: "viewer-response", kind: "function", edgeLogic: "x", key: "k", arn: "arn:aws:cloudfront::123456789012:function/x-k" });

/** What `pulumi.log.warn` was given while `run` recorded, filtered to the messages mentioning `about`. */
async function warnings(about: string, run: () => unknown): Promise<string[]> {
  const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  try {
    await record(run);
    return warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes(about));
  } finally {
    warn.mockRestore();
  }
}

describe("StaticSite: the certificate's Common Name (domain.name) is at most 64 characters when StaticSite requests the certificate", () => {
  it("refuses a longer domain.name with a hosted zone, naming the length, ACM's limit and the certificateArn fix", () => {
    expect(LONG_HOST).toHaveLength(67);
    expect(() => new StaticSite("bad", { path, domain: { name: LONG_HOST, hostedZoneId: "Z1" } })).toThrow(
      /^StaticSite "bad": domain\.name "pr-1234-add-album-sharing-links\.preview\.gallery\.example-company\.com" is 67 characters; it is the Common Name of the certificate StaticSite requests, and ACM's RequestCertificate takes a Common Name of at most 64 characters\. Pass domain\.certificateArn: a us-east-1 certificate whose Common Name is at most 64 characters and that lists "pr-1234-add-album-sharing-links\.preview\.gallery\.example-company\.com" as a Subject Alternative Name \(up to 253\), or use a domain\.name of at most 64 characters\.$/,
    );
    expect(() => new StaticSite("bad", { path, domain: { name: `*.${hostOf(63)}`, hostedZoneId: "Z1" } })).toThrow(/domain\.name "\*\.a+\.example\.com" is 65 characters/);
  });

  it("requests a certificate for a 64-character name, and takes a longer one with certificateArn or as an alias (a Subject Alternative Name, up to 253)", async () => {
    const graph = await record(() => new StaticSite("cn64", { path, domain: { name: hostOf(64), hostedZoneId: "Z1" } }));
    expect(resource(graph, "aws:acm/certificate:Certificate", "cn64-cert").inputs.domainName).toHaveLength(64);
    expect(() => new StaticSite("given", { path, domain: { name: LONG_HOST, certificateArn } })).not.toThrow();
    const aliased = await record(() => new StaticSite("san", { path, domain: { name: "a.example.com", aliases: [LONG_HOST], hostedZoneId: "Z1" } }));
    expect(resource(aliased, "aws:acm/certificate:Certificate", "san-cert").inputs.subjectAlternativeNames).toEqual([LONG_HOST]);
  });
});

describe("StaticSite securityHeaders: what the response headers policy takes", () => {
  it.each<[string, StaticSiteArgs["securityHeaders"], RegExp]>([
    ["a negative HSTS max-age", { hstsMaxAgeSeconds: -1 }, /^StaticSite "bad": securityHeaders\.hstsMaxAgeSeconds -1 is not from 1 to 2147483647 seconds: CloudFront requires a max-age \(AccessControlMaxAgeSec\), a number of seconds \(RFC 6797 delta-seconds\)\. Use 1 to make browsers forget the policy after a second, or e\.g\. 63072000 \(two years\)\.$/],
    ["a fractional HSTS max-age", { hstsMaxAgeSeconds: 1.5 }, /^StaticSite "bad": securityHeaders\.hstsMaxAgeSeconds 1\.5 is not a whole number of seconds; CloudFront's Strict-Transport-Security max-age \(AccessControlMaxAgeSec\) is an integer\. Use e\.g\. 63072000 \(two years\)\.$/],
    ["an HSTS max-age that is not a number", { hstsMaxAgeSeconds: Number.NaN }, /securityHeaders\.hstsMaxAgeSeconds .* is not a whole number of seconds;/],
    ["an HSTS max-age given as a string", { hstsMaxAgeSeconds: "31536000" as never }, /securityHeaders\.hstsMaxAgeSeconds "31536000" is not a whole number of seconds;/],
    // pulumi-aws leaves a max-age of 0 out of CreateResponseHeadersPolicy, which requires it; above 2^31 - 1 it wraps.
    ["an HSTS max-age of 0", { hstsMaxAgeSeconds: 0 },
      /^StaticSite "bad": securityHeaders\.hstsMaxAgeSeconds 0 is not from 1 to 2147483647 seconds: CloudFront requires a max-age \(AccessControlMaxAgeSec\), which pulumi-aws does not send when it is 0, so `pulumi up` fails\. Use 1 to make browsers forget the policy after a second, or e\.g\. 63072000 \(two years\)\.$/],
    ["an HSTS max-age over 32 bits", { hstsMaxAgeSeconds: 2_147_483_648 }, /securityHeaders\.hstsMaxAgeSeconds 2147483648 is not from 1 to 2147483647 seconds: .*the provider sends a 32-bit integer/],
    ["an empty CSP", { contentSecurityPolicy: "" }, /^StaticSite "bad": securityHeaders\.contentSecurityPolicy "" is not a single-line header value\. Use a non-empty string without line breaks, or leave it unset for the default policy\.$/],
    ["a CSP with a line break", { contentSecurityPolicy: "default-src 'self';\nimg-src *" }, /securityHeaders\.contentSecurityPolicy .* is not a single-line header value/],
    ["a custom header name over 256 characters", { customHeaders: { [`X-${"a".repeat(255)}`]: "1" } },
      /^StaticSite "bad": securityHeaders\.customHeaders "X-a+" is 257 characters; CloudFront takes custom header names of at most 256\. Use a shorter header name\.$/],
    ["a custom header value over 1,783 characters", { customHeaders: { "X-Long": "v".repeat(1_784) } },
      /^StaticSite "bad": securityHeaders\.customHeaders\["X-Long"\] "v+" is 1784 characters; CloudFront takes custom header values of at most 1,783\. Shorten the value\.$/],
    ["custom headers over 10,240 characters of names and values together", { customHeaders: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`X-H${i}`, "v".repeat(1_780)])) },
      /^StaticSite "bad": securityHeaders\.customHeaders .* have 10704 characters of names and values together; CloudFront takes at most 10,240 in one response headers policy\. Shorten or drop some of them\.$/],
  ])("refuses %s", (_, securityHeaders, message) => {
    expect(() => new StaticSite("bad", { path, securityHeaders })).toThrow(message);
  });

  it("takes an HSTS max-age of 1 (browsers forget the policy), 1,783-character values and 10,240 characters of custom headers", async () => {
    const exact = Object.fromEntries([...Array.from({ length: 5 }, (_, i) => [`X-H${i}`, "v".repeat(1_783)]), ["X-Last", "v".repeat(10_240 - 5 * (4 + 1_783) - 6)]]);
    const graph = await record(() => new StaticSite("fits", { path, securityHeaders: { hstsMaxAgeSeconds: 1, contentSecurityPolicy: "c".repeat(1_783), customHeaders: exact } }));
    const policy = resource(graph, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "fits-headers").inputs;
    expect(policy.securityHeadersConfig.strictTransportSecurity.accessControlMaxAgeSec).toBe(1);
    expect(policy.customHeadersConfig.items).toHaveLength(6);
  });

  it("warns for a CSP over 1,783 characters or more than 10 custom headers (CloudFront's default, adjustable quotas), and still creates the policy", async () => {
    const csp = `default-src 'self'; script-src ${"https://cdn.example.com ".repeat(80)}`.trim();
    expect(await warnings("Content-Security-Policy", () => new StaticSite("csp", { path, securityHeaders: { contentSecurityPolicy: csp } }))).toEqual([
      expect.stringMatching(
        new RegExp(`^StaticSite "csp": securityHeaders\\.contentSecurityPolicy is ${csp.length} characters, more than CloudFront's default quota: "Maximum length of the \`Content-Security-Policy\` header value": 1,783 characters \\(https://docs\\.aws\\.amazon\\.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits\\.html#limits-custom-headers\\)\\. The quota is adjustable: unless your account's was raised, CreateResponseHeadersPolicy fails \\(TooLongCSPInResponseHeadersPolicy\\)\\. Raise it in Service Quotas \\(CloudFront\\), or shorten the policy\\.$`),
      ),
    ]);
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`X-H${i}`, "1"]));
    expect(await warnings("custom headers", () => new StaticSite("many", { path, securityHeaders: { customHeaders: eleven } }))).toEqual([
      expect.stringMatching(
        /^StaticSite "many": securityHeaders\.customHeaders has 11 custom headers, more than CloudFront's default quota: "Custom headers: maximum number of custom headers that you can add to a response headers policy": 10 \(https:\/\/docs\.aws\.amazon\.com\/AmazonCloudFront\/latest\/DeveloperGuide\/cloudfront-limits\.html#limits-custom-headers\)\. The quota is adjustable: unless your account's was raised, CreateResponseHeadersPolicy fails \(TooManyCustomHeadersInResponseHeadersPolicy\)\. Ask AWS Support for a higher quota, or send at most 10\.$/,
      ),
    ]);
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`X-H${i}`, "1"]));
    expect(await warnings("CloudFront's default quota", () => new StaticSite("ten", { path, securityHeaders: { customHeaders: ten, contentSecurityPolicy: "c".repeat(1_783) } }))).toEqual([]);
  });
});

describe("StaticSite path patterns: CloudFront's characters and length", () => {
  it.each<[string, Partial<StaticSiteArgs>, RegExp]>([
    ["a route pattern with a space", { routes: [route("/my api/*")] },
      /^StaticSite "bad": routes\[0\]\.pathPattern "\/my api\/\*" has characters CloudFront's path patterns do not take \(" "\); a path pattern takes A-Z, a-z, 0-9, _ - \. \* \? \$ \/ ~ " ' @ : \+ and &\. Use e\.g\. "\/api\/\*"\.$/],
    ["a route pattern with a percent-encoding and a semicolon", { routes: [route("/a%20b;c/*")] }, /routes\[0\]\.pathPattern "\/a%20b;c\/\*" has characters CloudFront's path patterns do not take \("%", ";"\)/],
    ["a route pattern with a non-ASCII letter", { routes: [route("/café/*")] }, /routes\[0\]\.pathPattern "\/café\/\*" has characters CloudFront's path patterns do not take \("é"\)/],
    ["a route pattern over 255 characters", { routes: [route(`/${"a".repeat(253)}/*`)] },
      /^StaticSite "bad": routes\[0\]\.pathPattern "\/a+\/\*" is 256 characters; CloudFront's path patterns are at most 255\. Use a shorter pattern, e\.g\. a shorter folder with \/\*\.$/],
    ["an edge-only pattern CloudFront does not take", { edge: [association("/account/{id}/*")] }, /^StaticSite "bad": edge\[0\]\.pathPattern "\/account\/\{id\}\/\*" has characters CloudFront's path patterns do not take \("\{", "\}"\)/],
  ])("refuses %s", (_, args, message) => {
    expect(() => new StaticSite("bad", { path, ...args })).toThrow(message);
  });

  it("takes every character CloudFront lists, ? as its one-character wildcard, and 255 characters with the leading / it adds", async () => {
    const patterns = ["/api/*", "/a??.jpg", "*.jpg", "/~user/$x/@y/:z/+w/'q'/\"d\"/a&b/_-./*", `${"a".repeat(252)}/*`];
    const graph = await record(() => new StaticSite("patterns", { path, routes: patterns.map((p, i) => route(p, `o${i}`)) }));
    const behaviours = resource(graph, "aws:cloudfront/distribution:Distribution", "patterns-cdn").inputs.orderedCacheBehaviors;
    expect(behaviours.map((b: { pathPattern: string }) => b.pathPattern)).toEqual(patterns.map((p) => (p.startsWith("/") ? p : `/${p}`)));
    expect(behaviours[4].pathPattern).toHaveLength(255);
  });
});

describe("StaticSite: more cache behaviours than CloudFront's default quota per distribution", () => {
  it("warns, counting the default behaviour, the routes and the edge-only behaviours, and still creates the distribution", async () => {
    const routes = Array.from({ length: 70 }, (_, i) => route(`/r${i}/*`, `r${i}`));
    const edge = Array.from({ length: 5 }, (_, i) => association(`/e${i}/*`));
    expect(await warnings("Cache behaviors per distribution", () => new StaticSite("wide", { path, routes, edge }))).toEqual([
      expect.stringMatching(
        /^StaticSite "wide": routes and edge give the distribution 76 cache behaviours \(the default, 70 routes and 5 edge-only path patterns\), more than CloudFront's default quota: "Cache behaviors per distribution": 75 \(https:\/\/docs\.aws\.amazon\.com\/AmazonCloudFront\/latest\/DeveloperGuide\/cloudfront-limits\.html#limits-web-distributions\)\. The quota is adjustable: unless your account's was raised, CreateDistribution or UpdateDistribution fails \(TooManyCacheBehaviors\)\. Ask AWS Support for a higher quota, or merge path patterns \(e\.g\. one route for \/api\/\* instead of one per resource\)\.$/,
      ),
    ]);
    expect(await warnings("Cache behaviors per distribution", () => new StaticSite("fits", { path, routes: routes.slice(1), edge }))).toEqual([]);
  });
});

describe("StaticSite: a behaviour an earlier one's pattern covers would never be used (CloudFront takes the first match in order)", () => {
  it("refuses a route listed after a route whose pattern covers it, naming both and the order fix", () => {
    expect(() => new StaticSite("bad", { path, routes: [route("/api/*"), route("/api/admin/*", "admin")] })).toThrow(
      /^StaticSite "bad": routes\[1\]\.pathPattern "\/api\/admin\/\*" is covered by routes\[0\]\.pathPattern "\/api\/\*", which comes first; CloudFront compares a request's path with the behaviours' patterns in the order they are listed and uses the first match, so this route would never be used\. List routes\[1\] before routes\[0\]\.$/,
    );
    expect(() => new StaticSite("bad", { path, routes: [route("/api*"), route("api/v2/?", "v2")] })).toThrow(/routes\[1\]\.pathPattern "\/api\/v2\/\?" is covered by routes\[0\]\.pathPattern "\/api\*"/);
  });

  it("refuses an edge association on a path a route covers: the route's behaviour comes first and serves it from the route's origin", () => {
    expect(() => new StaticSite("bad", { path, routes: [route("/api/*")], edge: [association("/api/admin/*")] })).toThrow(
      /^StaticSite "bad": edge\[0\]\.pathPattern "\/api\/admin\/\*" is covered by routes\[0\]\.pathPattern "\/api\/\*", which comes first; CloudFront compares a request's path with the behaviours' patterns in the order they are listed and uses the first match, so EdgeLogic "x" function k would never run there\. Set EdgeLogic "x" functions\.k\.pathPatterns to "\/api\/\*" \(it then runs on every request of that route\), or to a path the routes leave to the site\.$/,
    );
  });

  it("refuses an edge association whose path an earlier edge-only behaviour covers, naming the EdgeLogic argument to change", () => {
    const settings: EdgeAssociation = { ...association("/account/settings/*"), edgeLogic: "y", key: "s", kind: "lambda", eventType: "origin-request" };
    expect(() => new StaticSite("bad", { path, edge: [association("/account/*"), settings] })).toThrow(
      /^StaticSite "bad": edge\[1\]\.pathPattern "\/account\/settings\/\*" is covered by "\/account\/\*" \(EdgeLogic "x" function k\), an edge-only behaviour that comes first; CloudFront compares a request's path with the behaviours' patterns in the order they are listed and uses the first match, so EdgeLogic "y" Lambda@Edge function s would never run there\. List its association before those on "\/account\/\*" in edge \(and add "\/account\/settings\/\*" to the pathPatterns of EdgeLogic "x" function k if it should run there too\), or set EdgeLogic "y" lambdas\.s\.pathPatterns to "\/account\/\*"\.$/,
    );
    // Listed first, the specific behaviour comes first: both run, each on its own paths.
    expect(() => new StaticSite("ok", { path, edge: [settings, association("/account/*")] })).not.toThrow();
    // The same function on both patterns runs on the covered paths anyway: the later behaviour is only redundant.
    expect(() => new StaticSite("same", { path, edge: [association("/account/*"), association("/account/settings/*")] })).not.toThrow();
    expect(() => new StaticSite("same", { path, routes: [route("/api/*")], edge: [association("/api/*"), association("/api/admin/*")] })).not.toThrow();
  });

  it("takes the more specific pattern first, patterns that only overlap, and an association on the route's own pattern", async () => {
    const graph = await record(() => new StaticSite("ordered", {
      path,
      routes: [route("/api/admin/*", "admin"), route("/api/*"), route("/img/*.jpg", "jpg"), route("/img/a?/*", "a")],
      edge: [association("/api/*"), association("/account/*")],
    }));
    const behaviours = resource(graph, "aws:cloudfront/distribution:Distribution", "ordered-cdn").inputs.orderedCacheBehaviors as Array<{ pathPattern: string }>;
    expect(behaviours.map((b) => b.pathPattern)).toEqual(["/api/admin/*", "/api/*", "/img/*.jpg", "/img/a?/*", "/account/*"]);
  });
});

describe("StaticSite build.stopGraceSeconds", () => {
  it.each([
    [-1, /^StaticSite "grace": build\.stopGraceSeconds -1 is outside StaticSite's range of 0–300 seconds; a stopped build's processes get this long after SIGTERM before SIGKILL; longer would hold a failed deploy\. Use e\.g\. 5 \(the default\)\.$/],
    [301, /build\.stopGraceSeconds 301 is outside StaticSite's range of 0–300 seconds/],
    ["5", /build\.stopGraceSeconds "5" is not a number\./],
  ])("refuses %s", (value, message) => {
    expect(() => new StaticSite("grace", { path, build: { command: "make", outputDir: "dist", stopGraceSeconds: value as number } })).toThrow(message);
  });

  it("takes 0 (SIGKILL at once) to 300 seconds", () => {
    for (const stopGraceSeconds of [0, 0.2, 300]) {
      expect(() => validateBuildArgs(argFailer("StaticSite", "grace"), path, { command: "make", outputDir: "dist", stopGraceSeconds })).not.toThrow();
    }
  });
});

describe("StaticSite build.timeoutSeconds", () => {
  const site = (timeoutSeconds: unknown) => () => new StaticSite("timed", { path, build: { command: "make", outputDir: "dist", timeoutSeconds: timeoutSeconds as number } });

  it.each([
    [0, /^StaticSite "timed": build\.timeoutSeconds 0 is outside a timer's range of 0\.001–2147483 seconds; the build's timer waits from 1 ms to 2\^31 − 1 ms \(about 24 days\)\. Use e\.g\. 600 \(the default\)\.$/],
    [-5, /build\.timeoutSeconds -5 is outside a timer's range of 0\.001–2147483 seconds/],
    [2147484, /build\.timeoutSeconds 2147484 is outside a timer's range of 0\.001–2147483 seconds; the build's timer waits from 1 ms to 2\^31 − 1 ms/],
    [Infinity, /build\.timeoutSeconds Infinity is outside a timer's range/],
    [Number.NaN, /^StaticSite "timed": build\.timeoutSeconds NaN is not a number\. Use e\.g\. 600 \(the default\)\.$/],
    ["600", /build\.timeoutSeconds "600" is not a number\./],
  ])("refuses %s in a timer's range, in the shared range words", (value, message) => {
    expect(site(value)).toThrow(message);
  });

  it("takes a fraction of a second and the longest whole seconds a timer waits", () => {
    for (const timeoutSeconds of [0.5, 2147483]) {
      expect(() => validateBuildArgs(argFailer("StaticSite", "timed"), path, { command: "make", outputDir: "dist", timeoutSeconds })).not.toThrow();
    }
  });
});
