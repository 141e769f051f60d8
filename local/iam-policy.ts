/**
 * IAM's decision for one request against one principal's identity-based policies, as far as the local emulators need
 * it: an explicit Deny wins, otherwise an Allow is needed, otherwise the request is implicitly denied
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html). Used for the roles of
 * the program's functions (local/function-roles.ts) and of S3 AWS-service integrations (local/aws-service-integration.ts).
 *
 * Matching is IAM's (components/iam-match.ts): resources case-sensitively with `*` and `?` within an ARN's segments
 * (a `*` that ends one runs over colons), actions case-insensitively. `NotAction` and `NotResource` match what they do
 * not name.
 *
 * Not evaluated locally: conditions and policy variables (`${aws:username}` matches anything in an Allow; a Deny
 * that has one does not apply). A statement with a Condition is read as if it held when it allows, and as if it
 * did not when it denies, so a local run never refuses what AWS might allow (docs/local-vs-aws.md); nor permissions
 * boundaries, session policies, SCPs or resource-based policies.
 */
import { actionMatches, resourceMatches } from "../components/iam-match";

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
    conditional: (raw.Condition !== undefined && Object.keys(raw.Condition as object).length > 0) || JSON.stringify([raw.Action, raw.NotAction, raw.Resource, raw.NotResource]).includes("${"),
  }));
}

/**
 * Whether a statement's action (or NotAction) and resource (or NotResource) cover `action` on `resource`; its Condition
 * is not read. A policy variable (${aws:username}, ${cognito-identity.amazonaws.com:sub}, whose value holds a colon) is
 * not resolved locally: it matches anything, so a local run never refuses what the variable might allow in AWS.
 */
export function applies(statement: IamStatement, action: string, resource: string): boolean {
  const coversAction = (pattern: string) => actionMatches(pattern.replace(/\$\{[^}]*\}/g, "*"), action);
  const coversResource = (pattern: string) => resourceMatches(pattern, resource, "match-anything");
  const actionCovered = statement.actions ? statement.actions.some(coversAction) : !(statement.notActions ?? []).some(coversAction);
  if (!actionCovered) return false;
  return statement.resources ? statement.resources.some(coversResource) : !(statement.notResources ?? []).some(coversResource);
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
