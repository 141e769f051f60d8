/**
 * The program's DataStreams under `npm start`: their Kinesis streams on a local endpoint (local/kinesis-server.ts,
 * kinesalite in memory: streams start empty at every start) that functions reach through AWS_ENDPOINT_URL_KINESIS (the
 * SDK's service id "Kinesis"), signed with their own credentials and authorised by their roles (`grants.put()`), and
 * each subscription's function invoked with the records of each shard, in order, with Lambda's partial batch responses,
 * bisection and retries; a batch given up on goes to the subscription's dead-letter queue (its local queue file, or the
 * local SQS server when that serves it). Polling starts once every service has (`afterStart`).
 */
import type { DataStreamSpec, DataStreamSubscriptionSpec } from "../../components/data-stream/spec";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { startLocalKinesis, type KinesisEventRecord, type LocalKinesis, type LocalStreamDefinition, type LocalStreamSubscription } from "../kinesis-server";
import { ofType, type Graph } from "../offline/graph";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { resolveValue } from "../offline/program";
import { acceptedCredentials } from "./credentials";
import type { LocalService, StartedService } from "./types";

/** Shards of a local ON_DEMAND stream: Kinesis creates an on-demand stream with 4 (4 MB/s of writes). */
const LOCAL_ON_DEMAND_SHARDS = 4;

/** Each DataStream as the local endpoint defines it: its recorded name and ARN, region and shards. */
export async function localStreamDefinitions(specs: DataStreamSpec[], defaultRegion: string, graph: Graph): Promise<Array<LocalStreamDefinition & { spec: DataStreamSpec }>> {
  const recorded = ofType(graph, "aws:kinesis/stream:Stream");
  const recordedConsumers = ofType(graph, "aws:kinesis/streamConsumer:StreamConsumer");
  const definitions = [];
  for (const spec of specs) {
    const name = await resolveValue<string>(spec.streamName);
    const region = spec.region ?? defaultRegion;
    const arn = recorded.find((r) => r.state.name === name)?.state.arn;
    const streamArn = typeof arn === "string" ? arn : `arn:aws:kinesis:${region}:${MOCK_ACCOUNT_ID}:stream/${name}`;
    // Its enhanced fan-out consumers (subscribe(..., { enhancedFanOut: true })), registered as the endpoint starts.
    const consumers = recordedConsumers
      .filter((c) => c.inputs.streamArn === streamArn && typeof c.state.name === "string")
      .map((c) => ({ name: c.state.name as string, ...(typeof c.state.arn === "string" ? { arn: c.state.arn } : {}) }));
    definitions.push({
      spec,
      name,
      arn: streamArn,
      region,
      shardCount: spec.shardCount ?? LOCAL_ON_DEMAND_SHARDS,
      retentionHours: spec.retentionHours,
      maxRecordSizeInKib: spec.maxRecordSizeInKib,
      consumers,
    });
  }
  return definitions;
}

/** What a subscription needs of the runtime: how to invoke its function, the function's ARN, and where failures go. */
export interface StreamSubscriptionRuntime {
  invoke(spec: LambdaFunctionSpec, event: { Records: KinesisEventRecord[] }): Promise<unknown>;
  functionArn(spec: LambdaFunctionSpec): string;
  /** Sends a record to a queue by name (the dead-letter queue). */
  send(queue: string, record: unknown): void;
}

/** Each subscription of the given streams, with its function's role ARN as the graph recorded it. */
export async function localStreamSubscriptions(specs: DataStreamSubscriptionSpec[], streams: Array<LocalStreamDefinition & { spec: DataStreamSpec }>, graph: Graph, runtime: StreamSubscriptionRuntime): Promise<LocalStreamSubscription[]> {
  const subscriptions: LocalStreamSubscription[] = [];
  for (const spec of specs) {
    const stream = streams.find((s) => s.spec.name === spec.dataStream);
    if (!stream) continue;
    const queue = await resolveValue<string>(spec.deadLetterQueueName);
    const role = graph.find((r) => r.type === "aws:lambda/function:Function" && r.name === `${spec.function.name}-function`)?.inputs.role;
    subscriptions.push({
      id: `${spec.dataStream}-${spec.name}`,
      streamName: stream.name,
      spec,
      functionArn: runtime.functionArn(spec.function),
      roleArn: typeof role === "string" ? role : `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${spec.function.name}-role`,
      invoke: (event) => runtime.invoke(spec.function, event),
      onFailure: (record) => runtime.send(queue, record),
    });
  }
  return subscriptions;
}

/** The started service, with its endpoint (`kinesis.drained()` waits for the records put so far to be delivered). */
export interface LocalDataStreamsService extends StartedService {
  kinesis: LocalKinesis;
}

export const dataStreamsService: LocalService = {
  name: "Kinesis (DataStreams and their subscribers, on kinesalite)",
  async start(context) {
    const specs = registeredSpecs<DataStreamSpec>("DataStream").map(({ spec }) => spec);
    if (specs.length === 0) return undefined;
    const region = context.environment.AWS_REGION ?? "us-east-1";
    const streams = await localStreamDefinitions(specs, region, context.run.resources);
    const subscriptions = await localStreamSubscriptions(
      registeredSpecs<DataStreamSubscriptionSpec>("DataStreamSubscription").map(({ spec }) => spec),
      streams,
      context.run.resources,
      {
        invoke: (fn, event) => context.lambda(fn).invoke(event),
        functionArn: (fn) => context.lambda(fn).arn(),
        send: (queue, record) => void context.queues().send(queue, record),
      },
    );
    // Each function may put records where its role allows kinesis:PutRecord(s) (DataStream.grants.put()), as in AWS.
    const kinesis = await startLocalKinesis({ streams, subscriptions, credentials: acceptedCredentials(context), authorise: context.functionRoles.authorise, log: context.log });
    context.environment.AWS_ENDPOINT_URL_KINESIS = kinesis.endpoint;
    for (const stream of streams) context.log(`  ${stream.arn} (${stream.shardCount} shards) → ${subscriptions.filter((s) => s.streamName === stream.name).map((s) => s.id).join(", ") || "no subscribers"}`);
    const started: LocalDataStreamsService = {
      name: "kinesis",
      urls: { kinesis: kinesis.endpoint },
      kinesis,
      afterStart: () => kinesis.start(),
      stop: () => kinesis.stop(),
    };
    return started;
  },
};
