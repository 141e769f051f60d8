/**
 * EventBridge event patterns evaluated against an event, for the operators components/event-bus/event-pattern.ts
 * accepts (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html): every field of a
 * pattern must match (AND), the matchers in a field's array are alternatives (OR), a nested pattern walks into the
 * event's object, and an event value that is an array matches when one of its elements does. `$or` takes any of its
 * patterns. `exists` is about the field's leaves, as AWS's matcher (aws/event-ruler, Event.java) flattens an event into
 * leaf values: true when the field has a scalar (null counts), directly or in an array (nested arrays flattened);
 * false when it has none: absent, an object, `[]`, or an array of objects only ("Exists matching only works on leaf
 * nodes", eb-create-pattern-operators.html). Only the event's own properties are fields: `constructor` or `toString`
 * of an event without them is absent (Object.prototype is not the event).
 *
 * Not local/sns-filter.ts: SNS's body matching takes a narrower set (no wildcard, no prefix/suffix with
 * equals-ignore-case, anything-but of { prefix } only, IPv4 cidr only) and is not exported; the semantics both share
 * (AND of fields, OR within an array, arrays of values, exists) read the same here.
 */
import { BlockList, isIP } from "node:net";
import { parseWildcard } from "../components/event-bus/event-pattern";

type Pattern = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `event` (the whole EventBridge event: source, detail-type, detail, …) matches `pattern`. */
export function matchesEventPattern(pattern: Pattern, event: unknown): boolean {
  return isObject(event) && matchesObject(pattern, event);
}

function matchesObject(pattern: Pattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === "$or") return (expected as Pattern[]).some((branch) => matchesObject(branch, event));
    const actual = Object.hasOwn(event, field) ? event[field] : undefined;
    if (isObject(expected)) {
      // With no object at the field, the nested fields are absent: only what matches absence (exists: false) holds,
      // as AWS's matcher reads an event by its leaf paths (aws/event-ruler), not by its objects.
      // Objects inside nested arrays count too, as nested arrays of values do (event-ruler flattens arrays).
      const objects = (Array.isArray(actual) ? actual.flat(Infinity) : [actual]).filter(isObject);
      return (objects.length > 0 ? objects : [{}]).some((inner) => matchesObject(expected, inner));
    }
    return (expected as unknown[]).some((matcher) => matchesField(matcher, actual));
  });
}

type Leaf = string | number | boolean | null;

/** A field's leaf values: the value itself when scalar, the scalars of an array (nested arrays flattened), else none. */
function leaves(actual: unknown, into: Leaf[] = []): Leaf[] {
  if (Array.isArray(actual)) for (const element of actual) leaves(element, into);
  else if (actual !== undefined && !isObject(actual)) into.push(actual as Leaf);
  return into;
}

/** One matcher of a field's array against the field's leaves (absent: none; an array: any element). */
function matchesField(matcher: unknown, actual: unknown): boolean {
  const values = leaves(actual);
  if (isObject(matcher) && Object.hasOwn(matcher, "exists")) return matcher.exists === values.length > 0;
  return values.some((value) => matchesValue(matcher, value));
}

function matchesValue(matcher: unknown, value: string | number | boolean | null): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [operator, operand] = Object.entries(matcher)[0];
  const text = typeof value === "string" ? value : undefined;
  switch (operator) {
    case "prefix":
      return text !== undefined && affix(operand, text, (whole, part) => whole.startsWith(part));
    case "suffix":
      return text !== undefined && affix(operand, text, (whole, part) => whole.endsWith(part));
    case "equals-ignore-case":
      return text !== undefined && text.toLowerCase() === String(operand).toLowerCase();
    case "wildcard":
      return text !== undefined && matchesWildcard(String(operand), text);
    case "cidr":
      return text !== undefined && inRange(text, String(operand));
    case "numeric":
      return typeof value === "number" && numericHolds(operand as Array<string | number>, value);
    case "anything-but":
      return !excluded(operand, value);
    default:
      return false;
  }
}

