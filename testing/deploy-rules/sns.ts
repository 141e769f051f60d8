/**
 * Deploy rules for SNS subscriptions, hand-built or Topic's: what Subscribe refuses (a FIFO topic's protocols, a
 * standard topic's FIFO queue, a filter policy over SNS's limits) and what it takes but then cannot deliver (a Lambda
 * function that does not let SNS invoke it, a queue or dead-letter queue whose policy does not let the topic send).
 */
import { filterPolicyProblem, FILTER_POLICY_SCOPES, type FilterPolicyScope } from "../../components/topic/filter-policy";
import { ofType, type Graph } from "../../local/offline/graph";
import { TOPIC_POLICY } from "../../local/resource-policies";
import { onePolicyRule, writersByHolder } from "./one-policy";
import type { RecordedResource } from "../../local/offline/mocks";
import { SQS_ARN } from "./events";
import { functionOf } from "./lambda-ref";
import { finding, referenced, regionOf, type DeployFinding, type DeployRule } from "./rule";
import { isFifo, redriveTarget } from "./queue-shape";
import { serviceInvokePermissions } from "./invoke-permission";
import { queueSendFix, queueSendRefusal, SNS_TOPIC_SENDER } from "./queue-policy";
import { serviceKeyRefusal } from "./key-policy";

const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const QUEUE = "aws:sqs/queue:Queue";

/** The protocols SNS delivers raw messages to. */
const RAW_DELIVERY_PROTOCOLS: ReadonlySet<string> = new Set(["sqs", "http", "https", "firehose"]);

const subscriptions = (graph: Graph, protocol?: string) => ofType(graph, SUBSCRIPTION).filter((s) => protocol === undefined || s.inputs.protocol === protocol);
const topicOf = (graph: Graph, subscription: RecordedResource) => referenced(graph, TOPIC, subscription.inputs.topic);
const topicName = (graph: Graph, subscription: RecordedResource) => topicOf(graph, subscription)?.name ?? String(subscription.inputs.topic);

/** Whether a topic is FIFO: its `fifoTopic`, or, for one outside the plan, its ARN's `.fifo`. */
function topicIsFifo(graph: Graph, subscription: RecordedResource): boolean {
  const topic = topicOf(graph, subscription);
  return topic ? topic.inputs.fifoTopic === true : String(subscription.inputs.topic ?? "").endsWith(".fifo");
}

/** The queue an ARN names, in the plan. */
const queueOf = (graph: Graph, arn: unknown) => referenced(graph, QUEUE, arn);

/**
 * Why the queue's policies (its QueuePolicy resources and its own `policy`) refuse sns.amazonaws.com sqs:SendMessage
 * on it for the topic `topicArn`, or undefined when they let it send. IAM's order: an explicit Deny wins over any
 * Allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html) — a Deny that
 * covers SNS (everyone, or the service), the action and the queue, and whose Condition holds for SNS's delivery
 * (none, or one SNS's TLS request from this topic meets; the TLS-only Deny, aws:SecureTransport false, does not) —
 * else an Allow of the service (or of everyone), the action (or sqs:* / *), the queue (or *), and, when it carries an
 * aws:SourceArn condition, one naming this topic. A Deny whose Condition reads keys the rule cannot tell is not counted.
 * The EventBridge dead-letter queue rule reads the policy the same way for events.amazonaws.com and a rule.
 */
export function queuePolicyRefusal(graph: Graph, queue: RecordedResource, topicArn: unknown): string | undefined {
  return queueSendRefusal(graph, queue, SNS_TOPIC_SENDER, topicArn);
}

/** Whether the queue's policies let sns.amazonaws.com send to it for the topic `topicArn` (queuePolicyRefusal finds nothing). */
export function queueAllowsTopic(graph: Graph, queue: RecordedResource, topicArn: unknown): boolean {
  return queuePolicyRefusal(graph, queue, topicArn) === undefined;
}

