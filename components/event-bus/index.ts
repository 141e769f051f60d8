/**
 * An EventBridge custom event bus whose rules route events by pattern to LambdaFunctions, MessageQueues, Workflows and
 * Topics: each subscription is a rule on the bus with its event pattern (checked before deploy), the target with a retry policy
 * and a dead-letter queue EventBridge may write to, and what lets EventBridge deliver, created before the target (a
 * function's invoke permission from that rule, the queue's or the topic's policy, a role that may start the workflow). Optionally an archive of every event. Producers get `grants.put()` for their
 * `permissions` and `environment()` for the bus's name.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AUTONAME_RANDOM_LENGTH, autonameLength, validateAutonames } from "../autoname";
import { s3PatternOrigin } from "../bucket-events";
import { argFailer, type ArgFailure } from "../errors";
import { checkNotMonitoredYet } from "../monitoring/read-components";
import { checkedKmsKey, checkKmsKeyArn, type KmsKeyRefusal } from "../kms";
import type { PolicyStatement } from "../iam";
import { policyJson } from "../iam";
import { arnLike } from "../iam-match";
import { environmentVariable, type LambdaFunction } from "../lambda/function";
import type { MessageQueue } from "../message-queue";
import { SNS_MANAGED_KEY, type Topic } from "../topic";
import type { Workflow } from "../workflow";
import { checkRetentionDays } from "../queues";
import { checkWholeNumberInRange } from "../ranges";
import { describeRegion, regionOf, regionWhereCreated, validateRegionArg } from "../region";
import { registerSpec } from "../spec-registry";
import { checkSubscribedFunction, subscriberInvokePermission, subscriptionDeadLetterQueue, SubscriptionNames } from "../subscriptions";
import { checkedPatternJson } from "./pattern-json";
import { busRulesArn, EVENTS_PRINCIPAL, registerRulesArn, rulesArnBus } from "./rules-arn";
import { DEFAULT_EVENT_BUS_NAME, type EventBusArgs, type EventBusInputTransformer, type EventBusSpec, type EventBusSubscribeOptions, type EventBusTargetInputSpec } from "./spec";

export type {
  EventBusArgs,
  EventBusInputTransformer,
  EventBusLambdaSubscriptionSpec,
  EventBusQueueSubscriptionSpec,
  EventBusSpec,
  EventBusSubscribeOptions,
  EventBusSubscriptionSpec,
  EventBusTargetInputOptions,
  EventBusTargetInputSpec,
  EventBusTopicSubscriptionSpec,
  EventBusWorkflowSubscriptionSpec,
} from "./spec";
export { EVENT_PATTERN_LIMITS, EVENT_PATTERN_OPERATORS, eventPatternProblem } from "./event-pattern";

/** What a producer needs: PutEvents on the bus (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html). */
export const EVENT_BUS_PUT_ACTIONS: readonly string[] = ["events:PutEvents"];

/**
 * RetryPolicy: MaximumRetryAttempts 0–185, MaximumEventAgeInSeconds 60–86400
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html); EventBridge's defaults are the
 * maxima, "24 hours and up to 185 times" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html).
 */
export const EVENT_TARGET_RETRY_LIMITS = { attempts: { min: 0, max: 185 }, ageSeconds: { min: 60, max: 86400 } } as const;

/**
 * Names: PutRule Name 1–64 of `[\.\-_A-Za-z0-9]+` (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html;
 * terraform-provider-aws events/validate.go validateRuleName), CreateArchive ArchiveName 1–48 of the same characters
 * (validArchiveName), CreateEventBus Name 1–256 of `[/\.\-_A-Za-z0-9]+`, not "default" for a custom bus
 * (validCustomEventBusName), Target Id 1–64 of `[\.\-_A-Za-z0-9]+` (validateTargetID).
 */
export const EVENTBRIDGE_NAME_LIMITS = { rule: 64, archive: 48, bus: 256, targetId: 64 } as const;

/** The one target of a LambdaFunction subscription's rule (EVENT_BUS_TARGET_IDS has every kind's). */
export const EVENT_BUS_TARGET_ID = "function";

/** Grants on this bus, for a LambdaFunction's `permissions`. */
export interface EventBusGrants {
  /** events:PutEvents on the bus. */
  put(): PolicyStatement[];
}

/** What `subscribe` creates. */
export interface EventBusSubscription {
  rule: aws.cloudwatch.EventRule;
  target: aws.cloudwatch.EventTarget;
  /** A LambdaFunction's permission for events.amazonaws.com from this rule, created before the target. */
  permission?: aws.lambda.Permission;
  /** A Workflow target's role, trusted by events.amazonaws.com from this rule (none for the others: a Lambda, SQS or SNS target is reached under its own resource policy). */
  role?: aws.iam.Role;
  /** That role's policy: states:StartExecution on the state machine. */
  rolePolicy?: aws.iam.RolePolicy;
  /** Where EventBridge moves an event it could not deliver: alarm on its ApproximateNumberOfMessagesVisible. */
  deadLetterQueue: aws.sqs.Queue;
}

/** What an EventRuleBus's constructor is given by its subclass, once it may create resources (parent `self`). */
interface RuleBusParts {
  spec: EventBusSpec;
  busArn: pulumi.Output<string>;
  busName: pulumi.Output<string>;
  /** What rules and targets give as `eventBusName`: the custom bus's name, or "default". */
  ruleBusName: pulumi.Input<string>;
  region: string | undefined;
  /** The resource type whose provider decides the bus's region when `region` is unset (regionWhereCreated). */
  busType: string;
  /**
   * A subscription's rule name, when the component names its rules (DefaultEventBus: `<name>-<token>-<subscription>`);
   * absent, Pulumi autonames them `<bus>-<subscription>-<7 random>` (EventBus, as before).
   */
  ruleName?: (subscription: string) => pulumi.Output<string>;
}

/**
 * What EventBus and DefaultEventBus share: rules on one bus, `subscribe` with its targets, dead-letter queues,
 * permissions and roles, producers' `grants.put()` and `environment()`. Not constructed on its own.
 */
export abstract class EventRuleBus extends pulumi.ComponentResource {
  /** What the local runtime reads (registered as kind "EventBus"); subscriptions are added as they are made. */
  readonly spec: EventBusSpec;
  /** The bus's ARN, what IAM policies name. */
  readonly busArn: pulumi.Output<string>;
  /** The bus's name, what PutEvents' EventBusName takes. */
  readonly busName: pulumi.Output<string>;
  /** Grants on the bus for producers' `permissions`. */
  readonly grants: EventBusGrants;
  /** The ARNs of this component's rules, wildcarded: what a Topic's `servicePublishers` (or a queue's policy) names as the source. */
  abstract readonly rulesArn: pulumi.Output<string>;
  private readonly fail: ArgFailure;
  private readonly region: string | undefined;
  private readonly ruleBusName: pulumi.Input<string>;
  private readonly busType: string;
  private readonly ruleName: RuleBusParts["ruleName"];
  private readonly subscriptionNames: SubscriptionNames;

