/**
 * The program's MessageQueues under `npm start`: their queues and dead-letter queues (and the dead-letter queues of the
 * Topics' subscriptions) on the local SQS server
 * (local/sqs-server.ts), which local Lambdas reach through AWS_ENDPOINT_URL_SQS, and each queue's consumer driven
 * by a local event source mapping (local/sqs-event-source.ts). Messages are saved under `.local/<stack>/sqs` when
 * `npm start` stops (first thing, and again at the end) and read back at the next start (`npm start -- --fresh` starts empty).
 *
 * Started before auth and the APIs, so every function (auth's triggers and the APIs' handlers among them) gets
 * AWS_ENDPOINT_URL_SQS with its first invocation; the event sources start only once every service has
 * (`afterStart`), so a consumer's first invocation, e.g. of messages left from the last run, sees every endpoint.
 */
import { join } from "node:path";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import type { MessageQueueSpec } from "../../components/message-queue/spec";
import type { TopicSpec } from "../../components/topic/spec";
import { failureQueueOf, successQueueOf } from "../async-invoke";
import { registeredSpecs } from "../../components/spec-registry";
import { ofType, type Graph } from "../offline/graph";
import { resolveValue } from "../offline/program";
import type { LocalQueues } from "../queues";
import { SqsEventSource } from "../sqs-event-source";
import { SqsError, startLocalSqs, type LocalQueueDefinition, type LocalSqs, type LocalSqsServer } from "../sqs-server";
import type { LocalService, StartedService } from "./types";
import { acceptedCredentials } from "./credentials";

export interface LocalQueuesService extends StartedService {
  server: LocalSqsServer;
  eventSources: Map<string, SqsEventSource>;
}

/**
 * What the program recorded of a queue, by its physical name: its ARN, and the access policy (QueuePolicy) and
 * RedriveAllowPolicy attached to it by URL (their `queueUrl` is the queue's id, its URL), which GetQueueAttributes reports.
 */
