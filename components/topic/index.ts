/**
 * An SNS topic that fans out to LambdaFunctions and MessageQueues: encrypted at rest (the AWS managed key
 * alias/aws/sns, or a customer managed key), a topic policy that keeps the account's access and denies requests made
 * without TLS; each Lambda subscription with its invoke permission (created first), each queue subscription into the
 * queue's one policy, and each subscription with a dead-letter queue SNS may write to. Producers get `grants.publish()` for their
 * `permissions` and `environment()` for the topic's ARN.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "../autoname";
import { argFailer, type ArgFailure } from "../errors";
import { checkNotMonitoredYet } from "../monitoring/read-components";
import { arnPatternKeepsAccount } from "../iam-match";
import { checkedKmsKey, checkKmsKeyArn, type KmsKeyRefusal } from "../kms";
import type { PolicyStatement } from "../iam";
import { environmentVariable, type LambdaFunction } from "../lambda/function";
import { SQS_MAX_MESSAGE_BYTES, type MessageQueue } from "../message-queue";
import { checkRetentionDays } from "../queues";
import { validateRegionArg } from "../region";
import { registerSpec } from "../spec-registry";
import { checkSubscribedFunction, subscriberInvokePermission, subscriptionDeadLetterQueue, SubscriptionNames } from "../subscriptions";
import { FILTER_POLICY_SCOPES, filterPolicyProblem, type FilterPolicyScope } from "./filter-policy";
import type { TopicArgs, TopicServicePublisher, TopicSpec, TopicSubscriptionSpec, TopicSubscribeOptions, TopicSubscribeQueueOptions } from "./spec";

export type { TopicArgs, TopicServicePrincipal, TopicServicePublisher, TopicSpec, TopicSubscribeOptions, TopicSubscribeQueueOptions, TopicSubscriptionSpec, TopicLambdaSubscriptionSpec, TopicQueueSubscriptionSpec } from "./spec";
export { FILTER_POLICY_LIMITS, FILTER_POLICY_OPERATORS, FILTER_POLICY_SCOPES, filterPolicyProblem, type FilterPolicyScope } from "./filter-policy";

/** The AWS managed key SNS encrypts with when no customer managed key is given. */
export const SNS_MANAGED_KEY = "alias/aws/sns";

/** What a producer needs: Publish (PublishBatch is authorised by sns:Publish too). */
export const TOPIC_PUBLISH_ACTIONS: readonly string[] = ["sns:Publish"];

/**
 * What a publisher needs of a customer managed key: "kms:GenerateDataKey*" and "kms:Decrypt"
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html, "Allow a user to send messages to a topic with SSE").
 */
export const TOPIC_KMS_PUBLISH_ACTIONS: readonly string[] = ["kms:GenerateDataKey*", "kms:Decrypt"];

/**
 * The actions of the policy SNS gives a new topic ("__default_statement_ID": GetTopicAttributes, SetTopicAttributes,
 * AddPermission, RemovePermission, DeleteTopic, Subscribe, ListSubscriptionsByTopic, Publish for the topic's owner),
 * which an aws.sns.TopicPolicy replaces whole (SetTopicAttributes `Policy`). The topic's policy grants them to the
 * owner account, so its principals keep what their IAM policies allow.
 */
export const TOPIC_OWNER_ACTIONS: readonly string[] = [
  "SNS:GetTopicAttributes",
  "SNS:SetTopicAttributes",
  "SNS:AddPermission",
  "SNS:RemovePermission",
  "SNS:DeleteTopic",
  "SNS:Subscribe",
  "SNS:ListSubscriptionsByTopic",
  "SNS:Publish",
];

/** A service principal: `<service>.amazonaws.com` (IAM's Principal { Service }). */
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$/;

/** Grants on this topic, for a LambdaFunction's `permissions`. */
export interface TopicGrants {
  /** sns:Publish on the topic (Publish and PublishBatch); with a customer managed key, kms:GenerateDataKey* and kms:Decrypt on it. */
  publish(): PolicyStatement[];
}

