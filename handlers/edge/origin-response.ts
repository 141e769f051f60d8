/**
 * Lambda@Edge, origin-response: runs once per cache miss, and what it sets is cached
 * with the object (seed 003: SEO and bot handling at the edge).
 * - `X-Robots-Tag: noindex` on paths crawlers must not index: A/B variant pages (duplicate
 *   content of the page under test) and signed-in pages;
 * - a Cache-Control for objects the origin sent without one, and a short one for errors,
 *   so neither is cached for CloudFront's default day.
 * Configuration is baked in at build time (`__EDGE_ORIGIN_RESPONSE_CONFIG__`).
 */
import type { CloudFrontResponseEvent, CloudFrontResponseResult } from "aws-lambda";

export interface OriginResponseConfig {
  /** Path prefixes that get `X-Robots-Tag: noindex, nofollow`, e.g. `["/variants/", "/account/"]`. */
  noindexPrefixes: string[];
  /** Cache-Control for successful responses without one. */
  defaultCacheControl: string;
  /** Cache-Control for 4xx/5xx responses without one. */
  errorCacheControl: string;
}

declare const __EDGE_ORIGIN_RESPONSE_CONFIG__: OriginResponseConfig;

export function createOriginResponseHandler(config: OriginResponseConfig) {
  return async (event: CloudFrontResponseEvent): Promise<CloudFrontResponseResult> => {
    const { request, response } = event.Records[0].cf;
    const headers = response.headers;
    if (config.noindexPrefixes.some((prefix) => request.uri.startsWith(prefix))) {
      headers["x-robots-tag"] = [{ key: "X-Robots-Tag", value: "noindex, nofollow" }];
    }
    if (!headers["cache-control"]) {
      const value = Number(response.status) >= 400 ? config.errorCacheControl : config.defaultCacheControl;
      headers["cache-control"] = [{ key: "Cache-Control", value }];
    }
    return response;
  };
}

let baked: ReturnType<typeof createOriginResponseHandler> | undefined;

export const handler = (event: CloudFrontResponseEvent) => {
  baked ??= createOriginResponseHandler(__EDGE_ORIGIN_RESPONSE_CONFIG__);
  return baked(event);
};
