/**
 * Deploy rules for EventBridge buses, rules and targets, hand-built or EventBus's: what CreateEventBus, PutRule,
 * PutTargets and CreateArchive refuse (names, an event pattern EventBridge cannot parse, more than five targets on a
 * rule, a retry policy out of range), and what they take but then cannot deliver (a Lambda target that does not let
 * events.amazonaws.com invoke it from the rule, a dead-letter queue whose policy does not let the rule send).
 */
import { eventPatternProblem, EVENT_PATTERN_LIMITS } from "../../components/event-bus/event-pattern";
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { functionOf } from "./events";
import { physicalName, type PhysicalNameSpec } from "./names";
import { serviceInvokePermissions } from "./invoke-permission";
import { EVENTBRIDGE_RULE_SENDER, queueSendFix, queueSendRefusal } from "./queue-policy";
import { arnRegion, finding, referenced, regionOf, type DeployFinding, type DeployRule } from "./rule";

const BUS = "aws:cloudwatch/eventBus:EventBus";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const ARCHIVE = "aws:cloudwatch/eventArchive:EventArchive";
const QUEUE = "aws:sqs/queue:Queue";
const EVENTS_PRINCIPAL = "events.amazonaws.com";

/** A bus's name as a rule or target gives it: a name, or a bus ARN (`...:event-bus/<name>`); absent is "default". */
const busNameOf = (reference: unknown): string => (typeof reference === "string" && reference !== "" ? reference.replace(/^arn:[^:]+:events:[^:]*:\d*:event-bus\//, "") : "default");

/** The rule a target names (its `rule` is the rule's name, on its `eventBusName`), in the plan. */
function ruleOf(graph: Graph, target: RecordedResource): RecordedResource | undefined {
  const bus = busNameOf(target.inputs.eventBusName);
  return ofType(graph, RULE).find((r) => (r.state.name === target.inputs.rule || r.id === target.inputs.rule) && busNameOf(r.inputs.eventBusName) === bus);
}

/**
 * Names as terraform-provider-aws internal/service/events/validate.go checks them after the API references:
 * PutRule Name and Target Id 1–64 of `[0-9A-Za-z_.-]` (validateRuleName, validateTargetID: API_PutRule.html,
 * API_Target.html), CreateArchive ArchiveName 1–48 (validArchiveName), CreateEventBus Name 1–256 of `[/\.\-_A-Za-z0-9]`
 * and, for a custom bus, not "default" (validCustomEventBusName; "The names of custom event buses can't contain the /
 * character", pulumi-aws EventBus name).
 *
 * pulumi-aws autonames each of them when it is left out: a rule with AutoName("name", 64, "-"), a target's
 * `targetId` with AutoName("targetId", 255, "-") (provider/resources.go, "aws_cloudwatch_event_target"), a bus and an
 * archive with the default 255. An autoname is checked against EventBridge's limit like a given name: a target whose
 * resource name is over 56 characters gets an id over 64, which validateTargetID refuses.
 */
const RULE_CHARACTERS = /^[0-9A-Za-z_.-]+$/;
const NAMES: ReadonlyArray<{ type: string; property: string; what: string; max: number; problem?: (name: string) => string | undefined }> = [
  { type: RULE, property: "name", what: "a rule name", max: 64 },
  { type: ARCHIVE, property: "name", what: "an archive name", max: 48 },
  { type: TARGET, property: "targetId", what: "a target id", max: 64 },
  {
    type: BUS,
    property: "name",
    what: "a custom event bus name",
    max: 256,
    problem: (name) => (name === "default" ? 'is "default", the name of the account\'s default bus, which no custom bus may take' : name.includes("/") ? "holds /, which a custom bus's name may not (only a partner bus's, matching its event source)" : undefined),
  },
];

function nameProblem(name: string, max: number, extra?: (name: string) => string | undefined): string | undefined {
  if (name.length < 1 || name.length > max) return `is ${name.length} characters; 1–${max} allowed`;
  return extra?.(name) ?? (RULE_CHARACTERS.test(name) ? undefined : "holds characters other than letters, digits, ., - and _");
}

export const EVENTBRIDGE_NAMES: DeployRule = {
  id: "EventBridgeNames",
  title: "Event buses, rules, archives and targets have names EventBridge takes",
  source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const spec of NAMES) {
      // Every one is autonamed when left out (see above), the target's targetId too.
      const nameSpec = { property: spec.property, autoname: { maxLength: 255 } } as PhysicalNameSpec;
      for (const r of ofType(graph, spec.type)) {
        const physical = physicalName(nameSpec, r);
        if (!physical) continue;
        const problem = nameProblem(physical.name, spec.max, spec.problem);
        if (!problem) continue;
        findings.push(
          finding(
            this.id,
            r,
            `${physical.autonamed ? `is autonamed ${physical.shown}` : `has ${spec.property} ${JSON.stringify(physical.name)}`}, ${spec.what} that ${problem}; EventBridge refuses it`,
            physical.autonamed ? `shorten the resource name "${r.name}" to at most ${spec.max - 8} characters of letters, digits, ., - and _` : `use ${spec.what} of 1–${spec.max} letters, digits, ., - and _`,
          ),
        );
      }
    }
    return findings;
  },
};