/** What `subscribe` creates. */
export interface TopicLambdaSubscription {
  subscription: aws.sns.TopicSubscription;
  /** The function's permission for sns.amazonaws.com from this topic, created before the subscription. */
  permission: aws.lambda.Permission;
  /** Where SNS moves a message it could not deliver to the function: alarm on its ApproximateNumberOfMessagesVisible. */
  deadLetterQueue: aws.sqs.Queue;
}

/** What `subscribeQueue` creates. */
export interface TopicQueueSubscription {
  subscription: aws.sns.TopicSubscription;
  /** Where SNS moves a message it could not deliver to the queue (FIFO for a FIFO queue): alarm on its ApproximateNumberOfMessagesVisible. */
  deadLetterQueue: aws.sqs.Queue;
}

/**
 * An SNS topic, encrypted at rest and TLS-only, with Lambda and SQS subscribers.
 *
 * @example
 * const photoEvents = new Topic("photo-events", {});
 * photoEvents.subscribe("index", indexer, { filterPolicy: { kind: ["uploaded"] } });
 * const jobs = new MessageQueue("jobs", { consumer: { function: worker }, topics: [photoEvents] });
 * photoEvents.subscribeQueue("jobs", jobs);
 * const api = new LambdaFunction("api", { entry: "handlers/api/index.ts", permissions: photoEvents.grants.publish(), environment: photoEvents.environment("PHOTO_EVENTS_TOPIC_ARN") });
 */
export class Topic extends pulumi.ComponentResource {
  /** What the local runtime reads (registered as kind "Topic"); subscriptions are added as they are made. */
  readonly spec: TopicSpec;
  /** The SNS topic producers publish to. */
  readonly topic: aws.sns.Topic;
  /** The topic's one policy: the owner account's access, a Deny of every Publish made without TLS, and `servicePublishers`' Allows. */
  readonly topicPolicy: aws.sns.TopicPolicy;
  /** The topic's ARN, what Publish takes. */
  readonly topicArn: pulumi.Output<string>;
  /** The topic's physical name (`.fifo` last for a FIFO topic). */
  readonly topicName: pulumi.Output<string>;
  /** Grants on the topic for producers' `permissions`. */
  readonly grants: TopicGrants;
  /** The services the topic's policy lets publish (`servicePublishers`): what `EventBus.subscribe` checks. */
  readonly servicePublishers: readonly TopicServicePublisher[];
  private readonly fail: ArgFailure;
  private readonly region: string | undefined;
  private readonly subscriptionNames: SubscriptionNames;

