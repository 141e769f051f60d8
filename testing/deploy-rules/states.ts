/**
 * Deploy rules for Step Functions state machines, hand-built or Workflow's: what CreateStateMachine refuses (a
 * definition that is not Amazon States Language or over 1 MB, a name over 80 characters or of other characters, a log
 * destination that is not a log group ARN ending ":*", a role Step Functions may not assume or that may not set up the
 * log delivery) and what it takes but then cannot run (a Lambda Task the role may not invoke, or of another region).
 */
import { actionMatches, arnComponents } from "../../components/iam-match";
import { partitionOfRegion } from "../../components/arn";
import { autonameLength } from "../../components/autoname";
import { aslProblems, definitionBytes, failPathEscapeWarnings, itemBatcherWarnings, STATES_LIMITS, taskCredentialRoles, taskStates } from "../../components/workflow/definition";
import { STATES_LOG_DELIVERY_ACTIONS } from "../../components/workflow/actions";
import { arnInAccount, grantedIntegration, literalTargetArn, literalTargets, type TargetContext } from "../../components/workflow/integrations";
import { asArray, dependencyClosure, ofType, policyDocument, readablePolicyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { PROVIDER_UNIQUE_ID_SUFFIX_LENGTH } from "./names";
import { arnRegion, finding, referenced, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext } from "./rule";
import { granting, roleGrants, trustsService, type RoleGrant } from "./iam";
import { namesRole, resourcePolicies } from "../../local/resource-policies";
import { invokeTarget } from "../../local/lambda-function-name";
import { parsedDefinitions } from "./state-machine-definitions";
import { keyPolicyMissing, planKey } from "./key-policy";

const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const ROLE = "aws:iam/role:Role";
const FUNCTION = "aws:lambda/function:Function";

const stateMachines = (graph: Graph) => ofType(graph, STATE_MACHINE);
const roleOf = (graph: Graph, stateMachine: RecordedResource) => referenced(graph, ROLE, stateMachine.inputs.roleArn);
/** The logging level a state machine is created with: its loggingConfiguration's, OFF when absent (CreateStateMachine's default). */
const logLevel = (stateMachine: RecordedResource): string => String(stateMachine.inputs.loggingConfiguration?.level ?? "OFF");

/** The first of the role's grants (testing/deploy-rules/iam.ts roleGrants) that allows `action` on `resource`, or undefined. */
const allowing = (grants: readonly RoleGrant[], action: string, resource: string): RoleGrant | undefined => granting(grants, action, resource)[0];

/**
 * "The Amazon States Language definition of the state machine" (CreateStateMachine `definition`, at most 1048576
 * characters, https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html;
 * "Maximum size of state machine definition: 1 MB", service-quotas.html): CreateStateMachine answers
 * InvalidDefinition for one that is not ASL (terraform-provider-aws validates it at preview through
 * ValidateStateMachineDefinition when it is known, state_machine.go). Checked with asl-validator, as Workflow does.
 */
export const STATES_DEFINITION: DeployRule = {
  id: "StatesDefinition",
  title: "State machine definitions are Amazon States Language within 1 MB",
  source: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const stateMachine of stateMachines(graph)) {
      const definition = stateMachine.inputs.definition;
      if (typeof definition !== "string") continue;
      const bytes = definitionBytes(definition);
      if (bytes > STATES_LIMITS.definitionBytes) {
        findings.push(finding(this.id, stateMachine, `has a definition of ${bytes} bytes, over Step Functions' ${STATES_LIMITS.definitionBytes}-byte (1 MB) limit`, "move large constants out of the definition, or split the state machine"));
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(definition);
      } catch {
        findings.push(finding(this.id, stateMachine, "has a definition that is not JSON; CreateStateMachine answers InvalidDefinition", "write the definition as JSON (pulumi.jsonStringify of an object)"));
        continue;
      }
      const problems = aslProblems(parsed);
      if (problems.length > 0) findings.push(finding(this.id, stateMachine, `has a definition that is not valid Amazon States Language (${problems.join("; ")}); CreateStateMachine answers InvalidDefinition`, "fix the definition (https://states-language.net/spec.html)"));
    }
    return findings;
  },
};

/**
 * A Map state's ItemBatcher that the States Language rules out but asl-validator (StatesDefinition) takes: in an Inline
 * Map, without a limit, a limit of 0, a `…Path` limit in a JSONata state. AWS's answer at CreateStateMachine is not
 * recorded for any, so a warning, not a refusal (components/workflow/definition.ts itemBatcherWarnings, which the
 * Workflow component warns with too). Part of STATES_WARNING_RULES.
 */
