/** Monitoring's argument checks: alarm timing CloudWatch accepts, usable target keys, dimension values, workflow ARNs, email addresses. */
import { arnRegion, eventBusNameOf } from "../arn";
import { DEFAULT_EVENT_BUS_NAME } from "../event-bus/spec";
import type { ArgFailure } from "../errors";
import { fitName } from "../names";
import { AlarmKind, alarmSpecs, alarmTiming, QUERY_ALARM_KINDS, type AlarmOverride, type AlarmOverrides, type AlarmSpec, type MonitoredRule, type MonitoredTarget, type MonitoredWorkflow, type MonitoringTargets } from "./alarms";

/**
 * PutMetricAlarm: "Valid values are 10, 20, 30, and any multiple of 60"; "Period multiplied by EvaluationPeriods can't be
 * more than 604,800 seconds. For alarms with a period of less than one hour (3,600 seconds), the total evaluation period
 * can't be longer than one day (86,400 seconds)"; DatapointsToAlarm is the M of an "M out of N" alarm (N = EvaluationPeriods).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
export const ALARM_LIMITS = {
  highResolutionPeriods: [10, 20, 30],
  maxEvaluationSeconds: 604_800,
  maxEvaluationSecondsUnderAnHour: 86_400,
  /** Metrics Insights alarms query the most recent three hours (Create_Metrics_Insights_Alarm.html). */
  maxInsightsEvaluationSeconds: 10_800,
  /** AlarmDescription: "Length Constraints: Minimum length of 0. Maximum length of 1024." (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html) */
  maxDescriptionCharacters: 1024,
} as const;

/** Why CloudWatch would refuse this timing, or undefined. Shared with the deploy rule `AlarmTiming`. */
export function alarmTimingProblem(periodSeconds: number, evaluationPeriods: number, datapointsToAlarm: number | undefined): string | undefined {
  if (!Number.isInteger(periodSeconds) || !((ALARM_LIMITS.highResolutionPeriods as readonly number[]).includes(periodSeconds) || (periodSeconds > 0 && periodSeconds % 60 === 0))) {
    return `period ${periodSeconds} s is not 10, 20, 30 or a multiple of 60`;
  }
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) return `evaluationPeriods ${evaluationPeriods} is not a whole number of at least 1`;
  const total = periodSeconds * evaluationPeriods;
  const limit = periodSeconds < 3600 ? ALARM_LIMITS.maxEvaluationSecondsUnderAnHour : ALARM_LIMITS.maxEvaluationSeconds;
  if (total > limit) return `evaluates ${total} s (period × evaluationPeriods); CloudWatch allows ${limit} s${periodSeconds < 3600 ? " for periods under an hour" : ""}`;
  if (datapointsToAlarm !== undefined && (!Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods)) {
    return `datapointsToAlarm ${datapointsToAlarm} is not 1–${evaluationPeriods} (the evaluation periods)`;
  }
  return undefined;
}

/**
 * Dimension (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html): "You can assign up to
 * 30 dimensions to a metric" (PutMetricAlarm's Dimensions: "Maximum number of 30 items"); a Name is 1–255 characters, a
 * Value 1–1024, both "must contain only ASCII characters" and "at least one non-whitespace character", with "ASCII
 * control characters … not supported", and a Name "cannot start with a colon (:)". Shared with the deploy rule
 * `AlarmDimensionLimits`.
 */
export const DIMENSION_LIMITS = { maxDimensions: 30, maxNameCharacters: 255, maxValueCharacters: 1024 } as const;

/** Printable ASCII: no control characters (0x00–0x1F, 0x7F), nothing beyond 0x7F. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function dimensionTextProblem(text: string, max: number): string | undefined {
  if (!/\S/.test(text)) return text === "" ? "is empty" : "is whitespace only";
  if (text.length > max) return `is ${text.length} characters, over ${max}`;
  if (!PRINTABLE_ASCII.test(text)) return "has characters other than printable ASCII (non-ASCII or control characters)";
  return undefined;
}

/** Why CloudWatch would refuse `value` as a dimension value, or undefined. */
export function dimensionValueProblem(value: string): string | undefined {
  return dimensionTextProblem(value, DIMENSION_LIMITS.maxValueCharacters);
}