  constructor(name: string, args: TopicArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:Topic", name, {}, opts);
    const fail = argFailer("Topic", name);
    validate(fail, name, args ?? {});
    const fifo = args.fifo ?? false;
    const region = args.region || undefined;
    // A plain string was checked in validate; an Output (e.g. another stack's key) is checked here once known, with
    // the same message, so `pulumi up` stops before the topic names an alias IAM grants nothing on.
    const kmsKey = checkedKmsKey(args.kmsKeyId, (key) => assertTopicKmsKeyId(name, key));

    // pulumi-aws autonames a topic `<name>-topic-<7 characters>` within 80 and appends `.fifo` when fifoTopic is true
    // (provider/resource_overrides.go, "aws_sns_topic": AutoNameOptions{Maxlen: 80, Randlen: 7, PostTransform}), as
    // CreateTopic requires of a FIFO topic ("the name must end with the .fifo suffix", API_CreateTopic).
    const topic = new aws.sns.Topic(
      `${name}-topic`,
      {
        fifoTopic: fifo || undefined,
        contentBasedDeduplication: fifo ? (args.contentBasedDeduplication ?? false) : undefined,
        // Encrypted at rest (https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html): "All requests
        // to topics with SSE enabled must use HTTPS and Signature Version 4".
        kmsMasterKeyId: kmsKey ?? SNS_MANAGED_KEY,
        region,
      },
      { parent: this },
    );
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const topicPolicy = new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "OwnerAccess", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:root` }, Action: [...TOPIC_OWNER_ACTIONS], Resource: topic.arn },
            // cdk-nag AwsSolutions-SNS3; the statement the CDK's Topic `enforceSSL` writes.
            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: topic.arn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
            // AWS services that publish (servicePublishers): the topic policy replaces SNS's default one, so each needs
            // its own Allow; aws:SourceAccount (and aws:SourceArn) keep another account's resource from using it
            // (confused deputy: https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html; CloudWatch
            // alarms: https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger; S3:
            // https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html).
            // aws:SourceAccount only for the services whose documented topic policies use it: EventBridge's example
            // has no condition, and a key a service does not send refuses every delivery without an error
            // (docs/components/topic.md); any other service must name its source (aws:SourceArn), which validate checks.
            ...(args.servicePublishers ?? []).map((publisher, i) => ({
              Sid: `ServicePublish${i}`,
              Effect: "Allow",
              Principal: { Service: publisher.service },
              Action: "sns:Publish",
              Resource: topic.arn,
              ...sourceConditions(name, publisher, i, identity.accountId),
            })),
          ],
        }),
        region,
      },
      { parent: this },
    );

    this.spec = {
      name,
      topicName: topic.name,
      fifo,
      contentBasedDeduplication: fifo && (args.contentBasedDeduplication ?? false),
      encryption: kmsKey === undefined ? SNS_MANAGED_KEY : "customer",
      ...(region ? { region } : {}),
      subscriptions: [],
    };
    this.topic = topic;
    this.topicPolicy = topicPolicy;
    this.topicArn = topic.arn;
    this.topicName = topic.name;
    this.servicePublishers = [...(args.servicePublishers ?? [])];
    this.fail = fail;
    this.region = region;
    // A subscription's name names the subscription, its permission and its dead-letter queue.
    this.subscriptionNames = new SubscriptionNames(fail, "this topic", "the subscription and its resources", { type: "Topic", name });
    this.grants = {
      publish: () => [
        { actions: [...TOPIC_PUBLISH_ACTIONS], resources: [topic.arn] },
        ...(kmsKey === undefined ? [] : [{ actions: [...TOPIC_KMS_PUBLISH_ACTIONS], resources: [kmsKey] }]),
      ],
    };
    registerSpec("Topic", name, this.spec);
    this.registerOutputs({ topicArn: this.topicArn, topicName: this.topicName });
  }

  /**
   * The topic's ARN under `key`, for a producer's `environment` (Publish takes the ARN).
   * @param key The variable's name. @default "TOPIC_ARN"
   */
  environment(key = "TOPIC_ARN"): Record<string, pulumi.Output<string>> {
    return environmentVariable(this.fail, key, this.topicArn, "TOPIC_ARN");
  }

  /**
   * Subscribes a LambdaFunction: SNS invokes it asynchronously with each message (the function's `asyncInvoke` sets
   * Lambda's retries). Creates the function's permission for sns.amazonaws.com from this topic first, and a
   * dead-letter queue for what SNS cannot deliver. A standard topic only: FIFO topics deliver to SQS queues alone.
   */
  subscribe(name: string, fn: LambdaFunction, options: TopicSubscribeOptions = {}): TopicLambdaSubscription {
    const at = `subscribe("${name}")`;
    checkNotMonitoredYet(this.fail, "subscribe name", name, this);
    this.subscriptionNames.claim(name);
    checkSubscribedFunction(this.fail, at, fn, "SNS");
    this.checkEndpointOnce(`${at} function`, fn.spec.name, (s) => s.protocol === "lambda" && s.function.name === fn.spec.name);
    // "To preserve strict message ordering, Amazon SNS restricts the set of supported delivery protocols for Amazon SNS
    // FIFO topics": SQS queues only; "To fan out messages from Amazon SNS FIFO topics to AWS Lambda functions ...
    // subscribe Amazon SQS FIFO or standard queues to the topic. Then configure the queues to trigger the functions"
    // (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html). Subscribe answers InvalidParameter.
    if (this.spec.fifo) {
      this.fail(`${at} function`, fn.spec.name, "cannot subscribe to a FIFO topic: SNS delivers a FIFO topic's messages to SQS queues only", "Subscribe a MessageQueue consumed by the function (topic.subscribeQueue), or make the topic standard.");
    }
    const scope = this.checkFilter(at, options.filterPolicy, options.filterPolicyScope);
    checkRetentionDays(this.fail, `${at} deadLetterRetentionDays`, options.deadLetterRetentionDays);
    const prefix = `${this.spec.name}-${name}`;
    validateAutonames(this.fail, this.spec.name, [
      { resource: `${prefix}-invoke`, kind: "lambda-permission", part: { argument: "subscribe name", value: name, text: name, what: "a subscription name" } },
      { resource: `${prefix}-dlq`, kind: "sqs-queue", part: { argument: "subscribe name", value: name, text: name, what: "a subscription name" } },
    ]);

    // "Amazon SNS ... invokes your function asynchronously"; the function's resource-based policy must let
    // sns.amazonaws.com invoke it, from this topic (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html). SNS
    // does not check it on Subscribe: without it every delivery fails, so the subscription waits for it.
    const permission = subscriberInvokePermission(prefix, fn, "sns.amazonaws.com", this.topicArn, this);
    const dlq = this.createDeadLetterQueue(prefix, options.deadLetterRetentionDays, false);
    const subscription = new aws.sns.TopicSubscription(
      prefix,
      {
        topic: this.topicArn,
        protocol: "lambda",
        endpoint: fn.arn,
        filterPolicy: options.filterPolicy === undefined ? undefined : JSON.stringify(options.filterPolicy),
        filterPolicyScope: options.filterPolicy === undefined ? undefined : scope,
        redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.queue.arn }),
        region: this.region,
      },
      { parent: this, dependsOn: [permission, dlq.policy] },
    );
    this.spec.subscriptions.push({
      name,
      protocol: "lambda",
      function: fn.spec,
      ...(options.filterPolicy === undefined ? {} : { filterPolicy: options.filterPolicy }),
      filterPolicyScope: scope,
      ...dlq.spec,
    });
    return { subscription, permission, deadLetterQueue: dlq.queue };
  }

  /**
   * Subscribes a MessageQueue: SNS sends each message to the queue (in SNS's JSON envelope, or raw). The queue must
   * list this topic in its `topics`, which puts this topic's grant into the queue's one policy. The subscription gets
   * a dead-letter queue for what SNS cannot deliver to the queue (FIFO for a FIFO queue), which this topic alone may
   * send to.
   */
  subscribeQueue(name: string, queue: MessageQueue, options: TopicSubscribeQueueOptions = {}): TopicQueueSubscription {
    const at = `subscribeQueue("${name}")`;
    checkNotMonitoredYet(this.fail, "subscribeQueue name", name, this);
    this.subscriptionNames.claim(name);
    if (!queue?.spec || !queue.queueArn || !Array.isArray(queue.topics)) this.fail(`${at} queue`, queue, "is not a MessageQueue", "Pass the MessageQueue SNS should send to.");
    this.checkEndpointOnce(`${at} queue`, queue.spec.name, (s) => s.protocol === "sqs" && s.queue === queue.spec.name);
    // A FIFO topic delivers to FIFO and standard queues ("Amazon SNS FIFO topics support delivery to both Amazon SQS
    // standard and FIFO queues", fifo-message-delivery.html, since 2023-09); a standard topic to standard queues only
    // (Subscribe refuses a FIFO queue's endpoint: moto's AWS-validated check, getmoto/moto#8957).
    if (!this.spec.fifo && queue.spec.fifo) {
      this.fail(`${at} queue`, queue.spec.name, "is a FIFO queue, which a standard topic cannot deliver to", "Make the topic FIFO (fifo: true), or subscribe a standard queue.");
    }
    // Two QueuePolicy resources on one queue replace each other (deploy rule SqsOneQueuePolicy): the grant belongs in
    // the MessageQueue's own policy, which lists its topics.
    if (!queue.topics.includes(this)) {
      this.fail(
        `${at} queue`,
        queue.spec.name,
        "does not list this topic in its topics, so its policy would not let SNS send to it and every delivery would fail",
        `Add the topic to the MessageQueue's arguments: topics: [${this.spec.name}].`,
      );
    }
    const scope = this.checkFilter(at, options.filterPolicy, options.filterPolicyScope);
    if (options.rawMessageDelivery !== undefined && typeof options.rawMessageDelivery !== "boolean") {
      this.fail(`${at} rawMessageDelivery`, options.rawMessageDelivery, "is not true or false", "Set it to true to deliver the published body as it is, or leave it out for SNS's JSON envelope.");
    }
    const raw = options.rawMessageDelivery ?? false;
    checkRetentionDays(this.fail, `${at} deadLetterRetentionDays`, options.deadLetterRetentionDays);
    const prefix = `${this.spec.name}-${name}`;
    // A FIFO queue's subscription (a FIFO topic's) needs a FIFO dead-letter queue: SetSubscriptionAttributes answers
    // "Invalid parameter: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."
    // (LocalStack's AWS-validated test_validations_for_fifo, 2025-08-18); a FIFO topic's subscription of a standard queue
    // takes a standard one (the same test), and a standard topic's takes a standard one ("FIFO topic subscriptions use
    // FIFO queues, and standard topic subscriptions use standard queues", sns-dead-letter-queues.html).
    const fifoDeadLetterQueue = queue.spec.fifo;
    validateAutonames(this.fail, this.spec.name, [
      { resource: `${prefix}-dlq`, kind: fifoDeadLetterQueue ? "sqs-fifo-queue" : "sqs-queue", part: { argument: "subscribeQueue name", value: name, text: name, what: "a subscription name" } },
    ]);
    const dlq = this.createDeadLetterQueue(prefix, options.deadLetterRetentionDays, fifoDeadLetterQueue);
    const subscription = new aws.sns.TopicSubscription(
      prefix,
      {
        topic: this.topicArn,
        protocol: "sqs",
        endpoint: queue.queueArn,
        filterPolicy: options.filterPolicy === undefined ? undefined : JSON.stringify(options.filterPolicy),
        filterPolicyScope: options.filterPolicy === undefined ? undefined : scope,
        rawMessageDelivery: raw || undefined,
        redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.queue.arn }),
        region: this.region,
      },
      { parent: this, dependsOn: [queue.queuePolicy, dlq.policy] },
    );
    this.spec.subscriptions.push({
      name,
      protocol: "sqs",
      queue: queue.spec.name,
      queueName: queue.queueName,
      ...(options.filterPolicy === undefined ? {} : { filterPolicy: options.filterPolicy }),
      filterPolicyScope: scope,
      rawMessageDelivery: raw,
      ...dlq.spec,
    });
    return { subscription, deadLetterQueue: dlq.queue };
  }

  /**
   * A subscription's dead-letter queue, `<topic>-<subscription>-dlq`: SNS keeps there what it could not deliver
   * ("Amazon SNS dead-letter queues (DLQs)", https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html,
   * which recommends the 14 days' retention that is the default). In the subscription's account and region ("The
   * Amazon SNS subscription and Amazon SQS queue must be under the same AWS account and Region"), with a policy that
   * lets this topic alone send (sns-configure-dead-letter-queue.html), encrypted with SSE-SQS (an SSE-KMS queue would
   * need a customer managed key whose policy lets SNS use it, same page), and taking messages of up to 1 MiB, so that
   * SNS's envelope around a 256 KiB message fits (the provider's default size is 256 KiB: SQS_MAX_MESSAGE_BYTES).
   */
  private createDeadLetterQueue(prefix: string, retentionDays: number | undefined, fifo: boolean): ReturnType<typeof subscriptionDeadLetterQueue> {
    return subscriptionDeadLetterQueue(prefix, { service: "sns.amazonaws.com", sourceArns: [this.topicArn], sid: "TopicsSend", retentionDays, fifo, maxMessageBytes: SQS_MAX_MESSAGE_BYTES, region: this.region }, this);
  }

  /**
   * SNS keeps one subscription per topic, protocol and endpoint: a second Subscribe of the endpoint with other
   * attributes (another dead-letter queue, filter policy, raw delivery) is refused ("Subscription already exists with
   * different attributes", localstack/localstack#8816), and one with the same attributes returns the first's ARN, so
   * removing either later unsubscribes both.
   */
  private checkEndpointOnce(argument: string, endpoint: string, same: (subscription: TopicSubscriptionSpec) => boolean): void {
    const earlier = this.spec.subscriptions.find(same);
    if (earlier) {
      this.fail(argument, endpoint, `is already subscribed to this topic as "${earlier.name}"; SNS keeps one subscription per topic and endpoint`, "Subscribe it once, with a filter policy that admits every message it should get.");
    }
  }

  private checkFilter(at: string, policy: Record<string, unknown> | undefined, scope: FilterPolicyScope | undefined): FilterPolicyScope {
    if (scope !== undefined && !FILTER_POLICY_SCOPES.includes(scope)) {
      this.fail(`${at} filterPolicyScope`, scope, "is not a filter policy scope", `Use "MessageAttributes" (the default) or "MessageBody".`);
    }
    if (scope !== undefined && policy === undefined) this.fail(`${at} filterPolicyScope`, scope, "is set without a filterPolicy", "Give a filterPolicy, or leave filterPolicyScope out.");
    const resolved = scope ?? "MessageAttributes";
    if (policy === undefined) return resolved;
    const problem = filterPolicyProblem(policy, resolved);
    if (problem) {
      this.fail(`${at} filterPolicy`, policy, problem, "Fix the policy (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html), e.g. { kind: [\"uploaded\"] }.");
    }
    return resolved;
  }
}

