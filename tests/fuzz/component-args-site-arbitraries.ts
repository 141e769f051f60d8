/**
 * fast-check generators of StaticSite and EdgeLogic arguments a user might plausibly write, for
 * tests/fuzz/component-args-site.test.ts: mostly well-formed (so the runs reach the distribution, the records and the
 * edge functions), with the edges people hit — upper-case or trailing-dot host names, wildcard aliases, duplicated
 * entries, origin paths with a trailing slash, certificates in the wrong region, event types a kind cannot run on,
 * sizes at CloudFront's limits — and now and then a value the component must refuse.
 * StaticSite never gets `build` (the fuzz publishes an existing folder as it is).
 */
import fc from "fast-check";
import type { EdgeFunctionArgs, EdgeLambdaArgs, EdgeLogicArgs } from "../../components/edge-logic";
import type { StaticSiteArgs, StaticSiteDomain, StaticSiteRoute } from "../../components/static-site";
import { componentName } from "./component-args-arbitraries";


/** Drops the keys whose value is undefined, so an argument is either set or absent (as a user writes it). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Unset mostly: set in one run of `oneIn` (shrinking towards unset). */
const option = <T>(arbitrary: fc.Arbitrary<T>, oneIn = 2): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

/** The folder tests/components/static-site.test.ts publishes: index.html, error.html, docs/index.html, assets/. */
export const SITE_FOLDER = "tests/fixtures/site";

/**
 * The generators, with a valid value drawn `validWeight` times for each edge value. Per argument, an edge now and then
 * (1 in 13) exercises the refusals; the third property combines two components' arguments, so it draws tidier ones
 * (1 in 80) to reach the distribution with edge functions on it often enough.
 */
