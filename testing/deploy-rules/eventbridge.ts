/**
 * Deploy rules for EventBridge buses, rules and targets, hand-built or EventBus's: what CreateEventBus, PutRule,
 * PutTargets and CreateArchive refuse (names, an event pattern EventBridge cannot parse, more than five targets on a
 * rule, a retry policy out of range, input shaping two ways or out of bounds), and what they take but then cannot
 * deliver (a Lambda target that does not let events.amazonaws.com invoke it from the rule, a target of another region,
 * a FIFO queue target without a message group, a queue whose policy or key does not let the rule send, a Step
 * Functions target whose role may not start it, a dead-letter queue whose policy does not let the rule send).
 */
import { eventPatternProblem, EVENT_PATTERN_LIMITS } from "../../components/event-bus/event-pattern";
import { EVENTS_PRINCIPAL } from "../../components/event-bus/rules-arn";
import { asArray, dependencyClosure, isUnknown, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { functionOf } from "./lambda-ref";
import { autonamerRefusal, checkConfigured, physicalName, refusalOf, type ConfiguredNaming, type PhysicalNameSpec } from "./names";
import { goLength } from "./go-length";
import { serviceInvokePermissions } from "./invoke-permission";
import { EVENTBRIDGE_RULE_SENDER, queueSendFix, queueSendRefusal, resourceSendRefusal } from "./queue-policy";
import { busNameOf, customBusNameOf } from "../../components/arn";
import { BUS_POLICY, topicPolicies } from "../../local/resource-policies";
import { granting, roleGrants, trustsService } from "./iam";
import { keyPolicyMissing, planKey, serviceKeyRefusal } from "./key-policy";
import { byReference, onePolicyRule } from "./one-policy";
import { accountScope, arnRegion, finding, referenced, regionOf, type DeployFinding, type DeployRule } from "./rule";

const BUS = "aws:cloudwatch/eventBus:EventBus";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const ARCHIVE = "aws:cloudwatch/eventArchive:EventArchive";
const QUEUE = "aws:sqs/queue:Queue";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const TOPIC = "aws:sns/topic:Topic";
const ROLE = "aws:iam/role:Role";
const EVENT_PERMISSION = "aws:cloudwatch/eventPermission:EventPermission";

/** A target's queue in the plan, by the target's ARN. */
const queueOf = (graph: Graph, target: RecordedResource) => referenced(graph, QUEUE, target.inputs.arn);
/** Whether a target names a FIFO queue: one in the plan with fifoQueue, or an SQS ARN ending ".fifo". */
const isFifoQueueTarget = (graph: Graph, target: RecordedResource): boolean => {
  const queue = queueOf(graph, target);
  if (queue) return queue.inputs.fifoQueue === true;
  return typeof target.inputs.arn === "string" && /^arn:[^:]+:sqs:/.test(target.inputs.arn) && target.inputs.arn.endsWith(".fifo");
};
/** Whether a target is a state machine: one in the plan, or a Step Functions state machine ARN. */
const stateMachineOf = (graph: Graph, target: RecordedResource) => referenced(graph, STATE_MACHINE, target.inputs.arn);
const isStateMachineTarget = (graph: Graph, target: RecordedResource): boolean =>
  stateMachineOf(graph, target) !== undefined || (typeof target.inputs.arn === "string" && /^arn:[^:]+:states:[^:]*:\d*:stateMachine:/.test(target.inputs.arn));

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
 * resource name is over 56 characters gets an id over 64, which validateTargetID refuses. Under the stack's
 * `pulumi:autonaming` (autonaming.ts) the name the config makes is measured instead, as PhysicalNameLimits measures
 * it (names.ts checkConfigured: a proposed name over pulumi-aws's maximum fails `pulumi preview`).
 *
 * Who refuses a name, and when: an autoname over pulumi-aws's maximum, Pulumi's autonamer at `pulumi preview`
 * (names.ts autonamerRefusal); otherwise terraform-provider-aws's check of the name input, which the bridge's Check runs
 * on an autoname too, at `pulumi preview`: rule.go `name` validateRuleName, target.go `target_id` validateTargetID,
 * archive.go `name` validArchiveName, and bus.go `name` validCustomEventBusName, which checks only 1–256 and "default"
 * (events/validate.go, read at 088e0878080a74fcf1e35d901992372e4c041214; bus.go at 01606926a0c0ab9174aec440f976a48b0baee722).
 * A bus name's other characters and its `/` reach CreateEventBus, which refuses them at `pulumi up` ("Custom event bus
 * names can't contain the / character", API_CreateEventBus.html).
 */
const atPreview = (check: string) => `terraform-provider-aws refuses it at \`pulumi preview\` (events/validate.go ${check})`;
const RULE_CHARACTERS = /^[0-9A-Za-z_.-]+$/;
const NAMES: ReadonlyArray<{
  type: string;
  property: string;
  what: string;
  max: number;
  autonameMax: number;
  problem?: (name: string) => string | undefined;
  /** Who refuses a name with a problem before EventBridge sees it (see above); else `refusal`. */
  providerRefusal: (name: string) => string | undefined;
  refusal?: string;
}> = [
  { type: RULE, property: "name", what: "a rule name", max: 64, autonameMax: 64, providerRefusal: () => atPreview("validateRuleName") },
  { type: ARCHIVE, property: "name", what: "an archive name", max: 48, autonameMax: 255, providerRefusal: () => atPreview("validArchiveName") },
  { type: TARGET, property: "targetId", what: "a target id", max: 64, autonameMax: 255, providerRefusal: () => atPreview("validateTargetID") },
  {
    type: BUS,
    property: "name",
    what: "a custom event bus name",
    max: 256,
    autonameMax: 255,
    problem: (name) => (name === "default" ? 'is "default", the name of the account\'s default bus, which no custom bus may take' : name.includes("/") ? "holds /, which a custom bus's name may not (only a partner bus's, matching its event source)" : undefined),
    // StringLenBetween measures Go's len (bytes); a name of other letters fails EventBridge's characters anyway.
    providerRefusal: (name) => (name === "default" || name.length < 1 || goLength(name) > 256 ? atPreview("validCustomEventBusName") : undefined),
    refusal: "EventBridge refuses it at `pulumi up` (CreateEventBus)",
  },
];

function nameProblem(name: string, max: number, extra?: (name: string) => string | undefined): string | undefined {
  if (name.length < 1 || name.length > max) return `is ${name.length} characters; 1–${max} allowed`;
  return extra?.(name) ?? (RULE_CHARACTERS.test(name) ? undefined : "holds characters other than letters, digits, ., - and _");
}

const NAMES_SOURCE = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html";

/**
 * NAMES as names.ts's specs: every one is autonamed when left out (see above), the target's targetId too. Read by
 * EventBridgeNames and by the `pulumi:autonaming` rules (autonaming.ts) beside PHYSICAL_NAMES.
 */
export const EVENTBRIDGE_NAME_SPECS: readonly PhysicalNameSpec[] = NAMES.map((spec) => ({
  type: spec.type,
  property: spec.property,
  what: spec.what,
  maxLength: spec.max,
  problem: (name: string) => nameProblem(name, spec.max, spec.problem),
  autoname: { maxLength: spec.autonameMax },
  providerRefusal: spec.providerRefusal,
  refusal: spec.refusal,
  source: NAMES_SOURCE,
}));

/** EventBridgeNames measuring the names `naming` (a stack's `pulumi:autonaming`, autonaming.ts) makes; Pulumi's default without. */
export function eventBridgeNames(naming?: ConfiguredNaming): DeployRule {
  return {
    id: "EventBridgeNames",
    title: "Event buses, rules, archives and targets have names EventBridge takes",
    source: NAMES_SOURCE,
    check(graph) {
      const findings: DeployFinding[] = [];
      for (const nameSpec of EVENTBRIDGE_NAME_SPECS) {
        for (const r of ofType(graph, nameSpec.type)) {
          const physical = physicalName(nameSpec, r, naming);
          if (!physical) continue;
          const report = (problem: string, fix: string) => finding("EventBridgeNames", r, problem, fix);
          if (physical.configured) {
            const configured = checkConfigured(nameSpec, r, physical, physical.configured, report, "");
            if (configured) findings.push(configured);
            continue;
          }
          const shorten = `shorten the resource name "${r.name}" to at most ${nameSpec.maxLength - 8} characters of letters, digits, ., - and _`;
          const overMaximum = physical.autonamed ? autonamerRefusal(nameSpec, physical) : undefined;
          if (overMaximum) {
            findings.push(report(`is autonamed ${physical.shown}, ${overMaximum}`, shorten));
            continue;
          }
          const problem = nameSpec.problem(physical.name, r);
          if (!problem) continue;
          findings.push(
            report(
              `${physical.autonamed ? `is autonamed ${physical.shown}` : `has ${nameSpec.property} ${JSON.stringify(physical.name)}`}, ${nameSpec.what} that ${problem}: ${refusalOf(nameSpec, physical.name)}`,
              physical.autonamed ? shorten : `use ${nameSpec.what} of 1–${nameSpec.maxLength} letters, digits, ., - and _`,
            ),
          );
        }
      }
      return findings;
    },
  };
}

export const EVENTBRIDGE_NAMES: DeployRule = eventBridgeNames();

/**
 * "Each rule can have up to five (5) targets associated with it at one time" (API_PutTargets); PutTargets answers
 * LimitExceededException. Targets whose rule or bus is unknown at preview are not counted.
 */
export const EVENTBRIDGE_TARGETS_PER_RULE: DeployRule = {
  id: "EventBridgeTargetsPerRule",
  title: "A rule has at most five targets",
  source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html",
  check(graph) {
    const byRule = new Map<string, RecordedResource[]>();
    for (const target of ofType(graph, TARGET)) {
      // A rule or bus unknown at preview (an Output) may be any rule: counting those together would make one rule of many.
      if (typeof target.inputs.rule !== "string" || (target.inputs.eventBusName !== undefined && typeof target.inputs.eventBusName !== "string")) continue;
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
      const customBus = customBusNameOf(rule.inputs.eventBusName);
      if (rule.inputs.scheduleExpression !== undefined && customBus !== undefined) {
        findings.push(finding(this.id, rule, `has a scheduleExpression on the custom bus ${customBus}; EventBridge runs schedules on the default bus only`, "put the schedule on the default bus, or use EventBridge Scheduler (aws.scheduler.Schedule)"));
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
    // Unset, or unknown at preview (an Output): nothing known to refuse.
    const within = (value: unknown, min: number, max: number) => value === undefined || isUnknown(value) || (Number.isInteger(value) && (value as number) >= min && (value as number) <= max);
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
 * A rule's Lambda, SQS, Step Functions and SNS targets are in the rule's region ("The targets you associate with a rule
 * must be in the same Region as the rule", https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification): a target in another region is an event bus
 * there ("Specifying an event bus in another AWS Region as a target", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html;
 * "Use cross-Region and cross-account event buses as targets to create workflows triggered in one Region but that
 * invoke targets in a different Region", https://repost.aws/knowledge-center/use-eventbridge-rule-across-regions).
 * A target's region is its rule's (both take the same `region`, or their provider's). A function, queue, state
 * machine or topic in the plan is placed by its region; one outside it by its ARN's region field; an event bus target is not
 * checked. Whether PutTargets refuses such a target or takes it and fails every delivery is not confirmed: either way
 * nothing reaches it.
 */
export const EVENTBRIDGE_TARGET_REGION: DeployRule = {
  id: "EventBridgeTargetRegion",
  title: "A rule's Lambda, SQS, Step Functions and SNS targets are in the rule's region",
  source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const target of ofType(graph, TARGET)) {
      const arn = target.inputs.arn;
      const inPlan = functionOf(graph, arn) ?? queueOf(graph, target) ?? stateMachineOf(graph, target) ?? referenced(graph, TOPIC, arn);
      const kind = typeof arn === "string" ? /^arn:[^:]+:(lambda|sqs|states|sns):/.exec(arn)?.[1] : undefined;
      const targetOwnRegion = inPlan ? regionOf(graph, inPlan, context) : kind && typeof arn === "string" ? arnRegion(arn) : undefined;
      const ruleRegion = regionOf(graph, target, context);
      if (!targetOwnRegion || !ruleRegion || targetOwnRegion === ruleRegion) continue;
      const rule = ruleOf(graph, target);
      const what =
        inPlan?.type === QUEUE || kind === "sqs"
          ? "sends to an SQS target"
          : inPlan?.type === STATE_MACHINE || kind === "states"
            ? "starts a Step Functions target"
            : inPlan?.type === TOPIC || kind === "sns"
              ? "publishes to an SNS target"
              : "invokes a Lambda target";
      findings.push(
        finding(
          this.id,
          target,
          `sends ${rule?.name ?? String(target.inputs.rule)}'s events to ${inPlan?.name ?? arn}, in ${targetOwnRegion}, but the rule is in ${ruleRegion}; EventBridge ${what} in the rule's region only`,
          `create the target in ${ruleRegion}, or the bus, rule and target in ${targetOwnRegion}; to reach another region, target an event bus there and subscribe from it`,
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
    return ruleSendRefusals(graph, this.id, (target) => referenced(graph, QUEUE, target.inputs.deadLetterConfig?.arn), {
      problem: (queue, refusal) => `sends what EventBridge cannot deliver to ${queue}, whose policy ${refusal}; EventBridge drops those events`,
      grant: "add that statement to the queue's one policy (components/queues.ts serviceSendStatement, as EventBus writes it)",
    });
  },
};

/**
 * The findings of a rule whose targets send to a queue (`queueOf` the target: its dead-letter queue, or the target
 * itself) under the queue's policy, read as queue-policy.ts reads it for EventBridge on behalf of the target's rule.
 */
function ruleSendRefusals(
  graph: Graph,
  id: string,
  queueOfTarget: (target: RecordedResource) => RecordedResource | undefined,
  text: { problem: (queue: string, refusal: string, rule: string) => string; grant: string },
): DeployFinding[] {
  const findings: DeployFinding[] = [];
  for (const target of ofType(graph, TARGET)) {
    const queue = queueOfTarget(target);
    if (!queue) continue;
    const rule = ruleOf(graph, target);
    const refusal = queueSendRefusal(graph, queue, EVENTBRIDGE_RULE_SENDER, rule?.state.arn);
    if (!refusal) continue;
    const ruleName = rule?.name ?? String(target.inputs.rule);
    findings.push(finding(id, target, text.problem(queue.name, refusal.replace("that rule", rule?.name ?? "the rule"), ruleName), queueSendFix(EVENTBRIDGE_RULE_SENDER, refusal, text.grant)));
  }
  return findings;
}

/**
 * A FIFO queue target: "Contains the message group ID to use when the target is a FIFO queue. If you specify an SQS
 * FIFO queue as a target, the queue must have content-based deduplication enabled" (API_Target SqsParameters,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html). SQS refuses a FIFO message
 * without a group, or with neither a deduplication id nor content-based deduplication (API_SendMessage), so every
 * delivery fails. A queue outside the plan is known FIFO by its ARN's ".fifo"; its deduplication is not checked.
 */
export const EVENTBRIDGE_SQS_FIFO_TARGET: DeployRule = {
  id: "EventBridgeSqsFifoTarget",
  title: "A rule's FIFO queue target names a message group, and the queue deduplicates by content",
  source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const target of ofType(graph, TARGET)) {
      if (!isFifoQueueTarget(graph, target)) continue;
      const queue = queueOf(graph, target);
      const name = queue?.name ?? String(target.inputs.arn);
      const group = target.inputs.sqsTarget?.messageGroupId;
      if (typeof group !== "string" || group === "") findings.push(finding(this.id, target, `sends to the FIFO queue ${name} without sqsTarget.messageGroupId; SQS refuses a FIFO message without a message group, so every delivery fails`, "set sqsTarget: { messageGroupId } (EventBus: subscribe(..., { messageGroupId }))"));
      if (queue && queue.inputs.contentBasedDeduplication !== true) findings.push(finding(this.id, target, `sends to the FIFO queue ${name}, which has no content-based deduplication; EventBridge sends no deduplication id, and SQS refuses a FIFO message with neither`, `set contentBasedDeduplication: true on ${name}`));
    }
    return findings;
  },
};

/**
 * A queue target must let the rule send: "EventBridge relies on resource-based policies" for SQS, sqs:SendMessage for
 * events.amazonaws.com with aws:SourceArn the rule's ARN (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions);
 * PutTargets does not check it, and every delivery fails (to the target's dead-letter queue). Read as the SNS queue
 * rules read a policy (queue-policy.ts). Queues outside the plan are not checked.
 */
export const EVENTBRIDGE_QUEUE_TARGET_POLICY: DeployRule = {
  id: "EventBridgeQueueTargetPolicy",
  title: "A rule's SQS target lets the rule send",
  source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html",
  check(graph) {
    return ruleSendRefusals(graph, this.id, (target) => queueOf(graph, target), {
      problem: (queue, refusal, rule) => `sends ${rule}'s events to ${queue}, whose policy ${refusal}; every delivery fails`,
      grant: "add that statement to the queue's one policy (MessageQueue: list the bus in eventBuses)",
    });
  },
};

/**
 * A queue target encrypted with KMS: "If your Amazon SQS queue is encrypted, you must create a customer-managed KMS
 * key and include the following permission section in your KMS key policy": kms:Decrypt and kms:GenerateDataKey for
 * events.amazonaws.com (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html#eb-sqs-encrypted).
 * The AWS managed key alias/aws/sqs has a key policy no one can change, so EventBridge can never send to such a
 * queue; a customer managed key in the plan must grant both actions to events.amazonaws.com in its policy (a key
 * without a `policy` gets the default one, which names only the account). SSE-SQS (sqsManagedSseEnabled) needs
 * nothing. Keys outside the plan are not checked.
 */
export const EVENTBRIDGE_QUEUE_TARGET_ENCRYPTION: DeployRule = {
  id: "EventBridgeQueueTargetEncryption",
  title: "A rule's SQS target is not encrypted with a key EventBridge may not use",
  source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html",
  check(graph) {
    return targetKeyRefusals(graph, this.id, (target) => queueOf(graph, target), "sqs", {
      verb: "sends to",
      managedFix: (queue) => `encrypt ${queue} with SSE-SQS (sqsManagedSseEnabled: true, as MessageQueue does) or a customer managed key whose policy allows events.amazonaws.com kms:GenerateDataKey and kms:Decrypt`,
    });
  },
};

/**
 * A target's dead-letter queue encrypted with KMS: EventBridge sends to it as to a queue target, and "to allow these
 * event sources to work with encrypted queues, you must create a customer managed KMS key and add permissions in the key
 * policy for the service" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html),
 * the same kms:GenerateDataKey and kms:Decrypt as EventBridgeQueueTargetEncryption. Otherwise the events the target
 * could not take are lost with no trace. EventBus's dead-letter queues use SSE-SQS.
 */
export const EVENTBRIDGE_DEAD_LETTER_QUEUE_ENCRYPTION: DeployRule = {
  id: "EventBridgeDeadLetterQueueEncryption",
  title: "A target's dead-letter queue is not encrypted with a key EventBridge may not use",
  source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
  check(graph) {
    return targetKeyRefusals(graph, this.id, (target) => referenced(graph, QUEUE, target.inputs.deadLetterConfig?.arn), "sqs", {
      verb: "keeps the events it cannot deliver in the dead-letter queue",
      lost: "every event EventBridge moves there is lost",
      managedFix: (queue) => `encrypt ${queue} with SSE-SQS (sqsManagedSseEnabled: true, as EventBus's dead-letter queues are) or a customer managed key whose policy allows events.amazonaws.com kms:GenerateDataKey and kms:Decrypt`,
    });
  },
};

/**
 * A topic target encrypted with KMS: "the Amazon SNS topic must use a customer managed AWS KMS key" whose key policy
 * lets EventBridge use it (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification): the AWS
 * managed key alias/aws/sns has a key policy no one can change, and a customer managed key in the plan must allow
 * events.amazonaws.com kms:GenerateDataKey* and kms:Decrypt (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html,
 * "compatibility with AWS services") in a statement without source conditions: "Adding the aws:SourceAccount,
 * aws:SourceArn, and aws:SourceOrgID to a AWS KMS policy is not supported for EventBridge-to-encrypted topics" (the
 * same page). Topics or keys outside the plan are not checked.
 */
export const EVENTBRIDGE_TOPIC_TARGET_ENCRYPTION: DeployRule = {
  id: "EventBridgeTopicTargetEncryption",
  title: "A rule's SNS target is not encrypted with a key EventBridge may not use",
  source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html",
  check(graph) {
    return targetKeyRefusals(graph, this.id, (target) => referenced(graph, TOPIC, target.inputs.arn), "sns", {
      verb: "publishes to",
      managedFix: (topic) => `encrypt ${topic} with a customer managed key whose policy allows events.amazonaws.com kms:GenerateDataKey* and kms:Decrypt, without source conditions (Topic kmsKeyId)`,
    });
  },
};

/**
 * A topic target must let the rule publish: "For Lambda, Amazon SNS, Amazon SQS, and Amazon CloudWatch Logs
 * resources, EventBridge uses resource-based policies" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html),
 * and "Your Amazon SNS topic's resource-based policy must allow EventBridge" to sns:Publish
 * (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification). PutTargets does not check it, and
 * every delivery fails. The topic's policy (its TopicPolicy resources and its own `policy`) is read as
 * EventBridgeQueueTargetPolicy reads a queue's, for sns:Publish. Topics outside the plan are not checked.
 */
export const EVENTBRIDGE_TOPIC_TARGET_POLICY: DeployRule = {
  id: "EventBridgeTopicTargetPolicy",
  title: "A rule's SNS target lets the rule publish",
  source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const target of ofType(graph, TARGET)) {
      const topic = referenced(graph, TOPIC, target.inputs.arn);
      if (!topic) continue;
      const rule = ruleOf(graph, target);
      const refusal = resourceSendRefusal(topicPolicies(graph, topic), "sns:Publish", topic.state.arn, EVENTBRIDGE_RULE_SENDER, rule?.state.arn);
      if (!refusal) continue;
      const ruleName = rule?.name ?? String(target.inputs.rule);
      findings.push(
        finding(
          this.id,
          target,
          `sends ${ruleName}'s events to ${topic.name}, whose policy ${refusal.replace("that rule", ruleName)}; every delivery fails`,
          queueSendFix(EVENTBRIDGE_RULE_SENDER, refusal, `add that statement to ${topic.name}'s one policy (Topic: servicePublishers: [{ service: "${EVENTS_PRINCIPAL}", sourceArn: bus.rulesArn }])`),
        ),
      );
    }
    return findings;
  },
};

/**
 * A FIFO topic target: "EventBridge does not support Amazon SNS FIFO (first in, first out) topics"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html, under "Amazon SNS topic"). A topic of the
 * plan is FIFO by its `fifoTopic`, one outside it by its ARN's ".fifo".
 */
export const EVENTBRIDGE_SNS_FIFO_TARGET: DeployRule = {
  id: "EventBridgeSnsFifoTarget",
  title: "A rule's SNS target is a standard topic",
  source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const target of ofType(graph, TARGET)) {
      const arn = String(target.inputs.arn ?? "");
      const topic = referenced(graph, TOPIC, target.inputs.arn);
      const fifo = topic ? topic.inputs.fifoTopic === true : /^arn:[^:]+:sns:/.test(arn) && arn.endsWith(".fifo");
      if (!fifo) continue;
      findings.push(finding(this.id, target, `sends to the FIFO topic ${topic?.name ?? arn}; EventBridge does not support SNS FIFO topics as targets`, "target a standard topic, or a FIFO SQS queue (with sqsTarget.messageGroupId) that the FIFO topic's consumers read instead"));
    }
    return findings;
  },
};

/**
 * A bus or archive encrypted with a customer managed key: "the policies on that KMS key must give EventBridge
 * permission to use it", kms:DescribeKey ("to retrieve the KMS key ARN for the Key Id provided, and to verify that the
 * key is symmetric"), kms:GenerateDataKey and kms:Decrypt (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html);
 * an archive also kms:ReEncrypt* (its key policy, https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-archives.html).
 * The bus's key also encrypts each rule's pattern and each target's input (eb-encryption-event-bus-cmkey.html). The
 * conditions those pages recommend (aws:SourceArn, aws:SourceAccount, kms:EncryptionContext:aws:events:event-bus:arn)
 * match EventBridge's own use, so a statement with them counts. Keys outside the plan (or named by alias) are not read.
 */
const BUS_KEY_ACTIONS = ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"];
export const EVENTBRIDGE_BUS_KEY_POLICY: DeployRule = {
  id: "EventBridgeBusKeyPolicy",
  title: "A bus's or archive's customer managed key lets EventBridge use it",
  source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const [type, what, actions] of [
      [BUS, "event bus", BUS_KEY_ACTIONS],
      [ARCHIVE, "archive", [...BUS_KEY_ACTIONS, "kms:ReEncryptFrom", "kms:ReEncryptTo"]],
    ] as const) {
      for (const resource of ofType(graph, type)) {
        const ref = resource.inputs.kmsKeyIdentifier;
        const key = typeof ref === "string" && ref !== "" ? planKey(graph, ref) : undefined;
        if (!key) continue;
        const missing = keyPolicyMissing(graph, key, EVENTS_PRINCIPAL, actions);
        if (missing.length === 0) continue;
        findings.push(
          finding(
            this.id,
            resource,
            `is an ${what} encrypted with ${key.name}, whose key policy does not allow ${EVENTS_PRINCIPAL} ${missing.join(", ")}; EventBridge needs them to use a customer managed key (${what === "archive" ? "encryption-archives.html" : `eb-encryption-key-policy.html${missing.includes("kms:DescribeKey") ? "; its example statement omits kms:DescribeKey, which the list above it names" : ""}`}), and without them it cannot encrypt or decrypt the ${what === "archive" ? "archived events" : "bus's events, rule patterns and target inputs"}`,
            `add a statement to ${key.name}'s policy allowing the service principal ${EVENTS_PRINCIPAL} ${actions.join(", ").replace("kms:ReEncryptFrom, kms:ReEncryptTo", "kms:ReEncrypt*")} (a condition on aws:SourceArn or kms:EncryptionContext:aws:events:event-bus:arn naming the bus may narrow it)`,
          ),
        );
      }
    }
    return findings;
  },
};

/** The condition keys a KMS key policy's statement for EventBridge may not carry for an SNS topic (sns-key-management.html, "compatibility with AWS services"). */
const SNS_KEY_UNSUPPORTED_CONDITIONS = ["aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID"];

/**
 * The findings of the rules whose targets (`destination` of each: a queue or a topic of the plan) are encrypted with a
 * key EventBridge may not use: the service's AWS managed key, or a customer managed key of the plan whose policy does
 * not let events.amazonaws.com kms:GenerateDataKey and kms:Decrypt (a key without a `policy` gets the default one,
 * which names only the account; for a topic, a statement with source conditions does not count).
 */
function targetKeyRefusals(
  graph: Graph,
  id: string,
  destination: (target: RecordedResource) => RecordedResource | undefined,
  service: "sqs" | "sns",
  text: { verb: string; managedFix: (name: string) => string; lost?: string },
): DeployFinding[] {
  const findings: DeployFinding[] = [];
  for (const target of ofType(graph, TARGET)) {
    const resource = destination(target);
    // "Adding the aws:SourceAccount, aws:SourceArn, and aws:SourceOrgID to a AWS KMS policy is not supported for
    // EventBridge-to-encrypted topics" (sns-key-management.html): such a statement never matches EventBridge's publish.
    const unmatched = service === "sns" ? SNS_KEY_UNSUPPORTED_CONDITIONS : [];
    const refusal = resource && serviceKeyRefusal(graph, resource, service, EVENTS_PRINCIPAL, unmatched);
    if (!resource || !refusal) continue;
    if (refusal.managed) {
      findings.push(finding(id, target, `${text.verb} ${resource.name}, encrypted with the AWS managed key alias/aws/${service}, whose key policy cannot let events.amazonaws.com use it; ${text.lost ?? "every delivery fails"}`, text.managedFix(resource.name)));
      continue;
    }
    const unconditioned = service === "sns" ? ` in a statement without ${SNS_KEY_UNSUPPORTED_CONDITIONS.join(", ")} conditions (not supported for EventBridge-to-encrypted topics)` : "";
    findings.push(finding(id, target, `${text.verb} ${resource.name}, encrypted with ${refusal.key.name}, whose key policy does not allow ${EVENTS_PRINCIPAL} ${refusal.missing.join(" and ")}${unconditioned}; ${text.lost ?? "every delivery fails"}`, `add a statement to ${refusal.key.name}'s policy allowing the service principal ${EVENTS_PRINCIPAL} kms:GenerateDataKey and kms:Decrypt${unconditioned}`));
  }
  return findings;
}

/**
 * A Step Functions target: "For ... Step Functions state machines ... EventBridge relies on IAM roles that you specify
 * in the RoleARN argument in PutTargets" (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html).
 * Without a role, or with one that events.amazonaws.com may not assume or that may not states:StartExecution on the
 * state machine, no execution starts. Roles outside the plan, or with policies the plan cannot read, are not checked.
 */
export const EVENTBRIDGE_WORKFLOW_ROLE: DeployRule = {
  id: "EventBridgeWorkflowRole",
  title: "A rule's Step Functions target has a role EventBridge may assume that may start the state machine",
  source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const target of ofType(graph, TARGET)) {
      if (!isStateMachineTarget(graph, target)) continue;
      const machine = stateMachineOf(graph, target);
      const machineArn = String(machine?.state.arn ?? target.inputs.arn);
      const name = machine?.name ?? machineArn;
      if (!target.inputs.roleArn) {
        findings.push(finding(this.id, target, `starts ${name} without a roleArn; EventBridge starts a state machine only as a role the target names`, "give the target a role trusted by events.amazonaws.com that may states:StartExecution on the state machine (EventBus.subscribe creates one)"));
        continue;
      }
      const role = referenced(graph, ROLE, target.inputs.roleArn);
      if (!role) continue;
      const trusted = trustsService(role, EVENTS_PRINCIPAL, ruleOf(graph, target)?.state.arn);
      if (!trusted) findings.push(finding(this.id, target, `starts ${name} as ${role.name}, whose trust policy does not let events.amazonaws.com assume it; no execution starts`, `add an Allow of sts:AssumeRole for the service principal events.amazonaws.com to ${role.name}'s assumeRolePolicy, with conditions the target's rule meets (aws:SourceArn the rule's ARN, aws:SourceAccount its account)`));
      const { grants, complete } = roleGrants(graph, role);
      if (complete && granting(grants, "states:StartExecution", machineArn).length === 0) {
        findings.push(finding(this.id, target, `starts ${name} as ${role.name}, which may not states:StartExecution on it; every delivery fails`, `allow states:StartExecution on ${name}'s ARN in ${role.name}'s policy`));
      }
    }
    return findings;
  },
};