/** Why CloudWatch would refuse `name` as a dimension name, or undefined. */
export function dimensionNameProblem(name: string): string | undefined {
  return dimensionTextProblem(name, DIMENSION_LIMITS.maxNameCharacters) ?? (name.startsWith(":") ? "starts with a colon" : undefined);
}

/**
 * PutDashboard: "The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_""
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html); the provider checks
 * `^[0-9A-Za-z_-]+$` and ≤ 255 before it calls AWS (terraform-provider-aws, internal/service/cloudwatch/validate.go `validDashboardName`).
 */
export const DASHBOARD_NAME = /^[0-9A-Za-z_-]{1,255}$/;

const DASHBOARD_NAME_MAX = 255;
const DASHBOARD_NAME_CHARACTERS = "0-9A-Za-z_-";

/** `name` with every character a dashboard name may not have made a hyphen, cut to 255: a suggestion for a name to type. */
function sanitisedDashboardName(name: string): string {
  return name.replace(new RegExp(`[^${DASHBOARD_NAME_CHARACTERS}]`, "g"), "-").slice(0, DASHBOARD_NAME_MAX);
}

/**
 * The default dashboard name for `name` (`<project>-<stack>`): `name` itself when PutDashboard takes it, so the
 * dashboards of existing stacks keep their names. Otherwise (Pulumi project and stack names may contain periods) every
 * other character made a hyphen, cut to fit, and a hash of the original at the end (components/names.ts): dashboards
 * are global to the account and a put replaces a dashboard of the same name, so the stacks `prod.eu` and `prod-eu`
 * must not both get `<project>-prod-eu`.
 */
export function dashboardNameOf(name: string): string {
  return fitName(name, DASHBOARD_NAME_MAX, { characters: DASHBOARD_NAME_CHARACTERS });
}

const KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;
/**
 * A state machine's own ARN, `arn:<partition>:states:<region>:<account>:stateMachine:<name>`: the StateMachineArn
 * dimension of the execution metrics. An execution started through a version or alias is told by a Version or Alias
 * dimension beside it, not by a qualified ARN (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html,
 * "Dimensions for executions with version").
 */
export const STATE_MACHINE_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;

/** A workflow target's ARN, when the program knows it: a state machine's own, in the target's region. */
function validateWorkflow(fail: ArgFailure, key: string, workflow: MonitoredWorkflow): void {
  const arn = workflow.stateMachineArn;
  if (typeof arn !== "string") return;
  if (!STATE_MACHINE_ARN.test(arn)) {
    fail(`workflows.${key}.stateMachineArn`, arn, "is not a state machine's ARN (arn:<partition>:states:<region>:<account>:stateMachine:<name>, without a version or alias), which the execution metrics are reported by", "Use Workflow.stateMachineArn, or list the Workflow in monitoringTargets({ workflows }).");
  }
  const region = arnRegion(arn);
  // "" is the provider's region, as in every component's `region`: the ARN's region is used then (workflowRegion).
  if (workflow.region && region !== workflow.region) {
    fail(`workflows.${key}.region`, workflow.region, `is not the region of the state machine ${JSON.stringify(arn)}, where its metrics are (an alarm watches a metric of its own region)`, `Use "${region}".`);
  }
}
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An alarm address as Monitoring tells addresses apart: in lower case (EMAIL already refuses surrounding whitespace, so
 * nothing needs trimming). Subscriptions are named by it
 * (index.ts) and two addresses with one key are refused. Mail domains are case-insensitive, and whether SNS tells
 * `Ops@example.com` from `ops@example.com` is not documented, so they count as one address.
 */
export function alarmEmailKey(email: string): string {
  return email.toLowerCase();
}

