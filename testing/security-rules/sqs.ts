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

/** SQS4 (cdk-nag AwsSolutions-SQS4): every queue's policy denies requests made without TLS (`aws:SecureTransport` false, all of `sqs:*`). */
export const SQS4: SecurityRule = {
  id: "SQS4",
  title: "SQS queues require TLS",
  check(graph) {
    return ofType(graph, "aws:sqs/queue:Queue")
      .filter((queue) => {
        const statements = attachedTo(graph, "aws:sqs/queuePolicy:QueuePolicy", "queueUrl", queue).flatMap((p) => policyDocument(p.inputs.policy).Statement);
        return !statements.some((s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false" && asArray<string>(s.Action).some((a) => a === "sqs:*" || a === "*"));
      })
      .map((queue) => finding("SQS4", queue, "does not deny requests made without TLS (a queue policy denying sqs:* when aws:SecureTransport is false)"));
  },
};
