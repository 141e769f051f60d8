/**
 * Turns the stale paths of a deploy into one CloudFront invalidation batch within
 * CloudFront's limits: exact paths while there are at most `maxPaths`, otherwise
 * folders collapse into `folder/*` wildcards — the ones that save the most paths
 * for the fewest unchanged files swept along — up to `maxWildcards`, and `/*` as
 * the last resort. Pure: serialised with the provider.
 */
/**
 * CloudFront's quotas on what a distribution may have in progress, across every batch still running: "File
 * invalidation: maximum number of files allowed in active invalidation requests, excluding wildcard invalidations:
 * 3,000" and "File invalidation: maximum number of active wildcard invalidations allowed: 15"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-invalidations).
 * "If you exceed the maximum, CloudFront returns an error message"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html):
 * TooManyInvalidationsInProgress, "You have exceeded the maximum number of allowable InProgress invalidation batch
 * requests, or invalidation objects". The publisher fits its batches to them, and the local CloudFront stub
 * (local/cloudfront-stub.ts) enforces the same numbers.
 */
export const CLOUDFRONT_IN_PROGRESS_QUOTAS = { files: 3000, wildcards: 15 } as const;

/**
 * How many of `paths` count against each in-progress quota: wildcard paths against the 15, every other path against
 * the 3,000. A wildcard path is one that ends in `*`: "you can specify either the path for individual files or a path
 * that ends with the * wildcard" (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Invalidation.html).
 * Every entry counts, duplicates too.
 */
export function countInvalidationPaths(paths: readonly string[]): { files: number; wildcards: number } {
  const wildcards = paths.filter((path) => path.endsWith("*")).length;
  return { files: paths.length - wildcards, wildcards };
}

export interface InvalidationLimits {
  maxPaths: number;
  maxWildcards: number;
}

/**
 * @param paths stale viewer paths (`/assets/app.js`, `/docs/`)
 * @param sitePaths every path of the site (old and new), to weigh how many fresh files a wildcard would also invalidate
 */
export function collapseInvalidation(paths: readonly string[], sitePaths: readonly string[], limits: InvalidationLimits): string[] {
  let entries = [...new Set(paths)].sort();
  if (entries.length <= limits.maxPaths) return entries;
  const siteCount = countUnderFolders(sitePaths);
  const staleCount = countUnderFolders(entries);
  let wildcards = 0;
  while (entries.length > limits.maxPaths && wildcards < limits.maxWildcards) {
    const under = countUnderFolders(entries.map((e) => (e.endsWith("*") ? e.slice(0, -1) : e)));
    let best: { folder: string; score: number; saving: number } | undefined;
    for (const [folder, count] of under) {
      const saving = count - 1;
      if (saving < 1) continue;
      const swept = Math.max(0, (siteCount.get(folder) ?? 0) - (staleCount.get(folder) ?? 0));
      const score = (swept + 1) / saving;
      if (!best || score < best.score || (score === best.score && saving > best.saving)) best = { folder, score, saving };
    }
    if (!best) break;
    const folder = best.folder;
    entries = [...entries.filter((e) => !e.startsWith(folder)), `${folder}*`].sort();
    wildcards = entries.filter((e) => e.endsWith("*")).length;
  }
  return entries.length <= limits.maxPaths && wildcards <= limits.maxWildcards ? entries : ["/*"];
}

/** For each folder prefix (`/`, `/assets/`, ...), how many of `paths` lie under it. */
function countUnderFolders(paths: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const path of paths) {
    for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) {
      const folder = path.slice(0, i + 1);
      counts.set(folder, (counts.get(folder) ?? 0) + 1);
    }
  }
  return counts;
}
