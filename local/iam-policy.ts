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
 * (docs/local-vs-aws.md); nor permissions boundaries, session policies or SCPs. Resource-based policies are
 * local/resource-policies.ts', read with these statements by local/function-roles.ts roleRefusal. Actions are
 * matched as written: "You can use policy variables in the Resource element and in string comparisons in the
 * Condition element" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 */
import { actionMatches, holdsPolicyVariable, resourceMatches } from "../components/iam-match";

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
