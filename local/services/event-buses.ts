/**
 * The program's EventBuses under `npm start`: a local EventBridge endpoint (local/eventbridge-server.ts) that functions
 * reach through AWS_ENDPOINT_URL_EVENTBRIDGE (the SDK's service id "EventBridge": @smithy/core's endpoint config reads
 * `AWS_ENDPOINT_URL_<SERVICE ID, upper-cased, spaces as _>`), delivering each event to the subscriptions whose pattern
 * it matches, as EventBridge invokes a Lambda target: asynchronously (Lambda's retries, then the function's on-failure
 * destination: local/async-invoke.ts) with the EventBridge event. When Lambda does not take the event at all, the
 * target's retry policy applies, then its dead-letter queue on the local SQS server, with the attributes EventBridge
 * sets (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
 * Started after the queues (it sends to their server) and before anything that invokes functions.
 */
import type { EventBusSpec, EventBusSubscriptionSpec } from "../../components/event-bus/spec";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { invokeAsync, type AsyncInvokeOptions, type Invoke } from "../async-invoke";
import { startLocalEventBridge, type EventBridgeEvent, type LocalBusDefinition, type LocalRule } from "../eventbridge-server";
import { ofType, type Graph } from "../offline/graph";
import { lambdaFunctionArn, MOCK_ACCOUNT_ID } from "../offline/mocks";
import { resolveValue } from "../offline/program";
import { SqsError, type LocalSqs } from "../sqs-server";
import { acceptedCredentials } from "./credentials";
import { functionInvocation, pendingDeliveries } from "./deliveries";
import type { LocalService, StartedService } from "./types";

export interface EventBusDelivery {
  /** Invokes a subscribed function (its local sandbox). */
  invoke(spec: LambdaFunctionSpec): Invoke;
  /** The local SQS server's queues (the targets' dead-letter queues). */
  sqs(): LocalSqs | undefined;
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
}

/** Each EventBus as the local endpoint defines it: its recorded name and ARN, and each subscription's rule. */
export async function localBusDefinitions(specs: EventBusSpec[], defaultRegion: string, graph: Graph, delivery: EventBusDelivery): Promise<LocalBusDefinition[]> {
  const buses = ofType(graph, "aws:cloudwatch/eventBus:EventBus");
  const rules = ofType(graph, "aws:cloudwatch/eventRule:EventRule");
  const definitions: LocalBusDefinition[] = [];
  for (const spec of specs) {
    const name = await resolveValue<string>(spec.busName);
    const region = spec.region ?? defaultRegion;
    const recorded = buses.find((r) => r.state.name === name)?.state.arn;
    const arn = typeof recorded === "string" ? recorded : `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:event-bus/${name}`;
    const localRules: LocalRule[] = [];
    for (const subscription of spec.subscriptions) {
      const ruleName = await resolveValue<string>(subscription.ruleName);
      const ruleArn = String(rules.find((r) => r.state.name === ruleName)?.state.arn ?? `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:rule/${name}/${ruleName}`);
      localRules.push({ arn: ruleArn, pattern: subscription.pattern, deliver: (event) => delivery.track(deliverToTarget(spec, subscription, ruleArn, event, delivery)) });
    }
    definitions.push({ name, arn, region, account: MOCK_ACCOUNT_ID, rules: localRules });
  }
  return definitions;
}

/**
 * EventBridge's delivery to a Lambda target: the event is handed to Lambda (which then runs it asynchronously, with
 * its own retries); when Lambda does not take it, EventBridge retries up to `retryAttempts` times while the event is
 * younger than `maximumEventAgeSeconds`, then moves it to the target's dead-letter queue
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html).
 */
export async function deliverToTarget(bus: EventBusSpec, subscription: EventBusSubscriptionSpec, ruleArn: string, event: EventBridgeEvent, delivery: EventBusDelivery): Promise<"delivered" | "dead-lettered" | "dropped"> {
  const fn = subscription.function;
  const accept = delivery.accept ?? ((spec: LambdaFunctionSpec, e: EventBridgeEvent) => delivery.track(invokeAsync(spec, delivery.invoke(spec), e, delivery.async)));
  const delays = delivery.retryDelaysMs ?? [1000, 2000, 4000];
  const started = Date.now();
  let lastError: Error | undefined;
  for (let attempt = 0; attempt <= subscription.retryAttempts; attempt++) {
    if (attempt > 0) {
      await new Promise((resolve) => setTimeout(resolve, delays[Math.min(attempt - 1, delays.length - 1)] ?? 0));
      if (Date.now() - started > subscription.maximumEventAgeSeconds * 1000) break;
    }
    try {
      accept(fn, event);
      return "delivered";
    } catch (error) {
      lastError = error as Error;
    }
  }
  const queueName = await resolveValue<string>(subscription.deadLetterQueueName);
  const sqs = delivery.sqs();
  if (!sqs?.has(queueName)) {
    delivery.log(`  ${bus.name}/${subscription.name}: event ${event.id} not delivered to ${fn.name} (${lastError?.message}); its dead-letter queue ${queueName} is not served locally`);
    return "dropped";
  }
  const text = (value: string) => ({ DataType: "String", StringValue: value });
  try {
    sqs.send(queueName, {
      body: JSON.stringify(event),
      messageAttributes: {
        RULE_ARN: text(ruleArn),
        TARGET_ARN: text(lambdaFunctionArn(fn.region ?? event.region, fn.name)),
        ERROR_CODE: text(lastError?.name ?? "Error"),
        ERROR_MESSAGE: text(lastError?.message || "The target refused the event"),
      },
    });
  } catch (error) {
    if (!(error instanceof SqsError)) throw error;
    delivery.log(`  ${bus.name}/${subscription.name}: SQS refused event ${event.id} for ${queueName} (${error.message})`);
    return "dropped";
  }
  delivery.log(`  ${bus.name}/${subscription.name}: event ${event.id} moved to ${queueName} after ${subscription.retryAttempts + 1} attempts`);
  return "dead-lettered";
}

export const eventBusesService: LocalService = {
  name: "EventBridge (EventBuses and their rules)",
  async start(context) {
    const specs = registeredSpecs<EventBusSpec>("EventBus").map(({ spec }) => spec);
    if (specs.length === 0) return undefined;
    const region = context.environment.AWS_REGION ?? "us-east-1";
    const deliveries = pendingDeliveries();
    const definitions = await localBusDefinitions(specs, region, context.run.resources, { ...functionInvocation(context, region), sqs: () => context.sqs, log: context.log, track: deliveries.track });
    // Each function may put events where its role allows events:PutEvents (EventBus.grants.put()), as in AWS.
    const server = await startLocalEventBridge({ buses: definitions, credentials: acceptedCredentials(context), authorise: context.functionRoles.authorise });
    context.environment.AWS_ENDPOINT_URL_EVENTBRIDGE = server.endpoint;
    for (const bus of definitions) context.log(`  ${bus.arn} → ${bus.rules.length} rule(s)`);
    return {
      name: "eventbridge",
      urls: { eventbridge: server.endpoint },
      stop: async () => {
        await server.stop();
        await deliveries.drain();
      },
    } satisfies StartedService;
  },
};
