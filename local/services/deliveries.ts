/**
 * What the local services that deliver to functions and queues on their own (Topics, EventBuses) share: the
 * deliveries under way, which `stop()` waits for, and how they invoke a function asynchronously; and the options of
 * every local asynchronous invocation (asyncInvocation: those services', the Invoke API's Event type, S3 events,
 * schedules).
 */
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import type { AsyncInvokeOptions, Invoke } from "../async-invoke";
import type { LocalContext } from "./types";

/** Deliveries under way: `track` keeps one (its failure is the delivery's own to log), `drain` waits for all. */
export function pendingDeliveries(): { track(delivery: Promise<unknown>): void; drain(): Promise<void> } {
  const pending = new Set<Promise<unknown>>();
  return {
    track(delivery) {
      const kept: Promise<unknown> = delivery.catch(() => undefined).finally(() => pending.delete(kept));
      pending.add(kept);
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** How a service invokes a function of the program asynchronously: its sandbox, Lambda's retries and destinations. */
export function functionInvocation(context: LocalContext, region: string): { invoke(spec: LambdaFunctionSpec): Invoke; async: AsyncInvokeOptions } {
  return {
    invoke: (spec) => (event) => context.lambda(spec).invoke(event),
    async: asyncInvocation(context, region),
  };
}

/**
 * Lambda's retries and destinations of an asynchronous invocation, for every service that makes one (S3 events,
 * schedules, the Invoke API's Event type, Topics, EventBuses): the app's one set of local queues, invocation records
 * naming the function by its sandbox's ARN (fn.arn), and the retry delays StartOptions.asyncRetryDelaysMs gives.
 */
export function asyncInvocation(context: LocalContext, region: string): AsyncInvokeOptions & { region: string } {
  return {
    queues: context.queues(),
    region,
    log: context.log,
    functionArn: (spec, qualifier) => context.lambda(spec).arn(qualifier),
    ...(context.asyncRetryDelaysMs ? { retryDelaysMs: context.asyncRetryDelaysMs } : {}),
  };
}
