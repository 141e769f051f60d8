/**
 * Deploy rules for the event-driven resources: S3 event notifications to Lambda, EventBridge
 * Scheduler schedules, Lambda's asynchronous invocation settings and destinations, event source
 * mappings' access to their stream, and IAM statement ids.
 */
import { arnComponents } from "../../components/iam-match";
import { S3_EVENT_TYPES, keysOverlap, sharedEventTypes } from "../../components/bucket-events";
import { isTimeZone, parseScheduleExpression, ScheduleExpressionError } from "../../components/schedule-expression";
import { asArray, dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { granting, roleGrants, trustsService } from "./iam";
import { functionOf } from "./lambda-ref";
import { arnRegion, finding, referenced, regionOf, type DeployFinding, type DeployRule } from "./rule";
import { notificationBucket, NOTIFICATION_DESTINATIONS } from "./s3";

const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const PERMISSION = "aws:lambda/permission:Permission";
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const ROLE = "aws:iam/role:Role";
const INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";

/** An SQS queue's ARN: `arn:<partition>:sqs:<region>:<account>:<name>`. */
export const SQS_ARN = /^arn:[^:]+:sqs:[^:]*:\d*:[^:/]+$/;
/**
 * PutBucketNotificationConfiguration: "In the case of Lambda destinations, Amazon S3 verifies that
 * the Lambda function permissions grant Amazon S3 permission to invoke the function from the Amazon
 * S3 bucket" — so each destination needs an `aws.lambda.Permission` for s3.amazonaws.com from this
 * bucket, created before the notification (it must depend on it), or the put fails with "Unable to
 * validate the following destination configurations".
 */
export const S3_NOTIFICATION_LAMBDA_PERMISSION: DeployRule = {
  id: "S3NotificationLambdaPermission",
  title: "S3 notifications to Lambda come after a permission for s3.amazonaws.com from that bucket",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const notification of ofType(graph, NOTIFICATION)) {
      const bucket = notificationBucket(graph, notification);
      const before = dependencyClosure(graph, notification);
      for (const config of asArray<Record<string, any>>(notification.inputs.lambdaFunctions)) {
        const fn = functionOf(graph, config.lambdaFunctionArn);
        const names = [config.lambdaFunctionArn, fn?.state.name, fn?.state.arn].filter(Boolean);
        const permissions = ofType(graph, PERMISSION).filter(
          (p) =>
            p.inputs.principal === "s3.amazonaws.com" &&
            p.inputs.action === "lambda:InvokeFunction" &&
            names.includes(p.inputs.function) &&
            (p.inputs.sourceArn === undefined || !bucket || p.inputs.sourceArn === bucket.state.arn),
        );
        const target = fn?.name ?? config.lambdaFunctionArn;
        if (permissions.length === 0) {
          findings.push(finding(this.id, notification, `sends ${config.id ?? "events"} to ${target}, which grants s3.amazonaws.com no lambda:InvokeFunction from this bucket; S3 refuses the configuration`, "add an aws.lambda.Permission (principal s3.amazonaws.com, sourceArn the bucket's ARN, sourceAccount) and make the notification depend on it"));
        } else if (!permissions.some((p) => before.has(p.urn))) {
          findings.push(finding(this.id, notification, `does not depend on ${permissions[0].name}, the permission S3 checks for ${target}; the engine may put the configuration first and S3 refuses it`, `add dependsOn: [${permissions[0].name}] to the notification`));
        }
      }
    }
    return findings;
  },
};

/** FilterRule: "Overlapping prefixes and suffixes are not supported" for configurations that share an event type. */
export const S3_NOTIFICATION_OVERLAP: DeployRule = {
  id: "S3NotificationOverlap",
  title: "A bucket's notification configurations do not overlap, and name S3 event types",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const notification of ofType(graph, NOTIFICATION)) {
      const configs = ["lambdaFunctions", "queues", "topics"].flatMap((field) => asArray<Record<string, any>>(notification.inputs[field]));
      for (const config of configs) {
        for (const event of asArray<string>(config.events)) {
          if (!S3_EVENT_TYPES.includes(event)) findings.push(finding(this.id, notification, `configuration ${config.id ?? "(no id)"} names "${event}", which is not an S3 event type`, 'use a type such as "s3:ObjectCreated:*"'));
        }
      }
      configs.forEach((a, i) => {
        for (const b of configs.slice(i + 1)) {
          const shared = sharedEventTypes(asArray(a.events), asArray(b.events));
          if (shared.length > 0 && keysOverlap(a, b)) {
            findings.push(finding(this.id, notification, `configurations ${a.id ?? "(no id)"} and ${b.id ?? "(no id)"} overlap on ${shared.join(", ")} (prefixes "${a.filterPrefix ?? ""}" / "${b.filterPrefix ?? ""}", suffixes "${a.filterSuffix ?? ""}" / "${b.filterSuffix ?? ""}"); S3 refuses overlapping configurations`, "give them prefixes or suffixes that cannot match the same key, or different event types"));
          }
        }
      });
    }
    return findings;
  },
};