function validate(fail: ArgFailure, name: string, args: TopicArgs): void {
  validateRegionArg(fail, "region", args.region);
  if (args.fifo !== undefined && typeof args.fifo !== "boolean") fail("fifo", args.fifo, "is not true or false", "Set fifo: true for a FIFO topic, or leave it out for a standard one.");
  if (args.contentBasedDeduplication !== undefined && typeof args.contentBasedDeduplication !== "boolean") {
    fail("contentBasedDeduplication", args.contentBasedDeduplication, "is not true or false", "Set it to true or false, with fifo: true.");
  }
  // CreateTopic ContentBasedDeduplication: "This attribute applies only to FIFO topics" (API_SetTopicAttributes).
  if (args.contentBasedDeduplication && !args.fifo) fail("contentBasedDeduplication", true, "applies only to FIFO topics, and this topic is standard", "Set fifo: true, or leave contentBasedDeduplication out.");
  if (typeof args.kmsKeyId === "string") checkKmsKeyId(fail, args.kmsKeyId);
  validateServicePublishers(fail, args);
  // The topic is autonamed `<name>-topic-<7 characters>` (`.fifo` appended for a FIFO topic): SNS takes letters,
  // digits, - and _ (CreateTopic Name), pulumi-aws 80 before the suffix.
  validateAutonames(fail, name, [{ resource: `${name}-topic`, kind: "sns-topic" }]);
}