export const STATES_ITEM_BATCHER: DeployRule = {
  id: "StatesItemBatcher",
  title: "A Map's ItemBatcher is a Distributed Map's, with a positive limit the state's query language takes (the States Language; AWS's answer not recorded)",
  source: "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html",
  check(graph) {
    return [...parsedDefinitions(graph)].flatMap(([stateMachine, definition]) =>
      itemBatcherWarnings(definition).map(({ name, path, problem, fix }) => finding(this.id, stateMachine, `has a definition whose state ${JSON.stringify(name)} (${path}) ${problem}, so CreateStateMachine may answer InvalidDefinition`, fix)),
    );
  },
};

/**
 * A Fail state's ErrorPath or CausePath intrinsic function (state-fail.html: "You can also specify CausePath using an
 * intrinsic function that returns a string") whose quoted argument escapes a character other than ', {, } or \\. AWS
 * is recorded refusing `\"` in a payload template's intrinsic function (StatesDefinition), not here: that it refuses
 * one here too is inferred from the shared intrinsic function syntax, so this is a warning, not a refusal
 * (components/workflow/definition.ts failPathEscapeWarnings). Part of STATES_WARNING_RULES.
 */
export const STATES_FAIL_PATH_ESCAPE: DeployRule = {
  id: "StatesFailPathEscape",
  title: "A Fail state's ErrorPath and CausePath intrinsic functions escape only what intrinsic functions take (inferred)",
  source: "https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html",
  check(graph) {
    // A definition that is not JSON is StatesDefinition's finding.
    return [...parsedDefinitions(graph)].flatMap(([stateMachine, definition]) =>
      failPathEscapeWarnings(definition).map(({ problem, fix }) => finding(this.id, stateMachine, `has a definition whose ${problem}, so CreateStateMachine may answer InvalidDefinition`, fix)),
    );
  },
};

/** The characters a state machine's name may hold (terraform-provider-aws state_machine.go: `^[0-9A-Za-z_-]+$`). */
const STATE_MACHINE_NAME = /^[0-9A-Za-z_-]+$/;

/**
 * "State machine, execution, and activity names must be 1–80 characters in length", without whitespace, brackets,
 * wildcards or `: ; , \ | ^ ~ $ # % & \` "` (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html;
 * CreateStateMachine `name`); terraform-provider-aws takes only `^[0-9A-Za-z_-]+$` of 1–80 and refuses the rest at
 * preview, "the name should only contain 0-9, A-Z, a-z, - and _" (internal/service/sfn/state_machine.go), which is
 * also what logging to CloudWatch Logs needs. An autoname is the logical name, `-` and 7 random characters; a
 * `namePrefix` gets 26.
 */
export const STATES_STATE_MACHINE_NAME: DeployRule = {
  id: "StatesStateMachineName",
  title: "State machine names are 1–80 letters, digits, - and _",
  source: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const stateMachine of stateMachines(graph)) {
      const { name, namePrefix } = stateMachine.inputs;
      const [whole, length, shown] =
        typeof name === "string"
          ? [name, name.length, `the name "${name}"`]
          : typeof namePrefix === "string"
            ? [namePrefix, namePrefix.length + PROVIDER_UNIQUE_ID_SUFFIX_LENGTH, `the namePrefix "${namePrefix}" (with the provider's ${PROVIDER_UNIQUE_ID_SUFFIX_LENGTH}-character suffix)`]
            : [stateMachine.name, autonameLength(stateMachine.name), `the autoname "${stateMachine.name}-<random suffix>"`];
      if (!STATE_MACHINE_NAME.test(whole)) findings.push(finding(this.id, stateMachine, `has ${shown}, with characters other than letters, digits, - and _`, "name it with letters, digits, - and _ only"));
      else if (length > STATES_LIMITS.nameLength) findings.push(finding(this.id, stateMachine, `has ${shown}, ${length} characters, over Step Functions' ${STATES_LIMITS.nameLength}`, `shorten it to at most ${STATES_LIMITS.nameLength} characters in all`));
    }
    return findings;
  },
};

/** A log group's ARN ending ":*", as a state machine's log destination must be. */
const LOG_GROUP_DESTINATION = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:]+:\*$/;

/**
 * A state machine that logs (a level other than OFF) names one destination, a CloudWatch Logs log group by its ARN,
 * which "must end with :*" and is at most 256 characters (CloudWatchLogsLogGroup logGroupArn, "Maximum length of 256",
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_CloudWatchLogsLogGroup.html); LoggingConfiguration
 * `destinations` is "Limited to size 1. Required, if your log level is not set to OFF"
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_LoggingConfiguration.html; both texts also in
 * @aws-sdk/client-sfn's model). CreateStateMachine answers InvalidLoggingConfiguration ("Configuration is not valid") otherwise.
 */
