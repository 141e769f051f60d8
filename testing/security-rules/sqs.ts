import { ofType } from "../../local/offline/graph";
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