/** "Each rule can have up to five (5) targets associated with it at one time" (API_PutTargets); PutTargets answers LimitExceededException. */
export const EVENTBRIDGE_TARGETS_PER_RULE: DeployRule = {
  id: "EventBridgeTargetsPerRule",
  title: "A rule has at most five targets",
  source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html",
  check(graph) {
    const byRule = new Map<string, RecordedResource[]>();
    for (const target of ofType(graph, TARGET)) {
      const key = `${busNameOf(target.inputs.eventBusName)}/${String(target.inputs.rule)}`;
      byRule.set(key, [...(byRule.get(key) ?? []), target]);
    }
    return [...byRule].flatMap(([key, targets]) =>
      targets.length <= 5 ? [] : [finding(this.id, targets[5], `is target ${targets.length > 6 ? "6 or later" : 6} of rule ${key}, which has ${targets.length}; EventBridge allows five targets per rule and refuses the rest`, "split the targets over several rules with the same pattern")],
    );
  },
};

/**
 * A rule's event pattern: JSON of the operators event bus rules take, leaves that are arrays, within 4096 characters
 * (components/event-bus/event-pattern.ts for the sources); PutRule answers InvalidEventPatternException. A schedule is
 * for the default bus only ("Can only be used on the default event bus", pulumi-aws EventRule scheduleExpression).
 */
export const EVENTBRIDGE_EVENT_PATTERN: DeployRule = {
  id: "EventBridgeEventPattern",
  title: "Rules have an event pattern EventBridge takes",
  source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const rule of ofType(graph, RULE)) {
      const text = rule.inputs.eventPattern;
      if (rule.inputs.scheduleExpression !== undefined && busNameOf(rule.inputs.eventBusName) !== "default") {
        findings.push(finding(this.id, rule, `has a scheduleExpression on the custom bus ${busNameOf(rule.inputs.eventBusName)}; EventBridge runs schedules on the default bus only`, "put the schedule on the default bus, or use EventBridge Scheduler (aws.scheduler.Schedule)"));
      }
      if (text === undefined) {
        if (rule.inputs.scheduleExpression === undefined) findings.push(finding(this.id, rule, "has neither an eventPattern nor a scheduleExpression; PutRule requires one", "give the rule an event pattern"));
        continue;
      }
      let pattern: unknown;
      try {
        pattern = JSON.parse(String(text));
      } catch {
        findings.push(finding(this.id, rule, "has an eventPattern that is not JSON; PutRule refuses it", "write the pattern as JSON (JSON.stringify of an object)"));
        continue;
      }
      const problem = eventPatternProblem(pattern, EVENT_PATTERN_LIMITS.maxCharacters);
      if (problem) findings.push(finding(this.id, rule, `has an eventPattern that ${problem}; PutRule refuses it`, "fix the pattern (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html)"));
    }
    return findings;
  },
};

/** RetryPolicy: MaximumRetryAttempts 0–185, MaximumEventAgeInSeconds 60–86400 (API_RetryPolicy.html). */
export const EVENTBRIDGE_RETRY_POLICY: DeployRule = {
  id: "EventBridgeRetryPolicy",
  title: "Rule targets retry within EventBridge's limits",
  source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const within = (value: unknown, min: number, max: number) => value === undefined || (Number.isInteger(value) && (value as number) >= min && (value as number) <= max);
    for (const target of ofType(graph, TARGET)) {
      const retry = target.inputs.retryPolicy ?? {};
      if (!within(retry.maximumRetryAttempts, 0, 185)) findings.push(finding(this.id, target, `retries ${retry.maximumRetryAttempts} times; EventBridge allows 0–185`, "set retryPolicy.maximumRetryAttempts between 0 and 185"));
      if (!within(retry.maximumEventAgeInSeconds, 60, 86400)) findings.push(finding(this.id, target, `keeps events ${retry.maximumEventAgeInSeconds} s; EventBridge allows 60–86400`, "set retryPolicy.maximumEventAgeInSeconds between 60 and 86400"));
    }
    return findings;
  },
};

/**
 * "For AWS Lambda and Amazon SNS resources, EventBridge relies on resource-based policies" (API_PutTargets): a Lambda
 * target needs the function's permission for events.amazonaws.com from the rule
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions).
 * PutTargets does not check it: every delivery fails (to the target's dead-letter queue, or is lost), so the target
 * must also depend on it. Functions outside the plan are not checked.
 */
