/**
 * A Step Functions state machine whose Task states invoke LambdaFunctions (directly, or through the optimized
 * `lambda:invoke`) and call the program's tables, queues, topics and buses through the optimized integrations: a role
 * trusted by states.amazonaws.com from this account's state machines that may invoke exactly those functions (and their
 * versions and aliases) and perform exactly each integration's action on its target (integrations.ts), logs to a
 * `/aws/vendedlogs/states/` log group with retention, optional X-Ray tracing and a customer managed key. Callers get
 * `grants.start()` / `grants.read()` for their `permissions` and `environment()` for the state machine's ARN; a function
 * that answers a Task waiting for its token, `grantTaskResponse(fn)`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AUTONAME_RANDOM_LENGTH, validateAutonames } from "../autoname";
import { argFailer, ComponentArgError, type ArgFailure } from "../errors";
import { assertLeastPrivilege, policyJson, type PolicyStatement } from "../iam";
import { actionMatches } from "../iam-match";
import { checkedKmsKey, checkKmsKeyArn, type KmsKeyRefusal } from "../kms";
import { environmentVariable, type LambdaFunction } from "../lambda/function";
import { validateLogRetention } from "../log-retention";
import { fitName } from "../names";
import { describeRegion, regionOf, regionWhereCreated, validateRegionArg, type KnownRegion } from "../region";
import { registerSpec } from "../spec-registry";
import { STATES_LOG_DELIVERY_ACTIONS, STATES_TRACING_ACTIONS } from "./actions";
import { partitionOfRegion } from "../arn";
import { aslProblems, definitionBytes, definitionStates, isLambdaFunction, itemBatcherWarnings, QUERY_LANGUAGE_DOWNGRADE, queryLanguageDowngrades, STATES_LIMITS, taskCredentialRoles, taskStates, walkDefinition, type DefinitionFunction, type TaskCredentialRole } from "./definition";
import { arnInAccount, grantedIntegration, integrationStatements, literalTargetArn, literalTargets, statementsAllow, targetPlacement, type DefinitionIntegration, type TargetContext } from "./integrations";
import type { WorkflowArgs, WorkflowLogLevel, WorkflowSpec, WorkflowType } from "./spec";

export type { WorkflowArgs, WorkflowDefinition, WorkflowLogLevel, WorkflowSpec, WorkflowState, WorkflowType } from "./spec";
export { STATES_LIMITS } from "./definition";
export { STATES_LOG_DELIVERY_ACTIONS, STATES_TRACING_ACTIONS } from "./actions";
export { OPTIMIZED_INTEGRATIONS, optimizedIntegration, type OptimizedIntegration } from "./integrations";

export const WORKFLOW_TYPES: readonly WorkflowType[] = ["STANDARD", "EXPRESS"];
export const WORKFLOW_LOG_LEVELS: readonly WorkflowLogLevel[] = ["ALL", "ERROR", "FATAL", "OFF"];

/**
 * Where a workflow's log group lives. CloudWatch Logs lets an AWS service deliver vended logs through one resource
 * policy per account and region, of at most 5120 characters, to which each delivery adds its log group unless the group's
 * name starts with `/aws/vendedlogs/`, which one wildcard entry covers ("we recommend that you prefix your log group
 * names with /aws/vendedlogs/", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html);
 * the Step Functions console names its groups `/aws/vendedlogs/states/<state machine>-Logs`.
 */
export const STATES_LOG_GROUP_PREFIX = "/aws/vendedlogs/states/";

/** What the role needs of each role a Task's `Credentials.RoleArn` names: it assumes it before the Task's call. */
export const STATES_ASSUME_TASK_ROLE_ACTIONS: readonly string[] = ["sts:AssumeRole"];

/** What the role needs of a customer managed key for the definition and execution data (AWS's example and the CDK's StateMachine grant). */
export const STATES_KMS_ACTIONS: readonly string[] = ["kms:Decrypt", "kms:GenerateDataKey"];

/**
 * grants.start(): StartExecution; for an EXPRESS workflow also StartSyncExecution (synchronous Express executions,
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html).
 */
export const WORKFLOW_START_ACTIONS: readonly string[] = ["states:StartExecution"];
export const WORKFLOW_EXPRESS_START_ACTIONS: readonly string[] = ["states:StartExecution", "states:StartSyncExecution"];
/** grants.read() on the state machine: ListExecutions (resource type stateMachine, Service Authorization Reference for Step Functions). */
export const WORKFLOW_READ_STATE_MACHINE_ACTIONS: readonly string[] = ["states:ListExecutions"];
/** grants.read() on its executions (resource type execution): what the CDK's grantRead gives there. */
export const WORKFLOW_READ_EXECUTION_ACTIONS: readonly string[] = ["states:DescribeExecution", "states:GetExecutionHistory", "states:DescribeStateMachineForExecution"];
/**
 * grantTaskResponse(): what answers a Task that waits for its token, on the state machine whose execution issued it, as
 * the CDK's StateMachine.grantTaskResponse grants them (aws-stepfunctions/lib/state-machine-grants.ts taskResponse). The
 * Service Authorization Reference lists no resource type for them, but IAM evaluates them on that state machine's ARN
 * ("… is not authorized to perform: states:SendTaskFailure on resource: arn:aws:states:…:stateMachine:…",
 * NOAA-OWP/hydrovis#837; "worked when mapped onto the state machine", aws/aws-cdk#8486), so a grant on it is least
 * privilege, and assertLeastPrivilege keeps refusing them on "*". No KMS action, with a customer managed key either:
 * Step Functions encrypts the answer with the key through the execution role ("Step Functions will encrypt the error
 * and cause fields using the AWS KMS key for the execution role. A caller can mark a task as fail without using any
 * AWS KMS permissions in the execution role if the caller provides a null value for both error and cause fields",
 * API_SendTaskFailure), whose UseKey statement allows it; the CDK's grantTaskResponse grants none either.
 */
export const WORKFLOW_TASK_RESPONSE_ACTIONS: readonly string[] = ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"];
/** The Task `Resource` suffixes whose Task a SendTask* call may answer: Wait for Callback, and Run a Job ("optionally", API_SendTaskSuccess). */
const ANSWERABLE_PATTERN = /\.(waitForTaskToken|sync(:2)?)$/;

/**
 * grants.read() of a workflow with a Distributed Map: ListMapRuns on its executions (resource type execution, API_ListMapRuns
 * takes the parent execution's ARN) and DescribeMapRun on its Map Runs (resource type mapRun,
 * `arn:<partition>:states:<region>:<account>:mapRun:<state machine>/<map label>:<id>`, API_DescribeMapRun).
 */
