/**
 * MessageQueue: the queue and its dead-letter queue (type, encryption, retention, redrive, TLS-only policies), the
 * consumer's least-privilege permission and the event source mapping created after it, the producer grants, the spec
 * the local runtime reads, and every construction-time refusal with its component, argument, value and fix.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { MessageQueue, SQS_MAX_MESSAGE_BYTES } from "../../components/message-queue";
import type { MessageQueueArgs, MessageQueueSpec } from "../../components/message-queue/spec";
import { DEFAULT_FUNCTION_TIMEOUT_SECONDS, LambdaFunction } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { checkDeployRules } from "../../testing/deploy-rules";
import { SECURITY_RULES } from "../../testing/security-rules";
import { dependencyClosure, ofType, policyDocument, record, resource, useMocks } from "../harness/mocks";
import { saved, transition } from "../deploy-rules/fixture";

const entry = "tests/fixtures/handlers/echo.ts";
const QUEUE = "aws:sqs/queue:Queue";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const DAY = 86_400;

beforeAll(() => useMocks());

const securityFindings = (graph: Awaited<ReturnType<typeof record>>) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Awaited<ReturnType<typeof record>>) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });

describe("MessageQueue", () => {
  it("creates an encrypted standard queue with a standard dead-letter queue, and a mapping with partial batch responses after the consumer's permission", async () => {
    const graph = await record(() => new MessageQueue("jobs", { consumer: { function: new LambdaFunction("jobs-worker", { entry, timeout: 30 }) } }));
    const queue = resource(graph, QUEUE, "jobs-queue");
    const dlq = resource(graph, QUEUE, "jobs-dlq");
    const fn = resource(graph, "aws:lambda/function:Function", "jobs-worker-function");
    const role = resource(graph, "aws:iam/role:Role", "jobs-worker-role");
    expect(queue.inputs).toEqual({
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: 180,
      messageRetentionSeconds: 4 * DAY,
      delaySeconds: 0,
      maxMessageSize: SQS_MAX_MESSAGE_BYTES,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.state.arn, maxReceiveCount: 5 }),
    });
    expect(dlq.inputs).toEqual({ sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * DAY, maxMessageSize: SQS_MAX_MESSAGE_BYTES });

    const policy = resource(graph, ROLE_POLICY, "jobs-consume-policy");
    expect(policy.inputs.role).toBe(role.id);
    expect(policyDocument(policy.inputs.policy).Statement).toEqual([
      { Sid: "ConsumeQueue", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: [queue.state.arn] },
    ]);

    const mapping = resource(graph, MAPPING, "jobs-mapping");
    expect(mapping.inputs).toEqual({ eventSourceArn: queue.state.arn, functionName: fn.state.arn, batchSize: 10, maximumBatchingWindowInSeconds: 0, functionResponseTypes: ["ReportBatchItemFailures"] });
    expect(dependencyClosure(graph, mapping).has(policy.urn)).toBe(true);

    const redriveAllow = resource(graph, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "jobs-dlq-redrive-allow");
    expect(redriveAllow.inputs.queueUrl).toBe(dlq.id);
    expect(JSON.parse(redriveAllow.inputs.redriveAllowPolicy)).toEqual({ redrivePermission: "byQueue", sourceQueueArns: [queue.state.arn] });

    for (const [name, target] of [["jobs-queue-policy", queue], ["jobs-dlq-policy", dlq]] as const) {
      const queuePolicy = resource(graph, QUEUE_POLICY, name);
      expect(queuePolicy.inputs.queueUrl).toBe(target.id);
      expect(policyDocument(queuePolicy.inputs.policy).Statement).toEqual([
        { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: target.state.arn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ]);
    }
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("makes a FIFO queue with a FIFO dead-letter queue (pulumi-aws appends .fifo to both autonames), no batching window and content-based deduplication", async () => {
    const graph = await record(
      () =>
        new MessageQueue("orders", {
          fifo: true,
          contentBasedDeduplication: true,
          consumer: { function: new LambdaFunction("orders-worker", { entry, timeout: 10 }), batchSize: 5, maxConcurrency: 4 },
          retentionDays: 7,
          deadLetterRetentionDays: 10,
          delaySeconds: 30,
          maxReceiveCount: 3,
          visibilityTimeoutSeconds: 120,
        }),
    );
    const queue = resource(graph, QUEUE, "orders-queue");
    const dlq = resource(graph, QUEUE, "orders-dlq");
    expect(queue.inputs).toMatchObject({ fifoQueue: true, contentBasedDeduplication: true, visibilityTimeoutSeconds: 120, messageRetentionSeconds: 7 * DAY, delaySeconds: 30 });
    expect(JSON.parse(queue.inputs.redrivePolicy)).toEqual({ deadLetterTargetArn: dlq.state.arn, maxReceiveCount: 3 });
    expect(dlq.inputs).toMatchObject({ fifoQueue: true, messageRetentionSeconds: 10 * DAY });
    expect(dlq.inputs.contentBasedDeduplication).toBeUndefined();
    // The names, URLs and ARNs the plan records end in .fifo, as AWS's do (CreateQueue: "A FIFO queue name must end with the .fifo suffix").
    for (const fifo of [queue, dlq]) {
      expect(fifo.state.name).toMatch(/^orders-(queue|dlq)-[0-9a-f]{8}\.fifo$/);
      expect([fifo.state.url, fifo.state.arn].map((s) => String(s).endsWith(`/${fifo.state.name}`) || String(s).endsWith(`:${fifo.state.name}`))).toEqual([true, true]);
    }
    const mapping = resource(graph, MAPPING, "orders-mapping");
    expect(mapping.inputs).toMatchObject({ batchSize: 5, scalingConfig: { maximumConcurrency: 4 }, functionResponseTypes: ["ReportBatchItemFailures"] });
    expect(mapping.inputs.maximumBatchingWindowInSeconds).toBeUndefined();
    expect(deployFindings(graph)).toEqual([]);
  });

  it("sets no stream-only setting on the mapping", async () => {
    const graph = await record(() => new MessageQueue("plain", { consumer: { function: new LambdaFunction("plain-worker", { entry }), batchSize: 100, maxBatchingWindowSeconds: 5 } }));
    const mapping = resource(graph, MAPPING, "plain-mapping");
    for (const key of ["startingPosition", "startingPositionTimestamp", "bisectBatchOnFunctionError", "maximumRetryAttempts", "maximumRecordAgeInSeconds", "parallelizationFactor", "tumblingWindowInSeconds", "destinationConfig"]) {
      expect(mapping.inputs[key], key).toBeUndefined();
    }
    expect(mapping.inputs).toMatchObject({ batchSize: 100, maximumBatchingWindowInSeconds: 5 });
    // Six times the function's default timeout plus the 5 s window.
    expect(resource(graph, QUEUE, "plain-queue").inputs.visibilityTimeoutSeconds).toBe(6 * DEFAULT_FUNCTION_TIMEOUT_SECONDS + 5);
  });

  it("grants producers SendMessage on this queue only, and gives its URL as an environment variable", async () => {
    let grants: unknown;
    let environment: Record<string, unknown> = {};
    const graph = await record(() => {
      const jobs = new MessageQueue("sends", { consumer: { function: new LambdaFunction("sends-worker", { entry }) } });
      grants = jobs.grants.send();
      environment = jobs.environment("JOBS_QUEUE_URL");
      new LambdaFunction("sends-producer", { entry, permissions: jobs.grants.send(), environment: jobs.environment() });
    });
    const queue = resource(graph, QUEUE, "sends-queue");
    const producerPolicy = resource(graph, ROLE_POLICY, "sends-producer-policy");
    expect(policyDocument(producerPolicy.inputs.policy).Statement[0]).toEqual({ Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queue.state.arn] });
    expect(Object.keys(environment)).toEqual(["JOBS_QUEUE_URL"]);
    expect(grants).toHaveLength(1);
    // The producer's role gets nothing on the dead-letter queue, and the consumer's nothing beyond polling.
    expect(producerPolicy.inputs.policy).not.toContain(resource(graph, QUEUE, "sends-dlq").state.arn);
  });

  it("registers the spec the local runtime reads: names, seconds, the consumer's function and its batching", async () => {
    let spec: MessageQueueSpec | undefined;
    await record(() => {
      spec = new MessageQueue("spec-q", { consumer: { function: new LambdaFunction("spec-q-worker", { entry, timeout: 20 }), batchSize: 50, maxBatchingWindowSeconds: 2 }, retentionDays: 2, region: "us-east-1" }).spec;
    });
    expect(registeredSpecs<MessageQueueSpec>("MessageQueue").some((entry) => entry.name === "spec-q" && entry.spec === spec)).toBe(true);
    expect(spec).toMatchObject({
      name: "spec-q",
      fifo: false,
      contentBasedDeduplication: false,
      visibilityTimeoutSeconds: 6 * 20 + 2,
      messageRetentionSeconds: 2 * DAY,
      deadLetterRetentionSeconds: 14 * DAY,
      delaySeconds: 0,
      maximumMessageBytes: 1_048_576,
      maxReceiveCount: 5,
      region: "us-east-1",
      consumer: { batchSize: 50, maxBatchingWindowSeconds: 2, reportBatchItemFailures: true, function: { name: "spec-q-worker", timeout: 20 } },
    });
    expect(spec!.consumer.maxConcurrency).toBeUndefined();
  });

  it("deletes the consumer's permission with the queue, even when the function is kept on delete (a kept grant would name a deleted queue)", async () => {
    const graph = await record(() => new MessageQueue("kept", { consumer: { function: new LambdaFunction("kept-worker", { entry, retainOnDelete: true }) } }));
    expect(resource(graph, ROLE_POLICY, "kept-consume-policy").retainOnDelete).toBeFalsy();
    expect(deployFindings(graph)).toEqual([]);
  });

  describe("refuses", () => {
    const worker = () => new LambdaFunction("refused-worker", { entry, timeout: 60 });
    const cases: Array<[string, () => MessageQueueArgs, RegExp]> = [
      ["a consumer that is no LambdaFunction", () => ({ consumer: { function: {} as never } }), /consumer\.function \{\} is not a LambdaFunction\. Pass the LambdaFunction/],
      ["an edge function", () => ({ consumer: { function: new LambdaFunction("refused-edge", { entry, edge: true }) } }), /consumer\.function "refused-edge" is a Lambda@Edge function, which only CloudFront invokes\. Consume the queue with a regional function\./],
      ["a batch over 10,000", () => ({ consumer: { function: worker(), batchSize: 10_001, maxBatchingWindowSeconds: 1 } }), /consumer\.batchSize 10001 is outside Lambda's range of 1–10000 messages per batch\. Use a whole number from 1 to 10000 messages per batch\./],
      ["a FIFO batch over 10", () => ({ fifo: true, consumer: { function: worker(), batchSize: 11 } }), /consumer\.batchSize 11 is outside Lambda's range of 1–10 messages per batch of a FIFO queue\./],
      ["a batch over 10 without a window", () => ({ consumer: { function: worker(), batchSize: 11 } }), /consumer\.batchSize 11 is over 10 without a batching window, which Lambda refuses\. Set consumer\.maxBatchingWindowSeconds to at least 1/],
      ["a window over 300 s", () => ({ consumer: { function: worker(), maxBatchingWindowSeconds: 301 } }), /consumer\.maxBatchingWindowSeconds 301 is outside Lambda's range of 0–300 seconds/],
      ["a window on a FIFO queue", () => ({ fifo: true, consumer: { function: worker(), maxBatchingWindowSeconds: 5 } }), /consumer\.maxBatchingWindowSeconds 5 is set for a FIFO queue, which Lambda batches without a window/],
      ["a concurrency of 1", () => ({ consumer: { function: worker(), maxConcurrency: 1 } }), /consumer\.maxConcurrency 1 is outside Lambda's range of 2–1000 concurrent invocations/],
      ["a visibility timeout over 12 hours", () => ({ consumer: { function: worker() }, visibilityTimeoutSeconds: 43_201 }), /visibilityTimeoutSeconds 43201 is outside SQS's range of 0–43200 seconds/],
      [
        "a visibility timeout under the consumer's timeout",
        () => ({ consumer: { function: worker() }, visibilityTimeoutSeconds: 30 }),
        /visibilityTimeoutSeconds 30 is less than the consumer's timeout \(60 seconds\); Lambda refuses the mapping \("Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"\)\. Leave it out for AWS's advice, 360 seconds/,
      ],
      ["a retention of 15 days", () => ({ consumer: { function: worker() }, retentionDays: 15 }), /retentionDays 15 is outside SQS's message retention of 1–14 days/],
      ["a dead-letter retention of 0 days", () => ({ consumer: { function: worker() }, deadLetterRetentionDays: 0 }), /deadLetterRetentionDays 0 is outside SQS's message retention of 1–14 days/],
      ["a delay over 15 minutes", () => ({ consumer: { function: worker() }, delaySeconds: 901 }), /delaySeconds 901 is outside SQS's range of 0–900 seconds/],
      ["a fractional receive count", () => ({ consumer: { function: worker() }, maxReceiveCount: 2.5 }), /maxReceiveCount 2\.5 is not a whole number\. Use a whole number from 1 to 1000 receives\./],
      ["a receive count over 1000", () => ({ consumer: { function: worker() }, maxReceiveCount: 1001 }), /maxReceiveCount 1001 is outside SQS's range of 1–1000 receives/],
      [
        "a dead-letter queue that keeps messages for less time than the queue",
        () => ({ consumer: { function: worker() }, retentionDays: 7, deadLetterRetentionDays: 3 }),
        /deadLetterRetentionDays 3 is shorter than retentionDays \(7\); a message keeps its enqueue time .* Use at least 7/,
      ],
      ["content-based deduplication on a standard queue", () => ({ consumer: { function: worker() }, contentBasedDeduplication: true }), /contentBasedDeduplication true applies only to FIFO queues, and this queue is standard\. Set fifo: true/],
      ["fifo that is no boolean", () => ({ consumer: { function: worker() }, fifo: "yes" as never }), /fifo "yes" is not true or false/],
      [
        "an event bus of its ARN alone, without the rules' ARN the queue's policy names (an EventBus or DefaultEventBus has both)",
        () => ({ consumer: { function: worker() }, eventBuses: [{ busArn: pulumi.output("arn:aws:events:us-east-1:123456789012:event-bus/orders") } as never] }),
        /eventBuses [\s\S]* is not a list of EventBuses\. Pass the EventBus components/,
      ],
      ["a region that is no AWS region", () => ({ consumer: { function: worker() }, region: "mars-1" }), /region "mars-1" is not an AWS region name/],
      [
        "a consumer in another region",
        () => ({ consumer: { function: new LambdaFunction("refused-far", { entry, region: "eu-west-1" }) }, region: "us-east-1" }),
        /consumer\.function "refused-far" is in eu-west-1, but the queue is in us-east-1; Lambda polls only queues in the function's region\. Set region: "eu-west-1" on the MessageQueue/,
      ],
    ];
    it.each(cases)("%s", (_, args, message) => {
      expect(() => new MessageQueue("refused", args())).toThrow(message);
      expect(() => new MessageQueue("refused", args())).toThrow(/^MessageQueue "refused": /);
    });

    it("a component name that makes a queue name SQS refuses (characters, and length with the FIFO suffix)", () => {
      expect(() => new MessageQueue("jobs.v2", { consumer: { function: worker() } })).toThrow(/MessageQueue "jobs\.v2": name "jobs\.v2" makes the SQS queue name "jobs\.v2-queue-<random suffix>" hold "\.", which SQS refuses/);
      const name = "q".repeat(62);
      // 62 + "-queue" + 8 = 76: within 80 for a standard queue, over the 75 a FIFO queue's name has before ".fifo".
      expect(() => new MessageQueue(name, { consumer: { function: worker() } })).not.toThrow();
      expect(() => new MessageQueue(name, { fifo: true, consumer: { function: worker() } })).toThrow(/makes the SQS FIFO queue name "q+-queue-<random suffix>" 76 characters, over the 75 SQS leaves a FIFO queue's name before its \.fifo suffix \(80 in all\)\. Use a component name of at most 61 characters\./);
    });

    it("an environment key Lambda refuses", async () => {
      await record(() => {
        const jobs = new MessageQueue("env-key", { consumer: { function: new LambdaFunction("env-key-worker", { entry }) } });
        expect(() => jobs.environment("1URL")).toThrow(/MessageQueue "env-key": environment key "1URL" is not a Lambda environment variable name/);
      });
    });
  });

  it("creates one mapping and two queues per component", async () => {
    const graph = await record(() => new MessageQueue("count", { consumer: { function: new LambdaFunction("count-worker", { entry }) } }));
    expect(ofType(graph, QUEUE).map((q) => q.name).sort()).toEqual(["count-dlq", "count-queue"]);
    expect(ofType(graph, MAPPING)).toHaveLength(1);
  });
});

describe("MessageQueue on a second deploy (TransitionStatefulReplaced)", () => {
  const jobs = (args: Partial<MessageQueueArgs>, name = "jobs") => () =>
    new MessageQueue(name, { ...args, consumer: { function: new LambdaFunction("jobs-worker", { entry, timeout: 30 }) } } as MessageQueueArgs);

  it("reports the queue and its dead-letter queue that fifo: true replaces, from a saved plan: their messages are deleted with them", async () => {
    const before = await record(jobs({}));
    const after = await record(jobs({ fifo: true, contentBasedDeduplication: true }));
    const findings = transition(saved(before), after);
    expect(findings.map((f) => [f.rule, f.resource]).sort()).toEqual([
      ["TransitionStatefulReplaced", `${QUEUE} jobs-dlq`],
      ["TransitionStatefulReplaced", `${QUEUE} jobs-queue`],
    ]);
    const dlq = findings.find((f) => f.resource === `${QUEUE} jobs-dlq`)!;
    expect(dlq.problem).toMatch(/^replaces SQS queue jobs-dlq: fifoQueue \(none \(false\) → true\) forces a new queue .*the deployed one is deleted with its messages\. Messages still waiting for a consumer, and in a dead-letter queue the failed messages kept for redrive, are gone/);
    expect(dlq.fix).toContain("StartMessageMoveTask");
  });

  it("reports a queue renamed without aliases, and passes the same rename with aliases and a change that updates in place", async () => {
    const before = await record(jobs({}));
    expect(transition(saved(before), await record(jobs({}, "tasks"))).map((f) => [f.rule, f.resource]).sort()).toEqual([
      ["TransitionStatefulReplaced", `${QUEUE} tasks-dlq`],
      ["TransitionStatefulReplaced", `${QUEUE} tasks-queue`],
    ]);
    expect(transition(saved(before), await record(() => new MessageQueue("tasks", { consumer: { function: new LambdaFunction("jobs-worker", { entry, timeout: 30 }) } }, { aliases: [{ name: "jobs" }] })))).toEqual([]);
    expect(transition(saved(before), await record(jobs({ retentionDays: 7, deadLetterRetentionDays: 10 })))).toEqual([]);
  });

  it("passes a MessageQueue removed while an unrelated one with its own consumer is added: alike queues are no evidence of a rename (review 88 S2)", async () => {
    const before = await record(jobs({}));
    const after = await record(() => new MessageQueue("emails", { consumer: { function: new LambdaFunction("emails-worker", { entry, timeout: 30 }) } }));
    expect(transition(saved(before), after)).toEqual([]);
  });

  it("reports the queues of a component renamed without aliases whose consumer is renamed with it", async () => {
    const worker = (component: string) => () => {
      const parent = new pulumi.ComponentResource("test:index:Worker", component, {});
      new MessageQueue(`${component}-jobs`, { consumer: { function: new LambdaFunction(`${component}-worker`, { entry, timeout: 30 }, { parent }) } }, { parent });
    };
    const findings = transition(saved(await record(worker("billing"))), await record(worker("invoicing")));
    expect(findings.filter((f) => f.rule === "TransitionStatefulReplaced").map((f) => f.resource).sort()).toEqual([`${QUEUE} invoicing-jobs-dlq`, `${QUEUE} invoicing-jobs-queue`]);
  });
});
