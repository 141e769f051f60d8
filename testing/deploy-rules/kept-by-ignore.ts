/**
 * What ignoreChanges keeps of a deployed resource against the program (keptByIgnoreChanges), apart from transition.ts so
 * that the transition checks beside it (transition-route53.ts) can call it without importing transition.ts, which
 * imports them: that cycle made transition-route53.ts fail to load when imported first.
 */
import type { RecordedResource } from "../../local/offline/mocks";
import { parsePropertyPath } from "./property-paths";

/** JSON with object keys in one order, so that equal values give one string and one digest: the transition checks' one key-sorting serialiser. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));

/**
 * Where `diffed` (a resource as diffedByUrn gives it) holds other values than the program gives (`program`, same URN),
 * of `fields` (unset: every input an ignoreChanges entry starts at, or all for `*`): the ignoreChanges entries that put the deployed
 * values back, and those values as findings print them (`name "app/key"`). What a fix names when ignoreChanges, not the
 * program, keeps a name; undefined where the program's own values are sent.
 */
export function keptByIgnoreChanges(program: RecordedResource, diffed: RecordedResource, fields?: readonly string[]): { entries: string; values: string } | undefined {
  const heads = (entry: string) => parsePropertyPath(entry)?.[0];
  const ignored = program.ignoreChanges ?? [];
  const everything = ignored.some((entry) => heads(entry) === "*");
  const candidates = fields ?? [...new Set(everything ? [...Object.keys(program.inputs), ...Object.keys(diffed.inputs)] : ignored.map(heads).filter((head): head is string => typeof head === "string"))];
  const kept = candidates.filter((field) => canonicalJson(program.inputs[field] ?? null) !== canonicalJson(diffed.inputs[field] ?? null));
  if (kept.length === 0) return undefined;
  const entries = ignored.filter((entry) => kept.includes(String(heads(entry))) || heads(entry) === "*");
  return { entries: entries.map((entry) => `"${entry}"`).join(", "), values: kept.map((field) => `${field} ${JSON.stringify(diffed.inputs[field])}`).join(", ") };
}