/**
 * "Amazon SNS ... invokes your function asynchronously" under the function's resource-based policy, which must let
 * sns.amazonaws.com invoke it (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html). Subscribe does not check
 * it: every delivery fails (then goes to the subscription's dead-letter queue, or is lost). The subscription must also
 * depend on the permission, or messages published between the two are refused. Functions outside the plan are not checked.
 */
export const SNS_LAMBDA_SUBSCRIPTION_PERMISSION: DeployRule = {
  id: "SnsLambdaSubscriptionPermission",
  title: "A Lambda subscription comes after a permission for sns.amazonaws.com from its topic",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const subscription of subscriptions(graph, "lambda")) {
      const fn = functionOf(graph, subscription.inputs.endpoint);
      if (!fn) continue;
      const { permissions, awaited } = serviceInvokePermissions(graph, subscription, fn, subscription.inputs.endpoint, "sns.amazonaws.com", subscription.inputs.topic);
      if (permissions.length === 0) {
        findings.push(
          finding(
            this.id,
            subscription,
            `subscribes ${fn.name} to ${topicName(graph, subscription)}, but the function grants sns.amazonaws.com no lambda:InvokeFunction from that topic; SNS takes the subscription and every delivery fails`,
            "add an aws.lambda.Permission (principal sns.amazonaws.com, sourceArn the topic's ARN) and make the subscription depend on it",
          ),
        );
      } else if (!awaited) {
        findings.push(finding(this.id, subscription, `does not depend on ${permissions[0].name}, the permission SNS invokes ${fn.name} under; messages published before it exists are not delivered`, `add dependsOn: [${permissions[0].name}] to the subscription`));
      }
    }
    return findings;
  },
};

/**
 * A subscription's dead-letter queue must let the topic send: "the Amazon SQS queue's policy must allow the Amazon SNS
 * topic to send messages" (https://docs.aws.amazon.com/sns/latest/dg/sns-configure-dead-letter-queue.html), or SNS
 * cannot move what it failed to deliver and drops it. Queues outside the plan are not checked.
 */
export const SNS_SUBSCRIPTION_DEAD_LETTER_QUEUE_POLICY: DeployRule = {
  id: "SnsSubscriptionDeadLetterQueuePolicy",
  title: "A subscription's dead-letter queue lets its topic send",
  source: "https://docs.aws.amazon.com/sns/latest/dg/sns-configure-dead-letter-queue.html",
  check(graph) {
    return subscriptions(graph).flatMap((subscription) => {
      const target = redriveTarget(subscription.inputs.redrivePolicy)?.deadLetterTargetArn;
      const queue = queueOf(graph, target);
      const refusal = queue && queuePolicyRefusal(graph, queue, subscription.inputs.topic);
      if (!queue || !refusal) return [];
      return [
        finding(
          this.id,
          subscription,
          `sends what SNS cannot deliver to ${queue.name}, whose policy ${refusal.replace("that topic", topicName(graph, subscription))}; SNS cannot move failed messages there and drops them`,
          queueSendFix(SNS_TOPIC_SENDER, refusal, "add that statement to the queue's one policy (components/queues.ts serviceSendStatement, as Topic writes it)"),
        ),
      ];
    });
  },
};

/**
 * A subscription's dead-letter queue is one SNS takes: "The ARN must point to an Amazon SQS queue in the same AWS
 * account and Region as your Amazon SNS subscription", and "FIFO topic subscriptions use FIFO queues, and standard
 * topic subscriptions use standard queues" (https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html).
 * A FIFO queue's subscription to a FIFO topic with a standard dead-letter queue is refused: "Invalid parameter:
 * RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic." (LocalStack's AWS-validated
 * test_validations_for_fifo, 2025-08-18, where a standard queue's subscription to a FIFO topic took a standard one, so
 * that case is not reported). A standard topic's subscription with a FIFO dead-letter queue goes against the page
 * (whether SNS refuses it or fails each move is not confirmed). Queues outside the plan are read from their ARN.
 */
