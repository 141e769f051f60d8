/**
 * IAM's decision for one request against one principal's identity-based policies, as far as the local emulators need
 * it: an explicit Deny wins, otherwise an Allow is needed, otherwise the request is implicitly denied
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html). Used for
 * the roles of the plan (local/function-roles.ts: the functions', the state machines', EventBridge targets' and
 * AWS-service routes' integration roles).
 *
 * Matching is IAM's (components/iam-match.ts): actions case-insensitively, resources case-sensitively. Where AWS's
 * pages leave a resource's wildcard open (a `*` inside a segment before a colon of an S3 key or an API path), an
 * Allow's Resource and a Deny's NotResource read it leniently and a Deny's Resource and an Allow's NotResource
 * strictly, so the answer is never a refusal AWS might not give. `NotAction` and `NotResource` match what they do
 * not name.
 *
 * Not evaluated locally: conditions and policy variables (`${aws:username}` matches anything in an Allow's Resource
 * and nothing in its NotResource; a Deny that has one does not apply). A statement with a Condition is read as if it
 * held when it allows, and as if it did not when it denies, so a local run never refuses what AWS might allow
 * (docs/local-vs-aws.md); nor permissions boundaries, session policies or SCPs. A resource-based policy's conditions
 * are evaluated where the request's context is known (conditionHolds below, with local/resource-policies.ts
 * roleCallContext), and so the TLS-only Deny (aws:SecureTransport false) refuses on neither side. Resource-based policies are
 * local/resource-policies.ts', read with these statements by local/function-roles.ts roleRefusal. Actions are
 * matched as written: "You can use policy variables in the Resource element and in string comparisons in the
 * Condition element" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 */
import { actionMatches, conditionOperator, holdsPolicyVariable, resourceMatches } from "../components/iam-match";

export interface IamStatement {
  effect: "Allow" | "Deny";
  /** `Action`, or undefined when the statement has `NotAction`. */
  actions?: readonly string[];
  notActions?: readonly string[];
  /** `Resource`, or undefined when the statement has `NotResource`. */
  resources?: readonly string[];
  notResources?: readonly string[];
  conditional: boolean;
}

export type IamDecision = "allowed" | "explicitly-denied" | "implicitly-denied";

const list = (value: unknown): string[] | undefined => (value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String));

/** The statements of a policy document (JSON text or parsed), as IamStatements. */
export function policyStatements(document: unknown): IamStatement[] {
  const parsed = typeof document === "string" ? (JSON.parse(document) as unknown) : document;
  const statements = (parsed as { Statement?: unknown } | undefined)?.Statement;
  return (Array.isArray(statements) ? statements : statements ? [statements] : []).map((raw: Record<string, unknown>) => ({
    effect: raw.Effect === "Deny" ? "Deny" : "Allow",
    actions: list(raw.Action),
    notActions: list(raw.NotAction),
    resources: list(raw.Resource),
    notResources: list(raw.NotResource),
    // A policy variable depends on the request's context, as a condition does: read leniently the same way.
    conditional: (raw.Condition !== undefined && Object.keys(raw.Condition as object).length > 0) || holdsPolicyVariable(JSON.stringify([raw.Action, raw.NotAction, raw.Resource, raw.NotResource])),
  }));
}

/**
 * Whether a statement's action (or NotAction) and resource (or NotResource) may cover `action` on `resource`; its
 * Condition is not read. Each resource pattern is read as the statement's effect asks (components/iam-match.ts
 * ResourceReading): leniently where a match grants (an Allow's Resource) or spares (a Deny's NotResource), strictly
 * where a match refuses (a Deny's Resource) or excludes (an Allow's NotResource). So an Allow applies wherever AWS
 * might apply it and a Deny only where AWS must, and so a policy variable AWS resolves per request (${aws:username},
 * ${cognito-identity.amazonaws.com:sub}, whose value holds a colon) matches anything in an Allow's Resource and
 * nothing in its NotResource. The deploy rules ask the same question (testing/deploy-rules/iam.ts granting,
 * queue-policy.ts): a finding there must not rest on a guess either.
 */
export function applies(statement: IamStatement, action: string, resource: string): boolean {
  const coversAction = (pattern: string) => actionMatches(pattern, action);
  const actionCovered = statement.actions ? statement.actions.some(coversAction) : !(statement.notActions ?? []).some(coversAction);
  if (!actionCovered) return false;
  const allows = statement.effect === "Allow";
  if (statement.resources) return statement.resources.some((pattern) => resourceMatches(pattern, resource, allows ? "lenient" : "strict"));
  return !(statement.notResources ?? []).some((pattern) => resourceMatches(pattern, resource, allows ? "strict" : "lenient"));
}

