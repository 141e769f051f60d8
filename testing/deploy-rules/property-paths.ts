/**
 * ignoreChanges (and replaceOnChanges) paths as the Pulumi engine reads them: shared by the single-plan rules that let
 * an ignored input pass (RdsClusterZones) and the transition checks, which reset ignored paths as the engine does.
 */
import { isDeepStrictEqual } from "node:util";
import { isUnknown, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type DeployFinding, type DeployRule } from "./rule";

/**
 * A property path as the engine parses it (pulumi/pulumi sdk/go/common/resource/properties_path.go `parsePropertyPath`,
 * read at 1b5949891b3cefcb9974752b24a5ecef0acc86c8): names (any characters up to the next `.` or `[`: `a.b`, `foo-bar`),
 * quoted keys (`["a.b"]`, `\"` for a quote), array indexes (`[0]`, and whatever Go's `strconv.ParseInt(segment, 10, 0)`
 * takes: `[+1]` is index 1, `[-1]` is -1, which no reset or lookup finds), and the wildcard `*` (bare, `[*]` or `["*"]`),
 * which matches every element or key at its level (`PropertyPath.Contains`).
 */
export type PropertyPath = Array<string | number>;

const INT64_MAX = 2n ** 63n - 1n;

/**
 * `path` parsed as the engine parses it, or the error it returns (its words). `strict` is ParsePropertyPathStrict, which
 * also refuses a `.` followed by `[` (`a.[0]`); the engine reads ignoreChanges and replaceOnChanges with the lenient
 * ParsePropertyPath (pkg/resource/deploy/step_generator.go processIgnoreChanges, line 3082, and applyReplaceOnChanges,
 * line 3180), and only config keys with the strict one (sdk/go/common/resource/config/map.go line 334). Both refuse: a
 * leading `.`, a trailing `.`, an unclosed bracket or quote, a quoted key not followed by `]`, and an index that is not
 * an integer (`[]`, `[a]`, `[1.5]`, one beyond Go's 64-bit int). An empty path is no error; as an ignoreChanges entry it
 * keeps nothing (the engine's Reset of an empty path does nothing: pathContains).
 */