  protected constructor(type: string, kind: "EventBus" | "DefaultEventBus", name: string, opts: pulumi.ComponentResourceOptions | undefined, build: (self: pulumi.ComponentResource, fail: ArgFailure) => RuleBusParts) {
    super(type, name, {}, opts);
    const fail = argFailer(kind, name);
    const parts = build(this, fail);
    this.spec = parts.spec;
    this.busArn = parts.busArn;
    this.busName = parts.busName;
    this.ruleBusName = parts.ruleBusName;
    this.busType = parts.busType;
    this.ruleName = parts.ruleName;
    this.fail = fail;
    this.region = parts.region;
    // A subscription's name names the rule, the permission and the dead-letter queue.
    this.subscriptionNames = new SubscriptionNames(fail, "this bus", "the rule and its resources", { type: kind, name });
    // PutEvents with a customer managed key: EventBridge uses the key as events.amazonaws.com under the key policy
    // (eb-encryption-key-policy.html); no KMS permission of the caller is documented, so none is granted.
    this.grants = { put: () => [{ actions: [...EVENT_BUS_PUT_ACTIONS], resources: [parts.busArn] }] };
    registerSpec("EventBus", name, this.spec);
  }

  /**
   * The bus's name under `key`, for a producer's `environment` (PutEvents' EventBusName takes it).
   * @param key The variable's name. @default "EVENT_BUS_NAME"
   */
  environment(key = "EVENT_BUS_NAME"): Record<string, pulumi.Output<string>> {
    return environmentVariable(this.fail, key, this.busName, "EVENT_BUS_NAME");
  }

  /**
   * Routes the events that match `options.pattern` to a target: a rule on the bus, the target with a retry policy and
   * a dead-letter queue for what EventBridge cannot deliver, and `input`, `inputPath` or `inputTransformer` to shape
   * what the target receives.
   * - A LambdaFunction: EventBridge invokes it asynchronously (its `asyncInvoke` retries its errors), under the
   *   function's permission for events.amazonaws.com from this rule, created before the target.
   * - A MessageQueue: EventBridge sends each event to the queue, under the queue's policy, which must list this bus in
   *   its `eventBuses`; a FIFO queue needs `messageGroupId` and content-based deduplication.
   * - A Workflow: EventBridge starts an execution (STANDARD or EXPRESS, asynchronously) as a role of its own, trusted
   *   by events.amazonaws.com from this rule, that may start exactly that state machine.
   * - A Topic: EventBridge publishes each event (or the shaped input) as the message, under the topic's one policy,
   *   which must list events.amazonaws.com in its `servicePublishers` (with `sourceArn: bus.rulesArn`), and with the
   *   topic's customer managed key (`kmsKeyId`), whose key policy must let events.amazonaws.com use it. A standard
   *   topic only: a rule's target takes no message group, which SNS requires of a FIFO topic's every message.
   */
  subscribe(name: string, target: LambdaFunction | MessageQueue | Workflow | Topic, options: EventBusSubscribeOptions): EventBusSubscription {
    const at = `subscribe("${name}")`;
    checkNotMonitoredYet(this.fail, "subscribe name", name, this);
    this.subscriptionNames.claim(name);
    const kind = targetKind(target);
    if (kind === "lambda") {
      checkSubscribedFunction(this.fail, at, target as LambdaFunction, "the rule");
      const fn = target as LambdaFunction;
      this.checkTargetRegion(`${at} function`, fn.spec.name, fn.spec.region, fn, "aws:lambda/function:Function", "EventBridge invokes a Lambda target in the rule's region only", "the function");
    }
    if (kind === "sqs") this.checkQueue(at, target as MessageQueue, options?.messageGroupId, options ?? {});
    if (kind === "sns") this.checkTopic(at, target as Topic);
    if (kind === "sfn") this.checkTargetRegion(`${at} workflow`, (target as Workflow).spec.name, (target as Workflow).spec.region, target as Workflow, "aws:sfn/stateMachine:StateMachine", "EventBridge starts a Step Functions target in the rule's region only", "the workflow");
    // A queue's message group is checked with the queue (checkQueue); no other target takes one.
    if (kind !== "sqs" && options?.messageGroupId !== undefined) {
      const why =
        kind === "sns"
          ? `the topic "${(target as Topic).spec.name}"; a rule's target takes no SNS message group, and EventBridge does not support SNS FIFO topics`
          : `the ${kind === "lambda" ? `function "${(target as LambdaFunction).spec.name}"` : `workflow "${(target as Workflow).spec.name}"`}; a message group is a FIFO queue's (EventBridge's SqsParameters apply to an SQS target only)`;
      this.fail(`${at} messageGroupId`, options.messageGroupId, `is set for ${why}`, "Leave messageGroupId out, or subscribe a FIFO MessageQueue.");
    }
    const eventPattern = checkedPatternJson(this.fail, `${at} pattern`, options?.pattern);
    this.checkS3Pattern(at, options.pattern);
    const input = checkTargetInput(this.fail, at, options);
    const { attempts, ageSeconds } = EVENT_TARGET_RETRY_LIMITS;
    const limit = "EventBridge's retry policy range";
    checkWholeNumberInRange(this.fail, `${at} retryAttempts`, options.retryAttempts, attempts, { limit, unit: "retries" });
    checkWholeNumberInRange(this.fail, `${at} maximumEventAgeSeconds`, options.maximumEventAgeSeconds, ageSeconds, { limit, unit: "seconds" });
    checkRetentionDays(this.fail, `${at} deadLetterRetentionDays`, options.deadLetterRetentionDays);
    const prefix = `${this.spec.name}-${name}`;
    const part = { argument: "subscribe name", value: name, text: name, what: "a subscription name" };
    validateAutonames(this.fail, this.spec.name, [
      ...(kind === "lambda" ? [{ resource: `${prefix}-invoke`, kind: "lambda-permission" as const, part }] : []),
      ...(kind === "sfn" ? [{ resource: `${prefix}-target-role`, kind: "role" as const, part }] : []),
      { resource: `${prefix}-dlq`, kind: "sqs-queue", part },
    ]);
    // The rule is autonamed `<bus>-<subscription>-<7 characters>` (EventBus), or named `<bus>-<7-character token>-<subscription>`
    // (DefaultEventBus): as long either way, and PutRule takes 64 (EVENTBRIDGE_NAME_LIMITS).
    if (autonameLength(prefix) > EVENTBRIDGE_NAME_LIMITS.rule) {
      const form = this.ruleName ? `name "${this.spec.name}-<token>-${name}"` : "autoname";
      this.fail("subscribe name", name, `makes the rule's ${form} ${autonameLength(prefix)} characters, over the ${EVENTBRIDGE_NAME_LIMITS.rule} EventBridge takes for a rule name`, `Use a subscription name of at most ${Math.max(1, EVENTBRIDGE_NAME_LIMITS.rule - autonameLength(`${this.spec.name}-`))} characters, or a shorter ${this.spec.default ? "DefaultEventBus" : "EventBus"} name.`);
    }
    const retryAttempts = options.retryAttempts ?? attempts.max;
    const maximumEventAgeSeconds = options.maximumEventAgeSeconds ?? ageSeconds.max;

    // A named rule (DefaultEventBus) is replaced delete-first: PutRule "creates or updates" a rule of that name
    // (API_PutRule.html; terraform-provider-aws events/rule.go creates with PutRule and no existence check), so a new
    // copy created first would take over the old rule, which the old copy's delete then removes. The bridge does the
    // same for a name given by hand (pulumi-terraform-bridge nameRequiresDeleteBeforeReplace); said here outright.
    const ruleName = this.ruleName?.(name);
    const rule = new aws.cloudwatch.EventRule(
      prefix,
      { ...(ruleName === undefined ? {} : { name: ruleName }), eventBusName: this.ruleBusName, eventPattern, state: "ENABLED", region: this.region },
      { parent: this, ...(ruleName === undefined ? {} : { deleteBeforeReplace: true }) },
    );
    // What a rule could not deliver, moved by EventBridge on behalf of that rule only (eb-rule-dlq.html). A standard
    // queue for every target, a FIFO queue's too: "Only standard queues are supported. You can't use a FIFO queue for
    // a DLQ in EventBridge" (eb-rule-dlq.html, "Considerations for using a dead-letter queue").
    const dlq = subscriptionDeadLetterQueue(prefix, { service: EVENTS_PRINCIPAL, sourceArns: rule.arn, sid: "RuleDeadLetters", retentionDays: options.deadLetterRetentionDays, region: this.region }, this);
    const created = this.createTarget(kind, prefix, target, rule, options.messageGroupId, name);
    const eventTarget = new aws.cloudwatch.EventTarget(
      prefix,
      {
        rule: rule.name,
        eventBusName: this.ruleBusName,
        targetId: EVENT_BUS_TARGET_IDS[kind],
        arn: created.arn,
        roleArn: created.role?.arn,
        sqsTarget: created.sqsTarget,
        input: input.input,
        inputPath: input.inputPath,
        inputTransformer: input.inputTransformer,
        retryPolicy: { maximumRetryAttempts: retryAttempts, maximumEventAgeInSeconds: maximumEventAgeSeconds },
        deadLetterConfig: { arn: dlq.queue.arn },
        region: this.region,
      },
      { parent: this, dependsOn: [...created.dependsOn, dlq.policy] },
    );
    const common = { name, pattern: options.pattern, ruleName: rule.name, targetId: EVENT_BUS_TARGET_IDS[kind], retryAttempts, maximumEventAgeSeconds, ...dlq.spec, ...input };
    if (kind === "lambda") this.spec.subscriptions.push({ ...common, target: "lambda", function: (target as LambdaFunction).spec });
    if (kind === "sqs") {
      const queue = target as MessageQueue;
      this.spec.subscriptions.push({ ...common, target: "sqs", queue: queue.spec.name, queueName: queue.queueName, fifo: queue.spec.fifo, ...(options.messageGroupId === undefined ? {} : { messageGroupId: options.messageGroupId }) });
    }
    if (kind === "sfn") {
      const workflow = target as Workflow;
      this.spec.subscriptions.push({ ...common, target: "sfn", workflow: workflow.spec.name, stateMachineName: workflow.stateMachineName, workflowType: workflow.spec.type, roleName: created.role!.name });
    }
    if (kind === "sns") {
      const topic = target as Topic;
      this.spec.subscriptions.push({ ...common, target: "sns", topic: topic.spec.name, topicName: topic.topicName });
    }
    return { rule, target: eventTarget, permission: created.permission, role: created.role, rolePolicy: created.rolePolicy, deadLetterQueue: dlq.queue };
  }