export const WORKFLOW_READ_MAP_RUN_ACTIONS = { execution: ["states:ListMapRuns"], mapRun: ["states:DescribeMapRun"] } as const;
/**
 * What a state machine's role needs to run a Distributed Map's child workflow executions ("IAM policies for using
 * Distributed Map states", https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html):
 * StartExecution on the state machine itself, DescribeExecution and StopExecution on its child executions
 * (`execution:<state machine>/<map label>:<id>`, hence `execution:<state machine>/*`); and RedriveExecution on them,
 * with which a redriven parent execution redrives its failed Map Run's children ("IAM permission to redrive a Map
 * Run": states:RedriveExecution on `execution:<state machine>/<map label>:*`,
 * https://docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html).
 */
export const STATES_DISTRIBUTED_MAP_ACTIONS = { stateMachine: ["states:StartExecution"], childExecutions: ["states:DescribeExecution", "states:StopExecution", "states:RedriveExecution"] } as const;

/**
 * The state machine's logical name, and its physical name's start: `<name>-state-machine-<7 random>`, as Pulumi's default
 * autoname would be, but named by the component so that its ARN is known before the role's policy (see UseKey).
 */
const STATE_MACHINE_SUFFIX = "-state-machine";

/**
 * How long Step Functions reuses a data key of a customer managed key before it calls GenerateDataKey again
 * (EncryptionConfiguration kmsDataKeyReusePeriodSeconds, 60–900,
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_EncryptionConfiguration.html): sent explicitly, as
 * the CDK sends its default of 300 (aws-stepfunctions/lib/private/utils.ts), so that what the API reads back is what
 * the program says (the provider's field is Optional, not Computed: an omitted 300 read back would be a diff forever).
 */
export const STATES_KMS_DATA_KEY_REUSE_SECONDS = 300;

/**
 * The longest ARN prefix a log group's ARN may have in any partition and region:
 * `arn:aws-us-gov:logs:<region of 20 characters>:<account>:log-group:` (the longest partition name today is
 * `aws-us-gov`; region names today are at most 14 characters, e.g. ap-southeast-5, us-isob-east-1), and the `:*` a log
 * destination ends in. What is left of STATES_LIMITS.logDestinationLength (256) is the log group name's.
 */
const LOG_DESTINATION_OVERHEAD = `arn:aws-us-gov:logs:${"r".repeat(20)}:123456789012:log-group:`.length + ":*".length;
/** The longest log group name a state machine logs to in any partition and region: 256 − 66 = 190. */
export const STATES_LOG_GROUP_NAME_LENGTH = STATES_LIMITS.logDestinationLength - LOG_DESTINATION_OVERHEAD;

/** Grants on this workflow, for a LambdaFunction's `permissions`. */
export interface WorkflowGrants {
  /**
   * Start executions: states:StartExecution on the state machine (and StartSyncExecution for an EXPRESS workflow);
   * with a customer managed key, kms:GenerateDataKey and kms:Decrypt on it for this state machine's encryption context.
   */
  start(): PolicyStatement[];
  /**
   * Read executions of a STANDARD workflow: ListExecutions on the state machine; DescribeExecution,
   * GetExecutionHistory and DescribeStateMachineForExecution on its executions; with a customer managed key, kms:Decrypt.
   * An EXPRESS workflow keeps no execution history in Step Functions (read its log group): refused.
   */
  read(): PolicyStatement[];
}

/**
 * A Step Functions state machine orchestrating LambdaFunctions.
 *
 * @example
 * const resize = new LambdaFunction("resize", { entry: "handlers/resize.ts" });
 * const index = new LambdaFunction("index", { entry: "handlers/index-photo.ts" });
 * const pipeline = new Workflow("photo-pipeline", {
 *   definition: { StartAt: "Resize", States: { Resize: { Type: "Task", Resource: resize, Next: "Index" }, Index: { Type: "Task", Resource: index, End: true } } },
 * });
 * const api = new LambdaFunction("api", { entry: "handlers/api.ts", permissions: pipeline.grants.start(), environment: pipeline.environment("PIPELINE_ARN") });
 */
export class Workflow extends pulumi.ComponentResource {
  /** What the local runtime reads (registered as kind "Workflow"). */
  readonly spec: WorkflowSpec;
  /** The Step Functions state machine, named `<name>-state-machine-<7 random>` (the random part kept in the stack's state). */
  readonly stateMachine: aws.sfn.StateMachine;
  /** The state machine's ARN, what StartExecution takes. */
  readonly stateMachineArn: pulumi.Output<string>;
  /** The state machine's physical name (its executions' ARNs are `arn:<partition>:states:<region>:<account>:execution:<name>:<execution>`). */
  readonly stateMachineName: pulumi.Output<string>;
  /** The role the state machine runs as (trusted by states.amazonaws.com from this account's state machines in the workflow's region). */
  readonly role: aws.iam.Role;
  /** The role's one inline policy: log delivery (always), invoke the functions, the Distributed Map's child executions, the integrations' targets, assume the roles Tasks' `Credentials` name, tracing, the key, and `permissions`. */
  readonly rolePolicy: aws.iam.RolePolicy;
  /** The log group executions log to; absent when `logLevel` is "OFF". */
  readonly logGroup?: aws.cloudwatch.LogGroup;
  /** Grants on the workflow for callers' `permissions`: start executions, read them. */
  readonly grants: WorkflowGrants;
  private readonly fail: ArgFailure;
  /** The state machine's ARN as the component computes it from the name it gives it (before the state machine exists). */
  private readonly computedArn: pulumi.Output<string>;
  /** Whether a Task of the definition may be answered by SendTask* (waits for a token, or runs a job). */
  private readonly answerable: boolean;
  /** Each function's grantTaskResponse() policy: asked again, the same one. */
  private readonly taskResponders = new Map<LambdaFunction, aws.iam.RolePolicy>();

