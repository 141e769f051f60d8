/**
 * The program's Topics under `npm start`: a local SNS endpoint (local/sns-server.ts) that functions reach through
 * AWS_ENDPOINT_URL_SNS, delivering each published message to the subscriptions whose filter policy it passes:
 * - a LambdaFunction, as SNS invokes one: asynchronously (Lambda's retries, then the function's on-failure
 *   destination: local/async-invoke.ts) with the SNS event (`Records[].Sns`);
 * - a MessageQueue, on the local SQS server: the SNS JSON envelope as the body, or with raw delivery the message itself
 *   with its attributes as SQS message attributes; what the queue refuses (or a queue not served) goes to the
 *   subscription's dead-letter queue, served by the same server (local/services/queues.ts).
 * Messages carry no real signature (Signature, SigningCertUrl and UnsubscribeUrl are empty): docs/local-vs-aws.md.
 * Started after the queues (it sends to their server) and before anything that invokes functions.
 */
import { createHash } from "node:crypto";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import type { TopicSpec } from "../../components/topic/spec";
import { invokeAsync, type AsyncInvokeOptions, type Invoke } from "../async-invoke";
import { ofType, type Graph } from "../offline/graph";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { resolveValue } from "../offline/program";
import type { SnsMessageAttribute } from "../sns-filter";
import { isSnsOwnAttribute, startLocalSns, type LocalSubscription, type LocalTopicDefinition, type SnsNotification } from "../sns-server";
import { SqsError, type LocalSqs, type MessageAttributeValue, type SendInput } from "../sqs-server";
import type { LocalService, StartedService } from "./types";
import { acceptedCredentials } from "./credentials";
import { functionInvocation, pendingDeliveries } from "./deliveries";
import { thrownText } from "../thrown-text.cjs";

/** The attributes as an SNS notification carries them: `{ Type, Value }` (a Binary one's Value base64). */
function notificationAttributes(attributes: Record<string, SnsMessageAttribute>): Record<string, { Type: string; Value: string }> {
  return Object.fromEntries(Object.entries(attributes).map(([name, a]) => [name, { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue ?? "" }]));
}

/**
 * The event SNS invokes a subscribed function with (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html,
 * "Example SNS message event"): one record, `EventSource` "aws:sns", the notification under `Sns`.
 */
export function lambdaSnsEvent(notification: SnsNotification, subscriptionArn: string) {
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: "Notification",
          MessageId: notification.messageId,
          TopicArn: notification.topicArn,
          Subject: notification.subject ?? null,
          Message: notification.message,
          Timestamp: notification.timestamp,
          SignatureVersion: "1",
          Signature: "",
          SigningCertUrl: "",
          UnsubscribeUrl: "",
          MessageAttributes: notificationAttributes(notification.attributes),
        },
      },
    ],
  };
}

/**
 * What SNS sends an SQS subscription (https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html,
 * sns-message-and-json-formats.html): the JSON envelope as the body; raw, the message with its attributes as the
 * message's own (https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html), but for
 * SNS's own attributes (AWS.SNS.MOBILE.*, AWS.SNS.SMS.*, AWS.MM.SMS.*: isSnsOwnAttribute), which Publish takes and an
 * SQS message cannot carry: a queue's message attribute name "must not start with AWS-reserved prefixes such as AWS.
 * or Amazon. (or any casing variants)" (API_ReceiveMessage MessageAttributeNames; sqs-message-metadata.html, "Message
 * attribute components", the same rule), and SNS's guide calls them settings for its mobile push and SMS deliveries
 * ("used only to help structure the push notification message", sns-message-attributes.html). Sent along, the local queue refused the message SNS had accepted and it was
 * lost (or moved to the dead-letter queue) where AWS delivers it; left out, the message and its other attributes get
 * through. Whether SNS leaves them out of a raw delivery in AWS, and whether they count toward raw delivery's 10
 * attributes, is not confirmed (not observed). The envelope keeps every attribute. A FIFO topic's group and
 * deduplication ids go with it (a standard queue takes neither).
 */