export const STATES_LOGGING_DESTINATION: DeployRule = {
  id: "StatesLoggingDestination",
  title: "A state machine that logs names one log group ARN ending :*, within 256 characters",
  source: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CloudWatchLogsLogGroup.html",
  check(graph) {
    return stateMachines(graph).flatMap((stateMachine) => {
      const level = logLevel(stateMachine);
      if (level === "OFF") return [];
      const destination = stateMachine.inputs.loggingConfiguration?.logDestination;
      if (typeof destination === "string" && LOG_GROUP_DESTINATION.test(destination)) {
        if (destination.length <= STATES_LIMITS.logDestinationLength) return [];
        return [
          finding(
            this.id,
            stateMachine,
            `logs to a log group ARN of ${destination.length} characters with its ":*", over the ${STATES_LIMITS.logDestinationLength} Step Functions takes (CloudWatchLogsLogGroup logGroupArn); CreateStateMachine refuses it`,
            `shorten the log group's name (Workflow keeps it within ${STATES_LIMITS.logDestinationLength} in any region: workflowLogGroupName)`,
          ),
        ];
      }
      const problem =
        destination === undefined || destination === ""
          ? `logs at level ${level} with no destination; CreateStateMachine refuses a logging level other than OFF without a log group`
          : `logs to ${JSON.stringify(destination)}, which is not a log group ARN ending ":*"; CreateStateMachine refuses it`;
      return [finding(this.id, stateMachine, problem, 'set loggingConfiguration.logDestination to `${logGroup.arn}:*`, or the level to "OFF"')];
    });
  },
};

/** Service principals of Step Functions: the global one, or a region's (`states.<region>.amazonaws.com`). */
const STATES_PRINCIPAL = /^states(\.[a-z0-9-]+)?\.amazonaws\.com$/;

/**
 * CreateStateMachine assumes the role to check it: a role whose trust policy does not let Step Functions assume it is
 * refused with AccessDeniedException "Neither the global service principal states.amazonaws.com, nor the regional one
 * is authorized to assume the provided role." (the message terraform-provider-aws's create retries on for its timeout,
 * state_machine.go; https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html). Roles outside
 * the plan are not checked.
 */
export const STATES_ROLE_TRUST: DeployRule = {
  id: "StatesRoleTrust",
  title: "A state machine's role trusts states.amazonaws.com",
  source: "https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html",
  check(graph) {
    return stateMachines(graph).flatMap((stateMachine) => {
      const role = roleOf(graph, stateMachine);
      if (!role) return [];
      if (trustsService(role, STATES_PRINCIPAL, stateMachine.state.arn)) return [];
      return [
        finding(
          this.id,
          stateMachine,
          `runs as ${role.name}, whose trust policy does not let states.amazonaws.com assume it; CreateStateMachine answers "Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role."`,
          `add an Allow of sts:AssumeRole for the service principal states.amazonaws.com to ${role.name}'s assumeRolePolicy, with conditions this state machine meets (aws:SourceArn its ARN, aws:SourceAccount its account)`,
        ),
      ];
    });
  },
};

/**
 * A state machine that logs needs a role that may set up the vended-log delivery: the actions of "IAM Policies for
 * logging to CloudWatch Logs" on Resource "*" (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
 * CreateStateMachine (and UpdateStateMachine when logging is turned on) checks them and answers AccessDeniedException
 * "The state machine IAM Role is not authorized to access the Log Destination"; terraform-provider-aws retries an
 * AccessDeniedException on create only, for its 5-minute create timeout, and calls UpdateStateMachine once
 * (state_machine.go), so a grant added in the same update that turns logging on may not have propagated yet (Workflow
 * grants them whatever the level). The policy that grants them must exist first: the state machine depends on it.
 * Roles with policies the plan cannot read are not checked.
 */