export const SNS_SUBSCRIPTION_DEAD_LETTER_QUEUE_TARGET: DeployRule = {
  id: "SnsSubscriptionDeadLetterQueueTarget",
  title: "A subscription's dead-letter queue is in its account and region, and of the type its topic and queue need",
  source: "https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const subscription of subscriptions(graph)) {
      const target = redriveTarget(subscription.inputs.redrivePolicy)?.deadLetterTargetArn;
      if (typeof target !== "string" || !target) continue;
      const queue = queueOf(graph, target);
      const name = queue?.name ?? target;
      const arn = /^arn:[^:]+:sqs:([^:]*):([^:]*):/.exec(queue ? String(queue.state.arn ?? "") : target);
      // Each resource's own region, its explicit provider's, else the stack's (rule.ts regionOf); outside the plan, its ARN's.
      const subscriptionRegion = regionOf(graph, subscription, context);
      const queueRegion = queue ? regionOf(graph, queue, context) : arn?.[1];
      if (queueRegion !== undefined && queueRegion !== subscriptionRegion) {
        findings.push(finding(this.id, subscription, `sends what SNS cannot deliver to ${name} in ${queueRegion}, but the subscription is in ${subscriptionRegion}; SNS takes a dead-letter queue in the subscription's account and Region only`, "create the dead-letter queue in the subscription's region"));
      }
      if (!queue && context.account && arn && arn[2] !== context.account) {
        findings.push(finding(this.id, subscription, `sends what SNS cannot deliver to ${target}, a queue of account ${arn[2]}; SNS takes a dead-letter queue in the subscription's account only`, "use a queue of the stack's account"));
      }
      const fifoTopic = topicIsFifo(graph, subscription);
      const fifoDeadLetterQueue = isFifo(queue, target);
      const endpoint = subscription.inputs.endpoint;
      const endpointQueue = subscription.inputs.protocol === "sqs" ? queueOf(graph, endpoint) : undefined;
      const fifoEndpoint = subscription.inputs.protocol === "sqs" && isFifo(endpointQueue, typeof endpoint === "string" ? endpoint : "");
      if (fifoTopic && fifoEndpoint && !fifoDeadLetterQueue) {
        findings.push(finding(this.id, subscription, `subscribes the FIFO queue ${endpointQueue?.name ?? endpoint} to the FIFO topic ${topicName(graph, subscription)} with the standard dead-letter queue ${name}; SNS refuses it: "must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic"`, "make the dead-letter queue FIFO (fifoQueue: true)"));
      }
      if (!fifoTopic && fifoDeadLetterQueue) {
        findings.push(finding(this.id, subscription, `gives the standard topic ${topicName(graph, subscription)}'s subscription the FIFO dead-letter queue ${name}; standard topic subscriptions use standard dead-letter queues`, "make the dead-letter queue standard"));
      }
    }
    return findings;
  },
};

/**
 * An SQS subscription's queue must let the topic send: "Give permission to your Amazon SNS topic to send messages to
 * the Amazon SQS queue" (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html); without it
 * Subscribe succeeds and every delivery fails. Queues outside the plan are not checked.
 */
export const SNS_SQS_SUBSCRIPTION_QUEUE_POLICY: DeployRule = {
  id: "SnsSqsSubscriptionQueuePolicy",
  title: "An SQS subscription's queue lets its topic send",
  source: "https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html",
  check(graph) {
    return subscriptions(graph, "sqs").flatMap((subscription) => {
      const queue = queueOf(graph, subscription.inputs.endpoint);
      const refusal = queue && queuePolicyRefusal(graph, queue, subscription.inputs.topic);
      if (!queue || !refusal) return [];
      return [
        finding(
          this.id,
          subscription,
          `sends ${topicName(graph, subscription)}'s messages to ${queue.name}, whose policy ${refusal}; SNS takes the subscription and every delivery fails`,
          queueSendFix(SNS_TOPIC_SENDER, refusal, "add that statement to the queue's one policy (MessageQueue's topics argument)"),
        ),
      ];
    });
  },
};