  constructor(name: string, args: WorkflowArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:Workflow", name, {}, opts);
    const fail = argFailer("Workflow", name);
    const type = args?.type ?? "STANDARD";
    const logLevel = args?.logLevel ?? "ERROR";
    validate(fail, name, args ?? ({} as WorkflowArgs), type, logLevel);
    const kmsKey = checkedKmsKey(args.kmsKeyId, (key) => assertWorkflowKmsKeyId(name, key));
    const region = args.region || undefined;
    const known = regionWhereCreated(region, this, "aws:sfn/stateMachine:StateMachine");
    const walked = walkDefinition(fail, args.definition, known.region);
    checkFunctions(fail, walked.functions, known);
    checkTargetRegions(fail, walked.integrations, known);
    const credentialRoles = [...taskCredentialRoles(args.definition)];
    checkTaskRolePartitions(fail, credentialRoles, known);
    checkDefinition(fail, walked.planned);
    checkExpressPatterns(fail, walked.planned, type);
    warnItemBatchers(name, walked.planned, this);
    const functions = uniqueFunctions(walked.functions);
    // The functions the workflow's role invokes: not those only Tasks with Credentials invoke (as the role they assume).
    const invoked = uniqueFunctions(walked.functions.filter(({ assumed }) => !assumed));

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const workflowRegion = regionOf(region, this);
    const stateMachineLogicalName = `${name}${STATE_MACHINE_SUFFIX}`;
    const stateMachinesOfAccount = pulumi.interpolate`arn:${partition}:states:${workflowRegion}:${identity.accountId}:stateMachine:*`;
    // The state machine's name, known before the policy that names it: the logical name and 7 random lowercase letters
    // and digits kept in the stack's state (so an update keeps it). Named by the component, not by Pulumi's autonaming,
    // whose form a stack's `pulumi:autonaming` config may change. A `type` change replaces the state machine (ForceNew
    // in terraform-provider-aws state_machine.go): the suffix is drawn again with it, so the replacement, created
    // before the old one is deleted, does not ask for a name the old one still holds (names are unique per account and
    // region, CreateStateMachine StateMachineAlreadyExists). Not `region`: a new region's machine cannot collide with
    // the old one's name, and writing out the stack's own region must not replace the machine.
    const suffix = new random.RandomString(
      `${stateMachineLogicalName}-suffix`,
      { length: AUTONAME_RANDOM_LENGTH, special: false, upper: false, keepers: { type } },
      { parent: this },
    ).result;
    const stateMachineName = pulumi.interpolate`${stateMachineLogicalName}-${suffix}`;
    const stateMachineArn = pulumi.interpolate`arn:${partition}:states:${workflowRegion}:${identity.accountId}:stateMachine:${stateMachineName}`;

    const logGroup =
      logLevel === "OFF"
        ? undefined
        : new aws.cloudwatch.LogGroup(`${name}-logs`, { name: workflowLogGroupName(name), retentionInDays: args.logRetentionDays ?? 30, region }, { parent: this });

    // Trusted by Step Functions from this account's state machines in the workflow's region: the confused-deputy
    // conditions AWS gives for a state machine's role (aws:SourceAccount, aws:SourceArn of the account's state
    // machines, https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html, as the console's
    // generated roles carry them). The state machine's own ARN would make the role wait for the state machine, which
    // waits for the role: the account's state machines in the region avoid that cycle.
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "states.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "aws:SourceAccount": identity.accountId }, ArnLike: { "aws:SourceArn": stateMachinesOfAccount } },
            },
          ],
        }),
      },
      { parent: this },
    );

    // The log-delivery actions whatever logLevel is: turning logging on later is then an UpdateStateMachine under a
    // policy that already allows it (the provider retries AccessDeniedException on create only, not on update), and the
    // policy always holds a statement (IAM refuses a document with none, MalformedPolicyDocument).
    const statements: PolicyStatement[] = [{ sid: "DeliverLogs", actions: [...STATES_LOG_DELIVERY_ACTIONS], resources: ["*"] }];
    if (invoked.length > 0) {
      // Exactly the functions the Tasks name ("a policy with lambda:Invoke permissions for the two functions",
      // https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html), and their versions and aliases: IAM
      // matches an invocation of a qualified ARN (`<function>:<version or alias>`) against that ARN, which the
      // unqualified one does not cover (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html).
      statements.push({ sid: "InvokeFunctions", actions: ["lambda:InvokeFunction"], resources: invoked.flatMap((fn) => [fn.arn, pulumi.interpolate`${fn.arn}:*`]) });
    }
    if (walked.distributedMaps.length > 0) {
      // A Distributed Map runs its items as child executions of this state machine (its own ARN, known before it is
      // created: the component names it), which Step Functions starts, describes, stops and redrives as the role.
      statements.push(
        { sid: "RunMapChildren", actions: [...STATES_DISTRIBUTED_MAP_ACTIONS.stateMachine], resources: [stateMachineArn] },
        { sid: "SuperviseMapChildren", actions: [...STATES_DISTRIBUTED_MAP_ACTIONS.childExecutions], resources: [pulumi.interpolate`arn:${partition}:states:${workflowRegion}:${identity.accountId}:execution:${stateMachineName}/*`] },
      );
    }
    // Each optimized integration whose target is one of the program's components: exactly its action on exactly that
    // target (integrations.ts, after Step Functions' own generated policies).
    statements.push(...integrationStatements(walked.integrations));
    // A Task with Credentials runs as the role it names, which the workflow's role assumes first ("update the source
    // account's execution role to specify the required permission to assume the target role",
    // https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-access-cross-acct-resources.html): sts:AssumeRole on
    // exactly the roles the definition names, as the CDK's TaskRole.fromRole grants it on the role's ARN
    // (aws-stepfunctions/lib/task-credentials.ts). A role the execution gives (`RoleArn.$`, JSONata) is not known here:
    // nothing is granted for it (the CDK grants sts:AssumeRole on "*" then, which assertLeastPrivilege refuses), and
    // the caller names those roles in permissions (warnDynamicTaskRoles).
    // A role named twice (a literal ARN and an Output resolving to it, or one value in two Tasks) is listed once by
    // rolePolicyJson, after the Outputs resolve.
    const taskRoles = credentialRoles.flatMap(({ roleArn }) => (roleArn === undefined ? [] : [roleArn as pulumi.Input<string>]));
    if (taskRoles.length > 0) statements.push({ sid: "AssumeTaskRoles", actions: [...STATES_ASSUME_TASK_ROLE_ACTIONS], resources: taskRoles });
    warnDynamicTaskRoles(name, credentialRoles, args.permissions ?? [], this);
    if (args.tracing) statements.push({ sid: "WriteTraces", actions: [...STATES_TRACING_ACTIONS], resources: ["*"] });
    if (kmsKey !== undefined) {
      // The key encrypts this state machine's definition and execution data under the encryption context
      // aws:states:stateMachineArn (https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html; the
      // CDK's StateMachine grants the same with StringEquals on its generated name): the ARN of the name the component
      // gives it, known before the state machine, which waits for this policy.
      statements.push({
        sid: "UseKey",
        actions: [...STATES_KMS_ACTIONS],
        resources: [kmsKey],
        conditions: { StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": stateMachineArn } },
      });
      // Logs of a state machine under a customer managed key are delivered encrypted with it: the role generates the
      // data key under the log delivery's context (the CDK's StateMachine grants this when it logs under such a key).
      if (logGroup) {
        statements.push({
          sid: "EncryptLogs",
          actions: ["kms:GenerateDataKey"],
          resources: [kmsKey],
          conditions: { StringEquals: { "kms:EncryptionContext:SourceArn": pulumi.interpolate`arn:${partition}:logs:${workflowRegion}:${identity.accountId}:*` } },
        });
      }
    }
    statements.push(...(args.permissions ?? []));
    warnUngrantedTargets(name, args.definition, statements, { partition, region: workflowRegion, account: identity.accountId }, this);
    const rolePolicy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: rolePolicyJson(statements) }, { parent: this });

    const definition = pulumi.jsonStringify(walked.deployed).apply((json) => assertDefinitionSize(name, json));
    const stateMachine = new aws.sfn.StateMachine(
      stateMachineLogicalName,
      {
        name: stateMachineName,
        type,
        roleArn: role.arn,
        definition,
        loggingConfiguration: logGroup
          ? { level: logLevel, includeExecutionData: args.includeExecutionData ?? false, logDestination: pulumi.interpolate`${logGroup.arn}:*` }
          : { level: "OFF" },
        tracingConfiguration: { enabled: args.tracing ?? false },
        encryptionConfiguration: kmsKey === undefined ? { type: "AWS_OWNED_KEY" } : { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: kmsKey, kmsDataKeyReusePeriodSeconds: STATES_KMS_DATA_KEY_REUSE_SECONDS },
        region,
      },
      // CreateStateMachine checks that the role may set up the log delivery (and assume the role, and use the key):
      // the policy comes first. terraform-provider-aws retries CreateStateMachine's AccessDeniedException for its
      // 5-minute create timeout (IAM's propagation), but calls UpdateStateMachine once (internal/service/sfn/state_machine.go),
      // hence the log-delivery grant that does not wait for logLevel.
      { parent: this, dependsOn: [rolePolicy], customTimeouts: stateMachineTimeouts(opts?.customTimeouts) },
    );

    this.spec = {
      name,
      stateMachineName: stateMachine.name,
      type,
      definition,
      functions: functions.map((fn) => fn.spec),
      logLevel,
      includeExecutionData: args.includeExecutionData ?? false,
      logRetentionDays: args.logRetentionDays ?? 30,
      tracing: args.tracing ?? false,
      encryption: kmsKey === undefined ? "aws-owned" : "customer",
      permissions: [...(args.permissions ?? [])],
      ...(region ? { region } : {}),
    };
    this.stateMachine = stateMachine;
    this.stateMachineArn = stateMachine.arn;
    this.stateMachineName = stateMachine.name;
    this.role = role;
    this.rolePolicy = rolePolicy;
    this.logGroup = logGroup;
    this.fail = fail;
    // The ARN the component computes from the name it gives the state machine, not the state machine's output: the
    // grant then waits for no state machine, so a function that is also a Task of this workflow can be granted.
    this.computedArn = stateMachineArn;
    this.answerable = [...taskStates(args.definition)].some(([, state]) => pulumi.Output.isInstance(state.Resource) || (typeof state.Resource === "string" && ANSWERABLE_PATTERN.test(state.Resource)));
    const keyGrant = (actions: string[]): PolicyStatement[] =>
      kmsKey === undefined ? [] : [{ actions, resources: [kmsKey], conditions: { StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": stateMachine.arn } } }];
    this.grants = {
      start: () => [{ actions: [...(type === "EXPRESS" ? WORKFLOW_EXPRESS_START_ACTIONS : WORKFLOW_START_ACTIONS)], resources: [stateMachine.arn] }, ...keyGrant(["kms:GenerateDataKey", "kms:Decrypt"])],
      read: () => {
        // "This API action is not supported by EXPRESS state machines" (API_GetExecutionHistory, API_ListExecutions);
        // "Executions of an EXPRESS state machine aren't supported by DescribeExecution unless a Map Run dispatched them"
        // (API_DescribeExecution; the same texts in @aws-sdk/client-sfn's command docs).
        if (type === "EXPRESS") {
          fail("grants.read()", type, "is asked of an EXPRESS workflow, whose executions Step Functions keeps no history of (DescribeExecution, GetExecutionHistory and ListExecutions do not take EXPRESS state machines)", "Read its executions from its log group (logLevel \"ALL\"), or make it STANDARD.");
        }
        const states = (resource: string) => pulumi.interpolate`arn:${partition}:states:${workflowRegion}:${identity.accountId}:${resource}:${stateMachine.name}`;
        if (walked.distributedMaps.length === 0) {
          return [
            { actions: [...WORKFLOW_READ_STATE_MACHINE_ACTIONS], resources: [stateMachine.arn] },
            { actions: [...WORKFLOW_READ_EXECUTION_ACTIONS], resources: [pulumi.interpolate`${states("execution")}:*`] },
            ...keyGrant(["kms:Decrypt"]),
          ];
        }
        // A Distributed Map's child executions (`execution:<state machine>/<map label>:<id>`) and its Map Runs
        // (`mapRun:<state machine>/<map label>:<id>`) are named by the Map's label, after a "/": `<name>:*` does not
        // cover them. EXPRESS children are not read through these APIs but logged (DescribeExecution takes an EXPRESS
        // execution only "if a Map Run dispatched" it: not confirmed which ARN IAM sees then, so not granted).
        return [
          { actions: [...WORKFLOW_READ_STATE_MACHINE_ACTIONS], resources: [stateMachine.arn] },
          { actions: [...WORKFLOW_READ_EXECUTION_ACTIONS, ...WORKFLOW_READ_MAP_RUN_ACTIONS.execution], resources: [pulumi.interpolate`${states("execution")}:*`, pulumi.interpolate`${states("execution")}/*`] },
          { actions: [...WORKFLOW_READ_MAP_RUN_ACTIONS.mapRun], resources: [pulumi.interpolate`${states("mapRun")}/*`] },
          ...keyGrant(["kms:Decrypt"]),
        ];
      },
    };
    registerSpec("Workflow", name, this.spec);
    this.registerOutputs({ stateMachineArn: this.stateMachineArn, stateMachineName: this.stateMachineName });
  }

  /**
   * The state machine's ARN under `key`, for a caller's `environment` (StartExecution takes the ARN).
   * @param key The variable's name. @default "STATE_MACHINE_ARN"
   */
  environment(key = "STATE_MACHINE_ARN"): Record<string, pulumi.Output<string>> {
    return environmentVariable(this.fail, key, this.stateMachineArn, "STATE_MACHINE_ARN");
  }

  /**
   * Lets `fn` answer this workflow's Tasks that wait for a token (`.waitForTaskToken`): states:SendTaskSuccess,
   * SendTaskFailure and SendTaskHeartbeat on the state machine (no KMS action, with a customer managed key either: the
   * workflow's role encrypts the answers), in an inline policy on the function's role
   * (`<workflow>-task-response-<function>`). It waits for the role, not for the state machine, so `fn` may be a Task
   * of this workflow, or the consumer of a queue a Task sends its token to. Asked again for the same function, the
   * same policy.
   * @example
   * const approver = new LambdaFunction("approver", { entry: "handlers/approver.ts" });
   * const approvals = new MessageQueue("approvals", { consumer: { function: approver } });
   * const workflow = new Workflow("order", { definition: { StartAt: "Ask", States: { Ask: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", Parameters: { QueueUrl: approvals, MessageBody: { "TaskToken.$": "$$.Task.Token" } }, End: true } } } });
   * workflow.grantTaskResponse(approver);
   */
  grantTaskResponse(fn: LambdaFunction): aws.iam.RolePolicy {
    if (!isLambdaFunction(fn) || !fn.role) {
      this.fail("grantTaskResponse(fn)", fn, "is not a LambdaFunction", "Pass the LambdaFunction whose handler calls SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat with a Task's token, e.g. workflow.grantTaskResponse(approver).");
    }
    // A grant no Task needs: a Task answered by SendTask* waits for its token, or runs a job; an activity's worker is
    // authorised on the activity's ARN instead ("did NOT work when mapped onto the state machine", aws/aws-cdk#8486).
    if (!this.answerable) {
      this.fail(
        "grantTaskResponse(fn)",
        fn.spec.name,
        "is asked of a workflow none of whose Tasks waits for a task token (a Resource ending .waitForTaskToken) or runs a job (.sync), so no SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat of the function could answer one",
        'Grant it on the workflow whose Task waits (e.g. Resource "arn:aws:states:::sqs:sendMessage.waitForTaskToken" with "TaskToken.$": "$$.Task.Token" in its Parameters), or leave the grant out.',
      );
    }
    const granted = this.taskResponders.get(fn);
    if (granted) return granted;
    // Under the function, so under its provider as its role is (a role of another account's provider is found there).
    // `<workflow>-task-response-<function>` and the 8-character autoname suffix stay within IAM's 128 for a policy
    // name: a workflow's name is at most 51 characters (its role's), a function's at most 47 (its `-function`'s).
    const statements: PolicyStatement[] = [{ sid: "AnswerTasks", actions: [...WORKFLOW_TASK_RESPONSE_ACTIONS], resources: [this.computedArn] }];
    const policy = new aws.iam.RolePolicy(`${this.spec.name}-task-response-${fn.spec.name}`, { role: fn.role.id, policy: policyJson(statements) }, { parent: fn });
    this.taskResponders.set(fn, policy);
    return policy;
  }
}

/**
 * How long the provider waits for the state machine to be deleted (a `pulumi destroy`, or the update that replaces it
 * on a `type` change) unless the caller says otherwise. DeleteStateMachine "is an asynchronous operation. It sets the
 * state machine's status to DELETING and begins the deletion process. A state machine is deleted only when all its
 * executions are completed. On the next state transition, the state machine's executions are terminated"
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteStateMachine.html; the same text in
 * @aws-sdk/client-sfn DeleteStateMachineCommand), and terraform-provider-aws waits while the status is ACTIVE or
 * DELETING for its delete timeout, 5 minutes by default (internal/service/sfn/state_machine.go: `Delete:
 * schema.DefaultTimeout(5 * time.Minute)`, waitStateMachineDeleted), after which the step fails with the machine
 * still DELETING ("Sometimes the deletion can take an extended period of time and this causes a timeout error when
 * running `terraform destroy`", hashicorp/terraform-provider-aws#29206; #27673). 30 minutes (a choice, not an AWS
 * figure: AWS gives none for the deletion itself); an execution waiting longer (a Wait state, a Task waiting for
 * its token or a job) still outlasts it: stop it first (StopExecution).
 */
export const STATES_DELETE_TIMEOUT = "30m";

/**
 * The state machine's customTimeouts: STATES_DELETE_TIMEOUT for its delete, and what the caller gave the Workflow in
 * `opts.customTimeouts` (which Pulumi does not pass from a component to its children) field by field over it. A
 * `transformations`/`transforms` entry the caller gives still sees and may change them, as for any child.
 */
export function stateMachineTimeouts(given: pulumi.CustomTimeouts | undefined): pulumi.CustomTimeouts {
  const own = Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined && value !== ""));
  return { delete: STATES_DELETE_TIMEOUT, ...own };
}