export const EVENTBRIDGE_LAMBDA_PERMISSION: DeployRule = {
  id: "EventBridgeLambdaPermission",
  title: "A rule's Lambda target comes after a permission for events.amazonaws.com from that rule",
  source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const target of ofType(graph, TARGET)) {
      const fn = functionOf(graph, target.inputs.arn);
      if (!fn) continue;
      const rule = ruleOf(graph, target);
      const { permissions, awaited } = serviceInvokePermissions(graph, target, fn, target.inputs.arn, EVENTS_PRINCIPAL, rule?.state.arn);
      const ruleName = rule?.name ?? String(target.inputs.rule);
      if (permissions.length === 0) {
        findings.push(finding(this.id, target, `sends ${ruleName}'s events to ${fn.name}, which grants events.amazonaws.com no lambda:InvokeFunction from that rule; PutTargets takes it and every delivery fails`, "add an aws.lambda.Permission (principal events.amazonaws.com, sourceArn the rule's ARN) and make the target depend on it"));
      } else if (!awaited) {
        findings.push(finding(this.id, target, `does not depend on ${permissions[0].name}, the permission EventBridge invokes ${fn.name} under; events matched before it exists fail`, `add dependsOn: [${permissions[0].name}] to the target`));
      }
    }
    return findings;
  },
};

/**
 * A rule's Lambda target is a function of the rule's region: a target in another region is an event bus there
 * ("Specifying an event bus in another AWS Region as a target", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html;
 * "Use cross-Region and cross-account event buses as targets to create workflows triggered in one Region but that
 * invoke targets in a different Region", https://repost.aws/knowledge-center/use-eventbridge-rule-across-regions).
 * A target's region is its rule's (both take the same `region`, or their provider's). A function in the plan is
 * placed by its region; one outside it by its ARN's region field. Whether PutTargets refuses such a target or takes
 * it and fails every delivery is not confirmed: either way nothing reaches the function.
 */
export const EVENTBRIDGE_TARGET_REGION: DeployRule = {
  id: "EventBridgeTargetRegion",
  title: "A rule's Lambda target is a function in the rule's region",
  source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const target of ofType(graph, TARGET)) {
      const arn = target.inputs.arn;
      const fn = functionOf(graph, arn);
      const fnRegion = fn ? regionOf(graph, fn, context) : typeof arn === "string" && /^arn:[^:]+:lambda:/.test(arn) ? arnRegion(arn) : undefined;
      const targetRegion = regionOf(graph, target, context);
      if (!fnRegion || !targetRegion || fnRegion === targetRegion) continue;
      const rule = ruleOf(graph, target);
      findings.push(
        finding(
          this.id,
          target,
          `sends ${rule?.name ?? String(target.inputs.rule)}'s events to ${fn?.name ?? arn}, in ${fnRegion}, but the rule is in ${targetRegion}; EventBridge invokes a Lambda target in the rule's region only`,
          `create the function in ${targetRegion}, or the bus, rule and target in ${fnRegion}; to reach another region, target an event bus there and subscribe from it`,
        ),
      );
    }
    return findings;
  },
};

/**
 * A target's dead-letter queue must let the rule send: "EventBridge needs permission to send events to the queue"
 * through the queue's resource-based policy, sqs:SendMessage for events.amazonaws.com with aws:SourceArn the rule's ARN
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html); without it, or with a Deny that covers
 * that send (an explicit Deny wins over any Allow; the TLS-only Deny does not cover it), EventBridge drops what it
 * could not deliver. The policy is read as the SNS queue rules read it (queue-policy.ts). Queues outside the plan are
 * not checked.
 */
export const EVENTBRIDGE_DEAD_LETTER_QUEUE_POLICY: DeployRule = {
  id: "EventBridgeDeadLetterQueuePolicy",
  title: "A rule target's dead-letter queue lets the rule send",
  source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const target of ofType(graph, TARGET)) {
      const queue = referenced(graph, QUEUE, target.inputs.deadLetterConfig?.arn);
      if (!queue) continue;
      const rule = ruleOf(graph, target);
      const refusal = queueSendRefusal(graph, queue, EVENTBRIDGE_RULE_SENDER, rule?.state.arn);
      if (!refusal) continue;
      findings.push(
        finding(
          this.id,
          target,
          `sends what EventBridge cannot deliver to ${queue.name}, whose policy ${refusal.replace("that rule", rule?.name ?? "the rule")}; EventBridge drops those events`,
          queueSendFix(EVENTBRIDGE_RULE_SENDER, refusal, "add that statement to the queue's one policy (components/queues.ts serviceSendStatement, as EventBus writes it)"),
        ),
      );
    }
    return findings;
  },
};

export const EVENTBRIDGE_RULES: DeployRule[] = [EVENTBRIDGE_NAMES, EVENTBRIDGE_TARGETS_PER_RULE, EVENTBRIDGE_EVENT_PATTERN, EVENTBRIDGE_RETRY_POLICY, EVENTBRIDGE_LAMBDA_PERMISSION, EVENTBRIDGE_TARGET_REGION, EVENTBRIDGE_DEAD_LETTER_QUEUE_POLICY];
