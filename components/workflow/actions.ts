/** What a Workflow's role is granted on Resource "*" (the deploy and security rules read them too, without loading the component). */

/**
 * What a state machine's role needs to log to CloudWatch Logs, on Resource "*": "IAM Policies for logging to
 * CloudWatch Logs" (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy). They set
 * up the vended-log delivery, which names no log group in its own ARN, so they cannot be scoped to the group.
 * CreateStateMachine and UpdateStateMachine check them: without them they answer AccessDeniedException "The state
 * machine IAM Role is not authorized to access the Log Destination". terraform-provider-aws retries that on create only,
 * for the create timeout (5 minutes, internal/service/sfn/state_machine.go resourceStateMachineCreate); its update calls
 * UpdateStateMachine once. Workflow grants them whatever its log level, so turning logging on is never an update racing
 * IAM's propagation of a new grant. The security rule IAM5 accepts these actions on "*" in the policy of a role trusted
 * by states.amazonaws.com, and nowhere else.
 */
export const STATES_LOG_DELIVERY_ACTIONS: readonly string[] = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
];

/** What a traced state machine's role needs, on "*" (https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html). */
export const STATES_TRACING_ACTIONS: readonly string[] = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"];