/**
 * `/aws/vendedlogs/states/<project>-<stack>-<name>`: the prefix AWS recommends for vended logs, unique per stack in an
 * account and region; cut (with a hash, names.ts fitName) to STATES_LOG_GROUP_NAME_LENGTH, so that the state
 * machine's log destination `<log group ARN>:*` is within the 256 characters Step Functions takes in any region.
 */
export function workflowLogGroupName(name: string): string {
  // CreateLogGroup logGroupName: 1–512 of `[\.\-_/#A-Za-z0-9]+` (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html);
  // the log destination binds first.
  return `${STATES_LOG_GROUP_PREFIX}${fitName(`${pulumi.getProject()}-${pulumi.getStack()}-${name}`, STATES_LOG_GROUP_NAME_LENGTH - STATES_LOG_GROUP_PREFIX.length, { characters: "A-Za-z0-9._#-" })}`;
}

const KMS_REFUSAL: KmsKeyRefusal = {
  argument: "kmsKeyId",
  problem: "is not a KMS key's ARN; the workflow's role and callers' grants name the key by its ARN, as IAM requires (an alias or key id in a policy's Resource grants nothing)",
  fix: "Pass a customer managed key's ARN (aws.kms.Key's arn), or leave kmsKeyId out for an AWS owned key.",
};

