/**
 * `schedule` on a LambdaFunction: an EventBridge Scheduler schedule that invokes the function at a
 * rate or on a cron expression in a time zone, with a retry policy, an encrypted dead-letter queue
 * for invocations Scheduler gives up on, and an execution role allowed to invoke exactly this
 * function (and send to exactly that queue). The expression is checked when the program runs —
 * syntax, and an interval no shorter than the schedule's `minimumIntervalMinutes` — never at
 * deploy time. `npm start` fires the same schedules (local/scheduler.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import { policyJson, type PolicyStatement } from "../iam";
import { checkRetentionDays, createDeadLetterQueue } from "../queues";
import { checkWholeNumberInRange } from "../ranges";
import { isTimeZone, parseScheduleExpression, ScheduleExpressionError, shortestIntervalMinutes, type ParsedSchedule } from "../schedule-expression";

/** An EventBridge Scheduler schedule that invokes the function. */
export interface FunctionScheduleArgs {
  /** `rate(value unit)` (e.g. `"rate(1 hour)"`) or `cron(minutes hours day-of-month month day-of-week year)` (e.g. `"cron(0 3 * * ? *)"`). */
  expression: string;
  /**
   * IANA time zone the cron expression is evaluated in (daylight saving time included), e.g. `"Europe/Berlin"`.
   * @default "UTC"
   */
  timezone?: string;
  /**
   * Let Scheduler invoke up to this many minutes after the scheduled time (1–1440), spreading load.
   * @default off (invoked at the scheduled minute)
   */
  flexibleWindowMinutes?: number;
  /**
   * The event the function receives, as JSON. String values may be Scheduler's context attributes,
   * e.g. `"<aws.scheduler.scheduled-time>"`, which Scheduler replaces when it invokes.
   * @default {"source":"serverless-fullstack.schedule","schedule":"<function name>","time":"<aws.scheduler.scheduled-time>"}
   */
  input?: Record<string, unknown>;
  /**
   * Times Scheduler retries an invocation Lambda refused (throttled, unavailable), 0–185.
   * @default 3
   */
  maxRetryAttempts?: number;
  /**
   * Seconds after the scheduled time Scheduler keeps retrying, 60–86400.
   * @default 3600
   */
  maxEventAgeSeconds?: number;
  /**
   * Days the dead-letter queue keeps invocations Scheduler gave up on, 1–14.
   * @default 14
   */
  deadLetterRetentionDays?: number;
  /**
   * The shortest interval the expression may fire at, in minutes: a guard against a schedule that would
   * run (and bill) far more often than meant. EventBridge's own floor is one minute.
   * @default 1
   */
  minimumIntervalMinutes?: number;
  /**
   * Create the schedule disabled (it exists, but does not fire).
   * @default true
   */
  enabled?: boolean;
}

/** The normalised schedule: what the deployed Scheduler and the local scheduler run. */
export interface FunctionScheduleSpec {
  expression: string;
  timezone: string;
  flexibleWindowMinutes?: number;
  input: Record<string, unknown>;
  maxRetryAttempts: number;
  maxEventAgeSeconds: number;
  deadLetterRetentionDays: number;
  minimumIntervalMinutes: number;
  enabled: boolean;
}

/** The schedule role's resource name is the function's plus this (LambdaFunction checks the name fits IAM's 64). */
export const SCHEDULE_ROLE_SUFFIX = "-schedule-role";

/** EventBridge Scheduler's limits (RetryPolicy and FlexibleTimeWindow in the Scheduler API reference). */
export const SCHEDULE_LIMITS = {
  // https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
  retries: { min: 0, max: 185 },
  eventAgeSeconds: { min: 60, max: 86400 },
  // https://docs.aws.amazon.com/scheduler/latest/APIReference/API_FlexibleTimeWindow.html
  flexibleWindowMinutes: { min: 1, max: 1440 },
} as const;

/**
 * Scheduler's context attributes, replaced in the target's input at each invocation:
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html
 */
export const SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";
export const CONTEXT_ATTRIBUTES = ["<aws.scheduler.schedule-arn>", SCHEDULED_TIME, "<aws.scheduler.execution-id>", "<aws.scheduler.attempt-number>"] as const;

