/**
 * ignoreChanges (and replaceOnChanges) paths as the Pulumi engine reads them: shared by the single-plan rules that let
 * an ignored input pass (RdsClusterZones) and the transition checks, which reset ignored paths as the engine does.
 */
import type { RecordedResource } from "../../local/offline/mocks";

/**
 * A property path of `ignoreChanges` (or `replaceOnChanges`) as the engine parses it (pulumi
 * sdk/go/common/resource/properties_path.go `ParsePropertyPath`): names (`a.b`, `["a.b"]`), array indexes (`[0]`) and
 * the wildcard `[*]` (or `*`), which matches every element or key at its level. Undefined for a path it refuses.
 */
export type PropertyPath = Array<string | number>;
export function parsePropertyPath(path: string): PropertyPath | undefined {
  const elements: PropertyPath = [];
  let rest = path;
  while (rest.length > 0) {
    if (rest[0] === ".") {
      rest = rest.slice(1);
    } else if (rest[0] === "[") {
      const quoted = /^\["((?:\\"|[^"])*)"\]/.exec(rest);
      if (quoted) {
        elements.push(quoted[1].replace(/\\"/g, '"'));
        rest = rest.slice(quoted[0].length);
        continue;
      }
      const close = rest.indexOf("]");
      if (close < 0) return undefined;
      const segment = rest.slice(1, close);
      if (segment === "*") elements.push("*");
      else if (/^[0-9]+$/.test(segment)) elements.push(Number(segment));
      else return undefined;
      rest = rest.slice(close + 1);
    } else {
      const end = rest.search(/[.[]/);
      elements.push(end < 0 ? rest : rest.slice(0, end));
      rest = end < 0 ? "" : rest.slice(end);
    }
  }
  return elements;
}

/** Whether `ignored` (an ignoreChanges path) holds `path`, as the engine's `PropertyPath.Contains`: a prefix, `*` matching any element or key. */
function pathContains(ignored: PropertyPath, path: PropertyPath): boolean {
  return ignored.length <= path.length && ignored.every((element, i) => element === "*" || element === path[i]);
}

/** The ignoreChanges entries of `r` that hold `path`. */
export const ignoredBy = (r: RecordedResource, path: PropertyPath): string[] =>
  (r.ignoreChanges ?? []).filter((entry) => {
    const parsed = parsePropertyPath(entry);
    return parsed !== undefined && pathContains(parsed, path);
  });
