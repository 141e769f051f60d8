/**
 * Reading a role's policies as IAM does, for the Step Functions deploy rules and the state machine security rules;
 * outside the package's exports (testing/deploy-rules/index.ts re-exports the rules' modules only), as queue-shape.ts is.
 */
import { asArray, attachedTo, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { pathPatternMatcher } from "../../local/http";
import { referenced } from "./rule";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const POLICY = "aws:iam/policy:Policy";

/** A policy document of the role, and the resource that writes it (for the dependency check). */
export interface RoleDocument {
  carrier: RecordedResource;
  policy: unknown;
}

/**
 * The role's policies the plan shows: its inline RolePolicies, its own `inlinePolicies`, and customer managed policies
 * of the plan attached to it. `complete` is false when it also has policies the plan cannot read (an attachment of a
 * policy outside the plan, `managedPolicyArns`): a missing permission may be there, so the rules do not report it.
 */
export function roleDocuments(graph: Graph, role: RecordedResource): { documents: RoleDocument[]; complete: boolean } {
  const documents: RoleDocument[] = [
    ...attachedTo(graph, ROLE_POLICY, "role", role).map((p) => ({ carrier: p, policy: p.inputs.policy })),
    ...asArray<{ policy?: unknown }>(role.inputs.inlinePolicies).filter((p) => p?.policy).map((p) => ({ carrier: role, policy: p.policy })),
  ];
  let complete = asArray(role.inputs.managedPolicyArns).length === 0;
  for (const attachment of attachedTo(graph, ROLE_POLICY_ATTACHMENT, "role", role)) {
    const policy = referenced(graph, POLICY, attachment.inputs.policyArn);
    if (policy) documents.push({ carrier: attachment, policy: policy.inputs.policy });
    else complete = false;
  }
  return { documents, complete };
}

/** Whether a statement allows `action` on `resource` as IAM matches them (actions case-insensitively, `*` and `?` wildcards). */
export function statementAllows(statement: Record<string, any>, action: string, resource: string): boolean {
  if ((statement.Effect ?? "Allow") !== "Allow") return false;
  const actionMatches = asArray<string>(statement.Action).some((a) => pathPatternMatcher(a.toLowerCase())(action.toLowerCase()));
  const resourceMatches = asArray<string>(statement.Resource).some((r) => typeof r === "string" && pathPatternMatcher(r)(resource));
  return actionMatches && resourceMatches;
}
