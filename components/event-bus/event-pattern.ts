/**
 * EventBridge event patterns: the shape PutRule takes (it answers InvalidEventPatternException otherwise), checked
 * before anything is deployed. Used by EventBus.subscribe and by the deploy rule EventBridgeEventPattern on any
 * recorded rule; local/event-pattern.ts evaluates the same operators.
 *
 * Sources:
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html: a pattern is a JSON object whose
 *   fields mirror the event's; "the values to match are in arrays"; nested objects walk into the event.
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html (the operators' table,
 *   "Event bus support" column): exact values (strings, numbers, true, false, null; "" for empty), prefix and suffix
 *   (a string, or { "equals-ignore-case": string }), anything-but (a value, a list of values, or one of { prefix },
 *   { suffix }, { "equals-ignore-case" }, { wildcard }), numeric ([op, n] or a range of two comparisons), exists
 *   (true/false), cidr, equals-ignore-case, wildcard, and `$or` (a list of patterns). "Comparison operators only work
 *   on leaf nodes, with the exception of $or and anything-but."
 * - Size: "The event pattern size is 2048 by default but it is adjustable up to 4096 characters by submitting a
 *   service quota increase request" (pulumi-aws cloudwatch.EventRule eventPattern, after the EventBridge quotas page,
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html); terraform-provider-aws events/rule.go
 *   refuses over 4096 (hashicorp/terraform-provider-aws#34270). The component keeps to the default quota (2048); the
 *   deploy rule refuses what no account takes (4096). Counted in UTF-8 bytes: terraform-provider-aws
 *   validateEventPatternValue compares Go's `len(json)` of the normalised pattern, which is its byte count, so the
 *   provider refuses a non-ASCII pattern over 4096 bytes however few characters it has. Whether EventBridge's own quota
 *   counts bytes or characters is not documented (the quotas page says "characters"); bytes are never fewer, so a
 *   pattern that fits here fits either way.
 * - anything-but's list: "Inside anything but list, either all values are number or string, mixed type is not
 *   supported" (aws/event-ruler JsonRuleCompiler processAnythingButListMatchExpression, the matcher EventBridge uses).
 */

export const EVENT_PATTERN_LIMITS = {
  /** The default "Event pattern size" quota, counted here in UTF-8 bytes (see above). */
  defaultCharacters: 2048,
  /** The most the quota can be raised to, and what terraform-provider-aws validates (in bytes). */
  maxCharacters: 4096,
} as const;

/** The operators an event bus rule's pattern may use in a value array. */
export const EVENT_PATTERN_OPERATORS: readonly string[] = ["prefix", "suffix", "anything-but", "numeric", "exists", "cidr", "equals-ignore-case", "wildcard"];