/**
 * A target's input: "Only one of Input, InputPath, or InputTransformer" (API_Target); Input valid JSON of at most 8192
 * characters, InputPath at most 256, InputTransformer's InputTemplate 1–8192 characters and InputPathsMap at most 100
 * variables of `[A-Za-z0-9_-]` names (API_Target.html, API_InputTransformer.html; terraform-provider-aws
 * events/target.go ConflictsWith and validations, which also refuse a name starting with "AWS"). PutTargets (or the
 * provider) refuses the target otherwise.
 */
export const EVENTBRIDGE_TARGET_INPUT: DeployRule = {
  id: "EventBridgeTargetInput",
  title: "A rule target shapes its input one way, within EventBridge's limits",
  source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const target of ofType(graph, TARGET)) {
      const { input, inputPath, inputTransformer } = target.inputs;
      const given = [["input", input], ["inputPath", inputPath], ["inputTransformer", inputTransformer]].filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k]) => k);
      if (given.length > 1) findings.push(finding(this.id, target, `has ${given.join(" and ")}; a target takes one of input, inputPath and inputTransformer`, "keep one of them"));
      if (typeof input === "string" && input !== "") {
        let json = true;
        try {
          JSON.parse(input);
        } catch {
          json = false;
        }
        if (!json) findings.push(finding(this.id, target, "has an input that is not JSON; EventBridge takes a JSON text", "write the input as JSON (JSON.stringify of a value)"));
        else if (input.length > 8192) findings.push(finding(this.id, target, `has an input of ${input.length} characters; EventBridge takes at most 8192`, "send less, or pick what the target needs with an inputTransformer"));
      }
      if (typeof inputPath === "string" && inputPath.length > 256) findings.push(finding(this.id, target, `has an inputPath of ${inputPath.length} characters; EventBridge takes at most 256`, "shorten the JSON path"));
      // A transformer or template unknown at preview (an Output) is not judged.
      if (inputTransformer && !isUnknown(inputTransformer)) {
        const template = inputTransformer.inputTemplate;
        if (!isUnknown(template) && (typeof template !== "string" || template.length < 1 || template.length > 8192)) findings.push(finding(this.id, target, `has an inputTemplate of ${typeof template === "string" ? template.length : 0} characters; EventBridge takes 1–8192`, "write a template of 1–8192 characters"));
        const names = Object.keys(inputTransformer.inputPaths ?? {});
        if (names.length > 100) findings.push(finding(this.id, target, `has ${names.length} inputPaths; an input transformer takes at most 100`, "use at most 100 variables"));
        const bad = names.filter((n) => !/^[A-Za-z0-9_-]+$/.test(n) || n.startsWith("AWS"));
        if (bad.length > 0) findings.push(finding(this.id, target, `has inputPaths named ${bad.map((n) => JSON.stringify(n)).join(", ")}; a variable's name is letters, digits, _ and -, not starting with "AWS"`, "rename the variables"));
      }
    }
    return findings;
  },
};

