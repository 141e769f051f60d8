import { ofType, type Graph } from "../../local/offline/graph";
import { referenced } from "../deploy-rules/rule";
import { finding, type SecurityRule } from "./rule";

const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const QUEUE = "aws:sqs/queue:Queue";

const queueOf = (graph: Graph, arn: unknown) => referenced(graph, QUEUE, arn);

/**
 * EVB1: every EventBridge rule target keeps what EventBridge could not deliver in a dead-letter queue encrypted at rest
 * (SQS-managed keys or KMS). Without one, "EventBridge drops the event" once its retries are exhausted
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html); the queue holds the events themselves,
 * user data, so it is encrypted as SQS2 asks of every queue. A queue outside the plan is not checked for encryption.
 */
export const EVB1: SecurityRule = {
  id: "EVB1",
  title: "EventBridge rule targets have an encrypted dead-letter queue",
  check(graph) {
    return ofType(graph, TARGET).flatMap((target) => {
      const arn = target.inputs.deadLetterConfig?.arn;
      if (!arn) return [finding("EVB1", target, "has no dead-letter queue (deadLetterConfig): events EventBridge cannot deliver are dropped")];
      const queue = queueOf(graph, arn);
      if (queue && queue.inputs.sqsManagedSseEnabled !== true && !queue.inputs.kmsMasterKeyId) return [finding("EVB1", target, `keeps undelivered events in ${queue.name}, which is not encrypted at rest (neither sqsManagedSseEnabled nor kmsMasterKeyId)`)];
      return [];
    });
  },
};