/**
 * `inherited`: the `defaults` a target's overrides go over (undefined when checking `defaults` themselves). An
 * override's timing is judged as the alarm gets it (alarmTiming: the kind's defaults, then `defaults`, then the
 * target's own), so an M of 2 over a kind's N of 2 is taken, and a target's N of 1 under defaults' M of 3 is refused.
 */
function validateOverrides(fail: ArgFailure, at: string, overrides: AlarmOverrides | undefined, inherited?: AlarmOverrides): void {
  for (const [kind, override] of Object.entries(overrides ?? {}) as Array<[string, AlarmOverride | undefined]>) {
    if (!(Object.values(AlarmKind) as string[]).includes(kind)) fail(`${at}.${kind}`, override, "is not an alarm kind", `Use one of ${Object.values(AlarmKind).join(", ")}.`);
    if (!override) continue;
    if (override.description !== undefined && typeof override.description !== "string") fail(`${at}.${kind}.description`, override.description, "is not a string", 'Use text such as "executions carry on, delayed: nothing to do unless it lasts".');
    if (override.threshold !== undefined && !Number.isFinite(override.threshold)) fail(`${at}.${kind}.threshold`, override.threshold, "is not a number", "Use a finite number.");
    // CloudWatch takes any threshold, but ALARM_DEFAULTS compare with GreaterThanOrEqualToThreshold: at 0 or below,
    // every datapoint breaches, the zeros a quiet function reports included, and the alarm never clears.
    if (override.threshold !== undefined && override.threshold <= 0) {
      fail(
        `${at}.${kind}.threshold`,
        override.threshold,
        "is not above 0: every alarm fires at metric ≥ threshold, so 0 is in alarm whenever the metric has a datapoint (a function's Errors is 0 on every invoked minute)",
        "Use 1 to alarm on any error, or a fraction such as 0.5 for a rate.",
      );
    }
    if (override.periodSeconds === undefined && override.evaluationPeriods === undefined && override.datapointsToAlarm === undefined) continue;
    const base = inherited?.[kind as AlarmKind];
    const timing = alarmTiming(kind as AlarmKind, base, override);
    // Named when the defaults' timing takes part, so the fix can be made in either.
    const over = base && (base.periodSeconds !== undefined || base.evaluationPeriods !== undefined || base.datapointsToAlarm !== undefined) ? `with defaults.${kind}, ` : "";
    const problem = alarmTimingProblem(timing.periodSeconds, timing.evaluationPeriods, timing.datapointsToAlarm);
    if (problem) fail(`${at}.${kind}`, override, `${over}would make an alarm CloudWatch refuses: ${problem}`, "Use a period of 10, 20, 30 or a multiple of 60 s, at most a day of periods under an hour, and datapointsToAlarm ≤ evaluationPeriods.");
    if (QUERY_ALARM_KINDS.has(kind as AlarmKind)) {
      const seconds = timing.periodSeconds * timing.evaluationPeriods;
      if (seconds > ALARM_LIMITS.maxInsightsEvaluationSeconds) fail(`${at}.${kind}`, override, `${over}evaluates ${seconds} s; the table and user pool alarms are Metrics Insights queries, which look back three hours`, "Keep period × evaluationPeriods at 10800 s or less.");
    }
  }
}

/**
 * A target's `description` goes into the description of each of its alarms, after what the alarm watches, unless the
 * alarm's override has a `description` of its own (or, with neither, `defaults`' for the kind): each alarm's description,
 * as the alarms get it, must fit CloudWatch's limit. A text too long is named where it was given, with the length its
 * longest alarm leaves it.
 */