const S3_BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const S3_NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";

/** The bucket names an S3 pattern matches exactly: `detail.bucket.name` values and `resources` bucket ARNs (its `$or` branches too). */
function patternBucketNames(pattern: Record<string, any>): string[] {
  const names: string[] = [];
  const walk = (p: Record<string, any>) => {
    for (const value of asArray<unknown>(p?.detail?.bucket?.name)) if (typeof value === "string") names.push(value);
    for (const value of asArray<unknown>(p?.resources)) if (typeof value === "string" && /^arn:[^:]+:s3:::[^/]+$/.test(value)) names.push(value.replace(/^arn:[^:]+:s3:::/, ""));
    for (const branch of asArray<Record<string, any>>(p?.$or)) walk(branch);
  };
  walk(pattern);
  return names;
}

/**
 * A rule for S3's events (`source` aws.s3) fires only for buckets that send them to EventBridge: "you must enable
 * EventBridge" on the bucket, whose events then go to "the default event bus" of its region
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html, enable-event-notifications-eventbridge.html):
 * the notification configuration's EventBridgeConfiguration (pulumi-aws BucketNotification `eventbridge`;
 * terraform-provider-aws s3/bucket_notification.go puts `EventBridgeConfiguration` when it is true). For each bucket of
 * the plan a default-bus rule names (`detail.bucket.name` or a bucket ARN in `resources`): a finding when no
 * notification of the plan turns EventBridge on for it, or when the rule is in another region than the bucket. A
 * bucket outside the plan, or a pattern naming none, is not judged.
 */
