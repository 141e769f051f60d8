/**
 * An EventBridge custom event bus whose rules route events by pattern to LambdaFunctions: each subscription is a rule
 * on the bus with its event pattern (checked before deploy), the function as its target with a retry policy and a
 * dead-letter queue EventBridge may write to, and the function's invoke permission for events.amazonaws.com from that
 * rule (created before the target). Optionally an archive of every event. Producers get `grants.put()` for their
 * `permissions` and `environment()` for the bus's name.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { autonameLength, validateAutonames } from "../autoname";
import { argFailer, type ArgFailure } from "../errors";
import type { PolicyStatement } from "../iam";
import { checkedKmsKey, checkKmsKeyArn, type KmsKeyRefusal } from "../kms";
import { environmentVariable, type LambdaFunction } from "../lambda/function";
import { checkRetentionDays } from "../queues";
import { describeRegion, regionWhereCreated, validateRegionArg } from "../region";
import { registerSpec } from "../spec-registry";
import { checkSubscribedFunction, subscriberInvokePermission, subscriptionDeadLetterQueue, SubscriptionNames } from "../subscriptions";
import { eventPatternProblem } from "./event-pattern";
import type { EventBusArgs, EventBusSpec, EventBusSubscribeOptions } from "./spec";

export type { EventBusArgs, EventBusSpec, EventBusSubscribeOptions, EventBusSubscriptionSpec } from "./spec";
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

/** The one target of a subscription's rule. */
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
  /** The function's permission for events.amazonaws.com from this rule, created before the target. */
  permission: aws.lambda.Permission;
  /** Where EventBridge moves an event it could not deliver: alarm on its ApproximateNumberOfMessagesVisible. */
  deadLetterQueue: aws.sqs.Queue;
}

/**
 * An EventBridge custom event bus with rules that invoke LambdaFunctions.
 *
 * @example
 * const bus = new EventBus("gallery-events", { archiveRetentionDays: 7 });
 * bus.subscribe("thumbnails", thumbnailer, { pattern: { source: ["gallery.photos"], "detail-type": ["PhotoUploaded"] } });
 * const api = new LambdaFunction("api", { entry: "handlers/api/index.ts", permissions: bus.grants.put(), environment: bus.environment("EVENT_BUS_NAME") });
 */
export class EventBus extends pulumi.ComponentResource {
  /** What the local runtime reads (registered as kind "EventBus"); subscriptions are added as they are made. */
  readonly spec: EventBusSpec;
  /** The EventBridge custom event bus. */
  readonly bus: aws.cloudwatch.EventBus;
  /** The archive of every event, when `archiveRetentionDays` is given. */
  readonly archive?: aws.cloudwatch.EventArchive;
  /** The bus's ARN, what IAM policies name. */
  readonly busArn: pulumi.Output<string>;
  /** The bus's name, what PutEvents' EventBusName takes. */
  readonly busName: pulumi.Output<string>;
  /** Grants on the bus for producers' `permissions`. */
  readonly grants: EventBusGrants;
  private readonly fail: ArgFailure;
  private readonly region: string | undefined;
  private readonly subscriptionNames: SubscriptionNames;