function validateServicePublishers(fail: ArgFailure, args: TopicArgs): void {
  const publishers = args.servicePublishers;
  if (publishers === undefined) return;
  if (!Array.isArray(publishers)) fail("servicePublishers", publishers, "is not a list", 'List the services, e.g. [{ service: "cloudwatch.amazonaws.com" }].');
  const seen = new Set<string>();
  publishers.forEach((publisher, i) => {
    const service = publisher?.service;
    if (typeof service !== "string" || !SERVICE_PRINCIPAL.test(service)) {
      fail(`servicePublishers[${i}].service`, service, "is not an AWS service principal", 'Use the service\'s principal, e.g. "cloudwatch.amazonaws.com"; grant an account or role through its IAM policy (grants.publish()) instead.');
    }
    // One service may publish from several sources (two buckets, two rules): only the same pair twice is refused.
    const source = typeof publisher.sourceArn === "string" ? publisher.sourceArn : publisher.sourceArn === undefined ? "(any source)" : undefined;
    const pair = source === undefined ? undefined : `${service} ${source}`;
    if (pair !== undefined && seen.has(pair)) fail(`servicePublishers[${i}].service`, service, `is listed twice with the source ${source}`, "List each service and source once; a wildcard sourceArn (e.g. arn:aws:cloudwatch:<region>:<account>:alarm:*) covers several sources.");
    if (pair !== undefined) seen.add(pair);
    // Without a source the service publishes for any account: another account's rule or budget that names this topic
    // gets in, the confused deputy (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html; security
    // rule ServicePrincipalSource). Only SOURCE_ACCOUNT_SERVICES get aws:SourceAccount instead (sourceConditions).
    const keptToAccount = SOURCE_ACCOUNT_SERVICES.has(service);
    if (publisher.sourceArn === undefined && !keptToAccount) {
      fail(
        `servicePublishers[${i}].sourceArn`,
        undefined,
        `is needed for ${service}: without it the topic's policy would let that service publish for any account's resources (another account's rule or other source naming this topic), as only ${[...SOURCE_ACCOUNT_SERVICES].join(", ")} are kept to the stack's account (aws:SourceAccount)`,
        "Give the ARN of what publishes (wildcards allowed except in the account field), e.g. an EventBus's rulesArn for events.amazonaws.com.",
      );
    }
    // CodeStar Notifications' documented topic statement names no aws:SourceArn (SOURCE_ACCOUNT_SERVICES): a condition on
    // a key the service does not send never matches, so every notification would be refused without an error anywhere.
    if (publisher.sourceArn !== undefined && service === CODESTAR_NOTIFICATIONS) {
      fail(
        `servicePublishers[${i}].sourceArn`,
        typeof publisher.sourceArn === "string" ? publisher.sourceArn : "(an Output)",
        `is given for ${service}, whose documented topic policy conditions on aws:SourceAccount alone: no AWS page found says it sends aws:SourceArn, and a condition on a key the service does not send refuses every notification without an error`,
        `Leave sourceArn out: aws:SourceAccount already keeps ${service} to the stack's account's notification rules.`,
      );
    }
    if (typeof publisher.sourceArn === "string") checkSourceArn(fail, i, service, publisher.sourceArn);
  });
  // "Several AWS services publish events to Amazon SNS topics. To allow these event sources to work with encrypted
  // topics" the topic needs a customer managed key whose key policy allows the service kms:GenerateDataKey* and
  // kms:Decrypt (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services):
  // the AWS managed key's policy cannot be changed and lets only the account's principals use it through SNS.
  if (publishers.length > 0 && args.kmsKeyId === undefined) {
    const services = publishers.map((p) => p.service);
    fail(
      "servicePublishers",
      services,
      `need a customer managed key: the topic would be encrypted with the AWS managed key ${SNS_MANAGED_KEY}, whose key policy cannot be changed to let an AWS service use it, so every Publish from these services would fail`,
      `Pass kmsKeyId: a customer managed key whose key policy allows ${services.join(", ")} kms:GenerateDataKey* and kms:Decrypt.`,
    );
  }
}

