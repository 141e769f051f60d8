/**
 * SNS subscription filter policies: the shape and the limits SNS checks when a subscription is created
 * (Subscribe / SetSubscriptionAttributes answer InvalidParameter), checked before anything is deployed. Used by
 * Topic's subscriptions and by the deploy rule SnsFilterPolicy on any recorded subscription.
 *
 * Sources:
 * - https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html: "The total combination
 *   of values in a filter policy must not exceed 150. To calculate the total combination, multiply the number of
 *   values in each array in the filter policy"; "A filter policy can have a maximum of five keys"; "The maximum size
 *   of a filter policy is 256 KB"; numeric values "from -10^9 to 10^9 ... with five digits of accuracy after the
 *   decimal point"; attribute-based filtering (the default scope, MessageAttributes) takes no nested policy.
 *   Payload-based (MessageBody) complexity: the page's payload-based section (in the version LocalStack quotes, and
 *   the docs.amazonaws.cn copy) multiplies each array's length by its key's nesting depth: "The first array has four
 *   values in a three-level nested key, and the second has three values in a two-level nested key ... 72". LocalStack's
 *   validator (snapshot-tested against AWS, test_policy_complexity_with_or) and moto's test ("Filter policy is too
 *   complex" for 4·3 × 3·2 × 3·1 = 216) count the same way, and sum an `$or`'s branches at the depth of the `$or`.
 *   Not confirmed from AWS's own text: how an `$or` is weighted (LocalStack's and moto's reading, used here), and
 *   whether SNS still counts depth today (the current English page no longer shows the example).
 * - anything-but: SNS takes a value, a list of values, or `{ "prefix": … }` ("String matching using a prefix with the
 *   anything-but operator", string-value-matching.html); LocalStack's AWS-validated
 *   test_validate_policy_nested_anything_but_operator refuses `{"anything-but": {"suffix": …}}`.
 * - numeric: one comparison `[op, n]`, or a range `[">" | ">=", bottom, "<" | "<=", top]` with bottom < top
 *   (numeric-value-matching.html's range form; moto asserts SNS's answers "Too many elements in numeric expression",
 *   "Bad numeric range operator", "Bottom must be less than top" for the other forms).
 * - terraform-provider-aws internal/service/sns/topic_subscription.go: `filter_policy` ValidateFunc
 *   validation.StringIsJSON, `filter_policy_scope` StringInSlice(MessageAttributes, MessageBody).
 * - The operators (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html and its
 *   string/numeric/key matching pages): exact values (strings, numbers, true, false, null), and objects of one of
 *   prefix, suffix, anything-but, numeric, exists, equals-ignore-case, cidr; `$or` at a key's place. Others are
 *   refused here (SNS refuses an unknown operator too).
 */

export const FILTER_POLICY_SCOPES = ["MessageAttributes", "MessageBody"] as const;
export type FilterPolicyScope = (typeof FILTER_POLICY_SCOPES)[number];

export const FILTER_POLICY_LIMITS = {
  /** "A filter policy can have a maximum of five keys." */
  keys: 5,
  /** "The total combination of values in a filter policy must not exceed 150." */
  combinations: 150,
  /** "The maximum size of a filter policy is 256 KB." */
  bytes: 256 * 1024,
  /** Numeric matching: "-10^9 to 10^9". */
  numericMagnitude: 1e9,
} as const;