const SNS_PRINCIPAL = SNS_TOPIC_SENDER.service;
/**
 * An SQS subscription's queue, or a subscription's dead-letter queue, encrypted with a key SNS may not use. "Several
 * AWS services act as event sources that can send events to Amazon SQS queues. To allow these event sources to work
 * with encrypted queues, you must create a customer managed KMS key and add permissions in the key policy for the
 * service", kms:GenerateDataKey and kms:Decrypt; "you cannot modify the key policy of an AWS managed KMS key for Amazon
 * SQS" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html). Subscribe
 * succeeds and the deliveries fail. SSE-SQS needs nothing; keys outside the plan are not read.
 */
export const SNS_SQS_SUBSCRIPTION_QUEUE_ENCRYPTION: DeployRule = {
  id: "SnsSqsSubscriptionQueueEncryption",
  title: "An SQS subscription's queue and a subscription's dead-letter queue are not encrypted with a key SNS may not use",
  source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const subscription of subscriptions(graph)) {
      const endpoint = subscription.inputs.protocol === "sqs" ? queueOf(graph, subscription.inputs.endpoint) : undefined;
      const deadLetter = queueOf(graph, redriveTarget(subscription.inputs.redrivePolicy)?.deadLetterTargetArn);
      for (const [queue, role] of [[endpoint, "queue"], [deadLetter, "dead-letter queue"]] as const) {
        const refusal = queue && serviceKeyRefusal(graph, queue, "sqs", SNS_PRINCIPAL);
        if (!queue || !refusal) continue;
        const delivered = role === "queue" ? "every delivery fails" : "every message SNS moves there is lost";
        findings.push(
          refusal.managed
            ? finding(this.id, subscription, `sends ${topicName(graph, subscription)}'s messages to the ${role} ${queue.name}, encrypted with the AWS managed key alias/aws/sqs, whose key policy cannot let ${SNS_PRINCIPAL} use it; ${delivered}`, `encrypt ${queue.name} with SSE-SQS (sqsManagedSseEnabled: true, as MessageQueue does) or a customer managed key whose policy allows ${SNS_PRINCIPAL} kms:GenerateDataKey and kms:Decrypt`)
            : finding(this.id, subscription, `sends ${topicName(graph, subscription)}'s messages to the ${role} ${queue.name}, encrypted with ${refusal.key.name}, whose key policy does not allow ${SNS_PRINCIPAL} ${refusal.missing.join(" and ")}; ${delivered}`, `add a statement to ${refusal.key.name}'s policy allowing the service principal ${SNS_PRINCIPAL} kms:GenerateDataKey and kms:Decrypt`),
        );
      }
    }
    return findings;
  },
};

/**
 * Which endpoints a topic takes (Subscribe answers InvalidParameter otherwise):
 * - a FIFO topic delivers to SQS queues only, FIFO or standard ("To preserve strict message ordering, Amazon SNS
 *   restricts the set of supported delivery protocols for Amazon SNS FIFO topics"; "Amazon SNS FIFO topics support
 *   delivery to both Amazon SQS standard and FIFO queues", https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html;
 *   "Invalid parameter: Invalid protocol type: sms", hashicorp/terraform-provider-aws#38441);
 * - a standard topic does not deliver to a FIFO queue (Subscribe refuses the endpoint: getmoto/moto#8957's
 *   AWS-validated test). A queue outside the plan is FIFO when its ARN ends in `.fifo`.
 */
