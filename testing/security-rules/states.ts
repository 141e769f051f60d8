import { asArray, ofType } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { pathPatternMatcher } from "../../local/http";
import { roleGrants } from "../deploy-rules/iam";
import { referenced } from "../deploy-rules/rule";
import { finding, type Finding, type SecurityRule } from "./rule";

const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ROLE = "aws:iam/role:Role";

/**
 * Every state machine keeps a record of its executions for a bounded time: one that logs (a level other than OFF) logs
 * to a log group of this program with retention (cdk-nag AwsSolutions-SF1 asks for logging; LambdaLogRetention is the
 * functions' counterpart). An EXPRESS state machine that does not log keeps none at all: "Express Workflows don't
 * record execution history in AWS Step Functions" (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html);
 * a STANDARD one keeps its history in Step Functions for 90 days.
 */
export const STATE_MACHINE_LOG_RETENTION: SecurityRule = {
  id: "StateMachineLogRetention",
  title: "State machines log to a log group with retention",
  check(graph) {
    const groups = new Map(ofType(graph, LOG_GROUP).map((g) => [g.state.arn, g]));
    const findings: Finding[] = [];
    for (const stateMachine of ofType(graph, STATE_MACHINE)) {
      const logging = stateMachine.inputs.loggingConfiguration;
      const level = String(logging?.level ?? "OFF");
      if (level === "OFF") {
        if (stateMachine.inputs.type === "EXPRESS") findings.push(finding("StateMachineLogRetention", stateMachine, "is an EXPRESS state machine that does not log, so nothing records its executions"));
        continue;
      }
      const group = groups.get(String(logging?.logDestination ?? "").replace(/:\*$/, ""));
      if (!group) findings.push(finding("StateMachineLogRetention", stateMachine, "does not log to a log group of this program"));
      else if (!group.inputs.retentionInDays) findings.push(finding("StateMachineLogRetention", group, "keeps logs forever (no retentionInDays)"));
    }
    return findings;
  },
};

/** An ARN (or pattern) that names more than one function: `*`, or a wildcard in the function's name (a `:*` qualifier of one function names its versions and aliases only). */
function namesManyFunctions(resource: string): boolean {
  if (resource === "*") return true;
  const name = /:function:([^:]*)/.exec(resource)?.[1];
  if (name === undefined) return /^arn:[^:]*:lambda:/.test(resource) || !resource.startsWith("arn:");
  return /[*?]/.test(name) || /[*?]/.test(resource.slice(0, resource.indexOf(":function:")));
}

/**
 * A state machine's role invokes exactly the functions its Tasks name: no Allow of lambda:InvokeFunction (or a wildcard
 * action covering it) on `*` or on a function-name pattern, which would let the workflow (and whoever edits its
 * definition) invoke any function of the account.
 */
export const STATE_MACHINE_LAMBDA_INVOKE: SecurityRule = {
  id: "StateMachineLambdaInvoke",
  title: "State machine roles invoke named functions only",
  check(graph) {
    const findings: Finding[] = [];
    const roles = new Set<RecordedResource>();
    for (const stateMachine of ofType(graph, STATE_MACHINE)) {
      const role = referenced(graph, ROLE, stateMachine.inputs.roleArn);
      if (role) roles.add(role);
    }
    for (const role of roles) {
      // Every Allow of the role's policies (roleGrants: inline, and managed ones the plan or AWS's known policies show).
      for (const { carrier, statement } of roleGrants(graph, role).grants) {
        const invokes = asArray<string>(statement.Action).some((a) => pathPatternMatcher(a.toLowerCase())("lambda:invokefunction"));
        const wide = asArray<string>(statement.Resource).filter((r) => typeof r === "string" && namesManyFunctions(r));
        if (invokes && wide.length > 0) findings.push(finding("StateMachineLambdaInvoke", carrier, `lets the state machine role ${role.name} invoke any function matching ${wide.join(", ")}`));
      }
    }
    return findings;
  },
};