function validateDescription(fail: ArgFailure, group: string, key: string, target: MonitoredTarget, defaults: AlarmOverrides | undefined, specs: readonly AlarmSpec[]): void {
  const description: unknown = target.description;
  if (description !== undefined && typeof description !== "string") {
    fail(`${group}.${key}.description`, description, "is not a string", 'Use text such as "the album stays marked deleting: DELETE starts it over".');
  }
  const own = (kind: AlarmKind) => target.alarms?.[kind]?.description;
  const hasNote = description !== undefined || Object.values(AlarmKind).some((kind) => own(kind) !== undefined || defaults?.[kind]?.description !== undefined);
  if (!hasNote) return;
  const limit = ALARM_LIMITS.maxDescriptionCharacters;
  // Per argument that gave the text, the longest description it is in.
  const longest = new Map<string, { note: string; alarm: string; length: number }>();
  for (const spec of specs) {
    const [argument, note] =
      own(spec.kind) !== undefined ? [`${group}.${key}.alarms.${spec.kind}.description`, own(spec.kind)!]
      : description !== undefined ? [`${group}.${key}.description`, description as string]
      : [`defaults.${spec.kind}.description`, defaults?.[spec.kind]?.description ?? ""];
    if ((longest.get(argument)?.length ?? -1) < spec.description.length) longest.set(argument, { note, alarm: spec.name, length: spec.description.length });
  }
  for (const [argument, { note, alarm, length }] of longest) {
    if (length > limit) {
      fail(argument, note, `makes the description of the alarm ${alarm} ${length} characters; CloudWatch takes at most ${limit} (AlarmDescription)`, `Shorten it to ${limit - (length - note.length)} characters or fewer.`);
    }
  }
}

/**
 * A target's names and ids that its alarms' dimensions carry (ruleName, eventBusName, functionName, queueName, …), when
 * plain strings (an Output is known only at deploy): CloudWatch refuses an alarm whose dimension value is blank, non-ASCII
 * or over 1024 characters (DIMENSION_LIMITS), and the types take "" where a name is meant. Read off the alarms
 * `alarmSpecs` makes, so a dimension a target kind adds later is checked without a list here to keep in step.
 */
function validateDimensions(fail: ArgFailure, group: string, key: string, target: MonitoredTarget, specs: readonly AlarmSpec[]): void {
  for (const spec of specs) {
    for (const [dimension, value] of Object.entries(spec.dimensions)) {
      if (typeof value !== "string") continue;
      const problem = dimensionValueProblem(value);
      // The argument that gave the value: a name or id, never the description or region, which no dimension carries.
      const field = Object.entries(target).find(([argument, given]) => argument !== "description" && argument !== "region" && given === value)?.[0];
      // A value no argument gives (e.g. CloudFront's Region "Global") is Monitoring's own, and valid.
      if (problem && field) fail(`${group}.${key}.${field}`, value, `${problem}: it is the ${dimension} dimension of the alarm ${spec.name}, and CloudWatch takes 1–${DIMENSION_LIMITS.maxValueCharacters} printable ASCII characters, not blank`, `Use the ${dimension} of the watched resource as AWS names it (monitoringTargets() reads it off the component).`);
    }
  }
}

/** An EventBridge rule target's bus: a custom bus's name, or none for the default bus (whose metrics have RuleName alone). */
function validateRule(fail: ArgFailure, key: string, rule: MonitoredRule): void {
  const bus = rule.eventBusName;
  if (typeof bus !== "string") return;
  // The default bus's ARN is refused as "default" is, not answered with "default".
  const name = eventBusNameOf(bus);
  if (name === DEFAULT_EVENT_BUS_NAME) {
    fail(`rules.${key}.eventBusName`, bus, "names the default bus, whose rules' metrics have the RuleName dimension alone; an alarm that adds EventBusName watches a metric EventBridge never publishes", "Leave eventBusName out for a rule on the default bus.");
  }
  if (name !== bus) fail(`rules.${key}.eventBusName`, bus, "is an ARN; the EventBusName dimension is the bus's name", `Use "${name}" (EventBus.busName).`);
  // No bus name holds ":" (CreateEventBus Name: [/\.\-_A-Za-z0-9]+), so this is another resource's ARN.
  else if (bus.startsWith("arn:")) fail(`rules.${key}.eventBusName`, bus, "is an ARN, not an event bus's; the EventBusName dimension is the bus's name", "Use the name of the bus the rule is on (EventBus.busName).");
}