export const STATES_LOG_DELIVERY_PERMISSION: DeployRule = {
  id: "StatesLogDeliveryPermission",
  title: "A state machine that logs comes after its role may set up the log delivery",
  source: "https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const stateMachine of stateMachines(graph)) {
      if (logLevel(stateMachine) === "OFF") continue;
      const role = roleOf(graph, stateMachine);
      if (!role) continue;
      const { grants, complete } = roleGrants(graph, role);
      const missing = STATES_LOG_DELIVERY_ACTIONS.filter((action) => !allowing(grants, action, "*"));
      if (missing.length > 0) {
        if (!complete) continue;
        findings.push(
          finding(
            this.id,
            stateMachine,
            `logs, but its role ${role.name} may not ${missing.join(", ")} on "*"; CreateStateMachine answers "The state machine IAM Role is not authorized to access the Log Destination" (after the provider's 5 minutes of retries)`,
            `grant ${STATES_LOG_DELIVERY_ACTIONS.join(", ")} on Resource "*" in ${role.name}'s policy (components/workflow STATES_LOG_DELIVERY_ACTIONS)`,
          ),
        );
        continue;
      }
      const before = dependencyClosure(graph, stateMachine);
      const carriers = [...new Set(STATES_LOG_DELIVERY_ACTIONS.map((action) => allowing(grants, action, "*")!.carrier))];
      const late = carriers.filter((carrier) => carrier !== role && !before.has(carrier.urn));
      if (late.length > 0) {
        findings.push(
          finding(this.id, stateMachine, `does not depend on ${late.map((c) => c.name).join(", ")}, which lets its role set up the log delivery; created first, CreateStateMachine is refused (or waits out the provider's retries)`, `add dependsOn: [${late.map((c) => c.name).join(", ")}] to the state machine`),
        );
      }
    }
    return findings;
  },
};

/** A Lambda function's ARN (unqualified or qualified): its region and the unqualified ARN. */
const LAMBDA_ARN = /^(arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:[A-Za-z0-9_-]+)(:[A-Za-z0-9$_-]+)?$/;

/**
 * The Lambda function ARNs a definition's Task states name: as their Resource, or as the FunctionName of a Lambda
 * integration Workflow grants for (`lambda:invoke` and `aws-sdk:lambda:invoke`, integrations.ts grantedIntegration,
 * both authorised as lambda:InvokeFunction), read as Invoke reads it with its literal Qualifier (invokeTarget: a name
 * or partial ARN in the state machine's partition, region and account; qualified when the Task is, since Lambda
 * authorises a qualified invoke on the qualified ARN only: aws/aws-cdk#19464, "invocations will fail if … a policy with
 * an unqualified ARN as the resource, and the customer invokes lambda with the unqualified ARN and the `Qualifier`
 * request parameter"); `assumed` when every Task naming it has `Credentials` (it invokes it as the role it assumes).
 */
function lambdaTaskArns(definition: unknown, where: TargetContext): Map<string, { assumed: boolean }> {
  const found = new Map<string, { assumed: boolean }>();
  const add = (arn: string, state: Record<string, any>) => found.set(arn, { assumed: (found.get(arn)?.assumed ?? true) && state.Credentials !== undefined });
  for (const [, state] of taskStates(definition)) {
    const resource = state.Resource;
    if (typeof resource === "string" && LAMBDA_ARN.test(resource)) add(resource, state);
    if (grantedIntegration(resource)?.integration.kind === "LambdaFunction") {
      const parameters = state.Parameters ?? state.Arguments;
      const qualifier = parameters?.Qualifier;
      // A Qualifier the input gives (`Qualifier.$`, a JSONata string) is not known here: the name alone is checked.
      const literal = qualifier === undefined || (typeof qualifier !== "object" && !(typeof qualifier === "string" && qualifier.startsWith("{%")));
      const target = typeof parameters?.FunctionName === "string" && !parameters.FunctionName.startsWith("{%") ? invokeTarget(parameters.FunctionName, literal ? qualifier : undefined, where) : undefined;
      if (target && LAMBDA_ARN.test(target.arn)) add(target.arn, state);
    }
  }
  return found;
}

/**
 * Each Lambda function a Task names (by ARN) must be one the state machine's role may invoke and one of the state
 * machine's region. Neither is checked by CreateStateMachine: the Task fails at every execution, with Lambda's
 * AccessDeniedException (a policy "with lambda:Invoke permissions for the two functions" is what a state machine needs,
 * https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html), or because a state machine does not reach a
 * function of another region (serverless-operations/serverless-step-functions#3). Roles with policies the plan cannot
 * read, and Tasks with `Credentials` (they invoke as the role they assume), are not checked for the permission.
 */