export const EVENTBRIDGE_S3_DELIVERY: DeployRule = {
  id: "EventBridgeS3Delivery",
  title: "A default-bus rule for a bucket's S3 events names a bucket that sends them to EventBridge, in the rule's region",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const rule of ofType(graph, RULE)) {
      if (customBusNameOf(rule.inputs.eventBusName) !== undefined || typeof rule.inputs.eventPattern !== "string") continue;
      let pattern: Record<string, any>;
      try {
        pattern = JSON.parse(rule.inputs.eventPattern);
      } catch {
        continue;
      }
      if (!asArray<unknown>(pattern?.source).includes("aws.s3")) continue;
      for (const name of new Set(patternBucketNames(pattern))) {
        const bucket = S3_BUCKET_TYPES.flatMap((t) => ofType(graph, t)).find((b) => b.state.bucket === name);
        if (!bucket) continue;
        const identities = [bucket.id, bucket.state.bucket, bucket.state.arn].filter(Boolean);
        const on = ofType(graph, S3_NOTIFICATION).some((n) => identities.includes(n.inputs.bucket) && n.inputs.eventbridge === true);
        if (!on) {
          findings.push(finding(this.id, rule, `matches S3 events of the bucket ${bucket.name} (${name}), which does not send its events to EventBridge; the rule never fires`, "turn EventBridge on in the bucket's notification (BucketEvents eventBridge: true, UploadBucket notify(subscriptions, { eventBridge: true }), or aws.s3.BucketNotification eventbridge: true)"));
          continue;
        }
        const ruleRegion = regionOf(graph, rule, context);
        const bucketRegion = regionOf(graph, bucket, context);
        if (ruleRegion !== bucketRegion) {
          findings.push(finding(this.id, rule, `matches S3 events of the bucket ${bucket.name}, in ${bucketRegion}, but the rule is on the default bus of ${ruleRegion}; S3 sends to its own region's default bus only`, `create the rule in ${bucketRegion}`));
        }
      }
    }
    return findings;
  },
};