  constructor(name: string, args: EventBusArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:EventBus", name, {}, opts);
    const fail = argFailer("EventBus", name);
    validate(fail, name, args ?? {});
    const region = args.region || undefined;
    // A plain string was checked in validate; an Output (e.g. another stack's key) is checked here once known, with
    // the same message, so `pulumi up` stops at the bus before it is given an alias or key id.
    const kmsKey = typeof args.kmsKeyId === "string" ? args.kmsKeyId : checkedKmsKey(args.kmsKeyId, (key) => assertEventBusKmsKeyId(name, key));

    // pulumi-aws autonames the bus `<name>-bus-<7 characters>`: never "default", within 256 of CreateEventBus's characters.
    const bus = new aws.cloudwatch.EventBus(`${name}-bus`, { kmsKeyIdentifier: kmsKey, region }, { parent: this });
    const archive =
      args.archiveRetentionDays === undefined
        ? undefined
        : new aws.cloudwatch.EventArchive(`${name}-archive`, { eventSourceArn: bus.arn, retentionDays: args.archiveRetentionDays, kmsKeyIdentifier: kmsKey, region }, { parent: this });

    this.spec = {
      name,
      busName: bus.name,
      encryption: args.kmsKeyId === undefined ? "aws-owned" : "customer",
      ...(args.archiveRetentionDays !== undefined ? { archiveRetentionDays: args.archiveRetentionDays } : {}),
      ...(region ? { region } : {}),
      subscriptions: [],
    };
    this.bus = bus;
    this.archive = archive;
    this.busArn = bus.arn;
    this.busName = bus.name;
    this.fail = fail;
    this.region = region;
    // A subscription's name names the rule, the permission and the dead-letter queue.
    this.subscriptionNames = new SubscriptionNames(fail, "this bus", "the rule and its resources", { type: "EventBus", name });
    // PutEvents with a customer managed key: EventBridge uses the key as events.amazonaws.com under the key policy
    // (eb-encryption-key-policy.html); no KMS permission of the caller is documented, so none is granted.
    this.grants = { put: () => [{ actions: [...EVENT_BUS_PUT_ACTIONS], resources: [bus.arn] }] };
    registerSpec("EventBus", name, this.spec);
    this.registerOutputs({ busArn: this.busArn, busName: this.busName });
  }

  /**
   * The bus's name under `key`, for a producer's `environment` (PutEvents' EventBusName takes it).
   * @param key The variable's name. @default "EVENT_BUS_NAME"
   */
  environment(key = "EVENT_BUS_NAME"): Record<string, pulumi.Output<string>> {
    return environmentVariable(this.fail, key, this.busName, "EVENT_BUS_NAME");
  }

