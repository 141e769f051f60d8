/**
 * SNS subscription filter policies, evaluated as SNS does for the operators components/topic/filter-policy.ts accepts
 * (exact values, prefix, suffix, anything-but of values or { prefix }, numeric, exists, equals-ignore-case, cidr, $or):
 * https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html and its pages on string, numeric,
 * key and IP address matching. Every key of a policy must match (AND); the values of a key's array are alternatives
 * (OR); an attribute or body value that is an array matches when one of its elements does.
 *
 * Attribute scope (MessageAttributes): String and String.Array attributes match string conditions, Number ones numeric
 * conditions and numbers; Binary attributes are ignored, as if absent ("Amazon SNS compares policy properties only to
 * message attributes that have the following data types: String, String.Array", and Number for numeric matching),
 * from the policy's keys and from the set of attributes `exists: false` needs to be non-empty alike.
 * Body scope (MessageBody): the message must be a JSON object; nested policy objects walk into it.
 */
import type { FilterPolicyScope } from "../components/topic/filter-policy";

/** A message attribute as Publish takes it. */
export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** A published message as filter policies read it. */
export interface FilterableMessage {
  attributes: Record<string, SnsMessageAttribute>;
  body: string;
}

/** Each message's body as JSON (undefined: not JSON), parsed once however many subscriptions' MessageBody policies read it. */
const parsedBodies = new WeakMap<FilterableMessage, unknown>();

function parsedBody(message: FilterableMessage): unknown {
  if (parsedBodies.has(message)) return parsedBodies.get(message);
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    body = undefined;
  }
  parsedBodies.set(message, body);
  return body;
}

/**
 * Whether a message (its attributes, its body) passes `policy`; no policy passes everything. Pass one message object
 * to every subscription's check: its body is parsed once (treat the object as read-only once checked).
 */
export function matchesFilterPolicy(policy: Record<string, unknown> | undefined, scope: FilterPolicyScope, message: FilterableMessage): boolean {
  if (!policy) return true;
  if (scope === "MessageAttributes") {
    // "\"exists\": false only matches if at least one attribute is present. An empty set of attributes results in the
    // filter not matching" (attribute-key-matching.html), and "Amazon SNS ignores message attributes with the Binary
    // data type" (subscription-filter-policy-constraints.html): the set SNS filters on is the message's attributes but
    // its Binary ones, so a message whose only attributes are Binary matches no `exists: false` (read from the two
    // sentences together; not confirmed against SNS itself).
    const absentMatches = Object.values(message.attributes).some((attribute) => attributeValues(attribute) !== undefined);
    // Own keys only: an attribute or body key named "constructor" or "toString" is absent unless the message has it.
    return matchesObject(policy, (key) => attributeValues(Object.hasOwn(message.attributes, key) ? message.attributes[key] : undefined), absentMatches);
  }
  const body = parsedBody(message);
  return isObject(body) && matchesBody(policy, body);
}

type Candidate = string | number | boolean | null;
/** The values a key has in the message (several for an array), or undefined when it is absent. */
type Lookup = (key: string) => Candidate[] | undefined;

/**
 * Whether a key's values make it exist for `exists`: "The key must have a non-null and non-empty value"
 * (attribute-key-matching.html), so a body's null, "" or [] is absent to it.
 */
const exists = (values: Candidate[] | undefined) => values !== undefined && values.some((value) => value !== null && value !== "");

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function attributeValues(attribute: SnsMessageAttribute | undefined): Candidate[] | undefined {
  if (!attribute) return undefined;
  const type = attribute.DataType.split(".")[0];
  if (attribute.DataType.startsWith("String.Array")) {
    try {
      const parsed: unknown = JSON.parse(attribute.StringValue ?? "");
      return Array.isArray(parsed) ? parsed.filter((v): v is Candidate => v === null || ["string", "number", "boolean"].includes(typeof v)) : [];
    } catch {
      return [];
    }
  }
  if (type === "Number") return [Number(attribute.StringValue)];
  if (type === "String") return [attribute.StringValue ?? ""];
  // Binary: "Amazon SNS ignores message attributes with the Binary data type" (subscription-filter-policy-constraints.html,
  // the earlier English version; the zh-CN page keeps the line), so for filtering it is absent, `exists` included.
  return undefined;
}