  /** The target's ARN, its parameters, and what must exist before it: the function's permission, the queue's or the topic's policy, the role's policy. */
  private createTarget(kind: EventBusTargetKind, prefix: string, target: LambdaFunction | MessageQueue | Workflow | Topic, rule: aws.cloudwatch.EventRule, messageGroupId: string | undefined, subscription: string): CreatedTarget {
    if (kind === "lambda") {
      const fn = target as LambdaFunction;
      // "For Lambda ... EventBridge relies on resource-based policies" (API_PutTargets): the function must let
      // events.amazonaws.com invoke it from this rule (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions);
      // PutTargets does not check it, so without it every delivery fails: the target waits for it.
      const permission = subscriberInvokePermission(prefix, fn, EVENTS_PRINCIPAL, rule.arn, this);
      return { arn: fn.arn, permission, dependsOn: [permission] };
    }
    if (kind === "sqs") {
      const queue = target as MessageQueue;
      // "For ... Amazon SQS ... EventBridge relies on resource-based policies" (eb-use-resource-based.html#eb-sqs-permissions):
      // the queue's one policy lets this bus's rules send (MessageQueue `eventBuses`); the target waits for it. A FIFO
      // queue's target names the message group (SqsParameters MessageGroupId, API_SqsParameters.html).
      return { arn: queue.queueArn, sqsTarget: messageGroupId === undefined ? undefined : { messageGroupId }, dependsOn: [queue.queuePolicy] };
    }
    if (kind === "sns") {
      const topic = target as Topic;
      // No role: "If no execution role is configured, EventBridge uses resource-based policies on the target resource"
      // (eb-use-resource-based.html as some of its stored copies read now; "you can use either an IAM execution role or
      // a resource-based policy" for SNS). Other copies of the page say a RoleArn on an SNS target "may" make delivery
      // fail "with AWS KMS encryption enabled": without one, both readings agree. The topic's one policy lets
      // events.amazonaws.com publish (checkTopic), and the target waits for it. A source given as an ARN of the user's
      // own is checked against this rule's ARN once both are known, before the target is put (a bus's rulesArn, this
      // one's or another's, is decided in checkTopic). The deploy rule EventBridgeTopicTargetPolicy reads the topic's
      // policy with the same ArnLike in a recorded plan; this check is what stops a real `pulumi up`, where no deploy
      // rule runs and PutTargets takes a target whose every delivery would fail.
      const sources = topic.servicePublishers.filter((p) => p.service === EVENTS_PRINCIPAL).map((p) => p.sourceArn);
      const covered = sources.some((source) => rulesArnBus(source) === this);
      const given = sources.filter((source): source is pulumi.Input<string> => source !== undefined && rulesArnBus(source) === undefined);
      const arn = covered ? topic.topicArn : pulumi.all([topic.topicArn, rule.arn, ...given]).apply(([topicArn, ruleArn, ...known]) => assertTopicSourceCoversRule(this.spec.name, subscription, topic.spec.name, known, ruleArn, topicArn));
      return { arn, dependsOn: [topic.topicPolicy] };
    }
    const workflow = target as Workflow;
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    // "For ... Step Functions state machines ... EventBridge relies on IAM roles that you specify in the RoleARN
    // argument in PutTargets" (API_PutTargets). Trusted by events.amazonaws.com from this account and this rule: "For
    // EventBridge event bus rule targets, the value of aws:SourceArn must be the rule ARN"
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html).
    const role = new aws.iam.Role(
      `${prefix}-target-role`,
      {
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: EVENTS_PRINCIPAL },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "aws:SourceAccount": identity.accountId }, ArnEquals: { "aws:SourceArn": rule.arn } },
            },
          ],
        }),
      },
      { parent: this },
    );
    // states:StartExecution on exactly this state machine: EventBridge starts a STANDARD or an EXPRESS workflow with
    // StartExecution ("EventBridge runs Express workflows asynchronously", eb-targets.html), never StartSyncExecution;
    // with the workflow's customer managed key, the key's statements of `grants.start()` (GenerateDataKey, Decrypt for
    // this state machine's encryption context).
    const keyStatements = workflow.grants.start().filter((statement) => statement.actions.every((action) => action.startsWith("kms:")));
    const statements: PolicyStatement[] = [{ sid: "StartWorkflow", actions: [...EVENT_BUS_WORKFLOW_ACTIONS], resources: [workflow.stateMachineArn] }, ...keyStatements];
    const rolePolicy = new aws.iam.RolePolicy(`${prefix}-target-policy`, { role: role.id, policy: policyJson(statements) }, { parent: this });
    return { arn: workflow.stateMachineArn, role, rolePolicy, dependsOn: [rolePolicy] };
  }

  /**
   * A pattern of BucketEvents' objectCreated/objectDeleted: S3 "sends events to the default event bus in the same
   * Region" as the bucket (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html, "Using
   * EventBridge"), so a rule elsewhere never fires.
   */
  private checkS3Pattern(at: string, pattern: unknown): void {
    const origin = s3PatternOrigin(pattern);
    if (!origin) return;
    if (!this.spec.default) {
      this.fail(`${at} pattern`, `${origin.name} S3 events`, "is a pattern of S3 events on a custom bus; S3 sends its events to the default event bus only, so the rule would never fire", "Subscribe on a DefaultEventBus in the bucket's region.");
    }
    const busRegion = regionWhereCreated(this.region, this, this.busType);
    const bucketRegion = origin.bucketRegion;
    if (busRegion.region && bucketRegion.region && busRegion.region !== bucketRegion.region) {
      this.fail(`${at} pattern`, `${origin.name} S3 events`, `are sent to the default bus of ${describeRegion(bucketRegion)}, the bucket's region, but this rule is in ${describeRegion(busRegion)}`, `Create the DefaultEventBus in ${bucketRegion.region} (region: "${bucketRegion.region}").`);
    }
  }

  /** A MessageQueue the rule may send to: of the bus's region, listing this bus, and for a FIFO queue a message group and content-based deduplication. */
  private checkQueue(at: string, queue: MessageQueue, messageGroupId: string | undefined, options: EventBusSubscribeOptions): void {
    if (!queue?.spec || !Array.isArray(queue.eventBuses)) this.fail(`${at} queue`, queue, "is not a MessageQueue", "Pass the MessageQueue EventBridge should send to.");
    this.checkTargetRegion(`${at} queue`, queue.spec.name, queue.spec.region, queue, "aws:sqs/queue:Queue", "EventBridge sends to an SQS target in the rule's region only", "the queue");
    // A queue has one policy (deploy rule SqsOneQueuePolicy): the bus's grant belongs in the MessageQueue's own.
    if (!queue.eventBuses.includes(this)) {
      this.fail(
        `${at} queue`,
        queue.spec.name,
        "does not list this bus in its eventBuses, so its policy would not let EventBridge send to it and every delivery would fail",
        `Add the bus to the MessageQueue's arguments: eventBuses: [${this.spec.name}].`,
      );
    }
    if (!queue.spec.fifo) {
      if (messageGroupId !== undefined) this.fail(`${at} messageGroupId`, messageGroupId, `is set for the standard queue "${queue.spec.name}"; a message group is a FIFO queue's`, "Leave messageGroupId out, or subscribe a FIFO MessageQueue.");
      return;
    }
    // "Contains the message group ID to use when the target is a FIFO queue. If you specify an SQS FIFO queue as a
    // target, the queue must have content-based deduplication enabled" (API_Target SqsParameters; the SDKs' model
    // text). SQS refuses a FIFO message without a group (SendMessage MessageGroupId: "required for FIFO queues").
    if (messageGroupId === undefined) {
      this.fail(`${at} messageGroupId`, undefined, `is required: "${queue.spec.name}" is a FIFO queue, and SQS refuses a FIFO message without a message group`, 'Give the group EventBridge sends every event of this subscription in, e.g. messageGroupId: "photos".');
    }
    // SendMessage MessageGroupId: "The length of MessageGroupId is 128 characters. Valid values: alphanumeric characters and punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)" (API_SendMessage).
    if (typeof messageGroupId !== "string" || !/^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/.test(messageGroupId)) {
      this.fail(`${at} messageGroupId`, messageGroupId, "is not 1–128 letters, digits and punctuation, as SQS takes a message group id", 'Use e.g. "photos".');
    }
    if (!queue.spec.contentBasedDeduplication) {
      this.fail(`${at} queue`, queue.spec.name, "is a FIFO queue without content-based deduplication; EventBridge sends no deduplication id, and SQS refuses a FIFO message with neither", "Set contentBasedDeduplication: true on the MessageQueue.");
    }
    // Content-based deduplication ids a message by its body: a constant body makes every event after the first within
    // SQS's 5-minute deduplication interval a duplicate, which SQS accepts and drops (API_SendMessage MessageDeduplicationId).
    const constant = constantBody(options);
    if (constant) {
      this.fail(`${at} ${constant.argument}`, constant.value, `${constant.why} for the FIFO queue "${queue.spec.name}", whose content-based deduplication would drop every event after the first in each 5 minutes`, `Leave ${constant.argument.split(".")[0]} out (the queue gets the whole event, whose id differs), or use an inputTransformer whose template carries <aws.events.event.json> or the event's id (inputPaths: { id: "$.id" }).`);
    }
  }

  /**
   * A Topic EventBridge can publish to: a standard topic of the bus's region, under a customer managed key, whose policy
   * lets events.amazonaws.com publish. "Your Amazon SNS topic's resource-based policy must allow EventBridge" and "the
   * Amazon SNS topic must use a customer managed AWS KMS key" whose key policy grants EventBridge the key's use; "the
   * targets you associate with a rule must be in the same Region as the rule"
   * (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification). The policy is the Topic's, built in
   * its constructor (one policy per topic: deploy rule SnsOneTopicPolicy), before any rule of this bus exists: the topic
   * names the bus's rules in `servicePublishers` (`bus.rulesArn`), as a MessageQueue names buses in `eventBuses`.
   */
  private checkTopic(at: string, topic: Topic): void {
    // targetKind took it for a topic by its topicArn and servicePublishers: what is left to tell is whether it is a Topic component.
    if (!topic.spec) this.fail(`${at} topic`, topic, "is not a Topic", "Pass the Topic EventBridge should publish to.");
    this.checkTargetRegion(`${at} topic`, topic.spec.name, topic.spec.region, topic, "aws:sns/topic:Topic", "EventBridge publishes to an SNS target in the rule's region only", "the topic");
    // "EventBridge does not support Amazon SNS FIFO (first in, first out) topics" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html,
    // under "Amazon SNS topic"): a rule's Target has no SNS parameters to carry a message group (API_Target.html;
    // terraform-provider-aws events/target.go has no SNS block). Deploy rule EventBridgeSnsFifoTarget for hand-built targets.
    if (topic.spec.fifo) {
      this.fail(`${at} topic`, topic.spec.name, "is a FIFO topic; an EventBridge rule's target gives SNS no message group, which SNS requires of every message to a FIFO topic, so every delivery would fail", "Subscribe a standard Topic, or a FIFO MessageQueue (with messageGroupId) that the FIFO topic's consumers read instead.");
    }
    // The key policy's statement for EventBridge takes no source conditions: "Adding the aws:SourceAccount,
    // aws:SourceArn, and aws:SourceOrgID to a AWS KMS policy is not supported for EventBridge-to-encrypted topics"
    // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html, "compatibility with AWS services").
    const keyFix = `kmsKeyId: a customer managed key whose key policy allows ${EVENTS_PRINCIPAL} kms:GenerateDataKey* and kms:Decrypt, in a statement without aws:SourceAccount, aws:SourceArn or aws:SourceOrgID conditions (SNS does not support them for EventBridge)`;
    const publisherFix = `servicePublishers: [{ service: "${EVENTS_PRINCIPAL}", sourceArn: ${this.spec.name}.rulesArn }] (the ${this.spec.default ? "DefaultEventBus" : "EventBus"}'s rules)`;
    const events = topic.servicePublishers.filter((p) => p.service === EVENTS_PRINCIPAL);
    const managedKey = topic.spec.encryption === SNS_MANAGED_KEY;
    // Both at once: a plain Topic lacks both, and Topic refuses servicePublishers without kmsKeyId, so fixing one alone leads to the other.
    if (managedKey || events.length === 0) {
      const problems = [
        ...(managedKey ? [`is encrypted with the AWS managed key ${SNS_MANAGED_KEY}, whose key policy cannot be changed to let EventBridge use it`] : []),
        ...(events.length === 0 ? [`does not list ${EVENTS_PRINCIPAL} in its servicePublishers, so its policy would not let EventBridge publish`] : []),
      ];
      const fixes = [...(managedKey ? [keyFix] : []), ...(events.length === 0 ? [publisherFix] : [])];
      this.fail(`${at} topic`, topic.spec.name, `${problems.join(", and ")}; every delivery would fail`, `Add to the Topic's arguments: ${fixes.join("; and ")}.`);
    }
    // A source that is a bus component's rulesArn names that bus now, before any ARN is known: another bus's is refused here, not mid-deploy.
    const buses = events.map((p) => rulesArnBus(p.sourceArn));
    if (buses.every((bus) => bus !== undefined) && !buses.includes(this)) {
      const names = buses.map((bus) => (bus as EventRuleBus).spec.name);
      this.fail(`${at} topic`, topic.spec.name, `lets ${EVENTS_PRINCIPAL} publish from the rules of ${names.join(", ")} only, not this bus's, so every delivery would fail`, `Add to the Topic's servicePublishers: { service: "${EVENTS_PRINCIPAL}", sourceArn: ${this.spec.name}.rulesArn }.`);
    }
  }

  /**
   * A rule's targets are in its region, but for an event bus of another region: cross-region routing is "specifying
   * an event bus in another AWS Region as a target" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html),
   * and a rule in one region invokes targets of another only through such a bus ("Use cross-Region and cross-account
   * event buses as targets to create workflows triggered in one Region but that invoke targets in a different Region",
   * https://repost.aws/knowledge-center/use-eventbridge-rule-across-regions). Not confirmed: whether PutTargets refuses
   * an ARN of another region or takes it and every delivery fails. A region unknown here (an explicit provider's) is
   * left to the deploy rule EventBridgeTargetRegion.
   */
  private checkTargetRegion(argument: string, targetName: string, own: string | undefined, component: pulumi.Resource, type: string, why: string, what: string): void {
    const busRegion = regionWhereCreated(this.region, this, this.busType);
    const targetRegion = regionWhereCreated(own, component, type);
    if (!busRegion.region || !targetRegion.region || busRegion.region === targetRegion.region) return;
    this.fail(argument, targetName, `is in ${describeRegion(targetRegion)}, but the bus is in ${describeRegion(busRegion)}; ${why}`, `Create ${what} in ${busRegion.region} (region: "${busRegion.region}"), or the bus in ${targetRegion.region}.`);
  }
}

