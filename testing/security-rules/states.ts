import { asArray, ofType } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { actionMatches } from "../../components/iam-match";
import { optimizedIntegration, OPTIMIZED_INTEGRATIONS, sdkIamAction, transactionItemActions } from "../../components/workflow/integrations";
import { roleGrants } from "../deploy-rules/iam";
import { referenced } from "../deploy-rules/rule";
import { taskStates } from "../../components/workflow/definition";
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
        const invokes = asArray<string>(statement.Action).some((a) => actionMatches(a, "lambda:InvokeFunction"));
        const wide = asArray<string>(statement.Resource).filter((r) => typeof r === "string" && namesManyFunctions(r));
        if (invokes && wide.length > 0) findings.push(finding("StateMachineLambdaInvoke", carrier, `lets the state machine role ${role.name} invoke any function matching ${wide.join(", ")}`));
      }
    }
    return findings;
  },
};

/** The optimized integrations' IAM actions other than Lambda's (StateMachineLambdaInvoke guards those), lower-cased. */
const SERVICE_TASK_ACTIONS = new Set(OPTIMIZED_INTEGRATIONS.filter((i) => i.api !== "lambda:invoke").map((i) => i.action.toLowerCase()));

/**
 * The IAM actions a definition's Task states call, lower-cased: an optimized integration's
 * (`arn:aws:states:::dynamodb:putItem` → dynamodb:PutItem), an AWS SDK integration's (integrations.ts sdkIamAction:
 * `aws-sdk:sqs:sendMessageBatch` → sqs:SendMessage, `aws-sdk:eventbridge:putEvents` → events:PutEvents), and a DynamoDB
 * transaction's item actions (integrations.ts transactionItemActions: a Put item is authorised as dynamodb:PutItem, …).
 */
function calledActions(definition: unknown): Set<string> {
  const called = new Set<string>();
  for (const [, state] of taskStates(definition)) {
    const actions = [optimizedIntegration(state.Resource)?.integration.action, sdkIamAction(state.Resource), ...transactionItemActions(state.Resource, state.Parameters ?? state.Arguments)];
    for (const action of actions) if (action) called.add(action.toLowerCase());
  }
  return called;
}

/**
 * A state machine's role is granted a service integration's action (dynamodb:GetItem, PutItem, UpdateItem, DeleteItem,
 * sqs:SendMessage, sns:Publish, events:PutEvents) only when one of its state machines has a Task that calls it: a grant
 * no Task uses is privilege the workflow (and whoever edits its definition) holds for nothing. Workflow grants each
 * exactly for the Tasks that name a component. A helper's whole bundle (`grants.write()` of a DataTier table: PutItem,
 * UpdateItem, DeleteItem and the batch and condition-check writes) given in `permissions` for a Task that only puts is
 * such a grant: the finding says how to narrow it. Roles of a state machine whose definition the plan cannot read are not checked.
 */
export const STATE_MACHINE_SERVICE_GRANTS: SecurityRule = {
  id: "StateMachineServiceGrants",
  title: "State machine roles grant service actions only for Tasks that call them",
  check(graph) {
    const findings: Finding[] = [];
    const called = new Map<RecordedResource, Set<string> | undefined>();
    for (const stateMachine of ofType(graph, STATE_MACHINE)) {
      const role = referenced(graph, ROLE, stateMachine.inputs.roleArn);
      if (!role) continue;
      let actions: Set<string> | undefined;
      try {
        actions = typeof stateMachine.inputs.definition === "string" ? calledActions(JSON.parse(stateMachine.inputs.definition)) : undefined;
      } catch {
        // Not JSON: the plan cannot say which actions it calls.
      }
      const known = called.has(role) ? called.get(role) : new Set<string>();
      called.set(role, known && actions ? new Set([...known, ...actions]) : undefined);
    }
    for (const [role, actions] of called) {
      if (!actions) continue;
      for (const { carrier, statement } of roleGrants(graph, role).grants) {
        const unused = asArray<string>(statement.Action).filter((a) => SERVICE_TASK_ACTIONS.has(a.toLowerCase()) && !actions.has(a.toLowerCase()));
        if (unused.length > 0) {
          findings.push(
            finding(
              "StateMachineServiceGrants",
              carrier,
              `grants the state machine role ${role.name} ${unused.join(", ")}, which no Task of its state machines calls: list only the actions its Tasks call (a DataTier table's grants narrow to them, e.g. grants.write(["dynamodb:PutItem"]) rather than grants.write()), or name the table, queue, topic or bus in the Task and let Workflow grant exactly its action`,
            ),
          );
        }
      }
    }
    return findings;
  },
};