/** "This action replaces the existing notification configuration": two resources on one bucket overwrite each other on every deploy. */
export const S3_NOTIFICATION_ONE_PER_BUCKET: DeployRule = {
  id: "S3NotificationOnePerBucket",
  title: "Each bucket has at most one notification configuration resource",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html",
  check(graph) {
    const byBucket = new Map<string, RecordedResource[]>();
    for (const n of ofType(graph, NOTIFICATION)) byBucket.set(String(n.inputs.bucket), [...(byBucket.get(String(n.inputs.bucket)) ?? []), n]);
    return [...byBucket].flatMap(([bucket, notifications]) =>
      notifications.slice(1).map((n) => finding(this.id, n, `is a second notification configuration of bucket ${bucket} (with ${notifications[0].name}); each replaces the other's on deploy`, "merge the subscriptions into one BucketNotification (UploadBucket.notify / BucketEvents take them all at once)")),
    );
  },
};

/**
 * Every notification destination in the bucket's region: "The Lambda function must be in the same region as your S3
 * bucket", "The Amazon SQS queue must be in the same region as your Amazon S3 bucket" and "The Amazon SNS topic must
 * be in the same region as your Amazon S3 bucket" (Amazon S3 User Guide, "How Do I Set Up a Destination to Receive Event
 * Notifications?", awsdocs/amazon-s3-user-guide doc_source/setup-event-notification-destination.md); AWS Prescriptive
 * Guidance: "the Lambda function can't directly subscribe to notifications from S3 buckets that are hosted in different
 * AWS Regions". For a destination elsewhere PutBucketNotificationConfiguration answers InvalidArgument "The
 * notification destination service region is not valid for the bucket location constraint" (quoted in
 * cloud-custodian/cloud-custodian#1720, where a function's region had been taken wrongly; not in AWS's own
 * documentation, and not seen here for a queue or topic). The bucket's region is where the plan creates
 * it (its own region, its provider's, else the stack's), or the notification's when the bucket is not in the plan; a
 * destination's, where the plan creates it, or its ARN's. BucketEvents refuses what it can see at construction; this
 * also sees explicit providers' regions. The queues' and topics' policies and FIFO are S3NotificationDestinationPolicy's (s3.ts).
 */
export const S3_NOTIFICATION_FUNCTION_REGION: DeployRule = {
  id: "S3NotificationFunctionRegion",
  title: "S3 notifications go to Lambda functions, SQS queues and SNS topics in the bucket's region",
  source: "https://docs.aws.amazon.com/prescriptive-guidance/latest/patterns/subscribe-a-lambda-function-to-event-notifications-from-s3-buckets-in-different-aws-regions.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const notification of ofType(graph, NOTIFICATION)) {
      const bucket = notificationBucket(graph, notification);
      const bucketRegion = regionOf(graph, bucket ?? notification, context);
      const bucketName = bucket ? `bucket ${bucket.name}` : `its bucket ${notification.inputs.bucket}`;
      const destinations = [
        ...asArray<Record<string, any>>(notification.inputs.lambdaFunctions).map((config) => ({ config, arn: config.lambdaFunctionArn, target: functionOf(graph, config.lambdaFunctionArn), kind: "function" as const })),
        ...NOTIFICATION_DESTINATIONS.flatMap((destination) =>
          asArray<Record<string, any>>(notification.inputs[destination.field]).map((config) => ({ config, arn: config[destination.arnField], target: referenced(graph, destination.type, config[destination.arnField]), kind: destination.kind })),
        ),
      ];
      for (const { config, arn, target, kind } of destinations) {
        const destinationRegion = target ? regionOf(graph, target, context) : typeof arn === "string" ? arnRegion(arn) : undefined;
        if (!destinationRegion || destinationRegion === bucketRegion) continue;
        const name = target?.name ?? arn;
        findings.push(
          kind === "function"
            ? finding(
                this.id,
                notification,
                `sends ${config.id ?? "events"} to ${name}, in ${destinationRegion}, but ${bucketName} is in ${bucketRegion}; S3 invokes only Lambda functions in the bucket's region, so it refuses the configuration`,
                `create the function in ${bucketRegion} (its region, or its provider's), or the bucket in ${destinationRegion}; to process one bucket's events in another region, send them to an SNS topic in the bucket's region and subscribe from there`,
              )
            : finding(
                this.id,
                notification,
                `sends ${config.id ?? "events"} to the ${kind} ${name}, in ${destinationRegion}, but ${bucketName} is in ${bucketRegion}; S3 sends notifications only to ${kind}s in the bucket's region, so it refuses the configuration ("The notification destination service region is not valid for the bucket location constraint")`,
                `create the ${kind} in ${bucketRegion} (its region, or its provider's), or the bucket in ${destinationRegion}; to consume one bucket's events in another region, send them to an SNS topic in the bucket's region and subscribe the other region's queue or function to it`,
              ),
        );
      }
    }
    return findings;
  },
};