function siteArbitraries(validWeight: number): { staticSiteArgs: fc.Arbitrary<StaticSiteArgs>; edgeLogicArgs: fc.Arbitrary<EdgeLogicArgs> } {
  /** Usually `valid`, now and then `edge` (a value at or past a limit, or one the component must refuse). */
  function mostly<T>(valid: fc.Arbitrary<T>, edge: fc.Arbitrary<T>): fc.Arbitrary<T> {
    return fc.oneof({ weight: validWeight, arbitrary: valid }, { weight: 1, arbitrary: edge });
  }

  const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"] as const;
  const region = mostly(fc.constantFrom(...REGIONS), fc.constantFrom("US-WEST-2", "eu-west", "moon-1"));

  // ------------------------------------------------------------------------------------------------------------ StaticSite

  const hostName = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom("gallery.example.com", "www.gallery.example.com", "static.example.org", "example.com", "a.b.c.example.co.uk") },
    { weight: 2, arbitrary: fc.constantFrom("*.gallery.example.com", "xn--bcher-kva.example", "s".repeat(63) + ".example.com") },
    { weight: 1, arbitrary: fc.constantFrom("Gallery.example.com", "gallery.example.com.", "bücher.example", "gallery", "-bad.example.com", "gallery..example.com") },
  );
  const certificateArn = mostly(
    fc.constant("arn:aws:acm:us-east-1:123456789012:certificate/abc"),
    fc.constantFrom("arn:aws:acm:eu-west-1:123456789012:certificate/abc", "arn:aws:iam::123456789012:server-certificate/site"),
  );
  const domain: fc.Arbitrary<StaticSiteDomain> = fc
    .record({
      name: hostName,
      aliases: option(fc.array(hostName, { maxLength: 3 })),
      hostedZoneId: fc.option(fc.constant("Z0123456789EXAMPLE0000"), { nil: undefined }),
      certificateArn: option(certificateArn),
      failover: option(
        fc.record({
          domainName: fc.constantFrom("d111111abcdef8.cloudfront.net", "standby-bucket.s3-website-us-west-2.amazonaws.com"),
          hostedZoneId: fc.constantFrom("Z2FDTNDATAQYW2", "Z3BJ6K6RIION7M"),
          healthCheckPath: option(mostly(fc.constantFrom("/", "/index.html", "/health"), fc.constantFrom("health", "/" + "p".repeat(255)))),
        }).map(defined),
        4,
      ),
    })
    .map(defined);

  const routePattern = mostly(fc.constantFrom("/api/*", "/images/*", "/v1/*", "/api", "/auth/*.json", "/API/*"), fc.constantFrom("api/*", "/*", "*", ""));
  const originId = mostly(fc.constantFrom("api", "images", "auth_v2", "API-1", "o".repeat(64)), fc.constantFrom("site", "site-replica", "site-failover", "my api", "", "o".repeat(65)));
  const route: fc.Arbitrary<StaticSiteRoute> = fc
    .record({
      pathPattern: routePattern,
      originId,
      domainName: mostly(fc.constantFrom("abc123.execute-api.us-east-1.amazonaws.com", "api.example.com", "images.example.org"), fc.constantFrom("https://api.example.com", "api.example.com/prod", "API.Example.com", "")),
      originPath: option(mostly(fc.constantFrom("/prod", "", "/v1/api", "/stage_2"), fc.constantFrom("/prod/", "prod", "/", "//prod")), 2),
      cached: option(fc.boolean()),
    })
    .map(defined);

  /** A key under the site folder, or a slip (a leading slash, a parent folder, a missing file). */
  const document = (file: string) => option(mostly(fc.constantFrom(file, "docs/index.html", "missing.html", "index.html"), fc.constantFrom("", `/${file}`, `../${file}`)), 2);
  const siteBucketName = mostly(fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$/), fc.constantFrom("b".repeat(63), "gallery-site")), fc.constantFrom("Gallery", "my.site", "b".repeat(64), "xn--site", "ab"));

  const securityHeaders = fc
    .record({
      hstsMaxAgeSeconds: option(mostly(fc.constantFrom(1, 31536000, 63072000), fc.constantFrom(-1, 0, 1.5, 2_147_483_648))),
      frameOptions: option(fc.constantFrom("DENY" as const, "SAMEORIGIN" as const)),
      referrerPolicy: option(fc.constantFrom("no-referrer" as const, "same-origin" as const, "strict-origin" as const, "strict-origin-when-cross-origin" as const)),
      contentSecurityPolicy: option(mostly(fc.constantFrom("default-src 'self'", "default-src 'self'; img-src * data:"), fc.constantFrom("", "c".repeat(1784), "c".repeat(1785)))),
      customHeaders: option(
        fc.dictionary(
          mostly(fc.constantFrom("Permissions-Policy", "Cross-Origin-Opener-Policy", "X-Robots-Tag", "Cache-Control"), fc.constantFrom("X Bad", "Content-Security-Policy", "x-robots-tag", "Server")),
          mostly(fc.constantFrom("camera=()", "same-origin", "noindex"), fc.constantFrom("", "a\nb")),
          { maxKeys: 3 },
        ),
      ),
    })
    .map(defined);

  const publish = fc
    .record({
      includeDotfiles: option(fc.boolean()),
      concurrency: option(mostly(fc.integer({ min: 1, max: 64 }), fc.constantFrom(0, 65, 2.5))),
      keepRemovedAssetsFor: option(mostly(fc.integer({ min: 0, max: 100 }), fc.constantFrom(-1, 101))),
      maxInvalidationPaths: option(mostly(fc.constantFrom(1, 15, 1000, 3000), fc.constantFrom(0, 3001))),
      partSizeBytes: option(mostly(fc.constantFrom(5 * 1024 * 1024, 8 * 1024 * 1024), fc.constant(1024))),
      invalidate: option(fc.boolean()),
    })
    .map(defined);

  const waf = fc
    .record({
      rateLimit: option(mostly(fc.constantFrom(10, 100, 2000, 2_000_000_000), fc.constantFrom(9, 0, 10.5))),
      rateWindowSeconds: option(mostly(fc.constantFrom(60, 120, 300, 600), fc.constant(30))),
      maxBodyBytes: option(mostly(fc.constantFrom(1, 8192, 16384), fc.constant(16385))),
      managedRuleGroups: option(fc.uniqueArray(fc.constantFrom("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesAnonymousIpList", "AWSManagedRulesAmazonIpReputationList"), { maxLength: 3 })),
      logRetentionDays: option(mostly(fc.constantFrom(1, 30, 365), fc.constant(2))),
    })
    .map(defined);

  /** StaticSite's arguments without `edge` (the third property adds an EdgeLogic's associations). */
  const staticSiteArgs: fc.Arbitrary<StaticSiteArgs> = fc
    .record({
      path: mostly(fc.constant(SITE_FOLDER), fc.constantFrom("no/such/folder", "tests/fixtures/site/index.html")),
      indexDocument: document("index.html"),
      errorDocument: document("error.html"),
      spa: option(fc.boolean()),
      hosting: option(mostly(fc.constantFrom("oac" as const, "s3-website" as const), fc.constant("website" as never))),
      bucketName: option(siteBucketName, 4),
      logs: option(
        fc.record({
          bucketName: option(siteBucketName, 4),
          prefix: option(mostly(fc.constantFrom("logs/", "examplebucket-logs/", "", "a/b/"), fc.constantFrom("/logs/", "logs"))),
          retentionDays: option(mostly(fc.constantFrom(1, 30, 90, 3650), fc.constantFrom(0, 1.5))),
        }).map(defined),
      ),
      cacheRules: option(fc.array(fc.record({ pattern: mostly(fc.constantFrom("assets/**", "**/*.html", "*.css"), fc.constant("")), cacheControl: fc.constantFrom("public, max-age=86400", "no-store") }), { maxLength: 2 })),
      priceClass: option(mostly(fc.constantFrom("PriceClass_100" as const, "PriceClass_200" as const, "PriceClass_All" as const), fc.constant("PriceClass_300" as never))),
      domain: option(domain),
      securityHeaders: option(securityHeaders),
      routes: option(mostly(fc.uniqueArray(route, { maxLength: 3, selector: (r) => r.pathPattern }), fc.array(route, { minLength: 2, maxLength: 2 }))),
      retainOnDelete: option(fc.boolean()),
      region: option(region, 3),
      replicaRegion: option(region, 3),
      publish: option(publish),
      waf: option(waf, 3),
      slip: mostly(fc.constant(false), fc.constant(true)),
    })
    // Unless `slip`: no replica with website hosting or in the bucket's own region, no fixed names on kept buckets, each
    // route its own origin id (the runs that keep them reach the refusals; the rest reach the distribution).
    .map(({ slip, ...args }) => {
      if (!slip) {
        if (args.replicaRegion !== undefined && (args.hosting === "s3-website" || args.replicaRegion === (args.region ?? "us-east-1"))) delete args.replicaRegion;
        if (args.retainOnDelete) {
          delete args.bucketName;
          if (args.logs) delete args.logs.bucketName;
        }
        args.routes = args.routes?.map((route, index, all) => (all.findIndex((other) => other.originId === route.originId) < index ? { ...route, originId: `${route.originId}-${index}` } : route));
      }
      return defined(args);
    });

  // ------------------------------------------------------------------------------------------------------------- EdgeLogic

  const EVENT_TYPES = ["viewer-request", "viewer-response", "origin-request", "origin-response"] as const;
  const edgeKey = mostly(fc.constantFrom("viewer-request", "viewer-response", "auth", "headers", "k".repeat(30), "r2"), fc.constantFrom("Auth", "my_fn", "k".repeat(31), ""));
  const behaviourPattern = mostly(fc.constantFrom("default", "/account/*", "/api/*", "/docs/*"), fc.constantFrom("*", "/*", ""));
  const pathPatterns = option(mostly<string[]>(fc.uniqueArray(behaviourPattern, { minLength: 1, maxLength: 2 }), fc.constantFrom([], ["default", "default"])), 2);

  /** The reference app's CloudFront Functions (each reads CONFIG), and now and then one over 10 KB. */
  const edgeFunction: fc.Arbitrary<EdgeFunctionArgs> = fc
    .record({
      file: mostly(fc.constantFrom("handlers/edge/viewer-request.js", "handlers/edge/viewer-response.js"), fc.constantFrom("tests/fixtures/edge/too-big.js", "handlers/edge/nope.js")),
      eventType: mostly(fc.constantFrom("viewer-request" as const, "viewer-response" as const), fc.constantFrom("origin-request" as never, "viewer-error" as never)),
      pathPatterns,
      config: option(fc.record({ cleanUrls: fc.constantFrom("html", "none"), redirects: fc.boolean(), pad: mostly(fc.constant(""), fc.constant("x".repeat(9000))) }, { requiredKeys: [] })),
      keyValueStore: option(fc.boolean()),
      comment: option(mostly(fc.constantFrom("Redirects and clean URLs", "ünïcode ✓", "c".repeat(128)), fc.constantFrom("c".repeat(129), "line\nbreak"))),
    })
    .map(defined);

  /**
   * Lambda@Edge entries that bundle without configuration: the fuzz's echo handler and the reference app's origin-response.
   * Settings mostly fit the event type (a viewer function's 128 MB and 5 s, a body on request events only, the error
   * document on origin-response only), so runs reach the distribution; `slip` keeps them as drawn.
   */
  const edgeLambda: fc.Arbitrary<EdgeLambdaArgs> = fc
    .record({
      entry: mostly(fc.constantFrom("tests/fixtures/handlers/echo.ts", "handlers/edge/origin-response.ts"), fc.constant("handlers/edge/nope.ts")),
      eventType: mostly(fc.constantFrom(...EVENT_TYPES), fc.constant("origin-error" as never)),
      pathPatterns,
      memorySize: option(mostly(fc.constantFrom(128, 256, 1024, 10240), fc.constantFrom(127, 10241, 512.5))),
      timeout: option(mostly(fc.constantFrom(1, 5, 10, 30), fc.constantFrom(0, 31))),
      includeBody: option(fc.boolean(), 3),
      servesErrorDocument: option(fc.boolean(), 4),
      slip: mostly(fc.constant(false), fc.constant(true)),
    })
    .map(({ slip, ...lambda }) => {
      if (slip) return defined(lambda);
      const viewer = lambda.eventType.startsWith("viewer-");
      return defined({
        ...lambda,
        memorySize: viewer && lambda.memorySize !== undefined ? 128 : lambda.memorySize,
        timeout: viewer && lambda.timeout !== undefined ? Math.min(lambda.timeout, 5) : lambda.timeout,
        includeBody: lambda.eventType.endsWith("-request") ? lambda.includeBody : undefined,
        servesErrorDocument: lambda.eventType === "origin-response" ? lambda.servesErrorDocument : undefined,
      });
    });

  const kvsKey = mostly(fc.constantFrom("/old-about", "/blog/2020", "flags", "ünï/kéy", "k".repeat(512)), fc.constantFrom("", "k".repeat(513)));
  const kvsValue = mostly(fc.constantFrom("/about", "{\"beta\":true}", "", "v".repeat(1024)), fc.constant("v".repeat(1025)));

  /** EdgeLogic's arguments; a function asks for the key value store mostly only when there is one (`slip` keeps it as drawn). */
  const edgeLogicArgs: fc.Arbitrary<EdgeLogicArgs> = fc
    .record({
      functions: fc.option(fc.dictionary(edgeKey, edgeFunction, { minKeys: 1, maxKeys: 2 }), { nil: undefined, freq: 3 }),
      lambdas: option(fc.dictionary(edgeKey, edgeLambda, { minKeys: 1, maxKeys: 2 })),
      keyValueStore: option(fc.record({ data: option(fc.dictionary(kvsKey, kvsValue, { maxKeys: 3 })), comment: option(mostly(fc.constantFrom("Redirects", "c".repeat(128)), fc.constant("c".repeat(129)))) }).map(defined), 2),
      logs: option(
        fc.record({
          regions: option(mostly<string[]>(fc.uniqueArray(fc.constantFrom(...REGIONS, "sa-east-1", "ap-south-1"), { maxLength: 3 }), fc.constantFrom(["us-east-1", "us-east-1"], ["US-EAST-1"], ["eu-west"]))),
          retentionDays: option(mostly(fc.constantFrom(1, 7, 30, 365, 3653), fc.constantFrom(2, 0))),
        }).map(defined),
        3,
      ),
      slip: mostly(fc.constant(false), fc.constant(true)),
    })
    .map(({ slip, ...args }) => {
      // Something to run, mostly: the reference app's viewer-response function when neither kind was drawn.
      if (!slip && !args.functions && !args.lambdas) args.functions = { "viewer-response": { file: "handlers/edge/viewer-response.js", eventType: "viewer-response" } };
      if (!slip && !args.keyValueStore && args.functions) {
        args.functions = Object.fromEntries(Object.entries(args.functions).map(([key, { keyValueStore: _, ...fn }]) => [key, fn]));
      }
      return defined(args);
    });

  return { staticSiteArgs, edgeLogicArgs };
}

export const { staticSiteArgs, edgeLogicArgs } = siteArbitraries(12);
/** Tidier arguments, for StaticSite running an EdgeLogic's associations. */
export const tidy = siteArbitraries(80);
/** A component name, tidy mostly (the combined property): the harness's names, with their edges, one run in 20. */
export const tidyComponentName = fc.oneof({ weight: 19, arbitrary: fc.constantFrom("site", "gallery", "web", "docs-site", "s1") }, { weight: 1, arbitrary: componentName });