function recordedQueue(graph: Graph): (name: string) => Pick<LocalQueueDefinition, "arn" | "policy" | "redriveAllowPolicy"> {
  const recorded = ofType(graph, "aws:sqs/queue:Queue");
  const attachments = { policy: ofType(graph, "aws:sqs/queuePolicy:QueuePolicy"), redrive: ofType(graph, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy") };
  return (name) => {
    const queue = recorded.find((r) => r.state.name === name);
    const urls = [queue?.state.url, queue?.id].filter((url) => typeof url === "string");
    const attached = (candidates: Graph, property: string) => {
      const value = candidates.find((r) => urls.includes(r.inputs.queueUrl))?.inputs[property];
      return typeof value === "string" ? value : undefined;
    };
    const arn = queue?.state.arn;
    const policy = attached(attachments.policy, "policy");
    const redriveAllowPolicy = attached(attachments.redrive, "redriveAllowPolicy");
    return { ...(typeof arn === "string" ? { arn } : {}), ...(policy !== undefined ? { policy } : {}), ...(redriveAllowPolicy !== undefined ? { redriveAllowPolicy } : {}) };
  };
}

/**
 * Each Topic subscription's dead-letter queue (Topic creates one per subscription) as the local server defines it, so
 * local SNS can move there what it cannot deliver (local/services/topics.ts) and a developer can read it through
 * AWS_ENDPOINT_URL_SQS: FIFO when its name is (SQS requires the `.fifo` suffix of a FIFO queue and only of one),
 * SSE-SQS, the maximum message size the program recorded for it (Topic's 1 MiB; else the provider's default 256 KiB,
 * which it sends on create: components/message-queue SQS_MAX_MESSAGE_BYTES), SQS's default visibility timeout (30 s).
 */
export async function topicDeadLetterQueueDefinitions(specs: TopicSpec[], defaultRegion: string, graph: Graph = []): Promise<LocalQueueDefinition[]> {
  const recordedOf = recordedQueue(graph);
  const queues = ofType(graph, "aws:sqs/queue:Queue");
  const definitions: LocalQueueDefinition[] = [];
  for (const spec of specs) {
    for (const subscription of spec.subscriptions) {
      const name = await resolveValue<string>(subscription.deadLetterQueueName);
      const maxMessageSize = Number(queues.find((r) => r.state.name === name)?.inputs.maxMessageSize);
      definitions.push({
        name,
        ...recordedOf(name),
        fifo: name.endsWith(".fifo"),
        contentBasedDeduplication: false,
        visibilityTimeoutSeconds: 30,
        messageRetentionSeconds: subscription.deadLetterRetentionSeconds,
        delaySeconds: 0,
        maximumMessageBytes: Number.isInteger(maxMessageSize) ? maxMessageSize : 262_144,
        region: spec.region ?? defaultRegion,
        sqsManagedSseEnabled: true,
      });
    }
  }
  return definitions;
}

/**
 * Each MessageQueue's queue and dead-letter queue as the local server defines them (names resolved), each with the ARN
 * `graph` recorded for it (the queue's `arn`, MessageQueue's `queueArn`).
 */
export async function localQueueDefinitions(
  specs: MessageQueueSpec[],
  defaultRegion: string,
  graph: Graph = [],
): Promise<Array<{ spec: MessageQueueSpec; queue: LocalQueueDefinition; deadLetterQueue: LocalQueueDefinition }>> {
  const recordedOf = recordedQueue(graph);
  const definitions = [];
  for (const spec of specs) {
    const name = await resolveValue<string>(spec.queueName);
    const deadLetterName = await resolveValue<string>(spec.deadLetterQueueName);
    const region = spec.region ?? defaultRegion;
    // MessageQueue encrypts both queues with SSE-SQS (sqsManagedSseEnabled: true).
    const common = { fifo: spec.fifo, contentBasedDeduplication: spec.contentBasedDeduplication, delaySeconds: 0, maximumMessageBytes: spec.maximumMessageBytes, region, sqsManagedSseEnabled: true };
    definitions.push({
      spec,
      queue: {
        ...common,
        name,
        ...recordedOf(name),
        delaySeconds: spec.delaySeconds,
        visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
        messageRetentionSeconds: spec.messageRetentionSeconds,
        redrive: { deadLetterQueueName: deadLetterName, maxReceiveCount: spec.maxReceiveCount },
      },
      // A FIFO queue's dead-letter queue is FIFO too; SQS's defaults for what the spec does not set (VisibilityTimeout 30).
      deadLetterQueue: { ...common, name: deadLetterName, ...recordedOf(deadLetterName), visibilityTimeoutSeconds: 30, messageRetentionSeconds: spec.deadLetterRetentionSeconds },
    });
  }
  return definitions;
}

/** Each recorded SQS queue the local server serves: its recorded URL (state `url`, and the provider id, which is the URL) → its local URL. */
export function recordedQueueUrls(graph: Graph, server: Pick<LocalSqsServer, "queueUrl" | "sqs">): Map<string, string> {
  const served = new Set(server.sqs.names());
  const urls = new Map<string, string>();
  for (const resource of ofType(graph, "aws:sqs/queue:Queue")) {
    if (typeof resource.state.name !== "string" || !served.has(resource.state.name)) continue;
    for (const recorded of [resource.state.url, resource.id]) if (typeof recorded === "string" && /^https?:\/\//.test(recorded)) urls.set(recorded, server.queueUrl(resource.state.name));
  }
  return urls;
}

/**
 * Lambda destinations (`asyncInvoke.onFailure`, `onSuccess`) that are one of the served queues: their invocation
 * records go to that queue on the local SQS server, where its consumer receives them, as Lambda sends them to the
 * queue in AWS ("Lambda sends … an invocation record to the destination",
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html), not to a local queue file.
 * A record SQS refuses (larger than the queue's maximum message size, or a FIFO queue, which Lambda does not deliver
 * to) stays in the file, with a line that says why. Returns the functions that stop forwarding.
 */
export async function forwardDestinations(functions: LambdaFunctionSpec[], sqs: LocalSqs, queues: () => LocalQueues, log: (message: string) => void): Promise<Array<() => void>> {
  const served = new Map(sqs.names().map((name) => [sqs.arn(name), name]));
  const stops: Array<() => void> = [];
  for (const spec of functions) {
    for (const [kind, destination, local] of [
      ["on-failure", spec.asyncInvoke?.onFailure, failureQueueOf(spec)],
      ["on-success", spec.asyncInvoke?.onSuccess, successQueueOf(spec)],
    ] as const) {
      if (destination?.type !== "sqs" || local === undefined || (kind === "on-failure" && spec.asyncInvoke?.failureQueueRetentionDays)) continue;
      const arn = await resolveValue<string>(destination.arn);
      const queue = typeof arn === "string" ? served.get(arn) : undefined;
      if (queue === undefined) continue;
      log(`  ${spec.name}'s ${kind} destination → ${queue} (the local SQS server)`);
      stops.push(
        queues().forward(local, (record) => {
          try {
            sqs.send(queue, { body: JSON.stringify(record) });
            return true;
          } catch (error) {
            if (!(error instanceof SqsError)) throw error;
            log(`  ${spec.name}: SQS refused the ${kind} record for ${queue} (${error.message}); it is kept in the local queue file ${local}.jsonl`);
            return false;
          }
        }),
      );
    }
  }
  return stops;
}

export const queuesService: LocalService = {
  name: "SQS (MessageQueues and their consumers)",
  async start(context) {
    const specs = registeredSpecs<MessageQueueSpec>("MessageQueue").map(({ spec }) => spec);
    if (specs.length === 0) return undefined;
    const region = context.environment.AWS_REGION ?? "us-east-1";
    const definitions = await localQueueDefinitions(specs, region, context.run.resources);
    const topics = registeredSpecs<TopicSpec>("Topic").map(({ spec }) => spec);
    const server = await startLocalSqs({
      queues: [...definitions.flatMap((d) => [d.queue, d.deadLetterQueue]), ...(await topicDeadLetterQueueDefinitions(topics, region, context.run.resources))],
      // Requests are checked as SQS checks them: signed (SigV4) with the functions' local credentials, for the queue's region.
      credentials: acceptedCredentials(context),
      // Each function is allowed what its role's policies allow (sqs:SendMessage for a producer), as in AWS.
      authorise: context.functionRoles.authorise,
      stateDir: join(context.stateDir, "sqs"),
      ...(context.queueClock ? { now: context.queueClock } : {}),
      log: context.log,
    });
    context.environment.AWS_ENDPOINT_URL_SQS = server.endpoint;
    context.sqs = server.sqs;
    // The SDK sends a call to its QueueUrl's origin: a function given a queue's recorded (AWS) URL gets the local one.
    for (const [recorded, local] of recordedQueueUrls(context.run.resources, server)) context.localAddresses.set(recorded, local);
    const eventSources = new Map<string, SqsEventSource>();
    for (const { spec, queue, deadLetterQueue } of definitions) {
      eventSources.set(
        queue.name,
        new SqsEventSource({
          sqs: server.sqs,
          queueName: queue.name,
          region: queue.region,
          batchSize: spec.consumer.batchSize,
          maxBatchingWindowSeconds: spec.consumer.maxBatchingWindowSeconds,
          maxConcurrency: spec.consumer.maxConcurrency,
          invoke: (event) => context.lambda(spec.consumer.function).invoke(event),
          log: context.log,
        }),
      );
      context.log(`  ${server.queueUrl(queue.name)} → ${spec.consumer.function.name} (batch ${spec.consumer.batchSize}; after ${spec.maxReceiveCount} receives → ${deadLetterQueue.name})`);
    }
    const stopForwarding = await forwardDestinations(
      registeredSpecs<LambdaFunctionSpec>("LambdaFunction").map(({ spec }) => spec),
      server.sqs,
      () => context.queues(),
      context.log,
    );
    const started: LocalQueuesService = {
      name: "sqs",
      urls: { sqs: server.endpoint },
      server,
      eventSources,
      afterStart() {
        for (const source of eventSources.values()) source.start();
      },
      async stop() {
        for (const stop of stopForwarding) stop();
        // Saved first, so a second Ctrl+C (which ends the process at once) loses nothing: a message in flight comes back
        // after its visibility timeout at the next start. Then batches in flight finish (and delete what succeeded), for
        // LOCAL_SQS_DRAIN_MS at most, and the messages are saved again.
        server.save();
        await Promise.all([...eventSources.values()].map((source) => source.stop()));
        await server.stop();
      },
    };
    return started;
  },
};