/**
 * Schedule types: `rate(value unit)`, `cron(fields)` and one-time `at(yyyy-mm-ddThh:mm:ss)`,
 * evaluated in `scheduleExpressionTimezone`, an IANA time zone name.
 */
export const SCHEDULER_EXPRESSION: DeployRule = {
  id: "SchedulerExpression",
  title: "Schedules have a valid rate, cron or at expression and time zone",
  source: "https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const schedule of ofType(graph, SCHEDULE)) {
      const expression = String(schedule.inputs.scheduleExpression ?? "");
      if (!/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/.test(expression)) {
        try {
          parseScheduleExpression(expression);
        } catch (error) {
          if (!(error instanceof ScheduleExpressionError)) throw error;
          findings.push(finding(this.id, schedule, `has scheduleExpression "${expression}", which ${error.message}`, 'use e.g. "rate(5 minutes)" or "cron(0 3 * * ? *)"'));
        }
      }
      const timezone = schedule.inputs.scheduleExpressionTimezone;
      if (timezone !== undefined && !isTimeZone(String(timezone))) findings.push(finding(this.id, schedule, `has scheduleExpressionTimezone "${timezone}", which is not an IANA time zone`, 'use e.g. "UTC" or "Europe/Berlin"'));
    }
    return findings;
  },
};

/**
 * The ARN Scheduler assumes a schedule's role for: its group's, arn:…:scheduler:<region>:<account>:schedule-group/<group>,
 * from the schedule's arn:…:scheduler:<region>:<account>:schedule/<group>/<name>. "The value of aws:SourceArn must be
 * your EventBridge Scheduler schedule group ARN … Do not scope the aws:SourceArn statement to a specific schedule"
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html). Undefined
 * for an ARN of another shape, so the role's conditions are not judged.
 */
function scheduleGroupArn(scheduleArn: unknown): string | undefined {
  const [prefix, partition, service, region, account, resource] = (typeof scheduleArn === "string" && arnComponents(scheduleArn)) || [];
  const group = prefix === "arn" && partition && service === "scheduler" && region && /^\d{12}$/.test(account) ? /^schedule\/([^/]+)\/[^/]+$/.exec(resource)?.[1] : undefined;
  return group ? `arn:${partition}:scheduler:${region}:${account}:schedule-group/${group}` : undefined;
}

/**
 * RetryPolicy (0–185 retries, 60–86400 s), FlexibleTimeWindow (1–1440 minutes, only in FLEXIBLE
 * mode), a standard (not FIFO) queue as the dead-letter queue, and an execution role that
 * scheduler.amazonaws.com may assume and that may invoke the target and send to the queue:
 * "To configure either templated or universal targets, your schedule must have permission to call
 * the API operation that you configure as your target." The role is trusted as trustsService reads a trust policy,
 * for the schedule's group (scheduleGroupArn): conditions another group or account meets leave Scheduler out.
 */