export const STATES_LAMBDA_TASKS: DeployRule = {
  id: "StatesLambdaTasks",
  title: "A state machine's Lambda Tasks name functions of its region that its role may invoke",
  source: "https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const [stateMachine, definition] of parsedDefinitions(graph)) {
      const role = roleOf(graph, stateMachine);
      const policies = role ? roleGrants(graph, role) : undefined;
      const where = targetContextOf(graph, stateMachine, context, role);
      const { region, account } = where;
      // The account is not compared (as StatesServiceTasks): the plan's is mocked, and a literal ARN in the definition or
      // a grant may name the real one, so both are read in the state machine's account.
      const here = account ? (resource: string) => arnInAccount(resource, account) : (resource: string) => resource;
      const grants = policies && account ? inAccount(policies.grants, account) : policies?.grants;
      for (const [arn, { assumed }] of lambdaTaskArns(definition, where)) {
        const functionRegion = arnRegion(arn);
        const fn = referenced(graph, FUNCTION, LAMBDA_ARN.exec(arn)?.[1]);
        const label = fn?.name ?? arn;
        if (functionRegion && functionRegion !== region) {
          findings.push(finding(this.id, stateMachine, `has a Task that invokes ${label} in ${functionRegion}, but the state machine is in ${region}; it does not reach a function of another region and the Task fails at every execution`, `create the function in ${region}, or the state machine in ${functionRegion}`));
          continue;
        }
        if (!assumed && role && grants && policies?.complete && !allowing(grants, "lambda:InvokeFunction", here(arn))) {
          findings.push(finding(this.id, stateMachine, `has a Task that invokes ${label}, but its role ${role.name} may not lambda:InvokeFunction on ${arn}; every execution fails at that Task`, `grant lambda:InvokeFunction on the function's ARN (and \`\${arn}:*\` for versions and aliases) in ${role.name}'s policy`));
        }
      }
    }
    return findings;
  },
};

/**
 * Where a state machine's Tasks resolve a name or partial ARN (Invoke's FunctionName, a table's or bus's name): its
 * partition and account, from its ARN (else its role's), and its region. StatesLambdaTasks and StatesServiceTasks share it.
 */
function targetContextOf(graph: Graph, stateMachine: RecordedResource, context: DeployRuleContext, role: RecordedResource | undefined): TargetContext {
  const [, partition = "aws", , , account] = arnComponents(String(stateMachine.state.arn ?? role?.state.arn ?? "")) ?? [];
  return { partition, region: regionOf(graph, stateMachine, context), account: account || arnComponents(String(role?.state.arn ?? ""))?.[4] || "" };
}

/** The grants as they read with `account` in the account field of every ARN they name. */
function inAccount(grants: readonly RoleGrant[], account: string): RoleGrant[] {
  const withAccount = (resource: unknown) => (typeof resource === "string" ? arnInAccount(resource, account) : resource);
  return grants.map((grant) => ({ ...grant, statement: { ...grant.statement, Resource: asArray<unknown>(grant.statement.Resource).map(withAccount) } }));
}

/**
 * The grants the resource policies of the target `arn` names hold (local/resource-policies.ts resourcePolicies, as the
 * local runtime reads them: a bus's only in the bus's region).
 */
function resourcePolicyGrants(graph: Graph, arn: string, context: DeployRuleContext): RoleGrant[] {
  return resourcePolicies({ graph, stackRegion: context.region }, arn)
    .flatMap(({ carrier, documents }) => documents.flatMap((policy) => readablePolicyDocument(policy)?.Statement ?? []).filter((statement) => statement.Effect === "Allow").map((statement) => ({ statement, carrier })));
}

/**
 * Each optimized-integration Task (DynamoDB getItem/putItem/updateItem/deleteItem, SQS sendMessage, SNS publish,
 * EventBridge putEvents), and each AWS SDK Task of those Workflow grants for (components/workflow/integrations.ts
 * SDK_INTEGRATIONS: a DynamoDB query or scan, on its index when it names one; SQS sendMessageBatch as sqs:SendMessage,
 * …), whose target the definition names must be one the state machine's role may act on:
 * CreateStateMachine does not check it, and the Task fails at every execution with the service's AccessDenied
 * ("IAM policies for Amazon DynamoDB", https://docs.aws.amazon.com/step-functions/latest/dg/dynamo-iam.html, and the
 * pages for SQS, SNS and EventBridge list the action and resource each needs). Within an account "If either the
 * identity-based policy or the resource-based policy within the same account allows the request and the other doesn't,
 * the request is still allowed" (IAM, reference_policies_evaluation-logic_policy-eval-basics.html), as SQS ("A statement
 * to allow access is required in either the SQS access policy or the IAM policy", re:Post sqs-queue-access-permissions),
 * SNS ("Amazon SNS policies can grant access to other AWS accounts, or to users within your own AWS account",
 * sns-using-identity-based-policies.html) and DynamoDB ("a resource-based policy is sufficient",
 * rbac-auth-iam-id-based-policies-DDB.html) say, and an event bus's policy no less: "For most resources, you only need
 * an explicit allow for the principal in either an identity-based policy or a resource-based policy to grant access. IAM
 * role trust policies and KMS key policies are exceptions" (reference_policies_evaluation-logic_policy-eval-denyallow.html),
 * and a bus policy is a resource-based policy (eb-event-bus-perms.html). So a target of the plan, or a bus the plan's
 * EventBusPolicy names in its region, whose resource policy allows the role the action is granted (resourcePolicyGrants); across
 * accounts both policies must allow it (reference_policies_evaluation-logic-cross-account.html), so the finding's fix
 * offers the resource policy only for a target of the role's account. A permissions boundary or session policy that
 * would limit that grant is not read, nor a Deny, nor the statement's Condition (as for the role's own grants). Targets a path or an expression names at run time, Tasks with
 * `Credentials` (they act as the role they assume), and roles with policies the plan cannot read, are not checked.
 */
