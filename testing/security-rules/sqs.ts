import { asArray, attachedTo, ofType, policyDocument } from "../../local/offline/graph";
import { finding, type SecurityRule } from "./rule";

/** SQS2: queues (dead-letter queues hold failed events: user data) are encrypted at rest, with SQS-managed keys or KMS. */
export const SQS2: SecurityRule = {
  id: "SQS2",
  title: "SQS queues encrypt at rest",
  check(graph) {
    return ofType(graph, "aws:sqs/queue:Queue")
      .filter((q) => q.inputs.sqsManagedSseEnabled !== true && !q.inputs.kmsMasterKeyId)
      .map((q) => finding("SQS2", q, "stores messages unencrypted (neither sqsManagedSseEnabled nor kmsMasterKeyId)"));
  },
};

/**
 * SQS4 (cdk-nag AwsSolutions-SQS4): every queue's policy (a QueuePolicy, or the queue's own `policy`) denies everyone
 * (`Principal` "*") every action (`sqs:*`) on the queue when `aws:SecureTransport` is false.
 */
export const SQS4: SecurityRule = {
  id: "SQS4",
  title: "SQS queues require TLS",
  check(graph) {
    return ofType(graph, "aws:sqs/queue:Queue")
      .filter((queue) => {
        const policies = [...attachedTo(graph, "aws:sqs/queuePolicy:QueuePolicy", "queueUrl", queue).map((p) => p.inputs.policy), queue.inputs.policy].filter(Boolean);
        return !policies.flatMap((policy) => policyDocument(policy).Statement).some((s) => deniesInsecureTransport(s, queue.state.arn));
      })
      .map((queue) => finding("SQS4", queue, "does not deny requests made without TLS (a queue policy denying sqs:* to Principal * on the queue when aws:SecureTransport is false)"));
  },
};

function deniesInsecureTransport(statement: Record<string, any>, queueArn: unknown): boolean {
  const everyone = statement.Principal === "*" || asArray<string>(statement.Principal?.AWS).includes("*");
  const onQueue = asArray<string>(statement.Resource).some((resource) => resource === "*" || resource === queueArn);
  const allActions = asArray<string>(statement.Action).some((action) => action === "sqs:*" || action === "*");
  return statement.Effect === "Deny" && everyone && onQueue && allActions && String(statement.Condition?.Bool?.["aws:SecureTransport"]) === "false";
}