/**
 * An EventBridge custom event bus with rules that deliver to LambdaFunctions, MessageQueues and Workflows.
 *
 * @example
 * const bus = new EventBus("gallery-events", { archiveRetentionDays: 7 });
 * bus.subscribe("thumbnails", thumbnailer, { pattern: { source: ["gallery.photos"], "detail-type": ["PhotoUploaded"] } });
 * const api = new LambdaFunction("api", { entry: "handlers/api/index.ts", permissions: bus.grants.put(), environment: bus.environment("EVENT_BUS_NAME") });
 */
export class EventBus extends EventRuleBus {
  /** The EventBridge custom event bus. */
  readonly bus: aws.cloudwatch.EventBus;
  /**
   * Every rule on this bus, `arn:…:rule/<bus>/*` (a custom bus's rule ARN is `rule/<bus>/<rule>`): the `sourceArn`
   * a Topic's `servicePublishers` entry for events.amazonaws.com gives, since the rules are made after the topic.
   * It admits any rule on the bus, which only those allowed events:PutRule on it create.
   */
  readonly rulesArn: pulumi.Output<string>;
  /** The archive of every event, when `archiveRetentionDays` is given. */
  readonly archive?: aws.cloudwatch.EventArchive;

  constructor(name: string, args: EventBusArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    let made: { bus: aws.cloudwatch.EventBus; archive?: aws.cloudwatch.EventArchive } | undefined;
    super("serverless-fullstack:index:EventBus", "EventBus", name, opts, (self, fail) => {
      validate(fail, name, args ?? {});
      const region = args.region || undefined;
      // A plain string was checked in validate; an Output (e.g. another stack's key) is checked here once known, with
      // the same message, so `pulumi up` stops at the bus before it is given an alias or key id.
      const kmsKey = checkedKmsKey(args.kmsKeyId, (key) => assertEventBusKmsKeyId(name, key));
      // pulumi-aws autonames the bus `<name>-bus-<7 characters>`: never "default", within 256 of CreateEventBus's characters.
      const bus = new aws.cloudwatch.EventBus(`${name}-bus`, { kmsKeyIdentifier: kmsKey, region }, { parent: self });
      // The archive takes the bus's ARN as an Output, so the engine deletes it before the bus (dependents first) on destroy
      // and on a replacement of both. That order is all there is: EventBridge keeps a managed rule on the bus for the
      // archive, removed with it (eb-archive-delete.html), DeleteEventBus refuses a bus with rules ("All rules associated
      // with this event bus need to be deleted", API_DeleteEventBus.html), and terraform-provider-aws calls DeleteArchive
      // and DeleteEventBus once each, with no waiter or retry (internal/service/events/archive.go, bus.go). There is no
      // DELETING archive state to wait for; whether the managed rule can outlive DeleteArchive's answer was not confirmed.
      // Hand-built archives and rules naming a bus by a plain value: deploy rule EventBridgeBusDeletedLast.
      const archive =
        args.archiveRetentionDays === undefined
          ? undefined
          : new aws.cloudwatch.EventArchive(`${name}-archive`, { eventSourceArn: bus.arn, retentionDays: args.archiveRetentionDays, kmsKeyIdentifier: kmsKey, region }, { parent: self });
      made = { bus, archive };
      const spec: EventBusSpec = {
        name,
        busName: bus.name,
        encryption: args.kmsKeyId === undefined ? "aws-owned" : "customer",
        ...(args.archiveRetentionDays !== undefined ? { archiveRetentionDays: args.archiveRetentionDays } : {}),
        ...(region ? { region } : {}),
        subscriptions: [],
      };
      return { spec, busArn: bus.arn, busName: bus.name, ruleBusName: bus.name, region, busType: "aws:cloudwatch/eventBus:EventBus" };
    });
    this.bus = made!.bus;
    this.rulesArn = busRulesArn(this.bus.arn);
    registerRulesArn(this.rulesArn, this);
    this.archive = made!.archive;
    this.registerOutputs({ busArn: this.busArn, busName: this.busName });
  }
}