export const SNS_SUBSCRIPTION_ENDPOINT_TYPE: DeployRule = {
  id: "SnsSubscriptionEndpointType",
  title: "FIFO topics deliver to SQS queues only; standard topics to standard queues; raw delivery only to the protocols that take it",
  source: "https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const subscription of subscriptions(graph)) {
      const fifoTopic = topicIsFifo(graph, subscription);
      const protocol = String(subscription.inputs.protocol);
      // Raw message delivery is for SQS, HTTP/S and Firehose endpoints
      // (https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html); on another protocol
      // Subscribe answers "InvalidParameter: Invalid parameter: Delivery protocol [lambda] does not support raw message
      // delivery." (aws-controllers-k8s/community#2192).
      if (subscription.inputs.rawMessageDelivery === true && !RAW_DELIVERY_PROTOCOLS.has(protocol)) {
        findings.push(finding(this.id, subscription, `sets rawMessageDelivery on a ${protocol} subscription; SNS refuses it: "Delivery protocol [${protocol}] does not support raw message delivery"`, "leave rawMessageDelivery out (a Lambda function gets SNS's event either way), or subscribe an SQS queue"));
      }
      if (fifoTopic && protocol !== "sqs") {
        findings.push(finding(this.id, subscription, `subscribes a ${protocol} endpoint to the FIFO topic ${topicName(graph, subscription)}; SNS delivers a FIFO topic's messages to SQS queues only and refuses the subscription`, "subscribe an SQS queue (FIFO or standard), and let that queue invoke the function"));
        continue;
      }
      if (fifoTopic || protocol !== "sqs") continue;
      const endpoint = subscription.inputs.endpoint;
      const queue = queueOf(graph, endpoint);
      const fifoQueue = queue ? isFifo(queue, "") : typeof endpoint === "string" && SQS_ARN.test(endpoint) && isFifo(undefined, endpoint);
      if (fifoQueue) {
        findings.push(finding(this.id, subscription, `subscribes the FIFO queue ${queue?.name ?? endpoint} to the standard topic ${topicName(graph, subscription)}; SNS refuses a FIFO queue on a standard topic`, "make the topic FIFO (fifoTopic: true), or subscribe a standard queue"));
      }
    }
    return findings;
  },
};

/**
 * A subscription's filter policy: JSON of the operators SNS takes, at most five keys and 150 combinations of values,
 * 256 KB, no nesting unless its scope is MessageBody (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html;
 * terraform-provider-aws topic_subscription.go checks only that it is JSON and the scope's two values): Subscribe
 * refuses the rest. See components/topic/filter-policy.ts.
 */
export const SNS_FILTER_POLICY: DeployRule = {
  id: "SnsFilterPolicy",
  title: "Subscription filter policies are within SNS's shape and limits",
  source: "https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html",
  check(graph) {
    return subscriptions(graph).flatMap((subscription) => {
      const refusal = filterRefusal(subscription.inputs.filterPolicy, subscription.inputs.filterPolicyScope);
      return refusal ? [finding(this.id, subscription, refusal.problem, refusal.fix)] : [];
    });
  },
};

/** Why SNS refuses a subscription's filter policy and scope, with the fix; undefined when it takes them. */
function filterRefusal(filterPolicy: unknown, scope: unknown): { problem: string; fix: string } | undefined {
  if (scope !== undefined && !FILTER_POLICY_SCOPES.includes(scope as FilterPolicyScope)) {
    return { problem: `has filterPolicyScope "${String(scope)}"; SNS takes ${FILTER_POLICY_SCOPES.join(" or ")}`, fix: 'use "MessageAttributes" or "MessageBody"' };
  }
  if (filterPolicy === undefined || filterPolicy === "") return undefined;
  const policy = typeof filterPolicy === "string" ? parsedJson(filterPolicy) : filterPolicy;
  if (policy === undefined) return { problem: "has a filterPolicy that is not JSON", fix: "write the filter policy as a JSON object" };
  const problem = filterPolicyProblem(policy, (scope as FilterPolicyScope | undefined) ?? "MessageAttributes");
  return problem ? { problem: `has a filterPolicy that ${problem}; SNS refuses it`, fix: "fix the filter policy" } : undefined;
}