/** The operators a value array may hold as objects. */
export const FILTER_POLICY_OPERATORS: readonly string[] = ["prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "cidr"];

const NUMERIC_COMPARISONS = new Set(["=", "<", "<=", ">", ">="]);
/** A range's first comparison is its bottom, its second its top. */
const LOWER_BOUNDS = new Set([">", ">="]);
const UPPER_BOUNDS = new Set(["<", "<="]);

/** Why `policy` (the filter policy's object, as the subscription would send it as JSON) is one SNS refuses, or undefined. */
export function filterPolicyProblem(policy: unknown, scope: FilterPolicyScope = "MessageAttributes"): string | undefined {
  if (!isObject(policy) || Object.keys(policy).length === 0) return "is not a JSON object of at least one key";
  let text: string;
  try {
    text = JSON.stringify(policy);
  } catch {
    return "cannot be written as JSON";
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > FILTER_POLICY_LIMITS.bytes) return `is ${bytes} bytes as JSON, over SNS's ${FILTER_POLICY_LIMITS.bytes} (256 KB)`;
  const shape = shapeProblem(policy, scope, "");
  if (shape) return shape;
  const keys = leafKeys(policy, "");
  if (keys.size > FILTER_POLICY_LIMITS.keys) return `has ${keys.size} keys (${[...keys].join(", ")}), over SNS's ${FILTER_POLICY_LIMITS.keys} per filter policy`;
  const combinations = combinationsOf(policy, 1);
  if (combinations > FILTER_POLICY_LIMITS.combinations) {
    return `has ${combinations} combinations of values (the product of its arrays' lengths${scope === "MessageBody" ? ", each times its key's nesting depth" : ""}), over SNS's ${FILTER_POLICY_LIMITS.combinations}`;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shapeProblem(policy: Record<string, unknown>, scope: FilterPolicyScope, at: string): string | undefined {
  for (const [key, value] of Object.entries(policy)) {
    const where = at ? `${at}.${key}` : key;
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) return `has "$or" at ${at || "the top"} that is not a list of at least two objects`;
      for (const branch of value) {
        const problem = shapeProblem(branch, scope, at);
        if (problem) return problem;
      }
      continue;
    }
    if (key === "") return "has an empty key";
    if (isObject(value)) {
      // "Amazon SNS doesn't accept nested filter policy for attribute-based filtering."
      if (scope === "MessageAttributes") return `nests an object under "${where}", which only a MessageBody filter policy may (attribute-based filtering takes no nested policy)`;
      const problem = shapeProblem(value, scope, where);
      if (problem) return problem;
      continue;
    }
    if (!Array.isArray(value) || value.length === 0) return `has "${where}" whose value is not a non-empty array of values to match`;
    for (const element of value) {
      const problem = elementProblem(element, where);
      if (problem) return problem;
    }
  }
  return undefined;
}

function elementProblem(element: unknown, where: string): string | undefined {
  if (element === null || typeof element === "string" || typeof element === "boolean") return undefined;
  if (typeof element === "number") return numberProblem(element, where);
  if (!isObject(element)) return `has "${where}" holding ${JSON.stringify(element)}, which is neither a value nor an operator object`;
  const operators = Object.keys(element);
  if (operators.length !== 1) return `has "${where}" holding an operator object of ${operators.length} keys; each object is one operator`;
  const [operator] = operators;
  const operand = element[operator];
  switch (operator) {
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
    case "cidr":
      return typeof operand === "string" && operand !== "" ? undefined : `has "${where}" with ${operator} of ${JSON.stringify(operand)}, not a non-empty string`;
    case "exists":
      return typeof operand === "boolean" ? undefined : `has "${where}" with exists of ${JSON.stringify(operand)}, not true or false`;
    case "anything-but": {
      if (typeof operand === "string" || typeof operand === "number") return typeof operand === "number" ? numberProblem(operand, where) : undefined;
      if (Array.isArray(operand) && operand.length > 0 && operand.every((v) => typeof v === "string" || typeof v === "number")) return undefined;
      if (isObject(operand) && Object.keys(operand).length === 1 && typeof operand.prefix === "string" && operand.prefix !== "") return undefined;
      return `has "${where}" with anything-but of ${JSON.stringify(operand)}, not a value, a list of values, or { prefix } (SNS takes no other operator inside anything-but)`;
    }
    case "numeric": {
      if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) return `has "${where}" with numeric of ${JSON.stringify(operand)}, not [comparison, number] or [comparison, number, comparison, number]`;
      for (let i = 0; i < operand.length; i += 2) {
        if (!NUMERIC_COMPARISONS.has(operand[i]) || typeof operand[i + 1] !== "number") return `has "${where}" with numeric of ${JSON.stringify(operand)}, not [comparison, number] pairs (comparisons =, <, <=, >, >=)`;
        const problem = numberProblem(operand[i + 1], where);
        if (problem) return problem;
      }
      if (operand.length === 4 && !(LOWER_BOUNDS.has(operand[0]) && UPPER_BOUNDS.has(operand[2]) && operand[1] < operand[3])) {
        return `has "${where}" with numeric of ${JSON.stringify(operand)}; a range is [">" or ">=", bottom, "<" or "<=", top] with bottom less than top`;
      }
      return undefined;
    }
    default:
      return `has "${where}" with the operator "${operator}", which SNS filter policies do not take (${FILTER_POLICY_OPERATORS.join(", ")})`;
  }
}

function numberProblem(value: number, where: string): string | undefined {
  const limit = FILTER_POLICY_LIMITS.numericMagnitude;
  return Number.isFinite(value) && Math.abs(value) <= limit ? undefined : `has "${where}" with the number ${value}, outside SNS's numeric matching range of -${limit} to ${limit}`;
}

/** The keys that hold values to match (a nested object's keys by their path), across `$or` branches. */
function leafKeys(policy: Record<string, unknown>, at: string, into = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(policy)) {
    if (key === "$or" && Array.isArray(value)) for (const branch of value) leafKeys(branch as Record<string, unknown>, at, into);
    else if (isObject(value)) leafKeys(value, at ? `${at}.${key}` : key, into);
    else into.add(at ? `${at}.${key}` : key);
  }
  return into;
}

/**
 * The product of the value arrays' lengths, each times its key's nesting depth (1 at the top: only a MessageBody policy
 * nests, so an attribute policy's count is the plain product); an `$or` adds its branches' combinations, at its depth.
 */
function combinationsOf(policy: Record<string, unknown>, depth: number): number {
  let total = 1;
  for (const [key, value] of Object.entries(policy)) {
    if (key === "$or" && Array.isArray(value)) total *= value.reduce((sum: number, branch) => sum + combinationsOf(branch as Record<string, unknown>, depth), 0);
    else if (isObject(value)) total *= combinationsOf(value, depth + 1);
    else if (Array.isArray(value)) total *= value.length * depth;
  }
  return total;
}
