import { ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS } from "../../components/iam";
import { asArray, ofType, policyDocument } from "../../local/offline/graph";
import { finding, type Finding, type SecurityRule } from "./rule";

const POLICY_CARRIERS: Array<[type: string, field: string]> = [
  ["aws:iam/rolePolicy:RolePolicy", "policy"],
  ["aws:iam/policy:Policy", "policy"],
];

/** IAM5: no wildcard actions in Allow statements, and `*` resources only for actions that have no resource-level permissions. */
export const IAM5: SecurityRule = {
  id: "IAM5",
  title: "IAM policies grant exact actions on exact resources",
  check(graph) {
    const findings: Finding[] = [];
    for (const [type, field] of POLICY_CARRIERS) {
      for (const carrier of ofType(graph, type)) {
        for (const statement of policyDocument(carrier.inputs[field]).Statement) {
          if ((statement.Effect ?? "Allow") !== "Allow") continue;
          const actions = asArray<string>(statement.Action);
          if (statement.NotAction) findings.push(finding("IAM5", carrier, "uses NotAction in an Allow statement"));
          for (const action of actions) {
            if (action.includes("*")) findings.push(finding("IAM5", carrier, `allows wildcard action ${action}`));
          }
          const resources = asArray<string>(statement.Resource);
          const scoped = actions.filter((a) => !ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.has(a));
          if (resources.includes("*") && scoped.length > 0) findings.push(finding("IAM5", carrier, `allows ${scoped.join(", ")} on resource *`));
        }
      }
    }
    return findings;
  },
};