export const STATES_SERVICE_TASKS: DeployRule = {
  id: "StatesServiceTasks",
  title: "A state machine's service-integration Tasks name targets its role may act on",
  source: "https://docs.aws.amazon.com/step-functions/latest/dg/dynamo-iam.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const [stateMachine, definition] of parsedDefinitions(graph)) {
      const role = roleOf(graph, stateMachine);
      if (!role) continue;
      const policies = roleGrants(graph, role);
      if (!policies.complete) continue;
      const where = targetContextOf(graph, stateMachine, context, role);
      // A table's or bus's name names no account: the plan's account is the mocked one, so a grant on that name in any
      // account (the user's real one) is taken as granting it.
      const grantsHere = inAccount(policies.grants, where.account);
      for (const [name, state] of taskStates(definition)) {
        const found = grantedIntegration(state.Resource);
        // A Task with Credentials acts as the role it assumes, which the plan does not check.
        if (!found || found.integration.kind === "LambdaFunction" || state.Credentials !== undefined) continue;
        const kind = found.integration.kind;
        const targets = literalTargets(found.integration, state.Parameters ?? state.Arguments).flatMap((target) => literalTargetArn(kind, target, where) ?? []);
        for (const { arn: target, accountFromContext } of targets) {
          if (allowing(accountFromContext ? grantsHere : policies.grants, found.integration.action, target)) continue;
          const targetAccount = arnComponents(target)?.[4] ?? "";
          // Across accounts the role's policy must grant it as well (reference_policies_evaluation-logic-cross-account.html),
          // and a bus of another account only shares its name and region with the plan's (local/resource-policies.ts busPolicies matches by those): its
          // resource policies are read only for a target of the role's account.
          const sameAccount = accountFromContext || targetAccount === where.account;
          // A resource policy grants only on the resource it is attached to, so the account of its Resource (the user's
          // real one, as namesRole reads the principal's) is taken as the target's.
          const roleArn = role.state.arn;
          if (sameAccount && typeof roleArn === "string" && granting(inAccount(resourcePolicyGrants(graph, target, context), targetAccount), found.integration.action, target).some(({ statement }) => namesRole(statement, roleArn))) continue;
          findings.push(
            finding(
              this.id,
              stateMachine,
              `has a Task ${name} (${found.integration.api}) on ${target}, but its role ${role.name} may not ${found.integration.action} on it; every execution fails at that Task with AccessDenied`,
              `grant ${found.integration.action} on ${target} in ${role.name}'s policy (Workflow grants it when the Task names the component itself)${sameAccount ? `, or to ${role.name} in the target's resource policy` : ""}`,
            ),
          );
        }
      }
    }
    return findings;
  },
};

/**
 * A Task with `Credentials` runs as the role `Credentials.RoleArn` names, which Step Functions assumes as the state
 * machine's role first: "update the source account's execution role to specify the required permission to assume the
 * target role" (https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-access-cross-acct-resources.html), and
 * the target role's trust policy must let it (the same page; "IAM role trust policies and KMS key policies are
 * exceptions … they must explicitly allow access for principals", reference_policies_evaluation-logic_policy-eval-denyallow.html).
 * CreateStateMachine does not check it; the Task fails at every execution (its error is not recorded here). Warned of
 * (STATES_WARNING_RULES), not refused: within one account, whether a trust policy naming the role's ARN is enough
 * without the role's own grant is not confirmed here, and a target role outside the plan is not seen. A role ARN that
 * a path or JSONata gives (`RoleArn.$`, `{% … %}`), and roles with policies the plan cannot read, are not judged. A
 * target role of the plan whose trust policy names the state machine's role is not reported; one whose trust policy
 * does not name it (nor its account) is. Workflow grants it (AssumeTaskRoles) for each role its definition names.
 * A role of another partition than the state machine's region's is reported whatever the policies say: "a credential
 * issued in one partition isn't valid in another. As a result, direct role assumption with the AssumeRole API doesn't
 * work across partition boundaries" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_cross_partition.html);
 * Workflow refuses it where it knows its region.
 */