export function validateSchedule(fail: ArgFailure, schedule: FunctionScheduleArgs, edge: boolean): void {
  if (edge) fail("schedule", schedule.expression, "is set on a Lambda@Edge function, which only CloudFront invokes", "Schedule a regional function instead.");
  const parsed = parseExpression(fail, schedule.expression);
  const minimum = schedule.minimumIntervalMinutes ?? 1;
  if (!Number.isInteger(minimum) || minimum < 1) fail("schedule.minimumIntervalMinutes", minimum, "is not a whole number of minutes of at least 1", "Use 1 or more.");
  const shortest = shortestIntervalMinutes(parsed);
  if (shortest < minimum) {
    fail("schedule.expression", schedule.expression, `fires every ${shortest} minute${shortest === 1 ? "" : "s"}, more often than minimumIntervalMinutes (${minimum})`, "Use a slower expression, or lower minimumIntervalMinutes if that rate is intended.");
  }
  if (schedule.timezone !== undefined && !isTimeZone(schedule.timezone)) {
    fail("schedule.timezone", schedule.timezone, "is not an IANA time zone name", 'Use e.g. "UTC", "Europe/Berlin" or "America/New_York".');
  }
  const limit = "EventBridge Scheduler's range";
  checkWholeNumberInRange(fail, "schedule.maxRetryAttempts", schedule.maxRetryAttempts, SCHEDULE_LIMITS.retries, { limit, unit: "retries" });
  checkWholeNumberInRange(fail, "schedule.maxEventAgeSeconds", schedule.maxEventAgeSeconds, SCHEDULE_LIMITS.eventAgeSeconds, { limit, unit: "seconds" });
  checkWholeNumberInRange(fail, "schedule.flexibleWindowMinutes", schedule.flexibleWindowMinutes, SCHEDULE_LIMITS.flexibleWindowMinutes, { limit, unit: "minutes" });
  checkRetentionDays(fail, "schedule.deadLetterRetentionDays", schedule.deadLetterRetentionDays);
}

/** The parsed expression, or a construction error that says what is wrong with it. */
export function parseExpression(fail: ArgFailure, expression: string, argument = "schedule.expression"): ParsedSchedule {
  try {
    return parseScheduleExpression(expression ?? "");
  } catch (error) {
    if (!(error instanceof ScheduleExpressionError)) throw error;
    return fail(argument, expression, error.message, 'Use e.g. "rate(5 minutes)", "rate(1 day)" or "cron(0 3 * * ? *)" (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).');
  }
}

export function normaliseSchedule(functionName: string, schedule: FunctionScheduleArgs): FunctionScheduleSpec {
  return {
    expression: parseScheduleExpression(schedule.expression).expression,
    timezone: schedule.timezone ?? "UTC",
    flexibleWindowMinutes: schedule.flexibleWindowMinutes,
    // The scheduled time (not the delivery time, which retries delay) lets handlers name their work idempotently.
    input: schedule.input ?? { source: "serverless-fullstack.schedule", schedule: functionName, time: SCHEDULED_TIME },
    maxRetryAttempts: schedule.maxRetryAttempts ?? 3,
    maxEventAgeSeconds: schedule.maxEventAgeSeconds ?? 3600,
    deadLetterRetentionDays: schedule.deadLetterRetentionDays ?? 14,
    minimumIntervalMinutes: schedule.minimumIntervalMinutes ?? 1,
    enabled: schedule.enabled ?? true,
  };
}

export interface CreatedSchedule {
  schedule: aws.scheduler.Schedule;
  role: aws.iam.Role;
  deadLetterQueue: aws.sqs.Queue;
}

/** The schedule, its dead-letter queue, and the execution role Scheduler assumes to invoke `functionArn`. */
export function createSchedule(name: string, spec: FunctionScheduleSpec, functionArn: pulumi.Output<string>, region: string | undefined, parent: pulumi.Resource): CreatedSchedule {
  const deadLetterQueue = createDeadLetterQueue(`${name}-schedule-dlq`, { retentionDays: spec.deadLetterRetentionDays, region }, { parent });
  const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
  // "Set up the execution role": trusted by scheduler.amazonaws.com, limited to schedules of this
  // account (aws:SourceAccount) against the confused-deputy problem.
  // https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
  const role = new aws.iam.Role(
    `${name}${SCHEDULE_ROLE_SUFFIX}`,
    {
      assumeRolePolicy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": account } } }],
      }),
    },
    { parent },
  );
  const statements: PolicyStatement[] = [
    { sid: "InvokeScheduledFunction", actions: ["lambda:InvokeFunction"], resources: [functionArn] },
    // Scheduler delivers dead-letter events with the execution role's permissions:
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
    { sid: "SendToScheduleDeadLetterQueue", actions: ["sqs:SendMessage"], resources: [deadLetterQueue.arn] },
  ];
  const policy = new aws.iam.RolePolicy(`${name}-schedule-policy`, { role: role.id, policy: policyJson(statements) }, { parent });
  const schedule = new aws.scheduler.Schedule(
    `${name}-schedule`,
    {
      description: `Invokes ${name} on ${spec.expression}`,
      scheduleExpression: spec.expression,
      scheduleExpressionTimezone: spec.timezone,
      flexibleTimeWindow: spec.flexibleWindowMinutes ? { mode: "FLEXIBLE", maximumWindowInMinutes: spec.flexibleWindowMinutes } : { mode: "OFF" },
      state: spec.enabled ? "ENABLED" : "DISABLED",
      target: {
        arn: functionArn,
        roleArn: role.arn,
        input: JSON.stringify(spec.input),
        retryPolicy: { maximumRetryAttempts: spec.maxRetryAttempts, maximumEventAgeInSeconds: spec.maxEventAgeSeconds },
        deadLetterConfig: { arn: deadLetterQueue.arn },
      },
      region,
    },
    // The role must allow the invoke before the first firing.
    { parent, dependsOn: [policy] },
  );
  return { schedule, role, deadLetterQueue };
}