/**
 * An event bus has one resource policy, which each aws.cloudwatch.EventBusPolicy writes whole: terraform-provider-aws
 * bus_policy.go puts it with PutPermission's `Policy` (the whole document, API_PutPermission), takes the bus's name as the resource's id,
 * and deletes with RemovePermission `RemoveAllPermissions: true`; its page says the resource "is incompatible with the
 * cloudwatch event permissions resource and will overwrite them". Two on one bus (or one beside an
 * aws.cloudwatch.EventPermission) replace each other on every deploy, the last applied decides what is allowed, and
 * destroying either removes every statement. The deploy rule StatesServiceTasks reads a bus's policies together
 * (local/resource-policies.ts busPolicies), which holds only for one writer. The EventBridge counterpart of SnsOneTopicPolicy.
 */
export const EVENTBRIDGE_ONE_BUS_POLICY: DeployRule = onePolicyRule({
  id: "EventBridgeOneBusPolicy",
  title: "An event bus's resource policy is written by one resource only",
  source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html",
  targets: (graph, context) => byReference(graph, context, [...ofType(graph, BUS_POLICY), ...ofType(graph, EVENT_PERMISSION)], (w) => busNameOf(w.inputs.eventBusName)),
  // An EventPermission adds one statement: two of them on a bus are fine; beside a policy, the policy drops it.
  whole: (writer) => writer.type === BUS_POLICY,
  wording: {
    on: "writer",
    of: (bus) => `resource policy of the event bus ${bus}`,
    removes: "every statement",
    fix: (bus) => `write every statement of ${bus}'s policy into one aws.cloudwatch.EventBusPolicy (and no aws.cloudwatch.EventPermission beside it)`,
  },
});

