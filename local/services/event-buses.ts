/**
 * The program's EventBuses under `npm start`: a local EventBridge endpoint (local/eventbridge-server.ts) that functions
 * reach through AWS_ENDPOINT_URL_EVENTBRIDGE (the SDK's service id "EventBridge": @smithy/core's endpoint config reads
 * `AWS_ENDPOINT_URL_<SERVICE ID, upper-cased, spaces as _>`), delivering each event to the subscriptions whose pattern
 * it matches, as EventBridge invokes a Lambda target: asynchronously (Lambda's retries, then the function's on-failure
 * destination: local/async-invoke.ts) with the EventBridge event. When Lambda does not take the event at all, the
 * target's retry policy applies, then its dead-letter queue on the local SQS server, with the attributes EventBridge
 * sets (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS, EXHAUSTED_RETRY_CONDITION: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
 * Started after the queues and the topics (it sends to their servers) and before anything that invokes functions.
 */
import type { EventBusSpec, EventBusSubscriptionSpec, EventBusWorkflowSubscriptionSpec } from "../../components/event-bus/spec";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { assumedRoleAuthorise } from "../function-roles";
import { invokeAsync, type AsyncInvokeOptions, type Invoke } from "../async-invoke";
import { signedFetch } from "../aws-service-calls";
import { targetInputText, targetInputValue } from "../eventbridge-input";
import { startLocalEventBridge, type EventBridgeEvent, type LocalBusDefinition, type LocalRule } from "../eventbridge-server";
import { ofType, type Graph } from "../offline/graph";
import { lambdaFunctionArn, MOCK_ACCOUNT_ID } from "../offline/mocks";
import { resolveValue } from "../offline/program";
import type { RecordedPlan } from "../resource-policies";
import { SnsError, type LocalSns } from "../sns-server";
import { SqsError, type LocalSqs } from "../sqs-server";
import { acceptedCredentials } from "./credentials";
import { functionInvocation, pendingDeliveries } from "./deliveries";
import type { LocalService, StartedService } from "./types";

export interface EventBusDelivery {
  /** Invokes a subscribed function (its local sandbox). */
  invoke(spec: LambdaFunctionSpec): Invoke;
  /** The local SQS server's queues (the targets' dead-letter queues). */
  sqs(): LocalSqs | undefined;
  /** The local SNS topics (Topic targets). @default none: a Topic target's deliveries fail */
  sns?(): LocalSns | undefined;
  async: AsyncInvokeOptions;
  log(message: string): void;
  /** Keeps a delivery under way (retries, an asynchronous invocation) for `drained()`. */
  track(delivery: Promise<unknown>): void;
  /**
   * Hands the event to Lambda for an asynchronous invocation; throws when Lambda does not take it (then the target's
   * retry policy applies). @default queues it with invokeAsync, which Lambda always takes locally
   */
  accept?(spec: LambdaFunctionSpec, event: EventBridgeEvent): void;
  /** Milliseconds before each EventBridge retry (EventBridge backs off exponentially, with jitter). @default [1000, 2000, 4000] */
  retryDelaysMs?: number[];
  /**
   * Starts an execution of a Workflow target (StartExecution on the local Step Functions endpoint); throws when Step
   * Functions refuses it. @default none: a Workflow target's deliveries fail
   */
  startExecution?(stateMachineArn: string, input: string): Promise<void>;
  /** The recorded graph, where a Workflow target's role and its policies are read. @default the graph given to localBusDefinitions */
  graph?: Graph;
  /**
   * The stack's region, where the graph's resources without a region of their own are (local/resource-policies.ts
   * RecordedPlan). @default the default region given to localBusDefinitions, else us-east-1 (the recording mocks')
   */
  stackRegion?: string;
}