export const SCHEDULER_TARGET: DeployRule = {
  id: "SchedulerTarget",
  title: "Schedules retry within Scheduler's limits and run as a role that may invoke their target",
  source: "https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const schedule of ofType(graph, SCHEDULE)) {
      const report = (problem: string, fix: string) => findings.push(finding(this.id, schedule, problem, fix));
      const target = schedule.inputs.target ?? {};
      const retry = target.retryPolicy ?? {};
      if (retry.maximumRetryAttempts !== undefined && !(Number.isInteger(retry.maximumRetryAttempts) && retry.maximumRetryAttempts >= 0 && retry.maximumRetryAttempts <= 185)) {
        report(`retries ${retry.maximumRetryAttempts} times; Scheduler allows 0–185`, "set retryPolicy.maximumRetryAttempts between 0 and 185");
      }
      if (retry.maximumEventAgeInSeconds !== undefined && !(Number.isInteger(retry.maximumEventAgeInSeconds) && retry.maximumEventAgeInSeconds >= 60 && retry.maximumEventAgeInSeconds <= 86400)) {
        report(`keeps events ${retry.maximumEventAgeInSeconds} s; Scheduler allows 60–86400`, "set retryPolicy.maximumEventAgeInSeconds between 60 and 86400");
      }
      const window = schedule.inputs.flexibleTimeWindow ?? {};
      if (window.mode === "FLEXIBLE" && !(Number.isInteger(window.maximumWindowInMinutes) && window.maximumWindowInMinutes >= 1 && window.maximumWindowInMinutes <= 1440)) {
        report(`has a FLEXIBLE window of ${window.maximumWindowInMinutes ?? "(unset)"} minutes; Scheduler takes 1–1440`, "set flexibleTimeWindow.maximumWindowInMinutes between 1 and 1440");
      }
      if (window.mode === "OFF" && window.maximumWindowInMinutes !== undefined) report("sets maximumWindowInMinutes with the window OFF", "remove maximumWindowInMinutes, or use mode FLEXIBLE");
      const dlq = target.deadLetterConfig?.arn;
      if (typeof dlq === "string" && dlq.endsWith(".fifo")) report(`sends dead letters to the FIFO queue ${dlq}; Scheduler takes standard queues only`, "use a standard SQS queue");
      const role = ofType(graph, ROLE).find((r) => r.state.arn === target.roleArn);
      if (!role) continue; // a role from outside the program: nothing to check against
      if (!trustsService(role, "scheduler.amazonaws.com", scheduleGroupArn(schedule.state.arn))) {
        report(`runs as ${role.name}, which scheduler.amazonaws.com cannot assume`, "trust scheduler.amazonaws.com in the role's assume-role policy, with conditions the schedule's group meets (aws:SourceArn the schedule group's ARN, aws:SourceAccount its account)");
      }
      const { grants, complete } = roleGrants(graph, role);
      if (!complete) continue; // a managed policy this pack cannot read (AWSLambdaRole, another stack's) may allow what is needed
      const allows = (action: string, resource: string) => granting(grants, action, resource).length > 0;
      if (functionOf(graph, target.arn) && !allows("lambda:InvokeFunction", target.arn)) {
        report(`runs as ${role.name}, which may not lambda:InvokeFunction ${target.arn}; every invocation fails`, "allow lambda:InvokeFunction on the target function's ARN in the execution role");
      }
      if (typeof dlq === "string" && !allows("sqs:SendMessage", dlq)) {
        report(`runs as ${role.name}, which may not sqs:SendMessage to its dead-letter queue; dead letters are lost`, "allow sqs:SendMessage on the queue's ARN in the execution role");
      }
    }
    return findings;
  },
};

/** "Maximum retry attempts: 0 to 2"; "Maximum age of event: 60 seconds to 6 hours". */
export const LAMBDA_ASYNC_INVOKE_LIMITS: DeployRule = {
  id: "LambdaAsyncInvokeLimits",
  title: "Asynchronous invocation settings are within Lambda's ranges",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const config of ofType(graph, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")) {
      const { maximumRetryAttempts: retries, maximumEventAgeInSeconds: age } = config.inputs;
      if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 2)) findings.push(finding(this.id, config, `retries ${retries} times; Lambda retries asynchronous events 0–2 times`, "set maximumRetryAttempts to 0, 1 or 2"));
      if (age !== undefined && !(Number.isInteger(age) && age >= 60 && age <= 21600)) findings.push(finding(this.id, config, `keeps events ${age} s; Lambda keeps them 60–21600 s`, "set maximumEventAgeInSeconds between 60 and 21600"));
    }
    return findings;
  },
};

/**
 * What Lambda does with a destination, by the destination ARN's service: the execution-role actions it delivers with,
 * on what, from the table of destination permissions ("Amazon SQS queue – sqs:SendMessage", "Amazon SNS topic –
 * sns:Publish", "Amazon S3 bucket (on failure only) – s3:PutObject, s3:ListBucket", "Lambda function –
 * lambda:InvokeFunction", "EventBridge – events:PutEvents"; the event source mapping pages list the same for SQS, SNS
 * and S3: https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html), and what findings call the destination.
 * A bucket takes each record as an object (PutObject on its objects) and is listed (ListBucket on the bucket itself).
 */
