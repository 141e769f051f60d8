/**
 * What the local Step Functions server (local/sfn-server.ts) and its aws-sdk:sfn Tasks (local/sfn-integrations.ts) both
 * need: Step Functions' limits and what each API call is authorised as. A module of its own so that neither of those
 * two imports the other for it (sfn-server.ts imports sfn-integrations.ts).
 */

/**
 * Step Functions' limits a client could notice: an execution name of 1–80 characters (API_StartExecution `name`,
 * "Length Constraints: Minimum length of 1. Maximum length of 80."); input of at most 262144 bytes of UTF-8
 * (API_StartExecution `input`: "Maximum length of 262144 … expressed as bytes in UTF-8 encoding"; the quota "Maximum
 * input or output size for a task, state, or execution: 256 KiB", https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html);
 * ListExecutions' maxResults 0–1000, default 100; an execution's history of at most 25,000 events (the same quotas
 * page); an Express execution of at most 5 minutes; StopExecution's error of at most 256 characters and its cause of
 * at most 32768 (API_StopExecution, "Length Constraints"), as are SendTaskFailure's; a task token of 1–2048 characters
 * and SendTaskSuccess' output of at most 262144 bytes (API_SendTaskSuccess, "Length Constraints"); an execution's
 * workflow variables of at most 10 MiB in all ("The maximum size of all variables in a single execution is 10 MiB",
 * https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html, Limits; the page was not at hand to
 * re-read: the figure is the one docs/local-vs-aws.md already quoted).
 */
export const SFN_LIMITS = { nameLength: 80, inputBytes: 262_144, variablesBytes: 10 * 1024 * 1024, maxResults: 1000, defaultResults: 100, historyEvents: 25_000, expressSeconds: 300, stopErrorLength: 256, stopCauseLength: 32_768, taskTokenLength: 2048 } as const;

/**
 * What each operation is authorised on: the ARN in its request, or for SendTask* the state machine whose execution
 * issued the token. The Service Authorization Reference lists no resource type for SendTaskSuccess/Failure/Heartbeat
 * (so "*" grants them), but AWS evaluates them on that state machine ("… is not authorized to perform:
 * states:SendTaskFailure on resource: arn:aws:states:…:stateMachine:…", NOAA-OWP/hydrovis#837; "worked when mapped
 * onto the state machine", aws/aws-cdk#8486).
 */
export type OperationResource = "stateMachineArn" | "executionArn" | "mapRunArn" | "taskToken";

export const OPERATION_PERMISSIONS = {
  StartExecution: { action: "states:StartExecution", resource: "stateMachineArn" },
  StartSyncExecution: { action: "states:StartSyncExecution", resource: "stateMachineArn" },
  DescribeExecution: { action: "states:DescribeExecution", resource: "executionArn" },
  StopExecution: { action: "states:StopExecution", resource: "executionArn" },
  // "states:RedriveExecution" on the execution (Service Authorization Reference, AWS Step Functions: resource type execution*).
  RedriveExecution: { action: "states:RedriveExecution", resource: "executionArn" },
  ListExecutions: { action: "states:ListExecutions", resource: "stateMachineArn" },
  GetExecutionHistory: { action: "states:GetExecutionHistory", resource: "executionArn" },
  DescribeStateMachine: { action: "states:DescribeStateMachine", resource: "stateMachineArn" },
  // Map Runs (local/sfn-map-runs.ts): ListMapRuns on the execution, DescribeMapRun and UpdateMapRun on the Map Run
  // (Service Authorization Reference, AWS Step Functions, list_awsstepfunctions.html: ListMapRuns resource type
  // execution*, DescribeMapRun and UpdateMapRun maprun*, `arn:${Partition}:states:${Region}:${Account}:mapRun:${StateMachineName}/${MapRunLabel}:${MapRunId}`;
  // ListExecutions maprun* or statemachine*: the Map Run's ARN when it names one, local/sfn-server.ts handle).
  ListMapRuns: { action: "states:ListMapRuns", resource: "executionArn" },
  DescribeMapRun: { action: "states:DescribeMapRun", resource: "mapRunArn" },
  UpdateMapRun: { action: "states:UpdateMapRun", resource: "mapRunArn" },
  SendTaskSuccess: { action: "states:SendTaskSuccess", resource: "taskToken" },
  SendTaskFailure: { action: "states:SendTaskFailure", resource: "taskToken" },
  SendTaskHeartbeat: { action: "states:SendTaskHeartbeat", resource: "taskToken" },
} as const satisfies Record<string, { action: string; resource: OperationResource }>;

/** The state machine a task token names as its issuer, unverified (local/sfn-server.ts TaskTokens.machineOf verifies it); undefined for no token of this server's form. */
export function tokenIssuer(token: string): string | undefined {
  try {
    const [machineArn] = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as unknown[];
    return typeof machineArn === "string" ? machineArn : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The IAM action and resource a call of this API is authorised as (OPERATION_PERMISSIONS), for a caller that goes through the
 * endpoint with the runtime's own credentials (local/sfn-integrations.ts's aws-sdk:sfn Tasks, checked against the
 * state machine's role): a task token's issuer is read unverified, since the server refuses a forged token itself
 * (InvalidToken). Undefined for an operation the server does not serve, or a request naming no resource.
 */
export function sfnPermission(operation: string, input: Record<string, unknown>): { action: string; resource: string } | undefined {
  const found = Object.hasOwn(OPERATION_PERMISSIONS, operation) ? OPERATION_PERMISSIONS[operation as keyof typeof OPERATION_PERMISSIONS] : undefined;
  const named = found && input[found.resource];
  if (!found || typeof named !== "string" || named === "") return undefined;
  const resource = found.resource === "taskToken" ? tokenIssuer(named) : named;
  return resource === undefined ? undefined : { action: found.action, resource };
}