/**
 * Throws the construction-time ComponentArgError for a `kmsKeyId` only known at deploy time (an Output) that is not a key's ARN.
 * The key's region is not compared with the state machine's (as LambdaFunction's logKmsKeyArn is): no AWS text found
 * says CreateStateMachine refuses a key of another region (EncryptionConfiguration kmsKeyId names only "a symmetric
 * encryption KMS key" and, for another account, its ARN; whether Step Functions calls KMS in the key's own region is
 * not documented), so refusing one would rest on a guess (review-98 #3). Its spec, state and policy are not known at plan time either.
 */
export function assertWorkflowKmsKeyId(name: string, key: string): string {
  return checkKmsKeyArn(argFailer("Workflow", name), key, KMS_REFUSAL);
}

/** The deployed definition's JSON once its deploy-time values are known, within Step Functions' 1 MB. */
export function assertDefinitionSize(name: string, json: string): string {
  checkDefinitionSize(argFailer("Workflow", name), json, "deployed");
  return json;
}

/**
 * The definition's JSON within Step Functions' 1 MB (STATES_LIMITS.definitionBytes): checked at construction with
 * functions and deploy-time values as placeholders ("planned"), and again once those values are known ("deployed").
 */
function checkDefinitionSize(fail: ArgFailure, json: string, measured: "planned" | "deployed"): void {
  const bytes = definitionBytes(json);
  if (bytes <= STATES_LIMITS.definitionBytes) return;
  const limit = `Step Functions' ${STATES_LIMITS.definitionBytes}-byte (1 MB) limit for a state machine definition`;
  fail(
    "definition",
    `${bytes} bytes`,
    measured === "planned" ? `is over ${limit}, measured as its JSON` : `is, as JSON once its deploy-time values are known, over ${limit}`,
    "Move large constants out of the definition (into a function's code or an S3 object), or split the workflow (a Task may start another state machine).",
  );
}