/** IAM's decision on `action` on `resource` for a principal whose identity-based policies hold `statements`. */
export function evaluatePolicy(statements: readonly IamStatement[], action: string, resource: string): IamDecision {
  let allowed = false;
  for (const statement of statements) {
    if (!applies(statement, action, resource)) continue;
    if (statement.effect === "Deny") {
      if (!statement.conditional) return "explicitly-denied";
    } else allowed = true;
  }
  return allowed ? "allowed" : "implicitly-denied";
}

/** A condition key the request context does not hold ("If the key … is not present in the request context, the values do not match"). */
export const ABSENT = Symbol("absent from the request context");

/**
 * What is known of a request's context, by lower-cased key: its value, or ABSENT. A key not listed is unknown (the
 * local runtime or the deploy rule cannot tell it), and a condition on it is undecided. `comparable` rewrites a
 * policy's value before it is compared with the context's (the local runtime's account-blind aws:PrincipalArn).
 */
export interface ConditionContext {
  keys: Readonly<Record<string, string | typeof ABSENT>>;
  comparable?: (key: string, policyValue: string) => string;
}

/** Operators that hold on a key the request lacks: the negated ones (reference_policies_elements_condition_operators.html). */
const NEGATED = /^(StringNot|ArnNot|NumericNotEquals|DateNotEquals|NotIpAddress)/;
/** The operators IAM knows, past their negation and IfExists: one not among them leaves the block undecided. */
const KNOWN = /^(String(Not)?(Equals|Like|EqualsIgnoreCase)|Arn(Not)?(Equals|Like)|Numeric|Date|Bool$|BinaryEquals$|(Not)?IpAddress$)/;

/**
 * Whether a statement's Condition holds for a request whose context `context` describes: true, false, or undefined when
 * it cannot be told (a key the context does not know, an operator not read). Every block and key must hold (AND).
 * On a key the request holds: Bool, String*, Arn* (as IAM matches them: components/iam-match.ts conditionOperator) and
 * Null are read. On a key it lacks: `Null` "true" holds and "false" fails; `…IfExists` and negated operators hold ("If
 * the policy condition requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right key is
 * not present, the condition is true"); every other operator fails ("If the key that you specify in a policy condition
 * is not present in the request context, the values do not match, and the condition is false",
 * reference_policies_elements_condition_operators.html); a set operator (`ForAllValues:` holds, `ForAnyValue:` fails:
 * reference_policies_condition-single-vs-multi-valued-context-keys.html). Set operators on a key present, Numeric*,
 * Date*, IpAddress and BinaryEquals on one present are undecided. Read by the local runtime's resource policies
 * (local/resource-policies.ts) and the deploy rules' queue policies (testing/deploy-rules/queue-policy.ts).
 */
export function conditionHolds(condition: Record<string, Record<string, unknown>> | undefined, context: ConditionContext): boolean | undefined {
  let holds: boolean | undefined = true;
  for (const [written, block] of Object.entries(condition ?? {})) {
    const [set, bare] = written.includes(":") ? written.split(":", 2) : [undefined, written];
    const ifExists = bare.endsWith("IfExists");
    const operator = ifExists ? bare.slice(0, -"IfExists".length) : bare;
    for (const [key, raw] of Object.entries(block ?? {})) {
      const values = (Array.isArray(raw) ? raw : [raw]).map(String).map((v) => context.comparable?.(key.toLowerCase(), v) ?? v);
      const actual = Object.prototype.hasOwnProperty.call(context.keys, key.toLowerCase()) ? context.keys[key.toLowerCase()] : undefined;
      let result: boolean | undefined;
      if (actual === undefined) result = undefined;
      else if (operator === "Null") result = actual === ABSENT ? values.some((v) => v.toLowerCase() === "true") : values.some((v) => v.toLowerCase() === "false");
      else if (actual === ABSENT) {
        if (set === "ForAllValues") result = true;
        else if (set === "ForAnyValue") result = false;
        else if (!KNOWN.test(operator)) result = undefined;
        else result = ifExists || NEGATED.test(operator);
      } else if (set !== undefined) result = undefined;
      else if (operator === "Bool") result = values.some((v) => v.toLowerCase() === actual.toLowerCase());
      else {
        const compare = conditionOperator(operator);
        const matched = compare && values.some((v) => compare.matches(v, actual));
        result = compare && (compare.negated ? !matched : matched);
      }
      if (result === false) return false;
      if (result === undefined) holds = undefined;
    }
  }
  return holds;
}
