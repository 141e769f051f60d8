/**
 * Lambda@Edge, origin-response: runs once per cache miss, and what it sets is cached
 * with the object (SEO and bot handling at the edge).
 * - `X-Robots-Tag: noindex` on paths crawlers must not index: A/B variant pages (duplicate
 *   content of the page under test) and signed-in pages;
 * - a Cache-Control for objects the origin sent without one, and a short one for errors,
 *   so neither is cached for CloudFront's default day;
 * - the site's error document for the site origin's 403/404. The function runs on the site's
 *   behaviours only, so other origins' errors (the API's JSON 404s) pass untouched — which a
 *   distribution-wide custom error response cannot do. Origin-response functions run on every
 *   origin response, 4xx included, and may replace the body the origin sent (which they cannot read):
 *   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-updating-http-responses.html
 * Configuration is baked in at build time (`__EDGE_ORIGIN_RESPONSE_CONFIG__`), the error document
 * included: Lambda@Edge cannot read the bucket without a role, and the page is small.
 */
import type { CloudFrontResponseEvent, CloudFrontResponseResult, CloudFrontResultResponse } from "aws-lambda";

export interface OriginResponseConfig {
  /** Path prefixes that get `X-Robots-Tag: noindex, nofollow`, e.g. `["/variants/", "/account/"]`. */
  noindexPrefixes: string[];
  /** Cache-Control for successful responses without one. */
  defaultCacheControl: string;
  /** Cache-Control for 4xx/5xx responses without one. */
  errorCacheControl: string;
  /**
   * The site's error document (HTML), served with 404 in place of the origin's 403/404. StaticSite
   * checks it fits the 1 MB an origin-response function may generate. Unset: origin errors pass through.
   */
  errorDocument?: string;
}

declare const __EDGE_ORIGIN_RESPONSE_CONFIG__: OriginResponseConfig;

/** S3 answers a missing key 404 when CloudFront may list the bucket, 403 when it may not. */
const MISSING = new Set(["403", "404"]);

export function createOriginResponseHandler(config: OriginResponseConfig) {
  return async (event: CloudFrontResponseEvent): Promise<CloudFrontResponseResult> => {
    const { request, response } = event.Records[0].cf;
    const result: CloudFrontResultResponse = response;
    const headers = response.headers;
    if (config.errorDocument !== undefined && MISSING.has(response.status)) {
      result.status = "404";
      result.statusDescription = "Not Found";
      result.body = config.errorDocument;
      result.bodyEncoding = "text";
      headers["content-type"] = [{ key: "Content-Type", value: "text/html; charset=utf-8" }];
      // The length was the origin's (S3's XML error); the body is now ours.
      delete headers["content-length"];
    }
    if (config.noindexPrefixes.some((prefix) => request.uri.startsWith(prefix))) {
      headers["x-robots-tag"] = [{ key: "X-Robots-Tag", value: "noindex, nofollow" }];
    }
    if (!headers["cache-control"]) {
      const value = Number(result.status) >= 400 ? config.errorCacheControl : config.defaultCacheControl;
      headers["cache-control"] = [{ key: "Cache-Control", value }];
    }
    return result;
  };
}

let baked: ReturnType<typeof createOriginResponseHandler> | undefined;

export const handler = (event: CloudFrontResponseEvent) => {
  baked ??= createOriginResponseHandler(__EDGE_ORIGIN_RESPONSE_CONFIG__);
  return baked(event);
};
