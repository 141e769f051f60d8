/**
 * Deploy rules for the event-driven resources: S3 event notifications to Lambda, EventBridge
 * Scheduler schedules, Lambda's asynchronous invocation settings, and IAM statement ids.
 */
import { S3_EVENT_TYPES, keysOverlap, sharedEventTypes } from "../../components/bucket-events";
import { isTimeZone, parseScheduleExpression, ScheduleExpressionError } from "../../components/schedule-expression";
import { asArray, dependencyClosure, ofType, policyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, referenced, type DeployFinding, type DeployRule } from "./rule";

const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const PERMISSION = "aws:lambda/permission:Permission";
const FUNCTION = "aws:lambda/function:Function";
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

const bucketOf = (graph: Graph, notification: RecordedResource) => BUCKET_TYPES.map((t) => referenced(graph, t, notification.inputs.bucket)).find(Boolean);
/** The function a (possibly qualified) function ARN or name points at. */
const functionOf = (graph: Graph, reference: unknown) =>
  referenced(graph, FUNCTION, reference) ?? (typeof reference === "string" ? referenced(graph, FUNCTION, reference.replace(/:(\$LATEST|\d+|[A-Za-z][\w-]*)$/, "")) : undefined);

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
      const bucket = bucketOf(graph, notification);
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
 * RetryPolicy (0–185 retries, 60–86400 s), FlexibleTimeWindow (1–1440 minutes, only in FLEXIBLE
 * mode), a standard (not FIFO) queue as the dead-letter queue, and an execution role that
 * scheduler.amazonaws.com may assume and that may invoke the target and send to the queue:
 * "To configure either templated or universal targets, your schedule must have permission to call
 * the API operation that you configure as your target."
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
      const role = ofType(graph, "aws:iam/role:Role").find((r) => r.state.arn === target.roleArn);
      if (!role) continue; // a role from outside the program: nothing to check against
      const trust = policyDocument(role.inputs.assumeRolePolicy).Statement;
      if (!trust.some((s) => asArray<string>(s.Principal?.Service).includes("scheduler.amazonaws.com"))) {
        report(`runs as ${role.name}, which scheduler.amazonaws.com cannot assume`, "trust scheduler.amazonaws.com in the role's assume-role policy");
      }
      const allowed = rolePolicies(graph, role).flatMap((s) => asArray<string>(s.Action).flatMap((a) => asArray<string>(s.Resource).map((r) => [a, r] as const)));
      const allows = (action: string, resource: string) => allowed.some(([a, r]) => a === action && (r === resource || r === "*"));
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

function rolePolicies(graph: Graph, role: RecordedResource): Array<Record<string, any>> {
  const ids = [role.id, role.state.name, role.state.arn].filter(Boolean);
  return ofType(graph, "aws:iam/rolePolicy:RolePolicy")
    .filter((p) => ids.includes(p.inputs.role))
    .flatMap((p) => policyDocument(p.inputs.policy).Statement)
    .filter((s) => (s.Effect ?? "Allow") === "Allow");
}

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

/** "In IAM, the Sid value must be unique within a JSON policy." */
export const IAM_UNIQUE_SID: DeployRule = {
  id: "IamUniqueSid",
  title: "Statement ids are unique within each IAM policy",
  source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const carrier of [...ofType(graph, "aws:iam/rolePolicy:RolePolicy"), ...ofType(graph, "aws:iam/policy:Policy")]) {
      const sids = policyDocument(carrier.inputs.policy).Statement.map((s) => s.Sid).filter((sid): sid is string => typeof sid === "string");
      const repeated = [...new Set(sids.filter((sid, i) => sids.indexOf(sid) !== i))];
      if (repeated.length > 0) findings.push(finding(this.id, carrier, `repeats statement id${repeated.length > 1 ? "s" : ""} ${repeated.join(", ")}; IAM refuses the policy`, "give every statement its own Sid (or merge the statements)"));
    }
    return findings;
  },
};

export const EVENT_RULES: DeployRule[] = [
  S3_NOTIFICATION_LAMBDA_PERMISSION, S3_NOTIFICATION_OVERLAP, S3_NOTIFICATION_ONE_PER_BUCKET,
  SCHEDULER_EXPRESSION, SCHEDULER_TARGET, LAMBDA_ASYNC_INVOKE_LIMITS, IAM_UNIQUE_SID,
];