/**
 * `arn` when it can be publisher `i`'s sourceArn; else the ComponentArgError: not an ARN, or (for a service not kept to
 * the account by aws:SourceAccount) one that any account's resource matches, as the security rule ServicePrincipalSource
 * reads it. A string is checked at construction (validate), an Output once known (sourceConditions).
 */
function checkSourceArn(fail: ArgFailure, i: number, service: string, arn: string): string {
  if (!/^arn:aws[a-z-]*:[a-z0-9-]+:/.test(arn)) {
    fail(`servicePublishers[${i}].sourceArn`, arn, "is not an ARN", `Give the ARN of what publishes (wildcards allowed), e.g. the alarm's or the bucket's ARN (${[...SOURCE_ACCOUNT_SERVICES].join(", ")} may leave sourceArn out).`);
  }
  // The sourceArn is the only source condition of a service not kept to the account: one that any account's resource
  // can match (a wildcard account) keeps no one out.
  if (!SOURCE_ACCOUNT_SERVICES.has(service) && !arnPatternKeepsAccount(arn)) {
    fail(
      `servicePublishers[${i}].sourceArn`,
      arn,
      `matches a source of ${service} in any account (a wildcard where its account stands, or an ARN naming no account and nothing beyond wildcards), so the topic's policy would let that service publish for another account's resources (confused deputy; security rule ServicePrincipalSource)`,
      "Name the account in the ARN (wildcards elsewhere are fine), e.g. arn:aws:events:us-east-1:<your account id>:rule/* or an EventBus's rulesArn.",
    );
  }
  return arn;
}

