/**
 * Workflow's arguments and the normalised spec it registers (kind "Workflow"): a Step Functions state machine whose
 * Task states name LambdaFunctions, with a role that may invoke exactly those functions, logs with retention and
 * encryption at rest.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../iam";
import type { LambdaFunction, LambdaFunctionSpec } from "../lambda/function";

/**
 * A state of the definition, in Amazon States Language (https://states-language.net/spec.html). A Task state's
 * `Resource` may be a LambdaFunction: the state machine then invokes that function directly (its ARN), and the
 * workflow's role may invoke it. An optimized integration's `Parameters` (or JSONata `Arguments`) may name the
 * program's component where the integration names its target: a LambdaFunction as `lambda:invoke`'s `FunctionName`, a
 * DataTier's table as a DynamoDB item Task's `TableName`, a MessageQueue as `sqs:sendMessage`'s `QueueUrl`, a Topic as
 * `sns:publish`'s `TopicArn`, an EventBus as a `putEvents` entry's `EventBusName`; the role is granted exactly that
 * action on that target. Parallel `Branches` and Map `ItemProcessor`/`Iterator` hold states of the same shape.
 */
export interface WorkflowState {
  Type: "Task" | "Pass" | "Choice" | "Wait" | "Succeed" | "Fail" | "Parallel" | "Map";
  Resource?: LambdaFunction | pulumi.Input<string>;
  [field: string]: unknown;
}

/** A state machine definition in Amazon States Language, with LambdaFunctions allowed as Task `Resource`s and the program's components as optimized integrations' targets. */
export interface WorkflowDefinition {
  StartAt: string;
  States: Record<string, WorkflowState>;
  Comment?: string;
  TimeoutSeconds?: number;
  QueryLanguage?: "JSONPath" | "JSONata";
  [field: string]: unknown;
}

export type WorkflowType = "STANDARD" | "EXPRESS";
export type WorkflowLogLevel = "ALL" | "ERROR" | "FATAL" | "OFF";

export interface WorkflowArgs {
  /**
   * The state machine, in Amazon States Language; LambdaFunctions may stand as Task `Resource`s, and the program's
   * components as optimized and AWS SDK integrations' targets (`FunctionName`, `TableName`, `QueueUrl`, `TopicArn`, `EventBusName`).
   */
  definition: WorkflowDefinition;
  /**
   * STANDARD (exactly-once, up to a year, history kept 90 days) or EXPRESS (at-least-once, up to 5 minutes, history
   * only in its logs).
   * @default "STANDARD"
   */
  type?: WorkflowType;
  /**
   * What the state machine logs to its log group.
   * @default "ERROR"
   */
  logLevel?: WorkflowLogLevel;
  /**
   * Whether logs carry each state's input and output (which may hold personal data).
   * @default false
   */
  includeExecutionData?: boolean;
  /** Days the log group keeps logs (a retention CloudWatch Logs offers). @default 30 */
  logRetentionDays?: number;
  /** X-Ray tracing of executions. @default false */
  tracing?: boolean;
  /**
   * The ARN of a customer managed KMS key (symmetric) that encrypts executions' data at rest.
   *
   * With logging on (`logLevel` "ERROR", the default, or "ALL"), Step Functions encrypts the log records it sends with
   * this key too, and CloudWatch Logs' delivery must decrypt them before writing them to the log group: the key's
   * policy must allow the principal `delivery.logs.amazonaws.com` `kms:Decrypt` (the AWS CDK's StateMachine adds
   * `{ "Effect": "Allow", "Principal": { "Service": "delivery.logs.amazonaws.com" }, "Action": "kms:Decrypt*",
   * "Resource": "*" }`; https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html). The component
   * grants its role kms:GenerateDataKey for the log delivery's encryption context, but writes no key policy: for an
   * aws.kms.Key of the program the deploy rule StatesLogDeliveryKey checks its `policy` (or its aws.kms.KeyPolicy);
   * for a key outside the program, add the statement to its policy yourself, or set `logLevel` to "OFF" — otherwise
   * the executions' logs are not delivered.
   * @default an AWS owned key
   */
  kmsKeyId?: pulumi.Input<string>;
  /**
   * Further statements for the workflow's role, for Task states whose targets are not the program's components (e.g.
   * `arn:aws:states:::dynamodb:putItem` on another stack's table, or a table the input names). The component adds a
   * LambdaFunction's invoke permission, and each optimized or AWS SDK integration's action on the component a Task
   * names. A Task with any other target is granted only by what you give: a statement here, a policy you attach to
   * `role`, or the target's resource policy (the deploy rules StatesServiceTasks and StatesLambdaTasks check a literal
   * target against the role's policies, StatesServiceTasks also against a queue's, topic's, table's or event bus's
   * resource policy in the plan; the component warns of a literal service target no statement here grants). A Task
   * with `Credentials` runs as the role it names: the component grants sts:AssumeRole on a `RoleArn` the definition
   * gives (an IAM role ARN or `role.arn`); one the execution gives (`RoleArn.$`, a JSONata expression) is yours to
   * grant here, on the roles it may name (the component warns when no statement here allows sts:AssumeRole).
   * @default none
   */
  permissions?: PolicyStatement[];
  /** The state machine's region; absent: the provider's. */
  region?: string;
}

export interface WorkflowSpec {
  name: string;
  /** The state machine's physical name. */
  stateMachineName: pulumi.Input<string>;
  type: WorkflowType;
  /** The definition as deployed (JSON): each LambdaFunction Resource replaced by the function's ARN. */
  definition: pulumi.Input<string>;
  /** The LambdaFunctions its Task states name (each once). */
  functions: LambdaFunctionSpec[];
  logLevel: WorkflowLogLevel;
  includeExecutionData: boolean;
  logRetentionDays: number;
  tracing: boolean;
  /** "aws-owned", or "customer" for a customer managed key. */
  encryption: "aws-owned" | "customer";
  /** The role's statements beyond the functions' invoke permission. */
  permissions: PolicyStatement[];
  region?: string;
}