/** prefix/suffix of a string, or of `{ "equals-ignore-case": string }` compared without case. */
function affix(operand: unknown, text: string, test: (whole: string, part: string) => boolean): boolean {
  if (typeof operand === "string") return test(text, operand);
  const folded = String((operand as Record<string, unknown>)["equals-ignore-case"]).toLowerCase();
  return test(text.toLowerCase(), folded);
}

/** Whether anything-but's operand excludes `value`: one of its values, or a string its inner operator matches. */
function excluded(operand: unknown, value: string | number | boolean | null): boolean {
  if (!isObject(operand)) return (Array.isArray(operand) ? operand : [operand]).includes(value);
  if (typeof value !== "string") return false;
  const [inner, argument] = Object.entries(operand)[0];
  const list = (Array.isArray(argument) ? argument : [argument]).map(String);
  switch (inner) {
    case "prefix":
      return value.startsWith(String(argument));
    case "suffix":
      return value.endsWith(String(argument));
    case "equals-ignore-case":
      return list.some((each) => each.toLowerCase() === value.toLowerCase());
    case "wildcard":
      return list.some((each) => matchesWildcard(each, value));
    default:
      return false;
  }
}

/**
 * Whether `text` matches a wildcard operand, in time linear in the text (no backtracking, whatever the operand): the
 * first literal run is a prefix, the last a suffix, and each one between is found in order, leftmost first (for
 * `*`-only globs the leftmost occurrence never loses a match). An operand EventBridge refuses matches nothing.
 */
export function matchesWildcard(pattern: string, text: string): boolean {
  const parsed = parseWildcard(pattern);
  if ("problem" in parsed) return false;
  const { segments } = parsed;
  if (segments.length === 1) return text === segments[0];
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (first.length + last.length > text.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let from = first.length;
  const end = text.length - last.length;
  for (const middle of segments.slice(1, -1)) {
    const at = text.indexOf(middle, from);
    if (at < 0 || at + middle.length > end) return false;
    from = at + middle.length;
  }
  return true;
}

/** The first wildcard operand of a rule's pattern that EventBridge refuses, with the reason; undefined when none. */
export function wildcardProblem(pattern: Pattern): string | undefined {
  for (const [field, expected] of Object.entries(pattern)) {
    const nested = field === "$or" && Array.isArray(expected) ? expected : isObject(expected) ? [expected] : [];
    for (const branch of nested) {
      const problem = isObject(branch) ? wildcardProblem(branch) : undefined;
      if (problem) return problem;
    }
    if (field === "$or" || !Array.isArray(expected)) continue;
    for (const matcher of expected.filter(isObject)) {
      const but = matcher["anything-but"];
      const operand = Object.hasOwn(matcher, "wildcard") ? matcher.wildcard : isObject(but) && Object.hasOwn(but, "wildcard") ? but.wildcard : undefined;
      for (const each of Array.isArray(operand) ? operand : [operand]) {
        const parsed = typeof each === "string" ? parseWildcard(each) : undefined;
        if (parsed && "problem" in parsed) return `the wildcard ${JSON.stringify(each)} of "${field}": ${parsed.problem}`;
      }
    }
  }
  return undefined;
}

/** Each [comparison, bound] pair of a numeric matcher holds for `value`. */
function numericHolds(comparisons: Array<string | number>, value: number): boolean {
  const checks: Record<string, (bound: number) => boolean> = { "=": (b) => value === b, "<": (b) => value < b, "<=": (b) => value <= b, ">": (b) => value > b, ">=": (b) => value >= b };
  for (let i = 0; i + 1 < comparisons.length; i += 2) if (!checks[String(comparisons[i])]?.(Number(comparisons[i + 1]))) return false;
  return true;
}

/** An IPv4 or IPv6 address within a CIDR range (node:net's BlockList). */
function inRange(address: string, cidr: string): boolean {
  const [network, bits] = cidr.split("/");
  const family = isIP(network);
  if (family === 0 || isIP(address) !== family) return false;
  const type = family === 4 ? "ipv4" : "ipv6";
  const list = new BlockList();
  try {
    if (bits === undefined) list.addAddress(network, type);
    else list.addSubnet(network, Number(bits), type);
  } catch {
    return false;
  }
  return list.check(address, type);
}