function validate(fail: ArgFailure, name: string, args: WorkflowArgs, type: WorkflowType, logLevel: WorkflowLogLevel): void {
  validateRegionArg(fail, "region", args.region);
  if (!WORKFLOW_TYPES.includes(type)) fail("type", type, "is not a state machine type", 'Use "STANDARD" (exactly once, up to a year) or "EXPRESS" (at least once, up to 5 minutes).');
  if (!WORKFLOW_LOG_LEVELS.includes(logLevel)) fail("logLevel", logLevel, "is not a Step Functions log level", `Use one of ${WORKFLOW_LOG_LEVELS.join(", ")}.`);
  // "Unlike Standard Workflows, Express Workflows don't record execution history in AWS Step Functions. To see execution
  // history and results for an Express Workflow, you must configure logging to Amazon CloudWatch Logs"
  // (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
  if (type === "EXPRESS" && logLevel === "OFF") {
    fail("logLevel", logLevel, "leaves an EXPRESS workflow without any record of its executions: Step Functions keeps no execution history of Express workflows, only their logs", 'Use "ERROR" (the default) or "ALL", or make the workflow STANDARD.');
  }
  for (const flag of ["includeExecutionData", "tracing"] as const) {
    if (args[flag] !== undefined && typeof args[flag] !== "boolean") fail(flag, args[flag], "is not true or false", `Set ${flag} to true or false, or leave it out.`);
  }
  if (args.includeExecutionData && logLevel === "OFF") fail("includeExecutionData", true, 'has nothing to include in: logLevel is "OFF"', 'Set logLevel to "ALL" or "ERROR", or leave includeExecutionData out.');
  validateLogRetention(fail, "logRetentionDays", args.logRetentionDays);
  if (args.logRetentionDays !== undefined && logLevel === "OFF") fail("logRetentionDays", args.logRetentionDays, 'is set but logLevel is "OFF", so there is no log group', 'Set logLevel to "ERROR" or "ALL", or leave logRetentionDays out.');
  if (args.permissions !== undefined) {
    if (!Array.isArray(args.permissions)) fail("permissions", args.permissions, "is not a list of statements", 'List statements, e.g. [{ actions: ["dynamodb:PutItem"], resources: [table.arn] }].');
    assertLeastPrivilege(fail, "permissions", args.permissions);
    const reserved = args.permissions.find((statement) => statement.sid && ["InvokeFunctions", "DeliverLogs", "WriteTraces", "UseKey", "EncryptLogs", "RunMapChildren", "SuperviseMapChildren", "AssumeTaskRoles"].includes(statement.sid));
    if (reserved) fail("permissions", reserved.sid, "is a statement id the workflow's own statements use, so the policy would not say which statement is whose (policyJson would number the second)", "Give the statement another sid, or leave sid out.");
  }
  if (args.definition === undefined) fail("definition", undefined, "is required", 'Give the state machine in Amazon States Language, e.g. { StartAt: "Resize", States: { Resize: { Type: "Task", Resource: resize, End: true } } }.');
  // The state machine is named `<name>-state-machine-<7 random>` as an autoname would be (Step Functions: 80 of
  // letters, digits, - and _), the role autonamed `<name>-role-<7 random>` (IAM: 64).
  validateAutonames(fail, name, [
    { resource: `${name}${STATE_MACHINE_SUFFIX}`, kind: "state-machine" },
    { resource: `${name}-role`, kind: "role" },
  ]);
}

/**
 * Each function a Task names may be invoked by this state machine: a regional function (Lambda@Edge functions are
 * CloudFront's), in the workflow's region. A state machine does not reach a function of another region: its Lambda
 * Task fails at run time ("Lambda ARNs point to us-east-1 so they don't work and execution fails",
 * serverless-operations/serverless-step-functions#3; the CDK's CallAwsServiceCrossRegion exists because cross-region
 * calls are "not officially supported even with AWS SDK integration tasks", aws/aws-cdk#30061). Regions unknown here
 * (an explicit provider's) are left to the deploy rules.
 */
function checkFunctions(fail: ArgFailure, functions: DefinitionFunction[], workflow: ReturnType<typeof regionWhereCreated>): void {
  for (const { path, fn } of functions) {
    if (fn.spec.edge) fail("definition", path, `names the Lambda@Edge function "${fn.spec.name}", which only CloudFront invokes`, "Name a regional LambdaFunction.");
    const own = regionWhereCreated(fn.spec.region, fn, "aws:lambda/function:Function");
    refuseOtherRegion(fail, path, `the LambdaFunction "${fn.spec.name}"`, own, workflow, "a state machine invokes functions of its own region only", "the function");
  }
}

