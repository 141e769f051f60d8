/**
 * What Topic and EventBus share for their subscriptions, where an AWS service (SNS, EventBridge) invokes a
 * LambdaFunction or sends to a queue on behalf of a source (a topic, a rule): the subscription's name, the subscribed
 * function's checks and its invoke permission for the service, and the dead-letter queue the service may send to.
 * Internal: not exported from the package.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "./errors";
import type { LambdaFunction } from "./lambda/function";
import { createDeadLetterQueueWithPolicy, serviceSendStatement, type QueueSendingService } from "./queues";

const DAY_SECONDS = 24 * 60 * 60;

/** A subscription's name: a letter, then letters, digits and hyphens, at most 41 (it names the subscription's resources). */
const SUBSCRIPTION_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,40}$/;

/** SNS and EventBridge keep what they could not deliver 14 days by default: SQS's maximum (the retention SNS's DLQ page recommends). */
export const DEFAULT_DEAD_LETTER_RETENTION_DAYS = 14;

/**
 * Which component and subscription took a resource-name prefix `<component>-<subscription>`, per component type, in
 * this program's stack: two components of one type whose names join to the same prefix (bus `a` with subscription
 * `b-c`, bus `a-b` with subscription `c`) would name their resources alike under parents of the same type, and Pulumi
 * would stop at "Duplicate resource URN".
 */
const prefixOwners = new Map<string, string>();

/** The component whose subscriptions these are, for the prefix check across components of its type. */
export interface SubscriptionScope {
  /** The component's type as a refusal names it ("EventBus"). */
  type: string;
  /** The component's name. */
  name: string;
}

/**
 * The names of one component's subscriptions: each usable in its resources' names, and used once. `owner` names the
 * component in the refusal ("this topic"), `names` what a name names ("the rule and its resources"). With `scope`,
 * a name whose `<component>-<subscription>` prefix another component of the type already took is refused too.
 */
export class SubscriptionNames {
  private readonly used = new Set<string>();
  constructor(
    private readonly fail: ArgFailure,
    private readonly owner: string,
    private readonly names: string,
    private readonly scope?: SubscriptionScope,
  ) {}

  /** Refuses an unusable or repeated name; else takes it. */
  claim(name: string): void {
    if (typeof name !== "string" || !SUBSCRIPTION_NAME.test(name)) {
      this.fail("subscription name", name, "is not a usable subscription name", `Use a letter, then letters, digits and hyphens, at most 41 characters, e.g. "thumbnails"; it names ${this.names}.`);
    }
    if (this.used.has(name)) this.fail("subscription name", name, `is used by another subscription of ${this.owner}`, "Give each subscription its own name.");
    if (this.scope) this.claimPrefix(this.scope, name);
    this.used.add(name);
  }

  private claimPrefix({ type, name: component }: SubscriptionScope, name: string): void {
    const prefix = `${component}-${name}`;
    const key = JSON.stringify([pulumi.getProject(), pulumi.getStack(), type, prefix]);
    const claimant = JSON.stringify([component, name]);
    const owner = prefixOwners.get(key);
    if (owner !== undefined && owner !== claimant) {
      const [otherComponent, otherName] = JSON.parse(owner) as [string, string];
      this.fail(
        "subscription name",
        name,
        `makes the resource names "${prefix}…", which ${type} "${otherComponent}"'s subscription "${otherName}" makes too; Pulumi refuses two resources of one name and type ("Duplicate resource URN")`,
        `Rename this subscription (or one of the two ${type} components) so that "<${type} name>-<subscription name>" differs.`,
      );
    }
    prefixOwners.set(key, claimant);
  }
}

/** Refuses what the service cannot invoke: no LambdaFunction, or a Lambda@Edge function. `invoker` names who invokes it ("SNS", "the rule"). */
export function checkSubscribedFunction(fail: ArgFailure, at: string, fn: LambdaFunction, invoker: string): void {
  if (!fn?.spec || !fn.functionName) fail(`${at} function`, fn, "is not a LambdaFunction", `Pass the LambdaFunction ${invoker} should invoke.`);
  if (fn.spec.edge) fail(`${at} function`, fn.spec.name, "is a Lambda@Edge function, which only CloudFront invokes", "Subscribe a regional function.");
}

/**
 * `<prefix>-invoke`: the function's resource-based permission for `service` to invoke it on behalf of `sourceArn`
 * alone, in the function's region. SNS and EventBridge invoke a function asynchronously under it
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions); neither
 * checks it when the subscription is made, so the subscription must depend on it.
 */
export function subscriberInvokePermission(prefix: string, fn: LambdaFunction, service: QueueSendingService, sourceArn: pulumi.Input<string>, parent: pulumi.Resource): aws.lambda.Permission {
  return new aws.lambda.Permission(
    `${prefix}-invoke`,
    { action: "lambda:InvokeFunction", function: fn.functionName, principal: service, sourceArn, region: fn.spec.region || undefined },
    { parent },
  );
}

/** How a subscription's dead-letter queue is made: who may send to it (serviceSendStatement), and its retention and shape. */
export interface SubscriptionDeadLetterQueueArgs {
  service: QueueSendingService;
  sourceArns: pulumi.Input<string> | pulumi.Input<string>[];
  /** The Sid of the service's statement in the queue's policy. */
  sid: string;
  /** Checked by the caller (checkRetentionDays). @default 14 */
  retentionDays?: number;
  region?: string;
  fifo?: boolean;
  maxMessageBytes?: number;
}

/**
 * `<prefix>-dlq`: a subscription's dead-letter queue (components/queues.ts), whose one policy lets the service send on
 * behalf of the subscription's source only; with the fields of the subscription's spec that name it.
 */
export function subscriptionDeadLetterQueue(
  prefix: string,
  args: SubscriptionDeadLetterQueueArgs,
  parent: pulumi.Resource,
): { queue: aws.sqs.Queue; policy: aws.sqs.QueuePolicy; spec: { deadLetterQueueName: pulumi.Output<string>; deadLetterRetentionSeconds: number } } {
  const retentionDays = args.retentionDays ?? DEFAULT_DEAD_LETTER_RETENTION_DAYS;
  const { queue, policy } = createDeadLetterQueueWithPolicy(
    `${prefix}-dlq`,
    { retentionDays, region: args.region, fifo: args.fifo, maxMessageBytes: args.maxMessageBytes, allow: (q) => [serviceSendStatement(q, args.service, args.sourceArns, args.sid)] },
    { parent },
  );
  return { queue, policy, spec: { deadLetterQueueName: queue.name, deadLetterRetentionSeconds: retentionDays * DAY_SECONDS } };
}