/**
 * A rule or archive on a custom bus of the plan is deleted before the bus. DeleteEventBus: "All rules associated with
 * this event bus need to be deleted" (API_DeleteEventBus.html); it answers ValidationException "EventBus can't be deleted
 * since it has rules" otherwise (as reported in hashicorp/terraform-provider-aws#22131 and sst/sst#4325; the text is not
 * in the API reference's error list). The user guide's "Deleting an event bus deletes the rules associated with that
 * event bus" (event-bus-delete.html) describes the console, which removes them first; the API does not. In sst#4325 the
 * rules were deleted before the bus and DeleteEventBus still refused once (a second destroy passed; the maintainers
 * suspect eventual consistency): the order this rule asks for is necessary, not shown sufficient. An archive holds such a rule: EventBridge makes a managed rule for it on its
 * source bus and deletes that rule with the archive (eb-archive-delete.html: deleting an archive deletes "The managed
 * rule EventBridge generated for the archive"). terraform-provider-aws calls DeleteRule, DeleteArchive and
 * DeleteEventBus once each, with no wait or retry after (events/rule.go, archive.go, bus.go resource*Delete), so the
 * order is the engine's alone: it deletes a resource's dependents first and runs unrelated deletes in parallel. A rule
 * (`eventBusName`) or archive (`eventSourceArn`) that names a bus of the plan by a plain string, without the bus among
 * its dependencies (dependencyClosure: dependsOn, Outputs of its inputs, its ancestors'), can then be deleted after
 * or beside the bus on `pulumi destroy` or when both go, and DeleteEventBus refuses. EventBus and its subscriptions
 * take the bus's name and ARN as Outputs, so theirs always wait. One the engine does not delete at all when the bus goes
 * (retainOnDelete, or deletedWith: its delete is skipped when its target goes in the same operation) stays on the bus
 * whatever the order, unless the bus is retained too. (That DeleteArchive finishes removing the managed
 * rule before it answers, and so that an immediately following DeleteEventBus sees no rule, was not confirmed: no
 * archive state DELETING exists, ArchiveState is ENABLED | DISABLED | CREATING | UPDATING | CREATE_FAILED | UPDATE_FAILED.)
 */