export const STATES_TASK_CREDENTIALS: DeployRule = {
  id: "StatesTaskCredentials",
  title: "A state machine's role may assume each role its Tasks' Credentials name",
  source: "https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-access-cross-acct-resources.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const [stateMachine, definition] of parsedDefinitions(graph)) {
      const role = roleOf(graph, stateMachine);
      const roleArn = role?.state.arn;
      if (!role || typeof roleArn !== "string") continue;
      const policies = roleGrants(graph, role);
      const { account, region } = targetContextOf(graph, stateMachine, context, role);
      // The partition of the state machine's region (a mocked ARN says aws in every region).
      const partition = partitionOfRegion(region);
      const reported = new Set<string>();
      for (const { name, roleArn: target } of taskCredentialRoles(definition)) {
        if (typeof target !== "string" || reported.has(target)) continue;
        const [, targetPartition, , , targetAccount = ""] = arnComponents(target) ?? [];
        if (targetPartition !== partition) {
          reported.add(target);
          findings.push(
            finding(
              this.id,
              stateMachine,
              `has a Task ${name} whose Credentials name ${target}, a role of partition ${targetPartition}, but the state machine is in ${region}, partition ${partition}; "direct role assumption with the AssumeRole API doesn't work across partition boundaries" (IAM, id_roles_providers_outbound_cross_partition), so the Task would fail at every execution`,
              `name a role of partition ${partition} (arn:${partition}:iam::<account>:role/<name>), or run the state machine in a region of partition ${targetPartition} (Workflow refuses this at construction)`,
            ),
          );
          continue;
        }
        if (!policies.complete) continue;
        // The plan's account is mocked: a grant naming the target's role in the account of the target's ARN counts.
        const granted = allowing(policies.grants, "sts:AssumeRole", target) ?? allowing(inAccount(policies.grants, targetAccount), "sts:AssumeRole", target);
        const planned = referenced(graph, ROLE, target) ?? ofType(graph, ROLE).find((r) => typeof r.state.arn === "string" && arnInAccount(r.state.arn, targetAccount) === target);
        const trusts = planned ? trustsRole(planned, roleArn, account) : undefined;
        if ((granted && trusts !== false) || (trusts === "named" && targetAccount === account)) continue;
        reported.add(target);
        const problem = !granted
          ? `its role ${role.name} may not sts:AssumeRole on it`
          : `${planned!.name}'s trust policy does not let ${role.name} assume it`;
        findings.push(
          finding(
            this.id,
            stateMachine,
            `has a Task ${name} whose Credentials name ${target}, but ${problem}; Step Functions assumes that role before the Task's call, so the Task would fail at every execution`,
            !granted
              ? `grant sts:AssumeRole on ${target} in ${role.name}'s policy (Workflow grants it when its definition names the role), and let ${target}'s trust policy allow ${role.name}`
              : `allow sts:AssumeRole for ${role.name}'s ARN in ${planned!.name}'s assumeRolePolicy`,
          ),
        );
      }
    }
    return findings;
  },
};

/**
 * How a target role's trust policy takes `roleArn` (StatesTaskCredentials): "named" when an Allow of sts:AssumeRole
 * names the role (or everyone: namesRole, its account field aside), "account" when one names the role's account
 * (`<account>`, `arn:…:iam::<account>:root`: the role's own policies then decide), else false. Conditions are not read.
 */
function trustsRole(target: RecordedResource, roleArn: string, account: string): "named" | "account" | false {
  const allows = policyDocument(target.inputs.assumeRolePolicy).Statement.filter((s) => (s.Effect ?? "Allow") === "Allow" && asArray<unknown>(s.Action).some((a) => actionMatches(String(a), "sts:AssumeRole")));
  if (allows.some((s) => namesRole(s, roleArn))) return "named";
  const roleAccount = arnComponents(roleArn)?.[4];
  const names = (p: unknown) => typeof p === "string" && [account, roleAccount].some((a) => a && (p === a || /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(p) && p.split(":")[4] === a));
  return allows.some((s) => asArray<unknown>(s.Principal?.AWS).some(names)) ? "account" : false;
}

/** The principal of CloudWatch Logs' delivery of vended logs (a state machine's, an event bus's). */
const LOG_DELIVERY_PRINCIPAL = "delivery.logs.amazonaws.com";