export function parsePropertyPathResult(path: string, { strict = false }: { strict?: boolean } = {}): { path: PropertyPath } | { error: string } {
  const elements: PropertyPath = [];
  if (path.startsWith(".")) return { error: "expected property path to start with a name or index" };
  let rest = path;
  while (rest.length > 0) {
    if (rest[0] === ".") {
      rest = rest.slice(1);
      if (rest.length === 0) return { error: "expected property path to end with a name or index" };
      // The lenient parser tolerates `.[` ("common from old providers"); the strict one refuses it.
      if (rest[0] === "[" && strict) return { error: "expected property name after '.'" };
    } else if (rest[0] === "[") {
      if (rest[1] === '"') {
        // A quoted key, read one character at a time as Go does (no backtracking: `["a\\"]` has no closing quote).
        let key = "";
        let i = 2;
        for (;;) {
          if (i >= rest.length) return { error: "missing closing quote in property name" };
          if (rest[i] === '"') {
            i++;
            break;
          }
          if (rest[i] === "\\" && i + 1 < rest.length && rest[i + 1] === '"') {
            key += '"';
            i += 2;
          } else key += rest[i++];
        }
        if (i >= rest.length || rest[i] !== "]") return { error: "missing closing bracket in property access" };
        elements.push(key);
        rest = rest.slice(i + 1);
      } else {
        const close = rest.indexOf("]");
        if (close < 0) return { error: "missing closing bracket in array index" };
        const segment = rest.slice(1, close);
        if (segment === "*") elements.push("*");
        else {
          // strconv.ParseInt(segment, 10, 0): an optional sign, then decimal digits, within Go's 64-bit int.
          if (!/^[+-]?[0-9]+$/.test(segment)) return { error: `invalid array index: strconv.ParseInt: parsing ${JSON.stringify(segment)}: invalid syntax` };
          const index = BigInt(segment);
          if (index > INT64_MAX || index < -INT64_MAX - 1n) return { error: `invalid array index: strconv.ParseInt: parsing ${JSON.stringify(segment)}: value out of range` };
          elements.push(Number(index));
        }
        rest = rest.slice(close + 1);
      }
    } else {
      const end = rest.search(/[.[]/);
      elements.push(end < 0 ? rest : rest.slice(0, end));
      rest = end < 0 ? "" : rest.slice(end);
    }
  }
  return { path: elements };
}

/** `path` as the engine's lenient ParsePropertyPath reads it (parsePropertyPathResult), undefined for a path it refuses. */
export function parsePropertyPath(path: string): PropertyPath | undefined {
  const parsed = parsePropertyPathResult(path);
  return "path" in parsed ? parsed.path : undefined;
}

/**
 * Whether `ignored` (an ignoreChanges path) holds `path`, as the engine's `PropertyPath.Contains`: a prefix, `*` matching
 * any element or key. An empty path holds nothing: processIgnoreChanges resets each path (`PropertyPath.Reset`), and
 * properties_path.go reset returns false for an empty one (`if len(p) == 0`), so the entry "" keeps no input.
 */
function pathContains(ignored: PropertyPath, path: PropertyPath): boolean {
  return ignored.length > 0 && ignored.length <= path.length && ignored.every((element, i) => element === "*" || element === path[i]);
}

/**
 * How the provider's schema holds an array input, where the model knows it: a TypeList keeps its order, a TypeSet does
 * not. Undefined where it does not know (a type no table describes, or an input its table does not list).
 */
export type ArrayKind = "list" | "set";

/**
 * Whether the provider's Diff of `old` to `next` (values at the same path) reports a change at or below `path`, so that a
 * replaceOnChanges entry of that path turns it into a replacement: the engine's applyReplaceOnChanges marks a detailed-diff
 * key (or changed top-level key) for replacement only when the entry's path contains it (pkg/resource/deploy/
 * step_generator.go lines 3178-3225, `replaceOnChangePath.Contains(diffPath)`, at 1b5949891b3cefcb9974752b24a5ecef0acc86c8),
 * and `Contains` is a prefix test: a change reported at a shorter path, the whole input, does not count for a longer entry.
 * The bridge reports a change of a map or list element by element, and one where either side is null or unset, or the
 * new side unknown at preview (`new.IsComputed()`), at that value's own path (pulumi-terraform-bridge
 * pkg/tfbridge/detailed_diff.go makePropDiff, makeShortCircuitDiff,
 * makeMapDiff, makeListDiff, at 59de6c661df1e7561e6ece7ad7f1c835c63010c4; makeDetailedDiffV2, which pulumi-aws 7 gets: its
 * provider/resources.go sets EnableAccurateBridgePreview, the bridge's default since v3.107.0): so `tags.Name` counts when the tag changes
 * in a map both sides hold, not when `tags` is set or dropped as a whole, nor when `tags` is unknown at preview (an
 * entry of `tags` alone replaces then). The old side is the provider's prior state, known to the bridge; a saved
 * preview's plan may hold a value unknown there, whose deployed value is not known here: a change below it is reported,
 * toward replacing. `*` matches every key or index at its level.
 * An array is aligned as the bridge aligns it, by `kind`, the top-level input's (`old` and `next` being that input's
 * values), and below it as either a list or a set may be: an array of scalars by scalarArrayChanges; an array of objects
 * as a list index by index (makeListDiff, which makePropDiff's each index), as a set by element (setObjectDiffs: an
 * element both sides hold is unchanged wherever it stands), and where the kind is not known by either.
 */
export function changeReportedUnder(path: PropertyPath, old: unknown, next: unknown, kind?: ArrayKind): boolean {
  if (isDeepStrictEqual(old, next)) return false;
  if (path.length === 0) return true;
  if (old === undefined || old === null || next === undefined || next === null || isUnknown(next)) return false;
  const [element, ...rest] = path;
  if (Array.isArray(old) && Array.isArray(next) && [...old, ...next].every(isScalar)) {
    // The change of a scalar element is reported at its index, which a longer entry (`list[0].field`) does not contain.
    // A set's removed element at its index in the provider's state, which may be any below the set's size (setObjectDiffs);
    // for an input a kind keeps as a set only: one not known as either is most likely a list (a Lambda function's
    // `layers`), whose entries at one index keep the deployed order.
    const changed = scalarArrayChanges(old, next, kind);
    const set = kind === "set" ? setElementChanges(old, next) : undefined;
    const removedMayStandAt = (index: number) => set !== undefined && set.removed.length > 0 && index < set.size;
    return rest.length === 0 && (element === "*" ? changed.size > 0 : typeof element === "number" && (changed.has(element) || removedMayStandAt(element)));
  }
  const child = (value: unknown, key: string | number) => (typeof key === "number" ? (Array.isArray(value) ? value[key] : undefined) : value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined);
  const keysOf = (value: unknown): Array<string | number> => (Array.isArray(value) ? value.map((_, i) => i) : typeof value === "object" ? Object.keys(value as object) : []);
  const byKey = () => (element === "*" ? [...new Set([...keysOf(old), ...keysOf(next)])] : [element]).some((key) => changeReportedUnder(rest, child(old, key), child(next, key)));
  if (!Array.isArray(old) || !Array.isArray(next) || kind === "list") return byKey();
  // A changed element only one side holds is reported at its index as a whole (makeShortCircuitDiff), which a longer
  // entry does not contain; one removed where another is added, field by field (the recursion reads both the same way).
  const bySet = setObjectDiffs(old, next).some(([index, was, is]) => (element === "*" || element === index) && changeReportedUnder(rest, was, is));
  return bySet || (kind === undefined && byKey());
}

// An element unknown at preview (an ARN the update creates) is aligned as one scalar more: the bridge's alignment
// compares it by DeepEquals, under which it equals no known value.
const isScalar = (value: unknown) => value === null || ["string", "number", "boolean"].includes(typeof value) || isUnknown(value);

/**
 * An element as the alignments compare it, one string per value: every unknown one alike (DeepEquals of two computed
 * values is true), written `?`, which no JSON value is. An object's keys in one order, an absent key and a null one
 * alike: the set's element hash (terraform-plugin-sdk schema.HashResource, SerializeResourceForHash) reads each field of
 * the element's schema, absent or null being no value either way. The bridge drops a field unknown at preview before
 * it hashes (makeSetElementTerraformInput, DropUnknowns); here the field stays, as `?`, so an element with a field
 * unknown differs from its deployed self: a change more, never one less.
 */
function elementKey(value: unknown): string {
  if (isUnknown(value)) return "?";
  if (Array.isArray(value)) return `[${value.map(elementKey).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const fields = Object.entries(value).filter(([, field]) => field !== undefined && field !== null);
    return `{${fields
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, field]) => `${JSON.stringify(key)}:${elementKey(field)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** makeListDiff aligns a list of scalars by its edit script only below this many elements on each side. */
const LIST_EDIT_SCRIPT_LIMIT = 1000;

/**
 * The indices at which the bridge's detailed diff reports a change between two arrays of scalars (detailed_diff.go, at
 * 59de6c661df1e7561e6ece7ad7f1c835c63010c4):
 * - a list (makeListAttributeDiff): the shortest edit script of inserts and removes (unstable/difft DiffT, whose ties
 *   prefer a remove, then an insert, to a keep): a removed element at its old index, an inserted one at its new index.
 *   Removing the first of [a, b, c] reports [0] alone, where index by index [0], [1] and [2] all differ. From 1,000
 *   elements on either side, index by index (listChanges);
 * - a set (makeSetDiff): by element, in any order: a removed element at its index on the old side, an added one at
 *   the index of the first input that holds it (matchPlanElementsToInputs), and a reordering none. The old side is the
 *   provider's prior state, read here in the order given (the bridge's tests give it so); the state holds a set in the
 *   provider's order, so changeReportedUnder, given the deployed inputs, takes a removed element at any index below the
 *   set's size (setObjectDiffs);
 * - unknown: the indices either reports, so that an entry replaces where either alignment says so.
 */
export function scalarArrayChanges(old: readonly unknown[], next: readonly unknown[], kind?: ArrayKind): ReadonlySet<number> {
  if (kind === "list") return listChanges(old, next);
  if (kind === "set") return setChanges(old, next);
  return new Set([...listChanges(old, next), ...setChanges(old, next)]);
}

/**
 * A list's changed indices: its edit script below LIST_EDIT_SCRIPT_LIMIT elements on each side, else index by index,
 * as makeListDiff (`scalarElemType && len(oldList) < 1000 && len(newList) < 1000`, else makePropDiff of each index, an
 * index one side lacks read as null). The edit script's matrix is (n+1)·(m+1) cells: 10,000 elements on each side
 * would be 10^8.
 */
function listChanges(xs: readonly unknown[], ys: readonly unknown[]): Set<number> {
  if (xs.length < LIST_EDIT_SCRIPT_LIMIT && ys.length < LIST_EDIT_SCRIPT_LIMIT) return listEdits(xs, ys);
  const changed = new Set<number>();
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) if (!isDeepStrictEqual(xs[i] ?? null, ys[i] ?? null)) changed.add(i);
  return changed;
}

function listEdits(xs: readonly unknown[], ys: readonly unknown[]): Set<number> {
  const [xKeys, yKeys] = [xs.map(elementKey), ys.map(elementKey)];
  // remaining[x][y]: the fewest inserts and removes that turn xs[x..] into ys[y..] (difft's difflen matrix).
  const remaining = Array.from({ length: xs.length + 1 }, () => new Array<number>(ys.length + 1).fill(0));
  const choose = (x: number, y: number): [number, "remove" | "insert" | "keep"] => {
    if (x === xs.length) return [ys.length - y, "insert"];
    if (y === ys.length) return [xs.length - x, "remove"];
    let best: [number, "remove" | "insert" | "keep"] = [1 + remaining[x + 1][y], "remove"];
    if (1 + remaining[x][y + 1] < best[0]) best = [1 + remaining[x][y + 1], "insert"];
    if (xKeys[x] === yKeys[y] && remaining[x + 1][y + 1] < best[0]) best = [remaining[x + 1][y + 1], "keep"];
    return best;
  };
  for (let x = xs.length; x >= 0; x--) for (let y = ys.length; y >= 0; y--) remaining[x][y] = choose(x, y)[0];
  const changed = new Set<number>();
  for (let x = 0, y = 0; x < xs.length || y < ys.length; ) {
    const [, edit] = choose(x, y);
    if (edit === "remove") changed.add(x++);
    else if (edit === "insert") changed.add(y++);
    else (x++, y++);
  }
  return changed;
}

/**
 * The elements the bridge's detailed diff of a set (pulumi-terraform-bridge pkg/tfbridge/detailed_diff.go makeSetDiff,
 * at 59de6c661df1e7561e6ece7ad7f1c835c63010c4) finds changed: it keys each side by element hash
 * (calculateSetHashIndexMap: a value held twice keeps its last index); an element only the old side holds is removed at
 * its old index, one only the new side holds added at the index of the first input that holds it
 * (matchPlanElementsToInputs; the new side here is the inputs themselves). An element both sides hold is in neither.
 */
function setElementChanges(old: readonly unknown[], next: readonly unknown[]) {
  const lastIndex = new Map(old.map((value, i) => [elementKey(value), i] as const));
  const nextKeys = next.map(elementKey);
  const nextValues = new Set(nextKeys);
  const removed = [...lastIndex].flatMap(([value, i]) => (nextValues.has(value) ? [] : [i]));
  const added = [...nextValues].flatMap((value) => (lastIndex.has(value) ? [] : [nextKeys.indexOf(value)]));
  return { removed, added, size: lastIndex.size };
}

/** The indices a set's detailed diff reports, the old side read in the order given (scalarArrayChanges' cases). */
function setChanges(old: readonly unknown[], next: readonly unknown[]): Set<number> {
  const { removed, added } = setElementChanges(old, next);
  return new Set([...removed, ...added]);
}

/**
 * What the bridge's detailed diff of a set of objects may diff, each as [index, old value, new value] (a missing side
 * null): a removed element as a whole at its index, an added one as a whole at its index, and, where a removed and an
 * added one meet at one index, the two field by field (makeSetChangeMap, makeSetDiffElementResult: makePropDiff of the
 * old element against the new). The removed element's index is its index in the provider's prior state, which holds
 * a set in the provider's order (the SDK's, by element hash), not the program's: the bridge's cross-test
 * pkg/tests/diff_test TestSDKv2DetailedDiffSetBlock `same_element_updated_unordered` gives inputs [val2, val3, val1],
 * then [val2, val4, val1], and reports `props[1]` added and `props[2]` removed. That order is not known here, so a
 * removed element is taken at every index below the state's size, and met there by any added element: every diff the
 * bridge may report is among these (toward replacing).
 */
function setObjectDiffs(old: readonly unknown[], next: readonly unknown[]): Array<[number, unknown, unknown]> {
  const { removed, added, size } = setElementChanges(old, next);
  const below = Array.from({ length: size }, (_, i) => i);
  return [
    ...removed.flatMap((r) => below.map((i): [number, unknown, unknown] => [i, old[r], null])),
    ...added.flatMap((a) => [[a, null, next[a]] as [number, unknown, unknown], ...(a < size ? removed.map((r): [number, unknown, unknown] => [a, old[r], next[a]]) : [])]),
  ];
}

/** The ignoreChanges entries of `r` that hold `path`. */
export const ignoredBy = (r: RecordedResource, path: PropertyPath): string[] =>
  (r.ignoreChanges ?? []).filter((entry) => {
    const parsed = parsePropertyPath(entry);
    return parsed !== undefined && pathContains(parsed, path);
  });

const PROPERTIES_PATH_SOURCE = "https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/sdk/go/common/resource/properties_path.go";

/**
 * A spelling of a refused `entry` the engine parses, where one is plain: without a leading or trailing `.`, and with a
 * bracketed segment that is no index (`tags[Name]`) quoted (`tags["Name"]`). Undefined when that still fails.
 */
function suggestedPath(entry: string): string | undefined {
  const fixed = entry
    .replace(/^\.+|\.+$/g, "")
    .replace(/\[([^\]"]*)\]/g, (whole, segment: string) => (segment === "*" || /^[+-]?[0-9]+$/.test(segment) ? whole : `[${JSON.stringify(segment)}]`));
  return fixed !== entry && fixed.length > 0 && "path" in parsePropertyPathResult(fixed) ? fixed : undefined;
}

/**
 * PropertyPathRefused: an `ignoreChanges` or `replaceOnChanges` entry the engine's ParsePropertyPath refuses
 * (parsePropertyPathResult; the lenient parser: the engine reads both options with it, not the strict one). The engine
 * does not check them when the program registers the resource; it meets them only when it diffs one:
 * - replaceOnChanges: applyReplaceOnChanges parses every entry once the provider finds a change and returns the error
 *   (pkg/resource/deploy/step_generator.go lines 3178-3185 at 1b5949891b3cefcb9974752b24a5ecef0acc86c8), which
 *   continueStepsFromDiff returns (lines 1946-1949): the first update that changes the resource fails there, and so
 *   does a delete-before-replace of a resource it depends on (calculateDependentReplacements, line 3376);
 * - ignoreChanges: processIgnoreChanges skips an entry it cannot parse without a word (`if err != nil { continue }`,
 *   lines 3082-3085), so nothing is ignored: the update sends the program's value, which the entry meant to keep out.
 *   (The provider's Diff is sent the entries too; what pulumi-terraform-bridge does with one it cannot parse is not
 *   read here.)
 * One finding per entry, naming the resource, its component (the parent), the option, the entry and the parser's error.
 */
export function propertyPathFindings(graph: Graph): DeployFinding[] {
  const byUrn = new Map(graph.map((r) => [r.urn, r]));
  return graph.flatMap((r) =>
    (["replaceOnChanges", "ignoreChanges"] as const).flatMap((option) =>
      (r[option] ?? []).flatMap((entry) => {
        const parsed = parsePropertyPathResult(entry);
        if ("path" in parsed) return [];
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        const component = parent ? ` (in component ${parent.type} ${parent.name})` : "";
        const outcome =
          option === "replaceOnChanges"
            ? `the engine parses replaceOnChanges only when the provider finds a change, and then returns the error (pulumi step_generator.go applyReplaceOnChanges): the first update that changes ${r.name}, or replaces a resource it depends on delete-first, fails at it`
            : `the engine skips an ignoreChanges entry it cannot parse without a word (pulumi step_generator.go processIgnoreChanges), so nothing is ignored: every update sends the program's value of what the entry meant to keep`;
        const suggestion = suggestedPath(entry);
        const fix = `write ${option} entry ${JSON.stringify(entry)} of ${r.name} as a path the engine parses${suggestion ? `: ${JSON.stringify(suggestion)}` : ""} (names joined by ".", ["a quoted key"] for a key holding "." or "[", [0] for an index, [*] for every element or key; no leading or trailing ".")`;
        return [finding("PropertyPathRefused", r, `${option} entry ${JSON.stringify(entry)}${component} is not a property path the engine parses (${parsed.error}): ${outcome}`, fix)];
      }),
    ),
  );
}

/** The single-plan rule of this module (listed in index.ts DEPLOY_RULES). */
export const PROPERTY_PATH_RULES: readonly DeployRule[] = [
  {
    id: "PropertyPathRefused",
    title: "Every ignoreChanges and replaceOnChanges entry is a property path the engine parses",
    source: PROPERTIES_PATH_SOURCE,
    check: (graph) => propertyPathFindings(graph),
  },
];