export const EVENTBRIDGE_BUS_DELETED_LAST: DeployRule = {
  id: "EventBridgeBusDeletedLast",
  title: "Rules and archives on a custom bus of the plan depend on the bus and are not kept when it goes (retainOnDelete, deletedWith), so they are deleted before it",
  source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteEventBus.html",
  check(graph, context) {
    const onBus: Array<[RecordedResource, string, string]> = [
      ...ofType(graph, RULE).map((r) => [r, "eventBusName", "rule"] as [RecordedResource, string, string]),
      ...ofType(graph, ARCHIVE).map((r) => [r, "eventSourceArn", "archive (EventBridge keeps a managed rule on the bus for it)"] as [RecordedResource, string, string]),
    ];
    return onBus.flatMap(([r, property, what]) => {
      const value = r.inputs[property];
      const bus = referenced(graph, BUS, value);
      if (!bus) return [];
      // A name (PutRule's EventBusName takes a name or an ARN) is the bus of that name in the rule's own account and
      // region: one in another region or account is another bus. An ARN the plan's bus has names that bus itself.
      const byName = typeof value === "string" && !value.startsWith("arn:");
      if (byName && (regionOf(graph, r, context) !== regionOf(graph, bus, context) || accountScope(graph, r) !== accountScope(graph, bus))) return [];
      // Kept when the bus goes: the engine skips the delete of a retainOnDelete resource, and of a deletedWith one whose
      // target is deleted in the same operation (on `pulumi destroy` every target is; a retained target's delete step
      // counts too), so the rule stays on the bus and DeleteEventBus refuses whatever the order.
      const skipped = bus.retainOnDelete ? undefined : r.retainOnDelete ? "is retainOnDelete" : r.deletedWith !== undefined ? `is deletedWith ${r.deletedWith.split("::").pop()}` : undefined;
      if (skipped) {
        return [
          finding(
            this.id,
            r,
            `${skipped}, so Pulumi leaves this ${what} on bus ${bus.name} when it deletes the bus (pulumi destroy), which is not retained; DeleteEventBus refuses a bus that still has rules ("EventBus can't be deleted since it has rules")`,
            `drop ${r.retainOnDelete ? "retainOnDelete" : "deletedWith"} from it, or give ${bus.name} retainOnDelete too`,
          ),
        ];
      }
      if (dependencyClosure(graph, r).has(bus.urn)) return [];
      return [
        finding(
          this.id,
          r,
          `names ${bus.name} in ${property} by a plain value and does not depend on it, so the engine may delete the bus first or beside this ${what}; DeleteEventBus refuses a bus that still has rules ("EventBus can't be deleted since it has rules")`,
          `pass the bus's ${property === "eventSourceArn" ? "arn" : "name"} Output (${property}: ${bus.name}.${property === "eventSourceArn" ? "arn" : "name"}), or add ${bus.name} to its dependsOn`,
        ),
      ];
    });
  },
};