/**
 * `dashboardName` is the name of the dashboard that will be created: undefined when none is (`dashboard: false`), so an
 * unused name is not refused. Returns the alarms, built once for the checks that read them: `alarmSpecs(targets,
 * defaults)`, target by target in the order of `targets`' groups (alarmSpecs' own when `targets` lists them as it does).
 */
export function validateMonitoringArgs(fail: ArgFailure, targets: MonitoringTargets, defaults: AlarmOverrides | undefined, emails: readonly string[] | undefined, dashboardName: string | undefined): AlarmSpec[] {
  validateOverrides(fail, "defaults", defaults);
  const alarms: AlarmSpec[] = [];
  for (const [group, entries] of Object.entries(targets) as Array<[string, Record<string, MonitoredTarget> | undefined]>) {
    for (const [key, target] of Object.entries(entries ?? {})) {
      if (!KEY.test(key)) fail(`${group} key`, key, "is not a usable target key (it names the alarms)", 'Use lowercase letters, digits and hyphens, e.g. "gallery-counters".');
      validateOverrides(fail, `${group}.${key}.alarms`, target?.alarms, defaults);
      if (!target) continue;
      const specs = alarmSpecs({ [group]: { [key]: target } } as MonitoringTargets, defaults);
      validateDimensions(fail, group, key, target, specs);
      validateDescription(fail, group, key, target, defaults, specs);
      alarms.push(...specs);
    }
  }
  for (const [key, workflow] of Object.entries(targets.workflows ?? {})) validateWorkflow(fail, key, workflow);
  for (const [key, rule] of Object.entries(targets.rules ?? {})) validateRule(fail, key, rule);
  const firstIndexOf = new Map<string, number>();
  for (const [index, email] of (emails ?? []).entries()) {
    if (!EMAIL.test(email)) fail(`alarmEmails[${index}]`, email, "is not an email address", 'Use e.g. "ops@example.com".');
    // One subscription per address: SNS answers a second Subscribe of one endpoint to a topic with the first
    // subscription (https://github.com/getmoto/moto/pull/1418), and the subscription's name is the address's key.
    const first = firstIndexOf.get(alarmEmailKey(email));
    if (first !== undefined) {
      fail(`alarmEmails[${index}]`, email, `repeats alarmEmails[${first}] (${JSON.stringify(emails![first])}), ignoring case: an address gets one subscription, named by the address`, "List each address once.");
    }
    firstIndexOf.set(alarmEmailKey(email), index);
  }
  if (dashboardName !== undefined && !DASHBOARD_NAME.test(dashboardName)) {
    fail("dashboardName", dashboardName, "is not a CloudWatch dashboard name (letters, digits, - and _, at most 255)", `Use e.g. "${sanitisedDashboardName(dashboardName) || "ops-dashboard"}", or leave it unset for <project>-<stack>.`);
  }
  return alarms;
}

/**
 * A dashboard body "can include an array of between 0 and 500 widget objects"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html); PutDashboard
 * refuses more. Shared with the deploy rule `CloudWatchDashboard`.
 */
export const DASHBOARD_MAX_WIDGETS = 500;

/** Refuses a dashboard of more widgets than CloudWatch takes: one per alarm plus the graphs (graphs.ts). */
export function checkDashboardWidgets(fail: ArgFailure, alarms: number, graphs: number): void {
  if (alarms + graphs <= DASHBOARD_MAX_WIDGETS) return;
  fail(
    "dashboard",
    true,
    `would hold ${alarms + graphs} widgets (${alarms} alarms, ${graphs} graphs); CloudWatch takes at most ${DASHBOARD_MAX_WIDGETS} per dashboard`,
    "Set dashboard: false, or split the targets over two Monitoring components, each with its own dashboardName.",
  );
}

