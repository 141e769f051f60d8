/**
 * The program's asynchronous side under `npm start`: S3 object events (BucketEvents specs) from the
 * local S3 server to their functions (and, for buckets with EventBridge on, to the local default bus), the schedules of LambdaFunctions (LambdaFunction specs with a
 * `schedule`), and the local queues failed events land in (`.local/<stack>/queues/*.jsonl`).
 * Started before the API service, whose S3 server reports object events through
 * `context.onObjectEvent`.
 */
import type { BucketEventsSpec } from "../../components/bucket-events";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { ofType } from "../offline/graph";
import { resolveValue } from "../offline/program";
import type { LocalQueues } from "../queues";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { LocalBucketEvents, s3EventBridgeEvent } from "../s3-events";
import { LocalScheduler } from "../scheduler";
import type { LocalService, StartedService } from "./types";
import { asyncInvocation } from "./deliveries";

export interface LocalEvents extends StartedService {
  queues: LocalQueues;
  bucketEvents: LocalBucketEvents;
  scheduler: LocalScheduler;
}

export const eventsService: LocalService = {
  name: "events (S3 notifications, schedules, failure queues)",
  async start(context) {
    const bucketSpecs = registeredSpecs<BucketEventsSpec>("BucketEvents");
    const scheduled = registeredSpecs<LambdaFunctionSpec>("LambdaFunction").filter(({ spec }) => spec.schedule);
    if (bucketSpecs.length === 0 && scheduled.length === 0) return undefined;
    const region = context.environment.AWS_REGION ?? "us-east-1";
    const queues = context.queues();
    // Invocation records name the function by the ARN its sandbox has (fn.arn), as the local Invoke API's do.
    const options = asyncInvocation(context, region);

    const subscriptions = [];
    // Buckets that send their events to EventBridge, by name: their region's default bus (the event buses service).
    const eventBridgeBuckets = new Map<string, string>();
    for (const { spec } of bucketSpecs) {
      const bucketName = await resolveValue<string>(spec.bucketName);
      if (spec.eventBridge) {
        const recorded = ofType(context.run.resources, "aws:s3/bucket:Bucket").find((b) => b.state.bucket === bucketName)?.state.region;
        const bucketRegion = spec.region ?? (typeof recorded === "string" && recorded ? recorded : region);
        eventBridgeBuckets.set(bucketName, bucketRegion);
        context.log(`  ${bucketName}: every object event → EventBridge (default bus, ${bucketRegion})`);
      }
      for (const subscription of spec.subscriptions) {
        subscriptions.push({ bucketName, subscription, invoke: (event: unknown) => context.lambda(subscription.function).invoke(event) });
        context.log(`  ${bucketName}: ${subscription.events.join(", ")} on ${subscription.filterPrefix || "*"}…${subscription.filterSuffix} → ${subscription.function.name}`);
      }
    }
    const bucketEvents = new LocalBucketEvents(subscriptions, options);
    context.onObjectEvent = (event) => {
      bucketEvents.deliver(event);
      const bucketRegion = eventBridgeBuckets.get(event.bucket);
      // Read at each event: the event buses service sets it (and clears it when it stops).
      if (bucketRegion !== undefined) context.eventBridge?.putServiceEvent(s3EventBridgeEvent(event, { region: bucketRegion, account: MOCK_ACCOUNT_ID }));
    };

    const scheduler = new LocalScheduler(
      scheduled.map(({ name, spec }) => ({
        name,
        function: spec,
        invoke: (event: unknown) => context.lambda(spec).invoke(event),
        // `<aws.scheduler.schedule-arn>` is the schedule's own ARN, as the program resolved it (components/lambda/schedule.ts names it `<function>-schedule`).
        arn: ofType(context.run.resources, "aws:scheduler/schedule:Schedule").find((r) => r.name === `${name}-schedule`)?.state.arn,
      })),
      options,
    );
    scheduler.start();
    for (const [name, next] of Object.entries(scheduler.nextFireTimes())) context.log(`  schedule ${name}: next at ${next?.toISOString() ?? "never"}`);

    const started: LocalEvents = {
      name: "events",
      queues,
      bucketEvents,
      scheduler,
      async stop() {
        scheduler.stop();
        context.onObjectEvent = undefined;
        await Promise.all([bucketEvents.drained(), scheduler.drained()]);
      },
    };
    return started;
  },
};