/** JSON text's value, or undefined when it is not JSON. */
function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}


/**
 * A topic has one access policy: the `Policy` attribute, which SetTopicAttributes writes whole and which each
 * aws.sns.TopicPolicy (and a topic's own `policy`) sets ("Policy – The policy that defines who can access your topic",
 * API_SetTopicAttributes; terraform-provider-aws topic_policy.go puts the document with SetTopicAttributes). Two on one
 * topic replace each other on every deploy and the last applied decides what is allowed; Topic's policy also carries
 * the TLS-only Deny (SNS3), which the other would drop. A grant to a service belongs in Topic's `servicePublishers`.
 * The SNS counterpart of SqsOneQueuePolicy.
 */
export const SNS_ONE_TOPIC_POLICY: DeployRule = onePolicyRule({
  id: "SnsOneTopicPolicy",
  title: "A topic's access policy is written by one resource only",
  source: "https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html",
  targets: writersByHolder([TOPIC], TOPIC_POLICY, "arn", true),
  wording: { on: "holder", policy: "access policy", fix: "write every statement into one policy (Topic's servicePublishers, one TopicPolicy, or the topic's `policy`)" },
});

/**
 * SNS keeps one subscription per topic, protocol and endpoint. A second Subscribe of the same endpoint with other
 * attributes (filter policy, raw delivery, redrive policy) is refused, "Subscription already exists with different
 * attributes" (InvalidParameter, as quoted from AWS in localstack/localstack#8816); one with the same attributes gets
 * back the first subscription's ARN (observed on AWS in getmoto/moto#1418; API_Subscribe does not say it), so the two
 * resources share one subscription and destroying either unsubscribes both.
 * Topic refuses a second subscription of an endpoint itself; this finds hand-built ones. Subscriptions whose topic or
 * endpoint is unknown at plan time are not compared.
 */
export const SNS_ONE_SUBSCRIPTION_PER_ENDPOINT: DeployRule = {
  id: "SnsOneSubscriptionPerEndpoint",
  title: "A topic has one subscription per protocol and endpoint",
  source: "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html",
  check(graph) {
    const first = new Map<string, RecordedResource>();
    const findings: DeployFinding[] = [];
    for (const subscription of subscriptions(graph)) {
      const { topic, protocol, endpoint } = subscription.inputs;
      if (typeof topic !== "string" || typeof protocol !== "string" || typeof endpoint !== "string" || !topic || !endpoint) continue;
      const key = JSON.stringify([topic, protocol, endpoint]);
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, subscription);
        continue;
      }
      findings.push(
        finding(
          this.id,
          subscription,
          `subscribes ${endpoint} (${protocol}) to ${topicName(graph, subscription)}, which ${earlier.name} already subscribes; SNS keeps one subscription per topic, protocol and endpoint, so it refuses this one if its attributes differ ("Subscription already exists with different attributes") and otherwise hands back the same subscription, which destroying either resource then removes`,
          "subscribe the endpoint once, with a filter policy that admits every message it should get",
        ),
      );
    }
    return findings;
  },
};

export const SNS_RULES: DeployRule[] = [SNS_LAMBDA_SUBSCRIPTION_PERMISSION, SNS_SUBSCRIPTION_DEAD_LETTER_QUEUE_POLICY, SNS_SUBSCRIPTION_DEAD_LETTER_QUEUE_TARGET, SNS_SQS_SUBSCRIPTION_QUEUE_POLICY, SNS_SQS_SUBSCRIPTION_QUEUE_ENCRYPTION, SNS_SUBSCRIPTION_ENDPOINT_TYPE, SNS_FILTER_POLICY, SNS_ONE_TOPIC_POLICY, SNS_ONE_SUBSCRIPTION_PER_ENDPOINT];