  /**
   * Routes the events that match `options.pattern` to a LambdaFunction: a rule on the bus, the function as its target
   * (EventBridge invokes it asynchronously, so the function's `asyncInvoke` retries its errors), a retry policy and a
   * dead-letter queue for what EventBridge cannot deliver, and the function's permission for events.amazonaws.com
   * from this rule, created before the target.
   */
  subscribe(name: string, fn: LambdaFunction, options: EventBusSubscribeOptions): EventBusSubscription {
    const at = `subscribe("${name}")`;
    this.subscriptionNames.claim(name);
    checkSubscribedFunction(this.fail, at, fn, "the rule");
    this.checkFunctionRegion(at, fn);
    const problem = eventPatternProblem(options?.pattern);
    if (problem) {
      this.fail(`${at} pattern`, options?.pattern, problem, 'Fix the pattern (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html), e.g. { source: ["gallery.photos"], "detail-type": ["PhotoUploaded"] }.');
    }
    const { attempts, ageSeconds } = EVENT_TARGET_RETRY_LIMITS;
    checkWhole(this.fail, `${at} retryAttempts`, options.retryAttempts, attempts.min, attempts.max, "retries");
    checkWhole(this.fail, `${at} maximumEventAgeSeconds`, options.maximumEventAgeSeconds, ageSeconds.min, ageSeconds.max, "seconds");
    checkRetentionDays(this.fail, `${at} deadLetterRetentionDays`, options.deadLetterRetentionDays);
    const prefix = `${this.spec.name}-${name}`;
    const part = { argument: "subscribe name", value: name, text: name, what: "a subscription name" };
    validateAutonames(this.fail, this.spec.name, [
      { resource: `${prefix}-invoke`, kind: "lambda-permission", part },
      { resource: `${prefix}-dlq`, kind: "sqs-queue", part },
    ]);
    // The rule is autonamed `<bus>-<subscription>-<7 characters>`: PutRule takes 64.
    if (autonameLength(prefix) > EVENTBRIDGE_NAME_LIMITS.rule) {
      this.fail("subscribe name", name, `makes the rule's autoname ${autonameLength(prefix)} characters, over the ${EVENTBRIDGE_NAME_LIMITS.rule} EventBridge takes for a rule name`, `Use a subscription name of at most ${Math.max(1, EVENTBRIDGE_NAME_LIMITS.rule - autonameLength(`${this.spec.name}-`))} characters, or a shorter EventBus name.`);
    }
    const retryAttempts = options.retryAttempts ?? attempts.max;
    const maximumEventAgeSeconds = options.maximumEventAgeSeconds ?? ageSeconds.max;

    const rule = new aws.cloudwatch.EventRule(prefix, { eventBusName: this.busName, eventPattern: JSON.stringify(options.pattern), state: "ENABLED", region: this.region }, { parent: this });
    // "For Lambda ... EventBridge relies on resource-based policies" (API_PutTargets): the function must let
    // events.amazonaws.com invoke it from this rule (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions);
    // PutTargets does not check it, so without it every delivery fails: the target waits for it.
    const permission = subscriberInvokePermission(prefix, fn, "events.amazonaws.com", rule.arn, this);
    // What a rule could not deliver, moved by EventBridge on behalf of that rule only (eb-rule-dlq.html).
    const dlq = subscriptionDeadLetterQueue(prefix, { service: "events.amazonaws.com", sourceArns: rule.arn, sid: "RuleDeadLetters", retentionDays: options.deadLetterRetentionDays, region: this.region }, this);
    const target = new aws.cloudwatch.EventTarget(
      prefix,
      {
        rule: rule.name,
        eventBusName: this.busName,
        targetId: EVENT_BUS_TARGET_ID,
        arn: fn.arn,
        retryPolicy: { maximumRetryAttempts: retryAttempts, maximumEventAgeInSeconds: maximumEventAgeSeconds },
        deadLetterConfig: { arn: dlq.queue.arn },
        region: this.region,
      },
      { parent: this, dependsOn: [permission, dlq.policy] },
    );
    this.spec.subscriptions.push({
      name,
      function: fn.spec,
      pattern: options.pattern,
      ruleName: rule.name,
      targetId: EVENT_BUS_TARGET_ID,
      retryAttempts,
      maximumEventAgeSeconds,
      ...dlq.spec,
    });
    return { rule, target, permission, deadLetterQueue: dlq.queue };
  }

  /**
   * A rule's targets are in its region, but for an event bus of another region: cross-region routing is "specifying
   * an event bus in another AWS Region as a target" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html),
   * and a rule in one region invokes targets of another only through such a bus ("Use cross-Region and cross-account
   * event buses as targets to create workflows triggered in one Region but that invoke targets in a different Region",
   * https://repost.aws/knowledge-center/use-eventbridge-rule-across-regions). Not confirmed: whether PutTargets refuses
   * a Lambda ARN of another region or takes it and every delivery fails. A region unknown here (an explicit provider's)
   * is left to the deploy rule EventBridgeTargetRegion.
   */
  private checkFunctionRegion(at: string, fn: LambdaFunction): void {
    const busRegion = regionWhereCreated(this.region, this, "aws:cloudwatch/eventBus:EventBus");
    const fnRegion = regionWhereCreated(fn.spec.region, fn, "aws:lambda/function:Function");
    if (!busRegion.region || !fnRegion.region || busRegion.region === fnRegion.region) return;
    this.fail(
      `${at} function`,
      fn.spec.name,
      `is in ${describeRegion(fnRegion)}, but the bus is in ${describeRegion(busRegion)}; EventBridge invokes a Lambda target in the rule's region only`,
      `Create the function in ${busRegion.region} (region: "${busRegion.region}"), or the bus in ${fnRegion.region}.`,
    );
  }
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

function checkWhole(fail: ArgFailure, argument: string, value: number | undefined, min: number, max: number, unit: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) fail(argument, value, `is outside EventBridge's retry policy range of ${min}–${max} ${unit}`, `Use a whole number from ${min} to ${max}.`);
}

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