/**
 * What the log delivery needs on the key a state machine's data is encrypted with, for that machine's logs: kms:Decrypt.
 * With a customer managed key, Step Functions encrypts the log records it sends with that key, and the delivery
 * decrypts them before it writes them to the log group (under the log group's own key, if any). The AWS CDK's
 * StateMachine (aws-cdk-lib/aws-stepfunctions/lib/state-machine.ts, added by aws/aws-cdk#30959, whose author checked
 * that an execution's logs arrived) adds to the key policy an Allow of `kms:Decrypt*` to the principal
 * delivery.logs.amazonaws.com whenever it logs (a level other than OFF) under a customer managed key, beside the role's
 * kms:GenerateDataKey on the encryption context kms:EncryptionContext:SourceArn `arn:<partition>:logs:<region>:<account>:*`
 * (Workflow grants its role that: components/workflow/index.ts "EncryptLogs"). EventBridge's guide asks the same of an
 * event bus's key ("Enable log delivery decryption": delivery.logs.amazonaws.com kms:Decrypt,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-bus-logs.html). Step Functions' own page
 * (STATES_ENCRYPTION_AT_REST) is cited for the encryption; the store searched did not show its logging section's
 * statement word for word.
 */
const LOG_DELIVERY_KEY_ACTIONS = ["kms:Decrypt"] as const;

/** Step Functions Developer Guide, "Data at rest encryption in Step Functions". */
const STATES_ENCRYPTION_AT_REST = "https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html";

/**
 * A state machine that logs (loggingConfiguration.level other than OFF) under a customer managed key of the plan
 * (encryptionConfiguration CUSTOMER_MANAGED_KMS_KEY, kmsKeyId naming an aws.kms.Key or ReplicaKey whose policy the plan
 * writes) needs that key's policy to let delivery.logs.amazonaws.com kms:Decrypt (LOG_DELIVERY_KEY_ACTIONS); without it
 * the executions' log records are not delivered. Whether CreateStateMachine refuses such a key policy or the logs are
 * then silently missing is not confirmed; either way the logging asked for does not happen, and nothing outside the
 * plan can mend a policy the plan writes. Keys outside the plan, aliases and AWS owned keys are passed over (Workflow's
 * `kmsKeyId` documents what such a key needs).
 */
export const STATES_LOG_DELIVERY_KEY: DeployRule = {
  id: "StatesLogDeliveryKey",
  title: "A state machine that logs under a customer managed key has a key policy that lets the log delivery decrypt",
  source: STATES_ENCRYPTION_AT_REST,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const machine of ofType(graph, STATE_MACHINE)) {
      const level = String(machine.inputs.loggingConfiguration?.level ?? "OFF");
      const encryption = machine.inputs.encryptionConfiguration;
      const ref = encryption?.kmsKeyId;
      if (level === "OFF" || encryption?.type !== "CUSTOMER_MANAGED_KMS_KEY" || typeof ref !== "string" || ref === "") continue;
      const key = planKey(graph, ref);
      if (!key) continue;
      const missing = keyPolicyMissing(graph, key, LOG_DELIVERY_PRINCIPAL, LOG_DELIVERY_KEY_ACTIONS);
      if (missing.length === 0) continue;
      findings.push(
        finding(
          this.id,
          machine,
          `logs at level ${level} under customer managed key ${key.name}, whose policy does not allow ${LOG_DELIVERY_PRINCIPAL} ${missing.join(", ")}: the log delivery cannot decrypt the records Step Functions encrypts with the key, so the executions' logs are not delivered`,
          `add to ${key.name}'s policy { "Effect": "Allow", "Principal": { "Service": "${LOG_DELIVERY_PRINCIPAL}" }, "Action": "kms:Decrypt*", "Resource": "*" } (as the AWS CDK's StateMachine does), or set the logging level to "OFF"`,
        ),
      );
    }
    return findings;
  },
};

export const STATES_RULES: DeployRule[] = [STATES_DEFINITION, STATES_STATE_MACHINE_NAME, STATES_LOGGING_DESTINATION, STATES_ROLE_TRUST, STATES_LOG_DELIVERY_PERMISSION, STATES_LAMBDA_TASKS, STATES_SERVICE_TASKS, STATES_LOG_DELIVERY_KEY];

/** Step Functions' warning rules: part of DEPLOY_WARNING_RULES, not of DEPLOY_RULES. */
export const STATES_WARNING_RULES: DeployRule[] = [STATES_FAIL_PATH_ESCAPE, STATES_TASK_CREDENTIALS, STATES_ITEM_BATCHER];
