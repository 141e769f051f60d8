import type { ArgFailure } from "./errors";

/**
 * What CloudFront takes as a cache behaviour's path pattern. Shared by StaticSite (`routes[].pathPattern`,
 * `edge[].pathPattern`) and EdgeLogic (`functions.<key>.pathPatterns`, `lambdas.<key>.pathPatterns`), so a pattern
 * is refused by the component the user wrote it in, with the same words, before CloudFront refuses it at `pulumi up`.
 *
 * CloudFront's path patterns (Developer Guide, cache behavior settings, "Path pattern",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern):
 * "The maximum length of a path pattern is 255 characters. The value can contain any of the following characters:
 * A-Z, a-z ... 0-9 ... _ - . * $ / ~ " ' @ : + ... &, passed and returned as &amp;", and "You can use the following
 * wildcard characters in your path pattern: * matches 0 or more characters. ? matches exactly 1 character." So `?` is
 * taken too. `&` is taken as written: the API is XML, and the SDK escapes it to `&amp;` on the wire (a pattern
 * holding a literal "&amp;" has a `;`, which is refused). Checked on the pattern as sent, with the leading "/"
 * behaviourPattern (edge-logic/associations.ts) adds (CloudFront behaves the same with or without it); the length
 * counts `&` as one character, which is not confirmed.
 */
export const PATH_PATTERN_MAX_LENGTH = 255;
const PATH_PATTERN_CHARACTER = /[A-Za-z0-9_\-.*?$/~"'@:+&]/;

/**
 * Refuses `pattern` where CloudFront would refuse it as a cache behaviour's path pattern, under the component's own
 * `argument`; `example` is a pattern of the component's own use ("/api/*" for a route).
 */
export function checkPathPattern(fail: ArgFailure, argument: string, pattern: string, example: string): void {
  const refused = [...new Set([...pattern].filter((character) => !PATH_PATTERN_CHARACTER.test(character)))];
  if (refused.length > 0) {
    fail(argument, pattern, `has characters CloudFront's path patterns do not take (${refused.map((c) => JSON.stringify(c)).join(", ")}); a path pattern takes A-Z, a-z, 0-9, _ - . * ? $ / ~ " ' @ : + and &`, `Use e.g. "${example}".`);
  }
  if (pattern.length > PATH_PATTERN_MAX_LENGTH) {
    fail(argument, pattern, `is ${pattern.length} characters; CloudFront's path patterns are at most ${PATH_PATTERN_MAX_LENGTH}`, "Use a shorter pattern, e.g. a shorter folder with /*.");
  }
}

/**
 * Whether every path `later` matches is matched by `earlier` too, so a behaviour with `later` listed after one with
 * `earlier` is never used: "When CloudFront receives a viewer request, the requested path is compared with path patterns
 * in the order in which cache behaviors are listed in the distribution" (API_CacheBehavior, PathPattern,
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CacheBehavior.html). Sound, not complete: `earlier`'s
 * `*` may cover anything of `later` (its wildcards included) and its other characters must be `later`'s own, so an
 * `earlier` with `?` covers only a pattern equal to it. Both compared with the leading "/" ("CloudFront behavior is the
 * same with or without the leading /").
 */
export function patternCovers(earlier: string, later: string): boolean {
  const [covering, covered] = [earlier, later].map((pattern) => (pattern.startsWith("/") ? pattern : `/${pattern}`));
  if (covering === covered) return true;
  if (covering.includes("?")) return false;
  const literal = covering.split("*").map((part) => part.replace(/[.+^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${literal.join(".*")}$`, "s").test(covered);
}
