/**
 * Turns the stale paths of a deploy into one CloudFront invalidation batch within
 * CloudFront's limits: exact paths while there are at most `maxPaths`, otherwise
 * folders collapse into `folder/*` wildcards — the ones that save the most paths
 * for the fewest unchanged files swept along — up to `maxWildcards`, and `/*` as
 * the last resort. Pure: serialised with the provider.
 */
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
