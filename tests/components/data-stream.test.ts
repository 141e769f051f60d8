/**
 * DataStream: the Kinesis stream (mode, shards, retention, KMS encryption), each subscription's mapping, dead-letter
 * queue and exact role grants (created before the mapping), an enhanced fan-out consumer, the producer grants, the
 * specs the local runtime reads, and the construction-time refusals.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DataStream, STREAM_READ_ACTIONS } from "../../components/data-stream";
import type { DataStreamSpec, DataStreamSubscriptionSpec } from "../../components/data-stream";
import { LambdaFunction } from "../../components/lambda/function";
import { ServerlessApi } from "../../components/serverless-api";
import { registeredSpecs } from "../../components/spec-registry";
import { checkDeployRules } from "../../testing/deploy-rules";
import { SECURITY_RULES } from "../../testing/security-rules";
import { dependencyClosure, policyDocument, record, resource, useMocks } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const STREAM = "aws:kinesis/stream:Stream";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const QUEUE = "aws:sqs/queue:Queue";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

beforeAll(() => useMocks());

type Graph = Awaited<ReturnType<typeof record>>;
const securityFindings = (graph: Graph) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Graph) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });

describe("DataStream", () => {
  it("creates an ON_DEMAND stream encrypted with the AWS managed key, and a subscription with exact grants before its mapping", async () => {
    const graph = await record(() => new DataStream("clicks").subscribe("aggregate", new LambdaFunction("clicks-agg", { entry })));
    const stream = resource(graph, STREAM, "clicks-stream");
    expect(stream.inputs).toEqual({ streamModeDetails: { streamMode: "ON_DEMAND" }, retentionPeriod: 24, maxRecordSizeInKib: 1024, encryptionType: "KMS", kmsKeyId: "alias/aws/kinesis", enforceConsumerDeletion: true });
    const dlq = resource(graph, QUEUE, "clicks-aggregate-dlq");
    expect(dlq.inputs).toMatchObject({ sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 86400 });
    const policy = resource(graph, ROLE_POLICY, "clicks-aggregate-stream-policy");
    expect(policyDocument(policy.inputs.policy).Statement).toEqual([
      { Sid: "clicksRead", Effect: "Allow", Action: [...STREAM_READ_ACTIONS], Resource: [stream.state.arn] },
      { Sid: "SendFailedStreamBatches", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [dlq.state.arn] },
    ]);
    const mapping = resource(graph, MAPPING, "clicks-aggregate-mapping");
    expect(mapping.inputs).toEqual({
      eventSourceArn: stream.state.arn,
      functionName: resource(graph, "aws:lambda/function:Function", "clicks-agg-function").state.arn,
      startingPosition: "LATEST",
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      parallelizationFactor: 1,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: 86400,
      functionResponseTypes: ["ReportBatchItemFailures"],
      destinationConfig: { onFailure: { destinationArn: dlq.state.arn } },
    });
    expect(dependencyClosure(graph, mapping).has(policy.urn)).toBe(true);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("grants Lambda's stream reads on the stream, and not the account-level kinesis:ListStreams, which a stream ARN cannot scope", () => {
    expect(STREAM_READ_ACTIONS).toEqual(["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"]);
  });

  it("sends only AT_TIMESTAMP times the provider reads back unchanged, so a second plan has no diff", async () => {
    // terraform-provider-aws event_source_mapping.go: Create sends time.Parse(time.RFC3339, v); Read stores
    // aws.ToTime(output.StartingPositionTimestamp).Format(time.RFC3339), the UTC time in whole seconds with "Z"
    // (Lambda answers the timestamp as epoch seconds). ForceNew with no DiffSuppressFunc: the next plan compares the
    // program's input with that, and replaces the mapping when they differ.
    const readBack = (value: string) => new Date(Math.floor(Date.parse(value) / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const spellings = ["2026-12-01T00:00:00Z", "2026-12-01T01:00:00+01:00", "2026-11-30T19:00:00-05:00", "2026-12-01T00:00:00.000Z", "2026-12-01T00:00:00.5Z", "2026-12-01t00:00:00z"];
    const sent: string[] = [];
    for (const [n, startingPositionTimestamp] of spellings.entries()) {
      const program = () => new DataStream(`at${n}`).subscribe("s", new LambdaFunction(`at${n}-fn`, { entry }), { startingPosition: "AT_TIMESTAMP", startingPositionTimestamp });
      const graph = await record(program).catch(() => undefined);
      if (!graph) continue;
      const input = resource(graph, MAPPING, `at${n}-s-mapping`).inputs.startingPositionTimestamp as string;
      // The state after the first deploy holds readBack(input); the second plan's input is the same program's.
      expect(resource(await record(program), MAPPING, `at${n}-s-mapping`).inputs.startingPositionTimestamp).toBe(readBack(input));
      sent.push(input);
    }
    expect(sent).toEqual(["2026-12-01T00:00:00Z"]);
  });

  it("makes a PROVISIONED stream with a customer key: producers get GenerateDataKey, subscribers Decrypt, an enhanced fan-out subscriber SubscribeToShard on its consumer", async () => {
    let environment: ReturnType<DataStream["environment"]> = {};
    const graph = await record(() => {
      const events = new DataStream("events", { mode: "PROVISIONED", shardCount: 2, retentionHours: 168, kmsKeyArn: KEY });
      events.subscribe("fan", new LambdaFunction("events-fan", { entry }), { enhancedFanOut: true, startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: "2026-12-01T00:00:00Z", parallelizationFactor: 4, maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1 });
      environment = events.environment("EVENTS_STREAM");
      new LambdaFunction("events-producer", { entry, permissions: events.grants.put(), environment });
    });
    const stream = resource(graph, STREAM, "events-stream");
    expect(stream.inputs).toMatchObject({ streamModeDetails: { streamMode: "PROVISIONED" }, shardCount: 2, retentionPeriod: 168, encryptionType: "KMS", kmsKeyId: KEY });
    const consumer = resource(graph, "aws:kinesis/streamConsumer:StreamConsumer", "events-fan-consumer");
    expect(consumer.inputs.streamArn).toBe(stream.state.arn);
    const mapping = resource(graph, MAPPING, "events-fan-mapping");
    expect(mapping.inputs).toMatchObject({ eventSourceArn: consumer.state.arn, startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: "2026-12-01T00:00:00Z", parallelizationFactor: 4, maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1 });
    const statements = policyDocument(resource(graph, ROLE_POLICY, "events-fan-stream-policy").inputs.policy).Statement;
    expect(statements.slice(0, 3)).toEqual([
      { Sid: "eventsRead", Effect: "Allow", Action: [...STREAM_READ_ACTIONS], Resource: [stream.state.arn] },
      { Sid: "eventsSubscribeToShard", Effect: "Allow", Action: ["kinesis:SubscribeToShard"], Resource: [consumer.state.arn] },
      { Sid: "eventsReadKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [KEY] },
    ]);
    // Only SubscribeToShard on the consumer (no DescribeStreamConsumer: Lambda's list does not name it), and nothing on `*`.
    expect(statements.filter((s) => (s.Resource as string[]).some((r) => r === consumer.state.arn || r.includes("*")))).toEqual([statements[1]]);
    const producer = policyDocument(resource(graph, ROLE_POLICY, "events-producer-policy").inputs.policy).Statement;
    expect(producer.filter((s: { Sid?: string }) => s.Sid?.startsWith("events"))).toEqual([
      { Sid: "eventsPut", Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:PutRecords"], Resource: [stream.state.arn] },
      { Sid: "eventsPutKey", Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: [KEY] },
    ]);
    expect(Object.keys(environment)).toEqual(["EVENTS_STREAM"]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("registers the specs the local runtime reads", async () => {
    let spec: DataStreamSpec | undefined;
    await record(() => {
      const s = new DataStream("spec-s", { retentionHours: 48 });
      spec = s.spec;
      s.subscribe("sub", new LambdaFunction("spec-s-fn", { entry }), { batchSize: 7, bisectBatchOnFunctionError: false });
    });
    expect(registeredSpecs<DataStreamSpec>("DataStream").some((e) => e.name === "spec-s" && e.spec === spec)).toBe(true);
    expect(spec).toMatchObject({ name: "spec-s", mode: "ON_DEMAND", retentionHours: 48, maxRecordSizeInKib: 1024, retainOnDelete: false });
    const sub = registeredSpecs<DataStreamSubscriptionSpec>("DataStreamSubscription").find((e) => e.name === "spec-s-sub")!.spec;
    expect(sub).toMatchObject({ name: "sub", dataStream: "spec-s", batchSize: 7, bisectBatchOnFunctionError: false, startingPosition: "LATEST", maximumRetryAttempts: 3, reportBatchItemFailures: true, enhancedFanOut: false });
    expect(sub.function.name).toBe("spec-s-fn");
  });

  it("takes records from an API Gateway route (Kinesis PutRecord) into a named stream, with the route's role allowed grants.put()", async () => {
    const template = '{"StreamName":"clicks-in","Data":"$util.base64Encode($input.json(\'$\'))","PartitionKey":"$context.requestId"}';
    const graph = await record(() => {
      const clicks = new DataStream("api-clicks", { streamName: "clicks-in" });
      new ServerlessApi("ingest", {
        basePath: "api",
        accountCloudWatchRole: false,
        routes: { "POST /clicks": { auth: "iam", integration: { type: "aws", service: "kinesis", action: "PutRecord", requestTemplates: { "application/json": template }, permissions: clicks.grants.put() } } },
      });
    });
    const stream = resource(graph, STREAM, "api-clicks-stream");
    expect(stream.inputs.name).toBe("clicks-in");
    const integration = graph.find((r) => r.type === "aws:apigateway/integration:Integration" && r.inputs.uri === "arn:aws:apigateway:us-east-1:kinesis:action/PutRecord")!;
    expect(integration.inputs.requestTemplates).toEqual({ "application/json": template });
    const statements = graph.filter((r) => r.type === ROLE_POLICY).flatMap((r) => policyDocument(r.inputs.policy).Statement);
    expect(statements).toContainEqual({ Sid: "apiclicksPut", Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:PutRecords"], Resource: [stream.state.arn] });
    expect(securityFindings(graph).filter((f) => ["KDS1", "KinesisLeastPrivilege", "IAM5"].includes(f.rule))).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("takes records of up to 10 MiB when asked: the stream's maxRecordSizeInKib, and the spec the local endpoint reads", async () => {
    const graph = await record(() => new DataStream("large", { maxRecordSizeInKib: 10240 }));
    expect(resource(graph, STREAM, "large-stream").inputs.maxRecordSizeInKib).toBe(10240);
    expect(registeredSpecs<DataStreamSpec>("DataStream").find((e) => e.name === "large")?.spec.maxRecordSizeInKib).toBe(10240);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("keeps the stream on delete when asked", async () => {
    const graph = await record(() => new DataStream("kept", { retainOnDelete: true }));
    expect(resource(graph, STREAM, "kept-stream").retainOnDelete).toBe(true);
  });

  it.each([
    [{ shardCount: 2 }, /DataStream "bad": shardCount 2 is set on an ON_DEMAND stream/],
    [{ mode: "PROVISIONED" }, /shardCount \(not set\) is not a whole number of at least 1/],
    [{ mode: "PROVISIONED", shardCount: 0 }, /shardCount 0 is not a whole number/],
    [{ retentionHours: 23 }, /retentionHours 23 is outside Kinesis's range of 24–8760 hours\. Use a whole number from 24 to 8760 hours\./],
    [{ retentionHours: 8761 }, /retentionHours 8761 is outside Kinesis's range of 24–8760 hours/],
    [{ maxRecordSizeInKib: 1023 }, /DataStream "bad": maxRecordSizeInKib 1023 is outside Kinesis's maximum record size of 1024–10240 KiB\. Use a whole number from 1024 \(1 MiB, the default\) to 10240 \(10 MiB\)/],
    [{ maxRecordSizeInKib: 10241 }, /maxRecordSizeInKib 10241 is outside Kinesis's maximum record size of 1024–10240 KiB/],
    [{ maxRecordSizeInKib: 2048.5 }, /maxRecordSizeInKib 2048\.5 is not a whole number/],
    [{ mode: "ON_DEMAN" }, /mode "ON_DEMAN" is not a Kinesis capacity mode/],
    [{ kmsKeyArn: "alias/mine" }, /kmsKeyArn "alias\/mine" is not a KMS key's ARN/],
    [{ kmsKeyArn: KEY.replace("us-east-1", "eu-west-1"), region: "us-east-1" }, /is a key in eu-west-1, but the stream is in us-east-1/],
    [{ streamName: "has space" }, /streamName "has space" is not a Kinesis stream name/],
    [{ streamName: "kept", retainOnDelete: true }, /streamName "kept" is a fixed name on a stream kept on delete/],
  ])("refuses %j", async (args, message) => {
    await expect(record(() => new DataStream("bad", args as never))).rejects.toThrow(message);
  });

  it("refuses a component name whose stream autoname Kinesis would refuse", async () => {
    await expect(record(() => new DataStream("a".repeat(115)))).rejects.toThrow(/Kinesis stream name .* over Kinesis's 128/);
    await expect(record(() => new DataStream("bad/name"))).rejects.toThrow(/"\/", which Kinesis refuses/);
  });

  it.each([
    [{ batchSize: 10_001 }, /batchSize 10001 is outside Lambda's range of 1–10000 records per batch\. Use a whole number from 1 to 10000 records per batch\./],
    [{ batchSize: 2.5 }, /batchSize 2\.5 is not a whole number\. Use a whole number from 1 to 10000 records per batch\./],
    [{ bisectBatchOnFunctionError: "yes" }, /bisectBatchOnFunctionError "yes" is not true or false/],
    [{ parallelizationFactor: 11 }, /parallelizationFactor 11 is outside Lambda's range of 1–10 concurrent batches per shard/],
    [{ maximumRetryAttempts: -2 }, /maximumRetryAttempts -2 is outside Lambda's range of -1–10000 retries/],
    [{ maximumRecordAgeInSeconds: 59 }, /maximumRecordAgeInSeconds 59 is outside Lambda's range of 60–604800 seconds\. Use a whole number from 60 to 604800 seconds \(or -1\)\./],
    [{ maximumBatchingWindowInSeconds: 301 }, /maximumBatchingWindowInSeconds 301 is outside Lambda's range of 0–300 seconds/],
    [{ startingPosition: "AT_TIMESTAMP" }, /startingPositionTimestamp \(not set\) is not a real UTC time of the form YYYY-MM-DDTHH:MM:SSZ\. Set e\.g\. "2026-12-01T00:00:00Z"/],
    // Other spellings of a time: the provider reads them back as UTC whole seconds, and the ForceNew attribute would
    // replace the mapping at every deploy; the fix names the value it would store.
    [{ startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: "2026-12-01T01:00:00+01:00" }, /startingPositionTimestamp "2026-12-01T01:00:00\+01:00" is not in the form the provider reads back .* replace the mapping.*\. Write it as "2026-12-01T00:00:00Z"\./],
    [{ startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: "2026-12-01T00:00:00.000Z" }, /Write it as "2026-12-01T00:00:00Z"\./],
    [{ startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: "2026-12-01T00:00:00.750Z" }, /Write it as "2026-12-01T00:00:00Z"\./],
    [{ startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: "2026-13-45T00:00:00Z" }, /"2026-13-45T00:00:00Z" is not a real UTC time/],
    [{ startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: "2026-02-30T00:00:00Z" }, /"2026-02-30T00:00:00Z" is not a real UTC time/],
    [{ startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: "2026-12-01T24:00:00Z" }, /is not a real UTC time/],
    [{ startingPositionTimestamp: "2026-12-01T00:00:00Z" }, /is set with startingPosition LATEST/],
    [{ startingPosition: "EARLIEST" }, /startingPosition "EARLIEST" is not a Kinesis starting position/],
    [{ deadLetterRetentionDays: 15 }, /deadLetterRetentionDays 15 is outside SQS's message retention of 1–14 days/],
  ])("refuses the subscription %j", async (args, message) => {
    await expect(record(() => new DataStream("badsub").subscribe("s", new LambdaFunction("badsub-fn", { entry }), args as never))).rejects.toThrow(message);
  });

  it("refuses a second polling subscription of one function, a repeated name, and a function in another region", async () => {
    await expect(
      record(() => {
        const s = new DataStream("twice");
        const fn = new LambdaFunction("twice-fn", { entry });
        s.subscribe("a", fn);
        s.subscribe("b", fn);
      }),
    ).rejects.toThrow(/"twice-fn" is already subscribed by "a"/);
    await expect(
      record(() => {
        const s = new DataStream("again");
        s.subscribe("a", new LambdaFunction("again-1", { entry }));
        s.subscribe("a", new LambdaFunction("again-2", { entry }));
      }),
    ).rejects.toThrow(/subscription name "a" is used by another subscription/);
    await expect(record(() => new DataStream("far", { region: "eu-west-1" }).subscribe("s", new LambdaFunction("far-fn", { entry, region: "us-east-1" })))).rejects.toThrow(/Lambda reads only streams in the function's region/);
  });
});
