/**
 * What the local services that deliver to functions and queues on their own (Topics, EventBuses) share: the
 * deliveries under way, which `stop()` waits for, and the credentials their endpoints accept (the local runtime's own,
 * then every function's). local/services/topics.ts predates it and keeps its own copy of both.
 */
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import type { AsyncInvokeOptions, Invoke } from "../async-invoke";
import { LOCAL_CREDENTIALS, type SigV4Credentials } from "../sigv4-verify";
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

/** The credentials a local endpoint accepts: the runtime's (AWS_ACCESS_KEY_ID, else LOCAL_CREDENTIALS) and each function's. */
export function acceptedCredentials(context: LocalContext): SigV4Credentials[] {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = context.environment;
  return [{ accessKeyId: accessKeyId ?? LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: secretAccessKey ?? LOCAL_CREDENTIALS.secretAccessKey }, ...context.functionRoles.credentials()];
}

/** How a service invokes a function of the program asynchronously: its sandbox, Lambda's retries and destinations. */
export function functionInvocation(context: LocalContext, region: string): { invoke(spec: LambdaFunctionSpec): Invoke; async: AsyncInvokeOptions } {
  return {
    invoke: (spec) => (event) => context.lambda(spec).invoke(event),
    async: { queues: context.queues(), region, log: context.log, functionArn: (spec, qualifier) => context.lambda(spec).arn(qualifier) },
  };
}