const DESTINATIONS: Record<string, { kind: string; grants: (arn: string) => Array<{ action: string; resource: string }> }> = {
  sqs: { kind: "queue", grants: (arn) => [{ action: "sqs:SendMessage", resource: arn }] },
  sns: { kind: "topic", grants: (arn) => [{ action: "sns:Publish", resource: arn }] },
  lambda: { kind: "function", grants: (arn) => [{ action: "lambda:InvokeFunction", resource: arn }] },
  events: { kind: "event bus", grants: (arn) => [{ action: "events:PutEvents", resource: arn }] },
  s3: { kind: "bucket", grants: (arn) => [{ action: "s3:PutObject", resource: `${arn}/*` }, { action: "s3:ListBucket", resource: arn }] },
};

/**
 * Destinations Lambda does not deliver asynchronous invocation records to, reported on their own (their permissions
 * are not checked): FIFO queues and topics ("an unsupported destination type, such as an Amazon SQS FIFO queue or an
 * Amazon SNS FIFO topic", seen as DestinationDeliveryFailures), and a bucket as an on-success destination ("Amazon S3
 * bucket (on failure only)"). Event source mappings are not held to these: Lambda's pages on their destinations name no
 * FIFO restriction, so their FIFO destinations are checked for permissions like any other.
 */
function unsupportedAsyncDestination(condition: string, arn: string): string | undefined {
  const kind = DESTINATIONS[arn.split(":")[2]]?.kind ?? "destination";
  if (arn.endsWith(".fifo")) return `sends ${condition} records to the FIFO ${kind} ${arn}; Lambda sends them to standard queues and topics only`;
  if (condition === "on-success" && arn.split(":")[2] === "s3") return `sends ${condition} records to the ${kind} ${arn}; Lambda sends asynchronous records to a bucket on failure only`;
  return undefined;
}

/**
 * What an event source mapping's role must allow on a stream before CreateEventSourceMapping, which fails with "Cannot
 * access stream … Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams
 * Actions on your stream in IAM". DynamoDB: the four the Lambda docs list. Kinesis: the three that both that error and
 * the Lambda docs name (the docs' other actions are used later, while polling). Kinesis consumers are not checked.
 * An SQS queue: the three the Lambda docs list for polling (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html,
 * the AWSLambdaSQSQueueExecutionRole policy); without them the mapping fails with "The provided execution role does not
 * have permissions to call ReceiveMessage on SQS" (aws/aws-cdk#6770).
 */