/** Arguments of DefaultEventBus. */
export interface DefaultEventBusArgs {
  /** The region whose default bus gets the rules (S3 sends a bucket's events to its own region's default bus); absent: the provider's. */
  region?: string;
}

/**
 * Rules on the account's `default` event bus, where AWS services send their events (S3's "Object Created" and
 * "Object Deleted" for buckets with EventBridge on, `source: ["aws.s3"]`), with EventBus's `subscribe`: the same
 * targets, retry policy, dead-letter queues, permissions and roles. The bus itself is the account's: never created
 * or deleted here, and it takes no archive or key of ours.
 *
 * @example
 * const uploads = new UploadBucket("uploads");
 * const events = uploads.notify({}, { eventBridge: true });
 * const awsEvents = new DefaultEventBus("aws-events");
 * awsEvents.subscribe("originals", indexer, { pattern: events.objectCreated({ prefix: "originals/" }) });
 */
export class DefaultEventBus extends EventRuleBus {
  /**
   * Every rule this component makes on the default bus: `arn:…:rule/<name>-<token>-*` (a rule on the default bus is
   * `rule/<rule name>`, with no bus segment; `<token>` is this component's `ruleToken`). A MessageQueue listing this
   * bus in `eventBuses` lets the rules this ARN matches send: this component's own, and any rule on the account's
   * default bus in this region whose name starts with `<name>-<token>-`, which only someone who may PutRule there and
   * reads the token (rule names and the queue's policy show it: it is not a secret) would create. Not another
   * DefaultEventBus's rules, of this stack or another: each has its own token.
   */
  readonly rulesArn: pulumi.Output<string>;
  /**
   * Seven random lowercase letters and digits, drawn once and kept in the stack's state, in every rule's name
   * (`<name>-<token>-<subscription>`): what ties `rulesArn` to this component's rules alone.
   */
  readonly ruleToken: pulumi.Output<string>;