/** A delivery EventBridge does not retry (a missing permission): the event goes to the dead-letter queue at once (eb-rule-dlq.html). */
class TargetRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Each EventBus as the local endpoint defines it: its recorded name and ARN, and each subscription's rule. */
export async function localBusDefinitions(specs: EventBusSpec[], defaultRegion: string, graph: Graph, delivery: EventBusDelivery): Promise<LocalBusDefinition[]> {
  const buses = ofType(graph, "aws:cloudwatch/eventBus:EventBus");
  const rules = ofType(graph, "aws:cloudwatch/eventRule:EventRule");
  const definitions: LocalBusDefinition[] = [];
  for (const spec of specs) {
    const name = await resolveValue<string>(spec.busName);
    const region = spec.region ?? defaultRegion;
    const recorded = spec.default ? undefined : buses.find((r) => r.state.name === name)?.state.arn;
    const arn = typeof recorded === "string" ? recorded : `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:event-bus/${name}`;
    const localRules: LocalRule[] = [];
    for (const subscription of spec.subscriptions) {
      const ruleName = await resolveValue<string>(subscription.ruleName);
      // A rule on the default bus is rule/<name>, on a custom bus rule/<bus>/<name> (terraform-provider-aws events/rule.go).
      const fallback = `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:rule/${spec.default ? "" : `${name}/`}${ruleName}`;
      const ruleArn = String(rules.find((r) => r.state.name === ruleName)?.state.arn ?? fallback);
      // A pattern may hold Outputs (a bucket's name): the recorded program's values.
      const pattern = await resolveValue<Record<string, unknown>>(subscription.pattern);
      const subscriptionDelivery = { graph, stackRegion: defaultRegion, ...delivery };
      const target = subscriptionTarget(subscription, subscriptionDelivery);
      localRules.push({ arn: ruleArn, pattern, deliver: (event) => delivery.track(deliverToTarget(spec, subscription, ruleArn, event, subscriptionDelivery, target)) });
    }
    // Every DefaultEventBus of a region puts its rules on that region's one default bus.
    const same = spec.default ? definitions.find((d) => d.arn === arn) : undefined;
    if (same) same.rules.push(...localRules);
    else definitions.push({ name, arn, region, account: MOCK_ACCOUNT_ID, rules: localRules });
  }
  return definitions;
}

/**
 * EventBridge's delivery to a target, with the target's input shaping (local/eventbridge-input.ts): a Lambda target's
 * event is handed to Lambda (which then runs it asynchronously, with its own retries); a MessageQueue's is sent to
 * the local queue (a FIFO queue's in the subscription's message group, deduplicated by content); a Workflow's starts
 * an execution as the target's role, which must allow states:StartExecution on the state machine; a Topic's is
 * published to the local topic as the message (the event's JSON, or the shaped input), which the topic then fans out. When the target
 * does not take it, EventBridge retries up to `retryAttempts` times while the event is younger than
 * `maximumEventAgeSeconds` (a refusal for a missing permission is not retried), then moves it to the target's
 * dead-letter queue (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html).
 */
