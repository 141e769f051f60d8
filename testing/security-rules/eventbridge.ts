import { asArray, ofType, policyDocument, type Graph } from "../../local/offline/graph";
import { referenced } from "../deploy-rules/rule";
import { finding, type SecurityRule } from "./rule";
import { EVENTS_PRINCIPAL } from "../../components/event-bus/rules-arn";
import { limitsToSource } from "./service-source";

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

const ROLE = "aws:iam/role:Role";

/**
 * EVB2: a role EventBridge assumes for a rule target (a Step Functions target's, trusted by events.amazonaws.com) is
 * limited to its source: each trust statement for events.amazonaws.com carries aws:SourceArn (the rule) or
 * aws:SourceAccount (under a matching operator, with a value that keeps out other accounts: limitsToSource, which
 * also takes aws:SourceOrgID), as "Cross-service confused deputy prevention in Amazon EventBridge" recommends ("For
 * EventBridge event bus rule targets, the value of aws:SourceArn must be the rule ARN",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html). Without it,
 * a rule of any account that names the role's ARN could act as it.
 */
export const EVB2: SecurityRule = {
  id: "EVB2",
  title: "Roles trusted by EventBridge are limited to their rule (aws:SourceArn or aws:SourceAccount)",
  check(graph) {
    return ofType(graph, ROLE).flatMap((role) => {
      const open = policyDocument(role.inputs.assumeRolePolicy).Statement.some(
        (s) => (s.Effect ?? "Allow") === "Allow" && asArray<string>(s.Principal?.Service).includes(EVENTS_PRINCIPAL) && !limitsToSource(s.Condition),
      );
      return open ? [finding("EVB2", role, "lets events.amazonaws.com assume it with no aws:SourceArn or aws:SourceAccount condition that names a source (absent, negated, or wildcards open to other accounts): any account's rule naming the role could use it")] : [];
    });
  },
};