  constructor(name: string, args: DefaultEventBusArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    let rulesArn: pulumi.Output<string> | undefined;
    let ruleToken: pulumi.Output<string> | undefined;
    super("serverless-fullstack:index:DefaultEventBus", "DefaultEventBus", name, opts, (self, fail) => {
      validateRegionArg(fail, "region", args?.region);
      if (typeof name !== "string" || !/^[A-Za-z0-9_-]+$/.test(name)) {
        fail("name", name, "holds characters EventBridge rule names or SQS queue names refuse", "Use letters, digits, - and _ only.");
      }
      const region = args?.region || undefined;
      // arn:<partition>:events:<region>:<account>:event-bus/default (eb-manage-iam-access.html); its rules are
      // rule/<name> (terraform-provider-aws events/rule.go ruleCreateResourceID: the id is the rule's name alone on
      // "default", which `event_bus_name` defaults to).
      const base = pulumi.interpolate`arn:${aws.getPartitionOutput({}, { parent: self }).partition}:events:${regionOf(region, self)}:${aws.getCallerIdentityOutput({}, { parent: self }).accountId}`;
      // The rules are named by the component, not by Pulumi's autonaming, whose form a stack's `pulumi:autonaming`
      // config may change (as Workflow names its state machine): `<name>-<token>-<subscription>`, the token 7 random
      // lowercase letters and digits kept in the stack's state, so `rule/<name>-<token>-*` holds this component's rules
      // and not those of a DefaultEventBus whose name starts with this one's, nor another stack's (each draws its own).
      // No keepers: the rules' other replace-forcing inputs are `event_bus_name`, always "default", and `region`, where
      // a rule of another region cannot collide with the old one's name (terraform-provider-aws events/rule.go); any
      // other replacement (another provider, `--replace`) is delete-first (subscribe).
      const token = new random.RandomString(`${name}-rule-token`, { length: AUTONAME_RANDOM_LENGTH, special: false, upper: false }, { parent: self }).result;
      ruleToken = token;
      rulesArn = pulumi.interpolate`${base}:rule/${name}-${token}-*`;
      const spec: EventBusSpec = { name, busName: DEFAULT_EVENT_BUS_NAME, encryption: "aws-owned", default: true, ...(region ? { region } : {}), subscriptions: [] };
      return {
        spec,
        busArn: pulumi.interpolate`${base}:event-bus/${DEFAULT_EVENT_BUS_NAME}`,
        busName: pulumi.output(DEFAULT_EVENT_BUS_NAME),
        ruleBusName: DEFAULT_EVENT_BUS_NAME,
        region,
        busType: "aws:cloudwatch/eventRule:EventRule",
        ruleName: (subscription) => pulumi.interpolate`${name}-${token}-${subscription}`,
      };
    });
    this.rulesArn = rulesArn!;
    registerRulesArn(this.rulesArn, this);
    this.ruleToken = ruleToken!;
    this.registerOutputs({ busArn: this.busArn, busName: this.busName });
  }
}

