import { ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS } from "../../components/iam";
import { STATES_LOG_DELIVERY_ACTIONS } from "../../components/workflow/actions";
import { asArray, ofType, policyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type Finding, type SecurityRule } from "./rule";
import { referenced } from "../deploy-rules/rule";

const POLICY_CARRIERS: Array<[type: string, field: string]> = [
  ["aws:iam/rolePolicy:RolePolicy", "policy"],
  ["aws:iam/policy:Policy", "policy"],
];

/**
 * Whether `carrier` is an inline policy of a role trusted by Step Functions: its log-delivery actions are granted on
 * "*" as AWS documents (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy; they
 * set up a delivery, named by no log group ARN), and IAM5 accepts exactly those there.
 */
function isStatesRolePolicy(graph: Graph, carrier: RecordedResource): boolean {
  if (carrier.type !== "aws:iam/rolePolicy:RolePolicy") return false;
  const role = referenced(graph, "aws:iam/role:Role", carrier.inputs.role);
  return policyDocument(role?.inputs.assumeRolePolicy).Statement.some((s) => asArray<string>(s.Principal?.Service).includes("states.amazonaws.com"));
}

/**
 * IAM5: no wildcard actions in Allow statements, and `*` resources only for actions that have no resource-level
 * permissions, or for Step Functions' log-delivery actions in a state machine role's policy.
 */
export const IAM5: SecurityRule = {
  id: "IAM5",
  title: "IAM policies grant exact actions on exact resources",
  check(graph) {
    const findings: Finding[] = [];
    for (const [type, field] of POLICY_CARRIERS) {
      for (const carrier of ofType(graph, type)) {
        const states = isStatesRolePolicy(graph, carrier);
        for (const statement of policyDocument(carrier.inputs[field]).Statement) {
          if ((statement.Effect ?? "Allow") !== "Allow") continue;
          const actions = asArray<string>(statement.Action);
          if (statement.NotAction) findings.push(finding("IAM5", carrier, "uses NotAction in an Allow statement"));
          for (const action of actions) {
            if (action.includes("*")) findings.push(finding("IAM5", carrier, `allows wildcard action ${action}`));
          }
          const resources = asArray<string>(statement.Resource);
          const scoped = actions.filter((a) => !ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.has(a) && !(states && STATES_LOG_DELIVERY_ACTIONS.includes(a)));
          if (resources.includes("*") && scoped.length > 0) findings.push(finding("IAM5", carrier, `allows ${scoped.join(", ")} on resource *`));
        }
      }
    }
    return findings;
  },
};
