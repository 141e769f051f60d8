/**
 * How the deploy rules read a queue's access policy for an AWS service that sends to it on behalf of one source: SNS
 * for a topic (a subscribed queue, a subscription's dead-letter queue), EventBridge for a rule (a target's dead-letter
 * queue). Where a queue's, topic's, bus's or table's policies are, and whom a statement's principal covers, is
 * local/resource-policies.ts', which the local runtime's IAM reads too. Internal to the rule pack: not exported from
 * serverless-fullstack/testing (sns.ts keeps its documented queuePolicyRefusal and queueAllowsTopic as SNS's wrappers of it).
 */
import { asArray, policyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { coversPrincipal, queuePolicies } from "../../local/resource-policies";
import { EVENTS_PRINCIPAL } from "../../components/event-bus/rules-arn";
import { holdsPolicyVariable } from "../../components/iam-match";
import { conditionHolds, type ConditionContext } from "../../local/iam-policy";
import { statementCovers } from "./iam";

/** An AWS service that sends sqs:SendMessage to a queue on behalf of a source, as the findings name them. */
export interface QueueSender {
  /** The service principal, e.g. "sns.amazonaws.com". */
  service: string;
  /** The service as a finding names it, e.g. "SNS". */
  label: string;
  /** What the source is, e.g. "topic" or "rule". */
  source: string;
}

export const SNS_TOPIC_SENDER: QueueSender = { service: "sns.amazonaws.com", label: "SNS", source: "topic" };
export const EVENTBRIDGE_RULE_SENDER: QueueSender = { service: EVENTS_PRINCIPAL, label: "EventBridge", source: "rule" };

/** Whether a statement's principal covers `service`: everyone, or the service; with NotPrincipal, one that does not name it. */
const coversService = (statement: Record<string, any>, service: string) => coversPrincipal(statement, (principal) => asArray<string>(principal?.Service).includes(service));

/**
 * What the rule knows of the service's send on behalf of `sourceArn`: over HTTPS (aws:SecureTransport true; AWS services
 * call SQS's HTTPS endpoint, which the components' TLS-only queue policies rely on, components/queues.ts requireTls; no
 * AWS page states it in so many words) and on behalf of the source (aws:SourceArn, the key
 * subscribe-sqs-queue-to-sns-topic.html's and eb-rule-dlq.html's policies condition on). Any other key (e.g.
 * aws:SourceAccount, whose presence on the services' sends is not documented) is unknown, and a condition on it
 * undecided (local/iam-policy.ts conditionHolds).
 */
const sendContext = (sourceArn: string): ConditionContext => ({ keys: { "aws:securetransport": "true", "aws:sourcearn": sourceArn } });

/**
 * Why the queue's policies (its QueuePolicy resources and its own `policy`) refuse `sender`'s service sqs:SendMessage
 * on it for the source `sourceArn`, or undefined when they let it send; the text names the source "that <source>"
 * (e.g. "that topic"), for the caller to replace with its name. IAM's order: an explicit Deny wins over any Allow
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html) — a Deny that covers the
 * service (everyone, or the service), the action and the queue, and whose Condition holds for its send (none, or one
 * its TLS request from this source meets; the TLS-only Deny, aws:SecureTransport false, does not) — else an Allow of
 * the service (or of everyone), the action (or sqs:* / *), the queue (or *), whose Condition does not fail for that
 * send (e.g. an aws:SourceArn condition that matches this source). A Deny whose Condition reads keys the rule cannot
 * tell is not counted; an Allow whose Condition does is.
 */
export function queueSendRefusal(graph: Graph, queue: RecordedResource, sender: QueueSender, sourceArn: unknown): string | undefined {
  return resourceSendRefusal(queuePolicies(graph, queue), "sqs:SendMessage", queue.state.arn, sender, sourceArn);
}

/**
 * queueSendRefusal for any resource policy: why the documents `policies` refuse `sender`'s service `action` on
 * `resourceArn` for the source `sourceArn` (a topic's policy and sns:Publish, for EventBridgeTopicTargetPolicy), read
 * the same way.
 */
export function resourceSendRefusal(policies: readonly unknown[], action: string, resourceArn: unknown, sender: QueueSender, sourceArn: unknown): string | undefined {
  const { service, label, source } = sender;
  const statements = policies.flatMap((d) => policyDocument(d).Statement);
  // A Deny naming a policy variable (${aws:username}) depends on the request as a condition does: not counted, as local/iam-policy.ts reads it.
  const variable = (s: Record<string, any>) => holdsPolicyVariable(JSON.stringify([s.Action, s.NotAction, s.Resource, s.NotResource]));
  const deny = statements.findIndex((s) => s.Effect === "Deny" && !variable(s) && coversService(s, service) && statementCovers(s, action, String(resourceArn)) && conditionHolds(s.Condition, sendContext(String(sourceArn))) === true);
  if (deny >= 0) {
    const statement = statements[deny];
    return `denies that ${source}'s delivery (${action} for ${service}) in its statement ${statement.Sid ? `"${statement.Sid}"` : `#${deny + 1}`}${statement.Condition ? `, whose condition ${label}'s TLS request from the ${source} meets` : ", which has no condition"}`;
  }
  // An Allow's Condition that the rule cannot decide (a key it does not know) is taken to hold: no finding on a guess.
  const allowed = statements.some((s) => s.Effect === "Allow" && s.Principal !== undefined && coversService(s, service) && statementCovers(s, action, String(resourceArn)) && conditionHolds(s.Condition, sendContext(String(sourceArn))) !== false);
  return allowed ? undefined : `does not let that ${source} send (${action} for ${service}, aws:SourceArn the ${source})`;
}

/** The fix of a queueSendRefusal: narrow the Deny it names, or `grant` (where the missing Allow belongs). */
export function queueSendFix(sender: QueueSender, refusal: string, grant: string): string {
  return refusal.startsWith("denies") ? `narrow the Deny so that it leaves ${sender.label}'s deliveries from the ${sender.source} alone (e.g. only requests without TLS: aws:SecureTransport false), or remove it` : grant;
}