export { DEFAULT_EVENT_BUS_NAME };

type EventBusTargetKind = "lambda" | "sqs" | "sfn" | "sns";

/** Each kind's target id within its rule: "function" as before MessageQueue, Workflow and Topic targets (an id change replaces the target). */
export const EVENT_BUS_TARGET_IDS: Readonly<Record<EventBusTargetKind, string>> = { lambda: EVENT_BUS_TARGET_ID, sqs: "queue", sfn: "workflow", sns: "topic" };

/** What a Workflow target's role may do: StartExecution on the state machine (EventBridge starts EXPRESS workflows asynchronously too). */
export const EVENT_BUS_WORKFLOW_ACTIONS: readonly string[] = ["states:StartExecution"];

interface CreatedTarget {
  arn: pulumi.Input<string>;
  permission?: aws.lambda.Permission;
  role?: aws.iam.Role;
  rolePolicy?: aws.iam.RolePolicy;
  sqsTarget?: { messageGroupId: string };
  dependsOn: pulumi.Resource[];
}

/** Which target a subscription names: a MessageQueue (its queue ARN and consumer), a Workflow (its state machine), a Topic (its topic ARN and publishers), else a LambdaFunction (checked as such). */
function targetKind(target: unknown): EventBusTargetKind {
  const t = target as { queueArn?: unknown; stateMachineArn?: unknown; topicArn?: unknown; servicePublishers?: unknown; spec?: { consumer?: unknown } };
  if (t?.queueArn && t.spec?.consumer) return "sqs";
  if (t?.stateMachineArn && t.spec) return "sfn";
  if (t?.topicArn && Array.isArray(t.servicePublishers)) return "sns";
  return "lambda";
}

/**
 * `topicArn` when one of the Topic's events.amazonaws.com sources (`servicePublishers` sourceArn, given as an ARN of
 * the user's own, known at deploy time) covers the rule's ARN as the topic policy's ArnLike condition reads it; else
 * the ComponentArgError: the topic's policy would refuse this rule's every Publish.
 */
export function assertTopicSourceCoversRule(bus: string, subscription: string, topic: string, sources: readonly string[], ruleArn: string, topicArn: string): string {
  if (sources.some((source) => arnLike(source, ruleArn))) return topicArn;
  return argFailer("EventBus", bus)(
    `subscribe("${subscription}") topic`,
    topic,
    `lets ${EVENTS_PRINCIPAL} publish from ${sources.join(", ")} only, which does not cover this subscription's rule ${ruleArn}, so every delivery would fail`,
    `Give the Topic's servicePublishers entry sourceArn: ${bus}.rulesArn (the bus's rules).`,
  );
}

/**
 * Target limits: Input (JSON) at most 8192 characters, InputPath at most 256, InputTransformer's InputTemplate 1–8192
 * and InputPathsMap at most 100 entries (API_Target.html, API_InputTransformer.html; terraform-provider-aws
 * events/target.go validates the same: StringLenBetween(0, 8192) and StringIsJSON, (0, 256), (1, 8192),
 * mapMaxItems(100)); a variable's name of `[A-Za-z0-9_-]` (API_InputTransformer InputPathsMap key pattern), not
 * starting with "AWS" (target.go: "input_path must not start with \"AWS\""), its path at most 256.
 */
export const EVENT_TARGET_INPUT_LIMITS = { inputCharacters: 8192, inputPathCharacters: 256, templateCharacters: 8192, inputPaths: 100, pathCharacters: 256 } as const;

/** Predefined input-transformer variables (eb-transform-target-input.html): reserved, usable without an input path. */
export const EVENT_TARGET_PREDEFINED_VARIABLES: readonly string[] = ["aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time", "aws.events.event", "aws.events.event.json"];

const VARIABLE_NAME = /^[A-Za-z0-9_-]+$/;
/** A placeholder as a template writes it: `<name>` of a variable's characters or a predefined name's. */
const TEMPLATE_PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;

/**
 * The event fields that are one value for every event a rule matches, or one of the few its pattern names: `version`
 * ("set to 0 (zero) in all events"), `source`, `detail-type`, `account` and `region` (the event envelope,
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html). A body made of them alone repeats.
 */
const EVENT_CONSTANT_PATHS = ["$.version", "$.source", "$.detail-type", "$.account", "$.region"];
/** The predefined variables that are the rule's, the same for every event it matches. */
const RULE_CONSTANT_VARIABLES = ["aws.events.rule-arn", "aws.events.rule-name"];

/**
 * Why a target's input makes the same body for every event (or for each of the few values of a field the pattern
 * names), if it does: a constant `input`, an `inputPath` to a constant field, or an `inputTransformer` whose template
 * reads nothing else (the rule's own variables, or inputPaths to constant fields). A malformed transformer is left to
 * checkTargetInput.
 */
function constantBody(options: EventBusSubscribeOptions): { argument: string; value: unknown; why: string } | undefined {
  if (options.input !== undefined) return { argument: "input", value: options.input, why: "is a constant body" };
  if (typeof options.inputPath === "string" && EVENT_CONSTANT_PATHS.includes(options.inputPath)) {
    return { argument: "inputPath", value: options.inputPath, why: "selects a field that takes one or a few values for the events of an event type, so the body repeats" };
  }
  const transformer = options.inputTransformer;
  const paths: unknown = transformer?.inputPaths ?? {};
  if (typeof transformer?.inputTemplate !== "string" || typeof paths !== "object" || paths === null) return undefined;
  const constant = (placeholder: string) =>
    RULE_CONSTANT_VARIABLES.includes(placeholder) || (Object.hasOwn(paths, placeholder) && EVENT_CONSTANT_PATHS.includes((paths as Record<string, string>)[placeholder]));
  if ([...transformer.inputTemplate.matchAll(TEMPLATE_PLACEHOLDER)].every(([, placeholder]) => constant(placeholder))) {
    return { argument: "inputTransformer.inputTemplate", value: transformer.inputTemplate, why: "reads nothing that differs between events of an event type (only the rule's name or ARN, or source, detail-type, account, region, version), so the body repeats" };
  }
  return undefined;
}