const COMPARISONS = new Set(["=", "<", "<=", ">", ">="]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isScalar = (value: unknown) => value === null || ["string", "number", "boolean"].includes(typeof value);
const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value !== "";

/**
 * Why EventBridge refuses `pattern` (the object PutRule would get as JSON), or undefined. `limit` is the size quota
 * in UTF-8 bytes of the JSON (the component's default quota, or the maximum an account can raise it to).
 */
export function eventPatternProblem(pattern: unknown, limit: number = EVENT_PATTERN_LIMITS.defaultCharacters): string | undefined {
  if (!isObject(pattern) || Object.keys(pattern).length === 0) return "is not a JSON object of at least one field";
  let text: string;
  try {
    text = JSON.stringify(pattern);
  } catch {
    return "cannot be written as JSON";
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > limit) return `is ${bytes} bytes as JSON (UTF-8), over the ${limit} of EventBridge's event pattern size quota`;
  return objectProblem(pattern, "");
}

function objectProblem(pattern: Record<string, unknown>, at: string): string | undefined {
  for (const [field, value] of Object.entries(pattern)) {
    const where = at ? `${at}.${field}` : field;
    if (field === "$or") {
      if (!Array.isArray(value) || value.length < 2 || !value.every((branch) => isObject(branch) && Object.keys(branch).length > 0)) {
        return `has "$or" at ${at || "the top"} that is not a list of at least two non-empty patterns`;
      }
      for (const branch of value) {
        const problem = objectProblem(branch as Record<string, unknown>, at);
        if (problem) return problem;
      }
      continue;
    }
    if (isObject(value)) {
      if (Object.keys(value).length === 0) return `has "${where}" holding an empty object`;
      const problem = objectProblem(value, where);
      if (problem) return problem;
      continue;
    }
    if (!Array.isArray(value) || value.length === 0) return `has "${where}" whose value is not a non-empty array of values to match (EventBridge matches the values in arrays)`;
    for (const element of value) {
      const problem = matcherProblem(element, where);
      if (problem) return problem;
    }
  }
  return undefined;
}

function matcherProblem(element: unknown, where: string): string | undefined {
  if (isScalar(element)) return undefined;
  if (!isObject(element)) return `has "${where}" holding ${JSON.stringify(element)}, which is neither a value nor an operator object`;
  const keys = Object.keys(element);
  if (keys.length !== 1) return `has "${where}" holding an operator object of ${keys.length} keys; each object is one operator`;
  const [operator] = keys;
  const operand = element[operator];
  const bad = (expected: string) => `has "${where}" with ${operator} of ${JSON.stringify(operand)}, not ${expected}`;
  switch (operator) {
    case "prefix":
    case "suffix":
      // { "prefix": { "equals-ignore-case": "eventb" } } (operators table: "Begins with (ignore case)").
      if (typeof operand === "string" || (isObject(operand) && Object.keys(operand).length === 1 && nonEmptyString(operand["equals-ignore-case"]))) return undefined;
      return bad('a string or { "equals-ignore-case": string }');
    case "equals-ignore-case":
    case "cidr":
      return nonEmptyString(operand) ? undefined : bad("a non-empty string");
    case "wildcard":
      return nonEmptyString(operand) ? wildcardOperandProblem(where, operand) : bad("a non-empty string");
    case "exists":
      return typeof operand === "boolean" ? undefined : bad("true or false");
    case "numeric":
      return numericProblem(operand) ? bad('[comparison, number] or a range [">" or ">=", low, "<" or "<=", high] with low below high') : undefined;
    case "anything-but":
      return anythingButProblem(operand) ? bad('a value, a list of all strings or all numbers, or one of { prefix }, { suffix }, { "equals-ignore-case" }, { wildcard }') : undefined;
    default:
      return `has "${where}" with the operator "${operator}", which event bus rules do not take (${EVENT_PATTERN_OPERATORS.join(", ")})`;
  }
}

/** A wildcard EventBridge refuses (`**`, an escape of anything but `*` or `\\`), with parseWildcard's reason. */
function wildcardOperandProblem(where: string, operand: string): string | undefined {
  const parsed = parseWildcard(operand);
  return "problem" in parsed ? `has "${where}" with the wildcard ${JSON.stringify(operand)}, which EventBridge refuses: ${parsed.problem}` : undefined;
}

function numericProblem(operand: unknown): boolean {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) return true;
  for (let i = 0; i < operand.length; i += 2) {
    if (!COMPARISONS.has(operand[i]) || typeof operand[i + 1] !== "number" || !Number.isFinite(operand[i + 1])) return true;
  }
  if (operand.length === 4) return !([">", ">="].includes(operand[0]) && ["<", "<="].includes(operand[2]) && operand[1] < operand[3]);
  return false;
}

function anythingButProblem(operand: unknown): boolean {
  if (typeof operand === "string" || typeof operand === "number") return false;
  // All strings or all numbers: event-ruler refuses a list of both ("mixed type is not supported").
  if (Array.isArray(operand)) return operand.length === 0 || !(operand.every((v) => typeof v === "string") || operand.every((v) => typeof v === "number"));
  if (!isObject(operand) || Object.keys(operand).length !== 1) return true;
  const [[inner, value]] = Object.entries(operand);
  if (inner === "prefix" || inner === "suffix") return !nonEmptyString(value);
  // equals-ignore-case and wildcard take a string or a list of strings inside anything-but (eb-create-pattern-operators.html).
  if (inner === "equals-ignore-case") return !(nonEmptyString(value) || (Array.isArray(value) && value.length > 0 && value.every(nonEmptyString)));
  if (inner === "wildcard") return !(nonEmptyString(value) || (Array.isArray(value) && value.length > 0 && value.every(nonEmptyString))) || (Array.isArray(value) ? value : [value]).some((each) => "problem" in parseWildcard(each));
  return true;
}

/**
 * A wildcard operand's literal runs, split at its wildcards, as AWS's matcher reads it (aws/event-ruler
 * WildcardParser.java; README "Wildcard matching": "consecutive wildcard characters are not allowed. To match the
 * asterisk character specifically, a wildcard character can be escaped with a backslash. Two consecutive backslashes
 * … represents the actual backslash character. A backslash escaping any character other than asterisk or backslash is
 * not allowed"). `**` and another escape are refused ({ problem }), as EventBridge refuses such a rule (PutRule).
 */
export function parseWildcard(pattern: string): { segments: string[] } | { problem: string } {
  const segments: string[] = [];
  let literal = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "*") {
      if (pattern[i + 1] === "*") return { problem: `Consecutive wildcard characters at pos ${i}` };
      segments.push(literal);
      literal = "";
    } else if (char === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\") return { problem: `Invalid escape character at pos ${i}` };
      literal += next;
      i++;
    } else {
      literal += char;
    }
  }
  segments.push(literal);
  return { segments };
}