export function sqsSnsMessage(notification: SnsNotification, options: { raw: boolean; fifoQueue: boolean; subscriptionArn: string }) {
  const fifo = options.fifoQueue && notification.messageGroupId ? { messageGroupId: notification.messageGroupId, messageDeduplicationId: notification.messageDeduplicationId } : {};
  if (options.raw) {
    const messageAttributes: Record<string, MessageAttributeValue> = Object.fromEntries(
      Object.entries(notification.attributes).filter(([name]) => !isSnsOwnAttribute(name)).map(([name, a]) => [name, { DataType: a.DataType, ...(a.BinaryValue !== undefined ? { BinaryValue: a.BinaryValue } : { StringValue: a.StringValue ?? "" }) }]),
    );
    return { body: notification.message, messageAttributes, ...fifo };
  }
  const envelope = {
    Type: "Notification",
    MessageId: notification.messageId,
    ...(notification.sequenceNumber ? { SequenceNumber: notification.sequenceNumber } : {}),
    TopicArn: notification.topicArn,
    ...(notification.subject !== undefined ? { Subject: notification.subject } : {}),
    Message: notification.message,
    Timestamp: notification.timestamp,
    SignatureVersion: "1",
    Signature: "",
    SigningCertURL: "",
    UnsubscribeURL: "",
    ...(Object.keys(notification.attributes).length > 0 ? { MessageAttributes: notificationAttributes(notification.attributes) } : {}),
  };
  return { body: JSON.stringify(envelope), ...fifo };
}

/**
 * A message SNS could not deliver to a subscription's queue, moved to the subscription's dead-letter queue as SNS moves
 * it (https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html: a client-side error, such as a queue that
 * is gone or refuses the message, goes there at once; "Messages with more than 10 message attributes directed towards
 * Raw Message Delivery enabled Amazon SQS subscriptions will be discarded as client side errors",
 * SNSMessageAttributes.html): the message the queue was sent, the envelope or the raw body with its attributes, and a
 * FIFO topic's group and deduplication ids for a FIFO dead-letter queue (LocalStack's AWS-validated
 * test_redrive_policy_sqs_queue_subscription and test_publish_fifo_messages_to_dlq snapshots). When the dead-letter
 * queue refuses it too (SNS's NumberOfNotificationsFailedToRedriveToDlq), it is logged and dropped.
 */
function moveToDeadLetterQueue(sqs: LocalSqs | undefined, deadLetterQueue: string, message: (sqs: LocalSqs, queue: string) => SendInput, what: string, log: (line: string) => void): void {
  if (!sqs?.has(deadLetterQueue)) return log(`  ${what}; its dead-letter queue ${deadLetterQueue} is not served locally either, so it is dropped`);
  try {
    sqs.send(deadLetterQueue, message(sqs, deadLetterQueue));
    log(`  ${what}; moved to its subscription's dead-letter queue ${deadLetterQueue}`);
  } catch (error) {
    if (!(error instanceof SqsError)) throw error;
    log(`  ${what}; the dead-letter queue ${deadLetterQueue} refused it too (${error.message}), so it is dropped`);
  }
}

/**
 * A subscription's delivery that keeps a local fault (an error that is not SNS's or SQS's answer) to itself: SNS has
 * accepted the message once Publish returns and fans it out to each subscription on its own, so one subscription's
 * failure neither stops the others nor, through a retried Publish (EventBridge's), delivers to the earlier ones twice.
 * It is logged and the message dropped for that subscription.
 */
function isolated(topic: string, subscription: string, log: (line: string) => void, deliver: (notification: SnsNotification) => void): (notification: SnsNotification) => void {
  return (notification) => {
    try {
      deliver(notification);
    } catch (error) {
      log(`  ${topic}: message ${notification.messageId} not delivered to the subscription "${subscription}" (local fault: ${thrownText(error)}); dropped`);
    }
  };
}

export interface TopicDelivery {
  /** Invokes a subscribed function (its local sandbox). */
  invoke(spec: LambdaFunctionSpec): Invoke;
  /** The local SQS server's queues, when the program has MessageQueues. */
  sqs(): LocalSqs | undefined;
  async: AsyncInvokeOptions;
  log(message: string): void;
  /** Keeps a delivery under way (an asynchronous invocation and its retries) for `drained()`. */
  track(delivery: Promise<unknown>): void;
}