export const EVENTBRIDGE_RULES: DeployRule[] = [
  EVENTBRIDGE_NAMES,
  EVENTBRIDGE_TARGETS_PER_RULE,
  EVENTBRIDGE_EVENT_PATTERN,
  EVENTBRIDGE_RETRY_POLICY,
  EVENTBRIDGE_LAMBDA_PERMISSION,
  EVENTBRIDGE_TARGET_REGION,
  EVENTBRIDGE_DEAD_LETTER_QUEUE_POLICY,
  EVENTBRIDGE_SQS_FIFO_TARGET,
  EVENTBRIDGE_QUEUE_TARGET_POLICY,
  EVENTBRIDGE_QUEUE_TARGET_ENCRYPTION,
  EVENTBRIDGE_DEAD_LETTER_QUEUE_ENCRYPTION,
  EVENTBRIDGE_TOPIC_TARGET_ENCRYPTION,
  EVENTBRIDGE_TOPIC_TARGET_POLICY,
  EVENTBRIDGE_BUS_KEY_POLICY,
  EVENTBRIDGE_SNS_FIFO_TARGET,
  EVENTBRIDGE_WORKFLOW_ROLE,
  EVENTBRIDGE_TARGET_INPUT,
  EVENTBRIDGE_S3_DELIVERY,
  EVENTBRIDGE_ONE_BUS_POLICY,
  EVENTBRIDGE_BUS_DELETED_LAST,
];