/**
 * Each table, queue, topic and bus a Task names is in the workflow's region, as its functions are (checkFunctions): a
 * service integration (optimized or AWS SDK) calls the service in the state machine's region — a table's and a bus's name (what the
 * definition holds) resolve there, to another table or bus or to none, and the CDK's CallAwsServiceCrossRegion exists
 * because cross-region calls are "not officially supported" (aws/aws-cdk#30061) — so the Task would fail at every
 * execution. A global table's replica in the workflow's region is no way round: the grant names the home region's
 * table. Regions unknown here (an explicit provider's) are left to the deploy rules.
 */
function checkTargetRegions(fail: ArgFailure, integrations: readonly DefinitionIntegration[], workflow: ReturnType<typeof regionWhereCreated>): void {
  for (const { path, targets } of integrations) {
    for (const { kind, value } of targets) {
      if (kind === "LambdaFunction") continue; // checkFunctions
      const placement = targetPlacement(kind, value);
      if (!placement) continue;
      refuseOtherRegion(fail, path, placement.label, regionWhereCreated(placement.own, placement.resource, placement.type), workflow, "a state machine's service integrations call the services of its own region only", `the ${kind === "DataTable" ? "DataTier" : kind}`);
    }
  }
}

/**
 * A Task's Credentials naming a role of another partition than the workflow's region's: "a credential issued in one
 * partition isn't valid in another. As a result, direct role assumption with the AssumeRole API doesn't work across
 * partition boundaries" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_cross_partition.html),
 * so the Task fails at every execution. Literal ARNs only, and only where the workflow's region is known here
 * (StatesTaskCredentials judges the plan otherwise).
 */
function checkTaskRolePartitions(fail: ArgFailure, roles: readonly TaskCredentialRole[], workflow: KnownRegion): void {
  if (!workflow.region) return;
  const partition = partitionOfRegion(workflow.region);
  for (const { name, path, roleArn } of roles) {
    if (typeof roleArn !== "string") continue;
    const rolePartition = roleArn.split(":")[1];
    if (rolePartition === partition) continue;
    fail(
      "definition",
      path,
      `names role ${roleArn} (Task "${name}"), of partition ${rolePartition}, but the workflow is in ${describeRegion(workflow)}, partition ${partition}; Step Functions cannot assume a role across partitions ("direct role assumption with the AssumeRole API doesn't work across partition boundaries", IAM), so the Task would fail at every execution`,
      `Name a role of partition ${partition} (arn:${partition}:iam::<account>:role/<name>), or create the workflow in a region of partition ${rolePartition}.`,
    );
  }
}

/**
 * The role policy's document: policyJson's, of the statements with each one's resources listed once. The one place a
 * statement's resources are made unique: only the resolved values can be compared (an Output and a literal, such as a
 * Task's Credentials naming `role.arn` in one Task and its ARN in another, resolve to one ARN), so the statements'
 * resources resolve first and policyJson writes the document from the unique ones.
 */
function rolePolicyJson(statements: PolicyStatement[]): pulumi.Output<string> {
  return pulumi
    .all(statements.map(({ resources }) => pulumi.output(resources)))
    .apply((resolved) => policyJson(statements.map((statement, i) => ({ ...statement, resources: [...new Set(resolved[i])] }))));
}

/** Refuses a Task's target of a known region other than the workflow's known one. */
function refuseOtherRegion(fail: ArgFailure, path: string, label: string, own: KnownRegion, workflow: KnownRegion, why: string, what: string): void {
  if (!workflow.region || !own.region || own.region === workflow.region) return;
  fail(
    "definition",
    path,
    `names ${label} of ${describeRegion(own)}, but the workflow is in ${describeRegion(workflow)}; ${why}, and the Task would fail at every execution`,
    `Create ${what} in ${workflow.region} (its region argument), or the workflow in ${own.region}.`,
  );
}

/** The definition (functions and deploy-time values as placeholders) is Amazon States Language within 1 MB. */
function checkDefinition(fail: ArgFailure, planned: unknown): void {
  checkDefinitionSize(fail, JSON.stringify(planned), "planned");
  // Before aslProblems, which reports it too: here the fix is said apart, as a sentence of its own.
  for (const { path } of queryLanguageDowngrades(planned)) {
    fail("definition", path, QUERY_LANGUAGE_DOWNGRADE.problem, `${QUERY_LANGUAGE_DOWNGRADE.fix[0].toUpperCase()}${QUERY_LANGUAGE_DOWNGRADE.fix.slice(1)}.`);
  }
  const problems = aslProblems(planned);
  if (problems.length > 0) {
    fail("definition", planned, `is not valid Amazon States Language: ${problems.join("; ")}`, "Fix the definition (https://states-language.net/spec.html; each state needs a Type, and Next or End; StartAt and every Next name a state); LambdaFunctions and Outputs were checked as placeholders.");
  }
}

/**
 * "Express Workflows only support Request Response integrations" (https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html):
 * a Task of an EXPRESS workflow whose Resource asks for Run a Job (`.sync`, `.sync:2`) or Wait for Callback
 * (`.waitForTaskToken`) is refused, in Parallel branches and Map processors too; and so is one inside a Distributed
 * Map whose `ItemProcessor.ProcessorConfig.ExecutionType` is "EXPRESS" in a STANDARD workflow: its items run as
 * Express child workflow executions (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html),
 * which are Express workflows, and the same sentence holds for them (not confirmed: a page stating it of Map children
 * in so many words, or whether CreateStateMachine refuses such a definition or each child fails at run time).
 */
function checkExpressPatterns(fail: ArgFailure, planned: unknown, type: WorkflowType): void {
  for (const { path, state, within } of definitionStates(planned)) {
    const pattern = typeof state.Resource === "string" ? /^arn:[a-z-]+:states:::.*(\.sync(?::2)?|\.waitForTaskToken)$/.exec(state.Resource)?.[1] : undefined;
    if (state.Type !== "Task" || !pattern) continue;
    const what = `has a Task whose Resource ${state.Resource} asks for the ${pattern === ".waitForTaskToken" ? "Wait for Callback" : "Run a Job"} pattern (${pattern})`;
    if (type === "EXPRESS") {
      fail("definition", path, `${what}, which an EXPRESS workflow does not support: Express Workflows only support Request Response integrations`, `Make the workflow type "STANDARD", or call the integration without ${pattern}.`);
    }
    const expressMap = within.find((outer) => outer.Type === "Map" && outer.ItemProcessor?.ProcessorConfig?.ExecutionType === "EXPRESS");
    if (expressMap) {
      fail("definition", path, `${what} inside a Distributed Map whose ProcessorConfig.ExecutionType is "EXPRESS": its items run as Express child workflow executions, which only support Request Response integrations`, `Make the Map's ProcessorConfig.ExecutionType "STANDARD", or call the integration without ${pattern}.`);
    }
  }
}