export async function deliverToTarget(
  bus: EventBusSpec,
  subscription: EventBusSubscriptionSpec,
  ruleArn: string,
  event: EventBridgeEvent,
  delivery: EventBusDelivery,
  targets: TargetFinder = subscriptionTarget(subscription, delivery),
): Promise<"delivered" | "dead-lettered" | "dropped"> {
  const rule = { arn: ruleArn, name: await resolveValue<string>(subscription.ruleName) };
  const target = await targets(event);
  const delays = delivery.retryDelaysMs ?? [1000, 2000, 4000];
  const started = Date.now();
  let lastError: Error | undefined;
  let attempts = 0;
  // Which retry limit ended the delivery (the retry policy's own names); none for a refusal that is not retried.
  let exhausted: "MaximumRetryAttempts" | "MaximumEventAgeInSeconds" | undefined = "MaximumRetryAttempts";
  for (let attempt = 0; attempt <= subscription.retryAttempts; attempt++) {
    if (attempt > 0) {
      await new Promise((resolve) => setTimeout(resolve, delays[Math.min(attempt - 1, delays.length - 1)] ?? 0));
      if (Date.now() - started > subscription.maximumEventAgeSeconds * 1000) {
        exhausted = "MaximumEventAgeInSeconds";
        break;
      }
    }
    attempts += 1;
    try {
      await target.deliver(rule);
      return "delivered";
    } catch (error) {
      lastError = error as Error;
      if (error instanceof TargetRefusal) {
        exhausted = undefined;
        break;
      }
    }
  }
  const queueName = await resolveValue<string>(subscription.deadLetterQueueName);
  const sqs = delivery.sqs();
  if (!sqs?.has(queueName)) {
    delivery.log(`  ${bus.name}/${subscription.name}: event ${event.id} not delivered to ${target.name} (${lastError?.message}); its dead-letter queue ${queueName} is not served locally`);
    return "dropped";
  }
  const text = (value: string) => ({ DataType: "String", StringValue: value });
  try {
    sqs.send(queueName, {
      body: JSON.stringify(event),
      messageAttributes: {
        RULE_ARN: text(ruleArn),
        TARGET_ARN: text(target.arn),
        ERROR_CODE: text(lastError?.name ?? "Error"),
        ERROR_MESSAGE: text(lastError?.message || "The target refused the event"),
        // "EventBridge includes … the Error Code, Error Message, the Exhausted Retry Condition, Rule ARN, Retry
        // Attempts, and the Target ARN" (eb-rule-dlq.html): the retries made after the first attempt, and the limit
        // that ended them. The attribute names and their String type are not confirmed on an AWS page (other
        // emulators and guides write them so).
        RETRY_ATTEMPTS: text(String(Math.max(attempts - 1, 0))),
        ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: text(exhausted) } : {}),
      },
    });
  } catch (error) {
    if (!(error instanceof SqsError)) throw error;
    delivery.log(`  ${bus.name}/${subscription.name}: SQS refused event ${event.id} for ${queueName} (${error.message})`);
    return "dropped";
  }
  delivery.log(`  ${bus.name}/${subscription.name}: event ${event.id} moved to ${queueName} after ${lastError instanceof TargetRefusal ? "a refusal that is not retried" : `${subscription.retryAttempts + 1} attempts`}`);
  return "dead-lettered";
}

interface LocalTarget {
  name: string;
  arn: string;
  /** One attempt: throws when the target does not take the event. */
  deliver(rule: { arn: string; name: string }): Promise<void>;
}

/** A subscription's target as each event's delivery reaches it (subscriptionTarget). */
type TargetFinder = (event: EventBridgeEvent) => Promise<LocalTarget>;

/** What a Topic or Workflow target is in the recorded graph, in one region: its ARN and, for a Workflow, why its role may not start it. */
interface RecordedTarget {
  arn: string;
  refusal?: string;
}

/**
 * A subscription's target for each of its events, with what it reads from the recorded graph (a Topic's or Workflow's
 * ARN, the Workflow role's policies) read at the first event of a region and kept: the graph is recorded once per run,
 * and a scan of every resource at each event would make a busy bus's deliveries cost as much as the program is large.
 */
function subscriptionTarget(subscription: EventBusSubscriptionSpec, delivery: EventBusDelivery): TargetFinder {
  const plan = { graph: delivery.graph ?? [], stackRegion: delivery.stackRegion ?? "us-east-1" };
  const recorded = new Map<string, Promise<RecordedTarget>>();
  // A target named by no recorded resource falls back to an ARN in the event's region, hence one lookup per region.
  const inRegion = (region: string): Promise<RecordedTarget> => {
    let found = recorded.get(region);
    if (!found) recorded.set(region, (found = recordedTarget(plan, subscription, region)));
    return found;
  };
  return (event) => targetOf(subscription, event, delivery, inRegion);
}