const CODESTAR_NOTIFICATIONS = "codestar-notifications.amazonaws.com";

/**
 * Services kept to the stack's account by aws:SourceAccount, which their documented SNS topic policies condition on, so
 * a sourceArn is theirs to add or leave out:
 * - S3: "uses the SourceAccount condition to ensure that only the Amazon S3 owner account can access the topic"
 *   (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html, "Allow an Amazon S3 bucket to publish").
 * - AWS Budgets: StringEquals aws:SourceAccount with ArnLike aws:SourceArn `arn:aws:budgets::<account-id>:*`
 *   (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html; topics "must be in the same
 *   account as the Budgets").
 * - CodeStar Notifications: its topic statement conditions on StringEquals aws:SourceAccount alone ("The topic policy
 *   should include a statement similar to the following", Developer Tools console user guide, troubleshooting
 *   notifications); no aws:SourceArn is documented, so one required of it, or given (validate refuses a sourceArn for
 *   it), could refuse every notification.
 * - CloudWatch alarms: kept as before; not confirmed in AWS's own words here that it sends aws:SourceAccount (the SNS
 *   guide's alarm example conditions on aws:SourceArn only; AWS's modern-data-architecture-accelerator grants it with both).
 * Not EventBridge: its documented SNS statement conditions on aws:SourceArn (the rule) only (eb-use-resource-based.html).
 */