/**
 * Warns, once per Task, of a service integration Task (integrations.ts grantedIntegration) whose target the definition
 * names as a literal (a table's name, a queue's URL, a topic's ARN, a bus: literalTargets) that the role's statements
 * built here (the component's and `permissions`) do not allow the integration's action on. Step Functions does not
 * check it at CreateStateMachine, and every execution fails at that Task with the service's AccessDenied; the deploy
 * rule StatesServiceTasks says so in `npm run plan` and the tests, but not at a real `pulumi up`, hence the warning.
 * A warning, not an error: a policy attached to `role` outside the component, or the target's resource policy, may
 * grant it. Tasks with `Credentials` act as the role they assume. Judged once the statements' resources and the
 * account are known; a statement whose resources are not known yet (in a preview, a resource still to be created)
 * leaves the Task unjudged rather than warned of.
 */
function warnUngrantedTargets(name: string, definition: WorkflowArgs["definition"], statements: readonly PolicyStatement[], where: { [K in keyof TargetContext]: pulumi.Input<string> }, parent: pulumi.Resource): void {
  for (const { name: state, path, state: task } of definitionStates(definition)) {
    const found = task.Type === "Task" && task.Credentials === undefined ? grantedIntegration(task.Resource) : undefined;
    if (!found || found.integration.kind === "LambdaFunction") continue;
    const { action, api, kind } = found.integration;
    const targets = literalTargets(found.integration, task.Parameters ?? task.Arguments);
    if (targets.length === 0) continue;
    // Only the statements that may grant the action are waited for: another's resource still to be created does not hold the Task up.
    const granting = statements.filter((statement) => statement.actions.some((pattern) => actionMatches(pattern, action)));
    pulumi
      .all([where.partition, where.region, where.account, pulumi.output(granting.map((statement) => statement.resources))])
      .apply(([partition, region, account, resources]) => {
        // Advisory only: a check that throws would reject this Output, which nothing awaits, and an unhandled rejection
        // fails the whole Pulumi program; a resource that is no string (an Output resolving to undefined) grants nothing.
        try {
          const allowed = granting.map((statement, i) => ({ actions: statement.actions, resources: (Array.isArray(resources[i]) ? resources[i] : []).filter((resource): resource is string => typeof resource === "string") }));
          // A table's or bus's name names no account: a grant on it in any account is taken as granting it, as the deploy
          // rule StatesServiceTasks reads it (offline the account is the mocked one, the grant may name the real one).
          const allowedHere = allowed.map((statement) => ({ ...statement, resources: statement.resources.map((resource) => arnInAccount(resource, account)) }));
          const ungranted = new Map<string, string>();
          for (const target of targets) {
            const targetArn = literalTargetArn(kind, target, { partition, region, account });
            if (!targetArn || ungranted.has(targetArn.arn) || statementsAllow(targetArn.accountFromContext ? allowedHere : allowed, action, targetArn.arn)) continue;
            ungranted.set(targetArn.arn, `${target.value === undefined ? "the default bus" : JSON.stringify(target.value)} (${targetArn.arn})`);
          }
          if (ungranted.size === 0) return;
          void pulumi.log.warn(
            new ComponentArgError(
              "Workflow",
              name,
              "definition",
              path,
              `holds the Task "${state}" (${api}) on ${[...ungranted.values()].join(", ")}, but the role the workflow builds is not granted ${action} on ${ungranted.size === 1 ? "it" : "them"}: Step Functions does not check it when it creates the state machine, and every execution fails at that Task with AccessDenied`,
              `Grant it with permissions, e.g. permissions: [{ actions: ["${action}"], resources: ${JSON.stringify([...ungranted.keys()])} }]; if a policy attached to the workflow's role or the target's resource policy grants it, this warning does not apply.`,
            ).message,
            parent,
          );
        } catch {
          // No warning rather than a failed program.
        }
      });
  }
}

/**
 * Warns of the Tasks whose `Credentials.RoleArn` the execution gives (`RoleArn.$`, a JSONata expression, or a string
 * that is no role ARN) when no statement of `permissions` allows sts:AssumeRole: the component grants none for them,
 * and such a Task fails at every execution when Step Functions cannot assume the role. A warning: a policy attached to
 * the role outside the component may grant it.
 */
function warnDynamicTaskRoles(name: string, roles: readonly TaskCredentialRole[], permissions: readonly PolicyStatement[], parent: pulumi.Resource): void {
  const dynamic = roles.filter(({ roleArn }) => roleArn === undefined);
  if (dynamic.length === 0 || permissions.some((statement) => statement.actions.some((pattern) => actionMatches(pattern, "sts:AssumeRole")))) return;
  void pulumi.log.warn(
    new ComponentArgError(
      "Workflow",
      name,
      "definition",
      dynamic.map(({ path }) => path).join(", "),
      `holds Task${dynamic.length === 1 ? "" : "s"} ${dynamic.map(({ name: state }) => `"${state}"`).join(", ")} whose Credentials.RoleArn is given by the execution (a path or expression) or is no IAM role ARN, so the workflow's role is granted no sts:AssumeRole for ${dynamic.length === 1 ? "it" : "them"}; Step Functions must assume that role before the Task's call, and the Task fails at every execution if it may not`,
      'Grant it with permissions on the roles the executions may name, e.g. permissions: [{ actions: ["sts:AssumeRole"], resources: ["arn:aws:iam::111122223333:role/target"] }]; if a policy attached to the workflow\'s role grants it, this warning does not apply.',
    ).message,
    parent,
  );
}

/**
 * Warns of each ItemBatcher the States Language rules out but AWS is not recorded refusing at CreateStateMachine (an
 * Inline Map's, one without a limit, a limit of 0, a `…Path` limit in a JSONata state): definition.ts
 * itemBatcherWarnings, which the deploy rule StatesItemBatcher reads the recorded definition with. A warning: what AWS
 * answers is not recorded; the local runtime fails each execution of such a definition.
 */
function warnItemBatchers(name: string, planned: unknown, parent: pulumi.Resource): void {
  for (const { path, problem, fix } of itemBatcherWarnings(planned)) {
    void pulumi.log.warn(new ComponentArgError("Workflow", name, "definition", path, problem, fix).message, parent);
  }
}

/** Each function once, in the order the definition names them. */
function uniqueFunctions(functions: DefinitionFunction[]): DefinitionFunction["fn"][] {
  return [...new Set(functions.map(({ fn }) => fn))];
}
