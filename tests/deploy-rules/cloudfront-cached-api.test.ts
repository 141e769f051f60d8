/**
 * CloudFrontCachedAuthorisedApi on what its fixture (fixtures/cloudfront-cached-api.ts) does not build: origin request
 * policies of the plan on allExcept and allViewerAndWhitelistCloudFront, an origin request policy the plan does not
 * know, an own cache policy with caching off, and REST methods on ANY.
 */
import { describe, expect, it } from "vitest";
import { CLOUDFRONT_CACHED_AUTHORISED_API, checkDeployRules } from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";

const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";

/** A distribution whose /api/* behaviour goes to an HTTP API with a JWT route `GET /api/{id}`, with `behaviour`'s settings. */
const warnings = (behaviour: Record<string, unknown>, ...more: ReturnType<typeof handBuilt>[]) =>
  checkDeployRules(
    [
      handBuilt("aws:cloudfront/distribution:Distribution", "cdn", {
        origins: [{ originId: "api", domainName: "http1.execute-api.us-east-1.amazonaws.com" }],
        defaultCacheBehavior: { targetOriginId: "s3", cachePolicyId: CACHING_OPTIMIZED },
        orderedCacheBehaviors: [{ pathPattern: "/api/*", targetOriginId: "api", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"], ...behaviour }],
      }),
      handBuilt("aws:apigatewayv2/api:Api", "api", { name: "api", protocolType: "HTTP" }, { id: "http1" }),
      handBuilt("aws:apigatewayv2/route:Route", "get", { apiId: "http1", routeKey: "GET /api/{id}", authorizationType: "JWT" }),
      ...more,
    ],
    devContext,
    [CLOUDFRONT_CACHED_AUTHORISED_API],
  ).map((f) => f.problem.split(";")[0]);

const policy = (headersConfig: Record<string, unknown>) => handBuilt("aws:cloudfront/originRequestPolicy:OriginRequestPolicy", "orp", { headersConfig }, { id: "orp-id" });

describe("CloudFrontCachedAuthorisedApi, origin request policies beside caching off", () => {
  const off = { cachePolicyId: CACHING_DISABLED, originRequestPolicyId: "orp-id" };

  it("counts allExcept as forwarding unless it leaves Authorization out, and allViewerAndWhitelistCloudFront as forwarding", () => {
    expect(warnings(off, policy({ headerBehavior: "allExcept", headers: { items: ["Host"] } }))).toEqual([]);
    expect(warnings(off, policy({ headerBehavior: "allViewerAndWhitelistCloudFront", headers: { items: ["CloudFront-Viewer-Country"] } }))).toEqual([]);
    expect(warnings(off, policy({ headerBehavior: "allExcept", headers: { items: ["authorization"] } }))).toEqual([expect.stringMatching(/origin request policy orp-id does not forward/)]);
    expect(warnings(off, policy({ headerBehavior: "none" }))).toHaveLength(1);
  });

  it("does not judge an origin request policy outside the plan it does not know, and warns on CachingDisabled alone", () => {
    expect(warnings({ cachePolicyId: CACHING_DISABLED, originRequestPolicyId: "someone-elses" })).toEqual([]);
    expect(warnings({ cachePolicyId: CACHING_DISABLED })).toHaveLength(1);
  });

  it("reads an own cache policy with all TTLs 0 as caching off, so its origin request policy decides", () => {
    const zeroTtl = handBuilt("aws:cloudfront/cachePolicy:CachePolicy", "nocache", { minTtl: 0, defaultTtl: 0, maxTtl: 0, parametersInCacheKeyAndForwardedToOrigin: {} }, { id: "nocache-id" });
    expect(warnings({ cachePolicyId: "nocache-id", originRequestPolicyId: "216adef6-5c7f-47e4-b989-5492eafa07d3" }, zeroTtl)).toEqual([]);
    expect(warnings({ cachePolicyId: "nocache-id", originRequestPolicyId: "59781a5b-3903-41f3-afcb-af62929ccde1" }, zeroTtl)).toHaveLength(1);
  });
});

describe("CloudFrontCachedAuthorisedApi, methods", () => {
  const rest = (httpMethod: string) => [
    handBuilt("aws:cloudfront/distribution:Distribution", "cdn", {
      origins: [{ originId: "api", domainName: "rest1.execute-api.us-east-1.amazonaws.com", originPath: "/prod" }],
      defaultCacheBehavior: { targetOriginId: "api", cachePolicyId: CACHING_OPTIMIZED, allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"], cachedMethods: ["GET", "HEAD"] },
    }),
    handBuilt("aws:apigateway/restApi:RestApi", "photos", { name: "photos" }, { id: "rest1" }),
    handBuilt("aws:apigateway/method:Method", "m", { restApi: "rest1", httpMethod, authorization: "CUSTOM" }),
  ];

  it("counts ANY and HEAD (they take requests that lose the token), not DELETE, PATCH, PUT or an uncached OPTIONS", () => {
    const warned = (m: string) => checkDeployRules(rest(m), devContext, [CLOUDFRONT_CACHED_AUTHORISED_API]).length;
    expect(["ANY", "HEAD", "GET", "DELETE", "PATCH", "PUT", "OPTIONS"].map(warned)).toEqual([1, 1, 1, 0, 0, 0, 0]);
  });
});