const SOURCE_ACCOUNT_SERVICES: ReadonlySet<string> = new Set(["cloudwatch.amazonaws.com", "s3.amazonaws.com", "budgets.amazonaws.com", CODESTAR_NOTIFICATIONS]);

/**
 * The Condition of a service publisher's statement: the stack's account where the service is known to send it, and the
 * named source; never empty, as validate refuses any other service without a source.
 */
function sourceConditions(name: string, publisher: TopicServicePublisher, i: number, accountId: pulumi.Input<string>): { Condition: Record<string, Record<string, pulumi.Input<string>>> } {
  const condition: Record<string, Record<string, pulumi.Input<string>>> = {};
  if (SOURCE_ACCOUNT_SERVICES.has(publisher.service)) condition.StringEquals = { "aws:SourceAccount": accountId };
  const arn = publisher.sourceArn;
  // A string was checked in validate; an Output (e.g. pulumi.interpolate) is checked once known, so `pulumi up` stops
  // at the topic policy rather than write a source any account matches.
  if (arn !== undefined) condition.ArnLike = { "aws:SourceArn": typeof arn === "string" ? arn : pulumi.output(arn).apply((known) => checkSourceArn(argFailer("Topic", name), i, publisher.service, known)) };
  return { Condition: condition };
}

/** Throws the construction-time ComponentArgError for a `kmsKeyId` only known at deploy time (an Output) that is not a key's ARN. */
export function assertTopicKmsKeyId(name: string, key: string): string {
  return checkKmsKeyId(argFailer("Topic", name), key);
}

/** Why Topic needs a key's ARN, and the fix (components/kms.ts checks it, at construction or once an Output is known). */
const KMS_REFUSAL: KmsKeyRefusal = {
  argument: "kmsKeyId",
  problem: "is not a KMS key's ARN; producers' grants name the key by its ARN, as IAM requires (an alias or key id in a policy's Resource grants nothing)",
  fix: "Pass a customer managed key's ARN (aws.kms.Key's arn), or leave kmsKeyId out for the AWS managed key alias/aws/sns.",
};

/** `key` when it is a KMS key's ARN; else the ComponentArgError. */
function checkKmsKeyId(fail: ArgFailure, key: string): string {
  return checkKmsKeyArn(fail, key, KMS_REFUSAL);
}
