/**
 * EventBridge event patterns evaluated against an event, for the operators components/event-bus/event-pattern.ts
 * accepts (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html): every field of a
 * pattern must match (AND), the matchers in a field's array are alternatives (OR), a nested pattern walks into the
 * event's object, and an event value that is an array matches when one of its elements does. `$or` takes any of its
 * patterns. `exists` is about the field: true for a present leaf (null counts), false for an absent one.
 *
 * Not local/sns-filter.ts: SNS's body matching takes a narrower set (no wildcard, no prefix/suffix with
 * equals-ignore-case, anything-but of { prefix } only, IPv4 cidr only) and is not exported; the semantics both share
 * (AND of fields, OR within an array, arrays of values, exists) read the same here.
 */
import { BlockList, isIP } from "node:net";

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
    const actual = event[field];
    if (isObject(expected)) {
      const objects = (Array.isArray(actual) ? actual : [actual]).filter(isObject);
      return objects.some((inner) => matchesObject(expected, inner));
    }
    return (expected as unknown[]).some((matcher) => matchesField(matcher, actual));
  });
}

/** One matcher of a field's array against the field's value (absent: undefined; an array: any element). */
function matchesField(matcher: unknown, actual: unknown): boolean {
  if (isObject(matcher) && "exists" in matcher) return matcher.exists === (actual !== undefined && !isObject(actual));
  if (actual === undefined) return false;
  const values = Array.isArray(actual) ? actual : [actual];
  return values.some((value) => !isObject(value) && !Array.isArray(value) && matchesValue(matcher, value as string | number | boolean | null));
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
      return text !== undefined && wildcardRegex(String(operand)).test(text);
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
      return list.some((each) => wildcardRegex(each).test(value));
    default:
      return false;
  }
}

/** `*` is any run of characters; `\*` a literal star (eb-create-pattern-operators.html, "Wildcard matching"). */
function wildcardRegex(pattern: string): RegExp {
  const parts = pattern.split(/(\\\*|\*)/).map((part) => (part === "*" ? ".*" : part === "\\*" ? "\\*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return new RegExp(`^${parts.join("")}$`, "s");
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