/** `input`, `inputPath` or `inputTransformer` (at most one) within EventBridge's limits, as the target and the spec take them. */
function checkTargetInput(fail: ArgFailure, at: string, options: EventBusSubscribeOptions): EventBusTargetInputSpec {
  const given = (["input", "inputPath", "inputTransformer"] as const).filter((key) => options?.[key] !== undefined);
  // "Only one of Input, InputPath, or InputTransformer" (API_Target; terraform-provider-aws target.go ConflictsWith).
  if (given.length > 1) fail(`${at} ${given.join(", ")}`, given, "are given together; a rule target takes one of input, inputPath and inputTransformer", "Keep one of them.");
  const limits = EVENT_TARGET_INPUT_LIMITS;
  if (options.input !== undefined) {
    let json: string | undefined;
    try {
      json = JSON.stringify(options.input);
    } catch {
      json = undefined;
    }
    if (json === undefined) fail(`${at} input`, options.input, "is not a JSON value", 'Give a constant JSON value, e.g. { kind: "refresh" }.');
    if (json.length > limits.inputCharacters) fail(`${at} input`, `${json.length} characters`, `is over the ${limits.inputCharacters} characters EventBridge takes for a target's input (as JSON)`, "Send less, or use inputTransformer to pick what the target needs.");
    return { input: json };
  }
  if (options.inputPath !== undefined) {
    const path = options.inputPath;
    if (typeof path !== "string" || !path.startsWith("$") || path.length > limits.inputPathCharacters) {
      fail(`${at} inputPath`, path, `is not a JSON path of at most ${limits.inputPathCharacters} characters`, 'Use dot notation from the event\'s root, e.g. "$.detail".');
    }
    return { inputPath: path };
  }
  if (options.inputTransformer !== undefined) {
    const { inputPaths = {}, inputTemplate } = options.inputTransformer ?? ({} as EventBusInputTransformer);
    if (typeof inputTemplate !== "string" || inputTemplate.length < 1 || inputTemplate.length > limits.templateCharacters) {
      fail(`${at} inputTransformer.inputTemplate`, inputTemplate, `is not a template of 1–${limits.templateCharacters} characters`, 'Write what the target receives, e.g. "{\"photo\": <photo>}".');
    }
    if (typeof inputPaths !== "object" || inputPaths === null || Array.isArray(inputPaths)) fail(`${at} inputTransformer.inputPaths`, inputPaths, "is not an object of variable names and JSON paths", 'Use e.g. { photo: "$.detail.photoId" }.');
    const entries = Object.entries(inputPaths);
    if (entries.length > limits.inputPaths) fail(`${at} inputTransformer.inputPaths`, `${entries.length} variables`, `is over the ${limits.inputPaths} variables an input transformer takes`, `Use at most ${limits.inputPaths}, or send a larger part of the event (e.g. <aws.events.event.json>).`);
    for (const [key, path] of entries) {
      if (!VARIABLE_NAME.test(key) || key.length > limits.pathCharacters || key.startsWith("AWS")) {
        fail(`${at} inputTransformer.inputPaths`, key, 'is not a variable name EventBridge takes (letters, digits, _ and -, at most 256, not starting with "AWS"; the aws.events.* names are predefined)', "Rename the variable, e.g. photoId.");
      }
      if (typeof path !== "string" || !path.startsWith("$") || path.length > limits.pathCharacters) fail(`${at} inputTransformer.inputPaths.${key}`, path, `is not a JSON path of at most ${limits.pathCharacters} characters`, 'Use dot notation from the event\'s root, e.g. "$.detail.photoId".');
    }
    for (const [, placeholder] of inputTemplate.matchAll(TEMPLATE_PLACEHOLDER)) {
      if (!Object.hasOwn(inputPaths, placeholder) && !EVENT_TARGET_PREDEFINED_VARIABLES.includes(placeholder)) {
        fail(`${at} inputTransformer.inputTemplate`, `<${placeholder}>`, "names a variable that inputPaths does not define and that is not predefined", `Define it in inputPaths, or use one of ${EVENT_TARGET_PREDEFINED_VARIABLES.map((v) => `<${v}>`).join(", ")}.`);
      }
    }
    return { inputTransformer: { inputPaths: { ...inputPaths }, inputTemplate } };
  }
  return {};
}

/** Throws the construction-time ComponentArgError for a `kmsKeyId` only known at deploy time (an Output) that is not a key's ARN. */
export function assertEventBusKmsKeyId(name: string, key: string): string {
  return checkKmsKeyArn(argFailer("EventBus", name), key, KMS_REFUSAL);
}

/**
 * Why EventBus needs a key's ARN (components/kms.ts checks it, at construction or once an Output is known):
 * CreateEventBus takes a key ARN, key id, alias or alias ARN, but terraform-provider-aws events/bus.go reads
 * `kms_key_identifier` back from DescribeEventBus with no diff suppression, so any form but the one the service returns
 * shows a change on every deploy. The awscc schema of the newer bus type says the service stores and returns the key as
 * its ARN (not confirmed for the classic DescribeEventBus); the ARN is the one form that is stable either way, and
 * what the key policy's conditions name. An AWS managed key (alias/aws/...) is refused with it: its key policy cannot
 * be changed to let events.amazonaws.com use it.
 */
const KMS_REFUSAL: KmsKeyRefusal = {
  argument: "kmsKeyId",
  problem: "is not a KMS key's ARN; the provider reads the bus's key back as EventBridge reports it, and an alias or key id reported as the ARN would show a change on every deploy",
  fix: "Pass a customer managed key's ARN (aws.kms.Key's arn), or leave kmsKeyId out for an AWS owned key.",
};

function validate(fail: ArgFailure, name: string, args: EventBusArgs): void {
  validateRegionArg(fail, "region", args.region);
  // CreateEventBus: a custom bus's name is 1–256 of `[/\.\-_A-Za-z0-9]`; its rules' 1–64 of `[\.\-_A-Za-z0-9]` and the
  // dead-letter queues' SQS names of `[-_A-Za-z0-9]`: the component name keeps to what all of them take.
  if (typeof name !== "string" || !/^[A-Za-z0-9_-]+$/.test(name)) {
    fail("name", name, "holds characters EventBridge rule names or SQS queue names refuse", "Use letters, digits, - and _ only.");
  }
  // A string now; an Output or a promise once known (in the constructor); anything else is no key at all.
  const key = args.kmsKeyId as unknown;
  if (key !== undefined && (typeof key === "string" || !(pulumi.Output.isInstance(key) || typeof (key as PromiseLike<unknown>)?.then === "function"))) {
    checkKmsKeyArn(fail, key, KMS_REFUSAL);
  }
  if (args.archiveRetentionDays !== undefined) {
    // CreateArchive RetentionDays: an Integer, Minimum value of 0, where 0 keeps events forever
    // (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html): the component asks for a bound.
    if (!Number.isInteger(args.archiveRetentionDays) || args.archiveRetentionDays < 1) {
      fail("archiveRetentionDays", args.archiveRetentionDays, "is not a whole number of days, 1 or more", "Use e.g. 7, or leave archiveRetentionDays out for no archive.");
    }
    // The archive is autonamed `<name>-archive-<7 characters>`: CreateArchive's ArchiveName takes 48.
    const length = autonameLength(`${name}-archive`);
    if (length > EVENTBRIDGE_NAME_LIMITS.archive) {
      fail("name", name, `makes the archive's autoname ${length} characters, over the ${EVENTBRIDGE_NAME_LIMITS.archive} EventBridge takes for an archive name`, `Use a component name of at most ${EVENTBRIDGE_NAME_LIMITS.archive - autonameLength("-archive")} characters.`);
    }
  }
}