/** The Topic or Workflow target's recorded ARN (else the ARN its name has in `region`) and, for a Workflow, its role's refusal. */
async function recordedTarget(plan: RecordedPlan, subscription: EventBusSubscriptionSpec, region: string): Promise<RecordedTarget> {
  const { graph } = plan;
  if (subscription.target === "sns") {
    const topicName = await resolveValue<string>(subscription.topicName);
    const arn = graph.find((r) => r.type === "aws:sns/topic:Topic" && r.state.name === topicName)?.state.arn;
    return { arn: typeof arn === "string" ? arn : `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:${topicName}` };
  }
  if (subscription.target === "sfn") {
    const name = await resolveValue<string>(subscription.stateMachineName);
    const recordedArn = graph.find((r) => r.type === "aws:sfn/stateMachine:StateMachine" && r.state.name === name)?.state.arn;
    const arn = typeof recordedArn === "string" ? recordedArn : `arn:aws:states:${region}:${MOCK_ACCOUNT_ID}:stateMachine:${name}`;
    return { arn, refusal: await workflowRoleRefusal(plan, subscription, arn) };
  }
  throw new Error(`EventBus: a ${subscription.target} target is not looked up in the recorded graph`);
}

/** The subscription's target as the delivery reaches it. */
async function targetOf(subscription: EventBusSubscriptionSpec, event: EventBridgeEvent, delivery: EventBusDelivery, recorded: (region: string) => Promise<RecordedTarget>): Promise<LocalTarget> {
  if (subscription.target === "sqs") {
    const queueName = await resolveValue<string>(subscription.queueName);
    return {
      name: queueName,
      arn: delivery.sqs()?.has(queueName) ? delivery.sqs()!.arn(queueName) : `arn:aws:sqs:${event.region}:${MOCK_ACCOUNT_ID}:${queueName}`,
      async deliver(rule) {
        const sqs = delivery.sqs();
        if (!sqs?.has(queueName)) throw new TargetRefusal("AWS.SimpleQueueService.NonExistentQueue", `The queue ${queueName} is not served locally`);
        // A FIFO queue's message: the subscription's group, deduplicated by content (the queue must have it on: EventBus checks).
        sqs.send(queueName, { body: targetInputText(subscription, event, rule), ...(subscription.fifo ? { messageGroupId: subscription.messageGroupId } : {}) });
      },
    };
  }
  if (subscription.target === "sns") {
    const topicName = await resolveValue<string>(subscription.topicName);
    const { arn } = await recorded(event.region);
    return {
      name: topicName,
      arn,
      async deliver(rule) {
        const sns = delivery.sns?.();
        if (!sns?.serves(arn)) throw new TargetRefusal("NotFound", `The topic ${arn} is not served locally`);
        try {
          // What EventBridge publishes: the event (or the shaped input) as the message, with no subject or attributes.
          sns.publish(arn, { message: targetInputText(subscription, event, rule) });
        } catch (error) {
          // SNS's client errors (an empty or oversized message) are not retried; its 5xx are.
          if (error instanceof SnsError && error.status < 500) throw new TargetRefusal(error.code, error.message);
          throw error;
        }
      },
    };
  }
  if (subscription.target === "sfn") {
    const name = await resolveValue<string>(subscription.stateMachineName);
    const { arn, refusal } = await recorded(event.region);
    return {
      name,
      arn,
      async deliver(rule) {
        if (refusal) throw new TargetRefusal("AccessDeniedException", refusal);
        if (!delivery.startExecution) throw new TargetRefusal("ResourceNotFoundException", `No local Step Functions endpoint serves ${arn}`);
        await delivery.startExecution(arn, targetInputText(subscription, event, rule));
      },
    };
  }
  const fn = subscription.function;
  const accept = delivery.accept ?? ((spec: LambdaFunctionSpec, e: EventBridgeEvent) => delivery.track(invokeAsync(spec, delivery.invoke(spec), e, delivery.async)));
  return {
    name: fn.name,
    arn: lambdaFunctionArn(fn.region ?? event.region, fn.name),
    async deliver(rule) {
      const shaped = subscription.input !== undefined || subscription.inputPath !== undefined || subscription.inputTransformer !== undefined;
      accept(fn, (shaped ? targetInputValue(subscription, event, rule) : event) as EventBridgeEvent);
    },
  };
}

