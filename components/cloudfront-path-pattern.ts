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

/** Why CloudFront would refuse `pattern` as a cache behaviour's path pattern, or undefined. */
export function pathPatternProblem(pattern: string): string | undefined {
  const refused = [...new Set([...pattern].filter((character) => !PATH_PATTERN_CHARACTER.test(character)))];
  if (refused.length > 0) {
    return `has characters CloudFront's path patterns do not take (${refused.map((c) => JSON.stringify(c)).join(", ")}); a path pattern takes A-Z, a-z, 0-9, _ - . * ? $ / ~ " ' @ : + and &`;
  }
  if (pattern.length > PATH_PATTERN_MAX_LENGTH) return `is ${pattern.length} characters; CloudFront's path patterns are at most ${PATH_PATTERN_MAX_LENGTH}`;
  return undefined;
}

/** The fix for a `pathPatternProblem`, with `example` a pattern of the component's own use ("/api/*" for a route). */
export function pathPatternFix(problem: string, example: string): string {
  return problem.startsWith("is ") ? "Use a shorter pattern, e.g. a shorter folder with /*." : `Use e.g. "${example}".`;
}