const STREAM_SOURCES: Array<{ arn: RegExp; kind: string; actions: string[] }> = [
  { arn: /^arn:[^:]+:dynamodb:[^:]*:\d*:table\/[^/]+\/stream\/.+$/, kind: "stream", actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"] },
  { arn: /^arn:[^:]+:kinesis:[^:]*:\d*:stream\/[^/]+$/, kind: "stream", actions: ["kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator"] },
  { arn: SQS_ARN, kind: "queue", actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"] },
];

/** The on-failure and on-success destination ARNs of an invoke config (`destination`) or event source mapping (`destinationArn`). */
function destinationsOf(config: RecordedResource): Array<{ condition: string; arn: string }> {
  const { onFailure, onSuccess } = config.inputs.destinationConfig ?? {};
  return [["on-failure", onFailure], ["on-success", onSuccess]].flatMap(([condition, target]) => {
    const arn = target?.destination ?? target?.destinationArn;
    return typeof arn === "string" && arn ? [{ condition, arn }] : [];
  });
}

/** Something Lambda does as the function's role, and checks it may, when the configuration is put: `actions` on `resource`. */
interface RoleNeed {
  /** `sends on-failure records to`, `reads`. */
  verb: string;
  /** What the ARN names in findings: `queue`, `stream`. */
  kind: string;
  arn: string;
  actions: string[];
  /** What the actions act on: the ARN itself, or (an S3 bucket) its objects. */
  resource: string;
}

function roleNeeds(config: RecordedResource): RoleNeed[] {
  const needs: RoleNeed[] = [];
  for (const { condition, arn } of destinationsOf(config)) {
    const destination = DESTINATIONS[arn.split(":")[2]];
    if (!destination) continue;
    if (config.type === INVOKE_CONFIG && unsupportedAsyncDestination(condition, arn)) continue; // reported on its own
    for (const { action, resource } of destination.grants(arn)) needs.push({ verb: `sends ${condition} records to`, kind: destination.kind, arn, actions: [action], resource });
  }
  const source = config.inputs.eventSourceArn;
  const stream = typeof source === "string" ? STREAM_SOURCES.find((s) => s.arn.test(source)) : undefined;
  if (stream) needs.push({ verb: "reads", kind: stream.kind, arn: source, actions: stream.actions, resource: source });
  return needs;
}

/**
 * Lambda acts as the function's execution role for destinations and stream and queue sources, and checks the role when the
 * configuration is put: PutFunctionEventInvokeConfig / CreateEventSourceMapping fail with InvalidParameterValueException
 * ("The provided execution role does not have permissions to call SendMessage on SQS"; for a stream, "Cannot access
 * stream …"). So the role must allow the delivery action on the destination (and, for a stream mapping, the stream
 * reads), and the policy that allows it must exist first: be in the configuration's dependency closure. Asynchronous
 * records go to standard queues and topics, and to a bucket on failure only (`unsupportedAsyncDestination`); a FIFO
 * destination is not refused when put, its records fail at delivery. A role with a managed policy this pack cannot
 * read is not checked for permissions.
 */
export const LAMBDA_FAILURE_DESTINATION: DeployRule = {
  id: "LambdaFailureDestination",
  title: "Lambda destinations and stream and queue sources are allowed to the function's role, by a policy created first; async destinations are ones Lambda delivers to",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const config of [...ofType(graph, INVOKE_CONFIG), ...ofType(graph, EVENT_SOURCE_MAPPING)]) {
      const report = (problem: string, fix: string) => findings.push(finding(this.id, config, problem, fix));
      const noun = config.type === INVOKE_CONFIG ? "configuration" : "mapping";
      if (config.type === INVOKE_CONFIG) {
        for (const { condition, arn } of destinationsOf(config)) {
          const unsupported = unsupportedAsyncDestination(condition, arn);
          if (unsupported) report(unsupported, arn.endsWith(".fifo") ? "use a standard SQS queue or SNS topic" : "send on-success records to a queue, topic, function or event bus, or make the bucket the on-failure destination");
        }
      }
      const fn = functionOf(graph, config.inputs.functionName);
      const role = fn && referenced(graph, ROLE, fn.inputs.role);
      if (!role) continue; // a function or role from outside the program: nothing to check against
      const { grants, complete } = roleGrants(graph, role);
      if (!complete) continue; // a managed policy this pack cannot read may allow what is needed
      const before = dependencyClosure(graph, config);
      for (const need of roleNeeds(config)) {
        const missing = need.actions.filter((action) => granting(grants, action, need.resource).length === 0);
        if (missing.length > 0) {
          const on = need.resource === need.arn ? "it" : need.resource;
          report(`${need.verb} the ${need.kind} ${need.arn}, but its function's role ${role.name} may not ${missing.join(", ")} on ${on}; Lambda refuses the ${noun} (InvalidParameterValueException)`, `allow ${missing.join(", ")} on ${need.resource} in a policy of ${role.name}, and make the ${noun} depend on that policy`);
          continue;
        }
        // Each action needs one grant created before the configuration; name the policy that gives it, per policy.
        const late = new Map<RecordedResource, string[]>();
        for (const action of need.actions) {
          const grantsOfAction = granting(grants, action, need.resource);
          if (!grantsOfAction.some((g) => before.has(g.carrier.urn))) late.set(grantsOfAction[0].carrier, [...(late.get(grantsOfAction[0].carrier) ?? []), action]);
        }
        for (const [carrier, actions] of late) {
          report(`does not depend on ${carrier.name}, which grants ${role.name} ${actions.join(", ")} on the ${need.kind} ${need.arn}; the engine may create the ${noun} first, and Lambda refuses it`, `add dependsOn: [${carrier.name}] to the ${noun}`);
        }
      }
    }
    return findings;
  },
};

export const EVENT_RULES: DeployRule[] = [
  S3_NOTIFICATION_LAMBDA_PERMISSION, S3_NOTIFICATION_OVERLAP, S3_NOTIFICATION_ONE_PER_BUCKET, S3_NOTIFICATION_FUNCTION_REGION,
  SCHEDULER_EXPRESSION, SCHEDULER_TARGET, LAMBDA_ASYNC_INVOKE_LIMITS, LAMBDA_FAILURE_DESTINATION,
];