/**
 * Why the Workflow target's role may not start `stateMachineArn`, as AWS words the refusal, or undefined when it may
 * (or the role is not in the plan; one with policies not known offline only by an explicit Deny): EventBridge starts the execution as that role,
 * so without states:StartExecution every delivery fails. Decided as every role of the plan is
 * (local/function-roles.ts assumedRoleAuthorise: its recorded policies with the target's resource policy), the caller
 * named as EventBridge's session of the role (its name is not documented: a random one here, which no resource policy's
 * session names).
 */
async function workflowRoleRefusal(plan: RecordedPlan, subscription: EventBusWorkflowSubscriptionSpec, stateMachineArn: string): Promise<string | undefined> {
  const authorise = assumedRoleAuthorise(plan, await resolveValue<string>(subscription.roleName));
  const refused = authorise?.("states:StartExecution", stateMachineArn);
  return refused && `User: ${refused.caller} is not authorized to perform: states:StartExecution on resource: ${stateMachineArn} ${refused.reason}`;
}

/** StartExecution on the local Step Functions endpoint, signed (SigV4) with the runtime's credentials, as EventBridge calls it. */
async function startExecutionOverHttp(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, stateMachineArn: string, input: string): Promise<void> {
  const response = await signedFetch({
    url: new URL("/", endpoint),
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AWSStepFunctions.StartExecution" },
    body: JSON.stringify({ stateMachineArn, input }),
    credentials,
    region: stateMachineArn.split(":")[3] ?? "us-east-1",
    service: "states",
  });
  if (response.ok) return;
  const answer = (await response.json().catch(() => ({}))) as { __type?: string; message?: string };
  const code = answer.__type?.split("#").pop() ?? `HTTP ${response.status}`;
  // Step Functions' client errors (a bad input, a missing state machine) are not retried; throttling and 5xx are.
  const error = response.status < 500 && code !== "ThrottlingException" ? new TargetRefusal(code, answer.message ?? code) : new Error(answer.message ?? code);
  throw error;
}

export const eventBusesService: LocalService = {
  name: "EventBridge (EventBuses and their rules)",
  async start(context) {
    const specs = registeredSpecs<EventBusSpec>("EventBus").map(({ spec }) => spec);
    if (specs.length === 0) return undefined;
    const region = context.environment.AWS_REGION ?? "us-east-1";
    const deliveries = pendingDeliveries();
    const credentials = acceptedCredentials(context)[0];
    const definitions = await localBusDefinitions(specs, region, context.run.resources, {
      ...functionInvocation(context, region),
      sqs: () => context.sqs,
      sns: () => context.sns,
      log: context.log,
      track: deliveries.track,
      // The Workflows service starts after this one: its endpoint is read at the delivery (events come once every service runs).
      startExecution: async (arn, input) => {
        const endpoint = context.environment.AWS_ENDPOINT_URL_SFN;
        if (!endpoint) throw new TargetRefusal("ResourceNotFoundException", `No local Step Functions endpoint serves ${arn}`);
        await startExecutionOverHttp(endpoint, credentials, arn, input);
      },
    });
    // Each function may put events where its role allows events:PutEvents (EventBus.grants.put()), as in AWS.
    const server = await startLocalEventBridge({ buses: definitions, credentials: acceptedCredentials(context), authorise: context.functionRoles.authorise });
    context.environment.AWS_ENDPOINT_URL_EVENTBRIDGE = server.endpoint;
    // AWS services' events (the local S3 server's, for buckets with EventBridge on) reach the default buses here.
    context.eventBridge = server.eventBridge;
    for (const bus of definitions) context.log(`  ${bus.arn} → ${bus.rules.length} rule(s)`);
    return {
      name: "eventbridge",
      urls: { eventbridge: server.endpoint },
      stop: async () => {
        context.eventBridge = undefined;
        await server.stop();
        await deliveries.drain();
      },
    } satisfies StartedService;
  },
};