/** Each Topic as the local SNS server defines it: its recorded ARN, and each subscription's delivery. */
export async function localTopicDefinitions(specs: TopicSpec[], defaultRegion: string, graph: Graph, delivery: TopicDelivery): Promise<LocalTopicDefinition[]> {
  const recorded = ofType(graph, "aws:sns/topic:Topic");
  const definitions: LocalTopicDefinition[] = [];
  for (const spec of specs) {
    const name = await resolveValue<string>(spec.topicName);
    const region = spec.region ?? defaultRegion;
    const recordedArn = recorded.find((r) => r.state.name === name)?.state.arn;
    const arn = typeof recordedArn === "string" ? recordedArn : `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:${name}`;
    const subscriptions: LocalSubscription[] = [];
    for (const subscription of spec.subscriptions) {
      // A subscription's ARN is the topic's and an id: a stable one locally.
      const subscriptionArn = `${arn}:${createHash("sha256").update(`${arn}/${subscription.name}`).digest("hex").replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, "$1-$2-$3-$4-$5")}`;
      const common = { arn: subscriptionArn, ...(subscription.filterPolicy ? { filterPolicy: subscription.filterPolicy } : {}), filterPolicyScope: subscription.filterPolicyScope };
      if (subscription.protocol === "lambda") {
        const fn = subscription.function;
        const invoke = delivery.invoke(fn);
        subscriptions.push({ ...common, protocol: "lambda", deliver: isolated(spec.name, subscription.name, delivery.log, (notification) => delivery.track(invokeAsync(fn, invoke, lambdaSnsEvent(notification, subscriptionArn), delivery.async))) });
        continue;
      }
      const queueName = await resolveValue<string>(subscription.queueName);
      const deadLetterQueueName = await resolveValue<string>(subscription.deadLetterQueueName);
      // What SNS sends `queue` (the subscribed one, or the dead-letter queue): FIFO fields for a FIFO queue only.
      const messageFor = (notification: SnsNotification) => (sqs: LocalSqs, queue: string) => sqsSnsMessage(notification, { raw: subscription.rawMessageDelivery, fifoQueue: sqs.definition(queue).fifo, subscriptionArn });
      subscriptions.push({
        ...common,
        protocol: "sqs",
        deliver: isolated(spec.name, subscription.name, delivery.log, (notification) => {
          const sqs = delivery.sqs();
          const message = messageFor(notification);
          const failed = (reason: string) => moveToDeadLetterQueue(sqs, deadLetterQueueName, message, `${spec.name}: message ${notification.messageId} not delivered to ${queueName} (${reason})`, delivery.log);
          if (!sqs?.has(queueName)) return failed("the queue is not served locally");
          try {
            sqs.send(queueName, message(sqs, queueName));
          } catch (error) {
            if (!(error instanceof SqsError)) throw error;
            failed(`SQS refused it: ${error.message}`);
          }
        }),
      });
    }
    definitions.push({ arn, region, fifo: spec.fifo, contentBasedDeduplication: spec.contentBasedDeduplication, subscriptions });
  }
  return definitions;
}

export const topicsService: LocalService = {
  name: "SNS (Topics and their subscriptions)",
  async start(context) {
    const specs = registeredSpecs<TopicSpec>("Topic").map(({ spec }) => spec);
    if (specs.length === 0) return undefined;
    const region = context.environment.AWS_REGION ?? "us-east-1";
    const deliveries = pendingDeliveries();
    const definitions = await localTopicDefinitions(specs, region, context.run.resources, { ...functionInvocation(context, region), sqs: () => context.sqs, log: context.log, track: deliveries.track });
    const server = await startLocalSns({
      topics: definitions,
      credentials: acceptedCredentials(context),
      // Each function may publish where its role allows sns:Publish (Topic.grants.publish()), as in AWS.
      authorise: context.functionRoles.authorise,
    });
    context.environment.AWS_ENDPOINT_URL_SNS = server.endpoint;
    // EventBuses' Topic targets publish here (the event buses service starts after this one).
    context.sns = server.sns;
    for (const topic of definitions) context.log(`  ${topic.arn} → ${topic.subscriptions.length} subscription(s)`);
    const started: StartedService = {
      name: "sns",
      urls: { sns: server.endpoint },
      async stop() {
        context.sns = undefined;
        await server.stop();
        await deliveries.drain();
      },
    };
    return started;
  },
};