function matchesObject(policy: Record<string, unknown>, lookup: Lookup, absentMatches: boolean): boolean {
  return Object.entries(policy).every(([key, conditions]) => {
    if (key === "$or") return (conditions as Array<Record<string, unknown>>).some((branch) => matchesObject(branch, lookup, absentMatches));
    const values = lookup(key);
    return matchesKey(conditions as unknown[], values, exists(values) || (absentMatches ? false : undefined));
  });
}

function matchesBody(policy: Record<string, unknown>, body: Record<string, unknown>): boolean {
  return Object.entries(policy).every(([key, conditions]) => {
    if (key === "$or") return (conditions as Array<Record<string, unknown>>).some((branch) => matchesBody(branch, body));
    const value = Object.hasOwn(body, key) ? body[key] : undefined;
    if (isObject(conditions)) {
      const nested = Array.isArray(value) ? value.filter(isObject) : isObject(value) ? [value] : [];
      return nested.some((inner) => matchesBody(conditions, inner));
    }
    const values = value === undefined ? undefined : (Array.isArray(value) ? value : [value]).filter((v): v is Candidate => !isObject(v) && !Array.isArray(v));
    // "exists matching only works on leaf nodes. It does not work on intermediate nodes" (attribute-key-matching.html):
    // neither exists: true nor exists: false matches a key whose value is an object.
    return matchesKey(conditions as unknown[], values, isObject(value) ? undefined : exists(values));
  });
}

/** `present`: whether the key exists for `exists` conditions; undefined: neither `exists` condition matches. */
function matchesKey(conditions: unknown[], values: Candidate[] | undefined, present: boolean | undefined): boolean {
  return conditions.some((condition) => {
    if (isObject(condition) && "exists" in condition) return present !== undefined && condition.exists === present;
    if (values === undefined) return false;
    return values.some((value) => matchesValue(condition, value));
  });
}

function matchesValue(condition: unknown, value: Candidate): boolean {
  if (!isObject(condition)) return condition === value;
  const [operator, operand] = Object.entries(condition)[0];
  const text = typeof value === "string" ? value : undefined;
  switch (operator) {
    case "prefix":
      return text !== undefined && text.startsWith(operand as string);
    case "suffix":
      return text !== undefined && text.endsWith(operand as string);
    case "equals-ignore-case":
      return text !== undefined && text.toLowerCase() === (operand as string).toLowerCase();
    case "anything-but":
      return !anythingButExcludes(operand, value);
    case "numeric":
      return typeof value === "number" && numericMatches(operand as Array<string | number>, value);
    case "cidr":
      return text !== undefined && inCidr(text, operand as string);
    default:
      return false;
  }
}

function anythingButExcludes(operand: unknown, value: Candidate): boolean {
  // `{ prefix }` is the only operator SNS takes inside anything-but (components/topic/filter-policy.ts).
  if (isObject(operand)) return typeof value === "string" && typeof operand.prefix === "string" && value.startsWith(operand.prefix);
  return (Array.isArray(operand) ? operand : [operand]).some((excluded) => excluded === value);
}

function numericMatches(comparisons: Array<string | number>, value: number): boolean {
  for (let i = 0; i < comparisons.length; i += 2) {
    const bound = comparisons[i + 1] as number;
    const holds = { "=": value === bound, "<": value < bound, "<=": value <= bound, ">": value > bound, ">=": value >= bound }[comparisons[i] as string];
    if (!holds) return false;
  }
  return true;
}

/** IPv4 only; an IPv6 address or range matches nothing locally (docs/local-vs-aws.md). */
function inCidr(address: string, cidr: string): boolean {
  const [range, bitsText] = cidr.split("/");
  const bits = Number(bitsText ?? 32);
  const a = ipv4(address);
  const r = ipv4(range);
  if (a === undefined || r === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (r & mask) >>> 0;
}

function ipv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((sum, p) => sum * 256 + Number(p), 0);
}
