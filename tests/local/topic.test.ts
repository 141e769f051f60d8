/**
 * Local SNS (`npm start`): Publish and PublishBatch in SNS's query protocol, signed requests only; a published
 * message reaches the Lambda and SQS subscriptions whose filter policy it passes, in SNS's shapes (the Lambda event,
 * the SQS envelope, raw delivery), with Lambda's asynchronous retries. Functions are fakes (no sandboxes), the queues
 * an in-process LocalSqs.
 */
import { Sha256 } from "@aws-sdk/checksums/sha";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import type { MessageQueueSpec } from "../../components/message-queue/spec";
import { registeredSpecs } from "../../components/spec-registry";
import { Topic, type TopicSpec } from "../../components/topic";
import { LocalQueues } from "../../local/queues";
import { localQueueDefinitions, topicDeadLetterQueueDefinitions } from "../../local/services/queues";
import { resolveValue } from "../../local/offline/program";
import { localTopicDefinitions } from "../../local/services/topics";
import { matchesFilterPolicy } from "../../local/sns-filter";
import { LocalSns, startLocalSns, type LocalSnsServer } from "../../local/sns-server";
import { LocalSqs } from "../../local/sqs-server";
import { xmlValues } from "../../local/xml";
import { record } from "../harness/mocks";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";

const entry = "tests/fixtures/handlers/echo.ts";
const REGION = "us-east-1";

let server: LocalSnsServer;
let definitions: Awaited<ReturnType<typeof localTopicDefinitions>>;
let sqs: LocalSqs;
const invocations: Array<{ fn: string; event: any }> = [];
const pending: Array<Promise<unknown>> = [];
const logs: string[] = [];
const failing = new Set<string>();
let topicArn: string;
let ordersArn: string;
let queueNames: Record<string, string>;
let graph: Awaited<ReturnType<typeof record>>;

beforeAll(async () => {
  graph = await record(() => {
    const topic = new Topic("local-events", {});
    topic.subscribe("photos", new LambdaFunction("local-photos", { entry, asyncInvoke: { maxRetryAttempts: 1 } }), { filterPolicy: { kind: ["uploaded"], size: [{ numeric: [">", 100] }] } });
    topic.subscribe("all", new LambdaFunction("local-all", { entry }));
    const envelope = new MessageQueue("local-envelope", { consumer: { function: new LambdaFunction("local-envelope-worker", { entry }) }, topics: [topic] });
    topic.subscribeQueue("envelope", envelope, { filterPolicy: { photo: { tags: [{ prefix: "cat" }] } }, filterPolicyScope: "MessageBody" });
    const raw = new MessageQueue("local-raw", { consumer: { function: new LambdaFunction("local-raw-worker", { entry }) }, topics: [topic] });
    topic.subscribeQueue("raw", raw, { rawMessageDelivery: true });
    const orders = new Topic("local-orders", { fifo: true });
    orders.subscribeQueue("ordered", new MessageQueue("local-ordered", { fifo: true, consumer: { function: new LambdaFunction("local-ordered-worker", { entry }) }, topics: [orders] }));
  });
  const topics = registeredSpecs<TopicSpec>("Topic").filter(({ name }) => name.startsWith("local-")).map(({ spec }) => spec);
  const queues = await localQueueDefinitions(registeredSpecs<MessageQueueSpec>("MessageQueue").filter(({ name }) => name.startsWith("local-")).map(({ spec }) => spec), REGION, graph);
  sqs = new LocalSqs(queues.map((q) => q.queue));
  queueNames = Object.fromEntries(queues.map((q) => [q.spec.name, q.queue.name]));
  definitions = await localTopicDefinitions(topics, REGION, graph, {
    invoke: (spec: LambdaFunctionSpec) => async (event) => {
      invocations.push({ fn: spec.name, event });
      if (failing.has(spec.name)) throw new Error("handler failed");
      return null;
    },
    sqs: () => sqs,
    async: { queues: new LocalQueues(), region: REGION, retryDelaysMs: [0], log: (m) => logs.push(m) },
    log: (m) => logs.push(m),
    track: (delivery) => pending.push(delivery),
  });
  [topicArn, ordersArn] = ["local-events", "local-orders"].map((name) => graph.find((r) => r.type === "aws:sns/topic:Topic" && r.name === `${name}-topic`)!.state.arn);
  server = await startLocalSns({ topics: definitions });
});

afterAll(() => server?.stop());

async function send(
  params: Record<string, string>,
  options: { secret?: string; service?: string; unsigned?: boolean; accessKeyId?: string; to?: LocalSnsServer } = {},
): Promise<{ status: number; text: string }> {
  const target = options.to ?? server;
  const body = new URLSearchParams({ Version: "2010-03-31", ...params }).toString();
  const url = new URL(target.endpoint);
  const request = { method: "POST", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: "/", query: {}, headers: { host: url.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body };
  const signer = new SignatureV4({ credentials: { accessKeyId: options.accessKeyId ?? "local", secretAccessKey: options.secret ?? "local" }, region: REGION, service: options.service ?? "sns", sha256: Sha256 });
  const { host: _host, ...headers } = options.unsigned ? request.headers : (await signer.sign(request)).headers;
  const response = await fetch(target.endpoint, { method: "POST", headers, body });
  return { status: response.status, text: await response.text() };
}

const drained = async () => {
  while (pending.length > 0) await Promise.allSettled(pending.splice(0));
};
const take = () => invocations.splice(0);
const received = (component: string) => sqs.receive(queueNames[component], { max: 10 });

describe("local SNS", () => {
  it("publishes to the subscriptions whose filter policies pass, in SNS's Lambda event and SQS envelope", async () => {
    const response = await send({
      Action: "Publish",
      TopicArn: topicArn,
      Subject: "New photo",
      Message: JSON.stringify({ photo: { tags: ["cats", "dogs"] } }),
      "MessageAttributes.entry.1.Name": "kind",
      "MessageAttributes.entry.1.Value.DataType": "String",
      "MessageAttributes.entry.1.Value.StringValue": "uploaded",
      "MessageAttributes.entry.2.Name": "size",
      "MessageAttributes.entry.2.Value.DataType": "Number",
      "MessageAttributes.entry.2.Value.StringValue": "250",
    });
    expect(response.status).toBe(200);
    const messageId = /<PublishResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><PublishResult><MessageId>([0-9a-f-]{36})<\/MessageId><\/PublishResult>/.exec(response.text)![1];
    await drained();
    const calls = take();
    expect(calls.map((c) => c.fn).sort()).toEqual(["local-all", "local-photos"]);
    const record = calls.find((c) => c.fn === "local-photos")!.event.Records[0];
    expect(record).toEqual({
      EventSource: "aws:sns",
      EventVersion: "1.0",
      EventSubscriptionArn: expect.stringMatching(new RegExp(`^${topicArn}:[0-9a-f-]{36}$`)),
      Sns: {
        Type: "Notification",
        MessageId: messageId,
        TopicArn: topicArn,
        Subject: "New photo",
        Message: JSON.stringify({ photo: { tags: ["cats", "dogs"] } }),
        Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        SignatureVersion: "1",
        Signature: "",
        SigningCertUrl: "",
        UnsubscribeUrl: "",
        MessageAttributes: { kind: { Type: "String", Value: "uploaded" }, size: { Type: "Number", Value: "250" } },
      },
    });
    const [enveloped] = await received("local-envelope");
    // The SQS envelope is the Lambda event's notification, but for the casing of two keys ("…URL", not "…Url").
    const { SigningCertUrl: _cert, UnsubscribeUrl: _unsubscribe, ...notification } = record.Sns;
    expect(JSON.parse(enveloped.body)).toEqual({ ...notification, SigningCertURL: "", UnsubscribeURL: "" });
    const [raw] = await received("local-raw");
    expect(raw.body).toBe(JSON.stringify({ photo: { tags: ["cats", "dogs"] } }));
    expect(raw.messageAttributes).toEqual({ kind: { DataType: "String", StringValue: "uploaded" }, size: { DataType: "Number", StringValue: "250" } });
  });

  it("does not deliver what a filter policy refuses", async () => {
    const response = await send({ Action: "Publish", TopicArn: topicArn, Message: JSON.stringify({ photo: { tags: ["dogs"] } }), "MessageAttributes.entry.1.Name": "kind", "MessageAttributes.entry.1.Value.DataType": "String", "MessageAttributes.entry.1.Value.StringValue": "deleted" });
    expect(response.status).toBe(200);
    await drained();
    expect(take().map((c) => c.fn)).toEqual(["local-all"]);
    expect(await received("local-envelope")).toEqual([]);
    expect(await received("local-raw")).toHaveLength(1);
  });

  it("retries a failing function as Lambda does (asyncInvoke.maxRetryAttempts), then drops the event without a destination", async () => {
    failing.add("local-photos");
    await send({ Action: "Publish", TopicArn: topicArn, Message: "x", "MessageAttributes.entry.1.Name": "kind", "MessageAttributes.entry.1.Value.DataType": "String", "MessageAttributes.entry.1.Value.StringValue": "uploaded", "MessageAttributes.entry.2.Name": "size", "MessageAttributes.entry.2.Value.DataType": "Number", "MessageAttributes.entry.2.Value.StringValue": "101" });
    await drained();
    failing.delete("local-photos");
    expect(take().map((c) => c.fn).filter((fn) => fn === "local-photos")).toHaveLength(2);
    expect(logs.some((line) => line.includes("local-photos: event dropped after 2 attempts"))).toBe(true);
    await received("local-raw");
  });

  it("publishes a batch, each entry on its own", async () => {
    const response = await send({
      Action: "PublishBatch",
      TopicArn: topicArn,
      "PublishBatchRequestEntries.member.1.Id": "a",
      "PublishBatchRequestEntries.member.1.Message": "one",
      "PublishBatchRequestEntries.member.2.Id": "b",
      "PublishBatchRequestEntries.member.2.Message": "",
    });
    expect(response.text).toMatch(/<Successful><member><Id>a<\/Id><MessageId>[0-9a-f-]{36}<\/MessageId><\/member><\/Successful><Failed><member><Id>b<\/Id><Code>InvalidParameter<\/Code><Message>Invalid parameter: Empty message<\/Message><SenderFault>true<\/SenderFault><\/member><\/Failed>/);
    await drained();
    expect(take().map((c) => c.fn)).toEqual(["local-all"]);
    expect((await received("local-raw")).map((m) => m.body)).toEqual(["one"]);
  });

  it("requires a FIFO topic's group id and deduplicates within five minutes, delivering the group and sequence to a FIFO queue", async () => {
    expect((await send({ Action: "Publish", TopicArn: ordersArn, Message: "m" })).text).toMatch(/<Code>InvalidParameter<\/Code><Message>Invalid parameter: The MessageGroupId parameter is required for FIFO topics/);
    const first = await send({ Action: "Publish", TopicArn: ordersArn, Message: "m", MessageGroupId: "g", MessageDeduplicationId: "d1" });
    const again = await send({ Action: "Publish", TopicArn: ordersArn, Message: "m", MessageGroupId: "g", MessageDeduplicationId: "d1" });
    expect(again.text.match(/<MessageId>.*<\/SequenceNumber>/)![0]).toBe(first.text.match(/<MessageId>.*<\/SequenceNumber>/)![0]);
    const messages = await received("local-ordered");
    expect(messages).toHaveLength(1);
    expect(messages[0].messageGroupId).toBe("g");
    expect(JSON.parse(messages[0].body)).toMatchObject({ Type: "Notification", TopicArn: ordersArn, Message: "m", SequenceNumber: expect.stringMatching(/^\d{20}$/) });
  });

  it("refuses unsigned and wrongly signed requests, an unknown topic and an unknown action, in SNS's XML errors", async () => {
    expect(await send({ Action: "Publish", TopicArn: topicArn, Message: "x" }, { unsigned: true })).toMatchObject({ status: 403, text: expect.stringContaining("<Code>MissingAuthenticationToken</Code>") });
    expect(await send({ Action: "Publish", TopicArn: topicArn, Message: "x" }, { secret: "wrong" })).toMatchObject({ status: 403, text: expect.stringContaining("<Code>SignatureDoesNotMatch</Code>") });
    const misscoped = await send({ Action: "Publish", TopicArn: topicArn, Message: "x" }, { service: "sqs" });
    expect([misscoped.status, xmlValues(misscoped.text, "Message")]).toEqual([403, ["Credential should be scoped to correct service: 'sns'. "]]);
    expect(await send({ Action: "Publish", TopicArn: `${topicArn}-gone`, Message: "x" })).toMatchObject({ status: 404, text: expect.stringContaining("<Code>NotFound</Code><Message>Topic does not exist</Message>") });
    expect(await send({ Action: "CreateTopic", Name: "x" })).toMatchObject({ status: 400, text: expect.stringContaining("<Code>InvalidAction</Code>") });
    await drained();
    expect(take()).toEqual([]);
  });
});

describe("local SNS, a subscription's dead-letter queue", () => {
  const localTopics = () => registeredSpecs<TopicSpec>("Topic").filter(({ name }) => name.startsWith("local-")).map(({ spec }) => spec);
  const deadLetterQueueOf = (topic: string, subscription: string) => resolveValue<string>(localTopics().find((t) => t.name === topic)!.subscriptions.find((s) => s.name === subscription)!.deadLetterQueueName);
  /** The local topics' SQS subscriptions over `queues` (their functions left out: nothing here reaches another test's). */
  const sqsOnly = async (queues: LocalSqs, lines: string[]) => {
    const topics = await localTopicDefinitions(localTopics(), REGION, graph, {
      invoke: () => async () => null,
      sqs: () => queues,
      async: { queues: new LocalQueues(), region: REGION, retryDelaysMs: [0], log: (m) => lines.push(m) },
      log: (m) => lines.push(m),
      track: () => undefined,
    });
    return new LocalSns(topics.map((topic) => ({ ...topic, subscriptions: topic.subscriptions.filter((s) => s.protocol === "sqs") })));
  };

  it("serves each subscription's dead-letter queue as Topic creates it: FIFO for a FIFO queue's, 1 MiB, its retention", async () => {
    const definitions = await topicDeadLetterQueueDefinitions(localTopics(), REGION, graph);
    expect(definitions).toHaveLength(localTopics().flatMap((t) => t.subscriptions).length);
    const orderedName = await deadLetterQueueOf("local-orders", "ordered");
    expect(definitions.filter((d) => d.fifo).map((d) => d.name)).toEqual([orderedName]);
    expect(orderedName).toMatch(/\.fifo$/);
    const raw = definitions.find((d) => d.name.startsWith("local-events-raw-dlq"))!;
    expect(raw).toMatchObject({ fifo: false, maximumMessageBytes: 1_048_576, messageRetentionSeconds: 14 * 86_400, sqsManagedSseEnabled: true, region: REGION, arn: expect.stringMatching(/^arn:aws:sqs:us-east-1:\d{12}:local-events-raw-dlq/) });
    expect(JSON.parse(raw.policy!).Statement[1]).toMatchObject({ Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage" });
  });

  it("moves a message it cannot deliver (the queue gone) to the subscription's dead-letter queue: the envelope, or the raw body with its attributes, and a FIFO topic's ids", async () => {
    // The subscribed queues gone, their subscriptions' dead-letter queues left (LocalStack's AWS-validated
    // test_redrive_policy_sqs_queue_subscription deletes the queue the same way).
    const deadLetters = new LocalSqs(await topicDeadLetterQueueDefinitions(localTopics(), REGION, graph));
    const lines: string[] = [];
    const sns = await sqsOnly(deadLetters, lines);
    const body = JSON.stringify({ photo: { tags: ["cats"] } });
    const { messageId } = sns.publish(topicArn, { message: body, subject: "New", attributes: { kind: { DataType: "String", StringValue: "uploaded" }, blob: { DataType: "Binary", BinaryValue: "AAEC" } } });
    const [enveloped] = await deadLetters.receive(await deadLetterQueueOf("local-events", "envelope"), { max: 10 });
    expect(JSON.parse(enveloped.body)).toEqual({
      Type: "Notification",
      MessageId: messageId,
      TopicArn: topicArn,
      Subject: "New",
      Message: body,
      Timestamp: expect.any(String),
      SignatureVersion: "1",
      Signature: "",
      SigningCertURL: "",
      UnsubscribeURL: "",
      MessageAttributes: { kind: { Type: "String", Value: "uploaded" }, blob: { Type: "Binary", Value: "AAEC" } },
    });
    expect(enveloped.messageAttributes).toEqual({});
    const [raw] = await deadLetters.receive(await deadLetterQueueOf("local-events", "raw"), { max: 10 });
    expect(raw.body).toBe(body);
    expect(raw.messageAttributes).toEqual({ kind: { DataType: "String", StringValue: "uploaded" }, blob: { DataType: "Binary", BinaryValue: "AAEC" } });
    sns.publish(ordersArn, { message: "o", messageGroupId: "g", messageDeduplicationId: "d-dlq" });
    const [ordered] = await deadLetters.receive(await deadLetterQueueOf("local-orders", "ordered"), { max: 10 });
    expect(ordered).toMatchObject({ messageGroupId: "g", messageDeduplicationId: "d-dlq" });
    expect(JSON.parse(ordered.body)).toMatchObject({ Message: "o", SequenceNumber: expect.stringMatching(/^\d{20}$/) });
    expect(lines.filter((l) => l.includes(messageId))).toEqual([
      expect.stringMatching(new RegExp(`local-events: message ${messageId} not delivered to .* \\(the queue is not served locally\\); moved to its subscription's dead-letter queue `)),
      expect.stringMatching(/moved to its subscription's dead-letter queue/),
    ]);
  });

  it("keeps one subscription's local fault to itself: the next subscription still gets the message, once, and the fault is logged", async () => {
    const queues = await localQueueDefinitions(registeredSpecs<MessageQueueSpec>("MessageQueue").filter(({ name }) => name.startsWith("local-")).map(({ spec }) => spec), REGION, graph);
    const served = new LocalSqs(queues.map((q) => q.queue));
    const envelope = queues.find((q) => q.spec.name === "local-envelope")!.queue.name;
    // A send to the envelope queue fails with an error that is not SQS's answer (a local fault), before the raw subscription's turn.
    const faulty = Object.assign(Object.create(served) as LocalSqs, {
      send: (queue: string, input: Parameters<LocalSqs["send"]>[1]) => {
        if (queue === envelope) throw new TypeError("local fault in the envelope queue");
        return served.send(queue, input);
      },
    });
    const lines: string[] = [];
    const sns = await sqsOnly(faulty, lines);
    const { messageId } = sns.publish(topicArn, { message: JSON.stringify({ photo: { tags: ["cats"] } }) });
    expect((await served.receive(queueNames["local-raw"], { max: 10 })).map((m) => m.body)).toEqual([JSON.stringify({ photo: { tags: ["cats"] } })]);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`local-events: message ${messageId} not delivered to the subscription "envelope" \\(local fault: local fault in the envelope queue\\); dropped`)));
  });

  it("delivers a message carrying SNS's own AWS.SNS.SMS / AWS.SNS.MOBILE / AWS.MM.SMS attributes to a raw subscription's queue without them (a queue takes no AWS.-prefixed name), and to the envelope with them", async () => {
    const queues = await localQueueDefinitions(registeredSpecs<MessageQueueSpec>("MessageQueue").filter(({ name }) => name.startsWith("local-")).map(({ spec }) => spec), REGION, graph);
    const all = new LocalSqs([...queues.map((q) => q.queue), ...(await topicDeadLetterQueueDefinitions(localTopics(), REGION, graph))]);
    const lines: string[] = [];
    const sns = await sqsOnly(all, lines);
    const body = JSON.stringify({ photo: { tags: ["cats"] } });
    const kind = { DataType: "String", StringValue: "uploaded" };
    const own = { "AWS.SNS.SMS.SenderID": { DataType: "String", StringValue: "Gallery" }, "AWS.MM.SMS.OriginationNumber": { DataType: "String", StringValue: "+12065550100" }, "AWS.SNS.MOBILE.APNS.TTL": { DataType: "String", StringValue: "60" } };
    sns.publish(topicArn, { message: body, attributes: { kind, ...own } });
    const [raw, ...more] = await all.receive(queueNames["local-raw"], { max: 10 });
    expect(more).toEqual([]);
    expect(raw.body).toBe(body);
    expect(raw.messageAttributes).toEqual({ kind });
    const [enveloped] = await all.receive(queueNames["local-envelope"], { max: 10 });
    expect(Object.keys(JSON.parse(enveloped.body).MessageAttributes)).toEqual(["kind", ...Object.keys(own)]);
    expect(await all.receive(await deadLetterQueueOf("local-events", "raw"), { max: 10 })).toEqual([]);
    expect(lines).toEqual([]);
  });

  it("logs and drops what the dead-letter queue refuses too: a raw message of 11 attributes, which SQS takes 10 of", async () => {
    const queues = await localQueueDefinitions(registeredSpecs<MessageQueueSpec>("MessageQueue").filter(({ name }) => name.startsWith("local-")).map(({ spec }) => spec), REGION, graph);
    const all = new LocalSqs([...queues.map((q) => q.queue), ...(await topicDeadLetterQueueDefinitions(localTopics(), REGION, graph))]);
    const lines: string[] = [];
    const sns = await sqsOnly(all, lines);
    const attributes = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }]));
    const { messageId } = sns.publish(topicArn, { message: "eleven", attributes });
    expect(await all.receive(queueNames["local-raw"], { max: 10 })).toEqual([]);
    expect(await all.receive(await deadLetterQueueOf("local-events", "raw"), { max: 10 })).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^  local-events: message ${messageId} not delivered to .* \\(SQS refused it: Number of message attributes \\[11\\] exceeds the allowed maximum \\[10\\]\\.\\); the dead-letter queue .* refused it too .*, so it is dropped$`))]);
  });
});

describe("local SNS, signatures checked as AWS's front end checks them (the one check SQS and Step Functions share)", () => {
  const publish = { Action: "Publish", TopicArn: "", Message: "signed" };
  /** A Publish signed as the SDK signs it, then changed by `edit` before it is sent. */
  async function signedThen(edit: (headers: Record<string, string>) => Record<string, string>, signingDate?: Date) {
    const body = new URLSearchParams({ Version: "2010-03-31", ...publish, TopicArn: topicArn }).toString();
    const url = new URL(server.endpoint);
    const request = { method: "POST", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: "/", query: {}, headers: { host: url.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body };
    const signer = new SignatureV4({ credentials: { accessKeyId: "local", secretAccessKey: "local" }, region: REGION, service: "sns", sha256: Sha256 });
    const { host: _host, ...headers } = (await signer.sign(request, signingDate ? { signingDate } : {})).headers;
    const response = await fetch(server.endpoint, { method: "POST", headers: edit(headers), body });
    const text = await response.text();
    // As a client reads them: the answers escape XML's special characters (local/xml.ts escapeXml), the quotes included.
    return { status: response.status, code: xmlValues(text, "Code")[0], message: xmlValues(text, "Message")[0] };
  }
  const signedHeadersWithout = (name: string) => (headers: Record<string, string>) => ({
    ...headers,
    authorization: headers.authorization.replace(/SignedHeaders=([^,]*)/, (_, list: string) => `SignedHeaders=${list.split(";").filter((h) => h !== name).join(";")}`),
  });

  it("answers an unsigned request with 403 MissingAuthenticationToken in AWS's words", async () => {
    expect(await signedThen(({ authorization: _a, ...headers }) => headers)).toEqual({ status: 403, code: "MissingAuthenticationToken", message: "The request must contain either a valid (registered) AWS access key ID or X.509 certificate." });
  });

  it("answers host or x-amz-date left unsigned, and a malformed Authorization, with 400 IncompleteSignature", async () => {
    expect(await signedThen(signedHeadersWithout("host"))).toEqual({ status: 400, code: "IncompleteSignature", message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." });
    expect(await signedThen(signedHeadersWithout("x-amz-date"))).toEqual({ status: 400, code: "IncompleteSignature", message: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization." });
    expect(await signedThen((headers) => ({ ...headers, authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${REGION}/sns` }))).toMatchObject({
      status: 400,
      code: "IncompleteSignature",
      message: expect.stringMatching(/^Authorization header requires 'Signature' parameter\. Authorization header requires 'SignedHeaders' parameter\./),
    });
  });

  it("answers an unknown access key with 403 InvalidClientTokenId, and a stale or wrongly scoped signature with 403 SignatureDoesNotMatch", async () => {
    expect(await send({ ...publish, TopicArn: topicArn }, { accessKeyId: "AKIDOTHER" })).toMatchObject({ status: 403, text: expect.stringContaining("<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>") });
    expect(await signedThen((headers) => headers, new Date(Date.now() - 16 * 60 * 1000))).toMatchObject({ status: 403, code: "SignatureDoesNotMatch", message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/) });
    const misscoped = await send({ ...publish, TopicArn: topicArn }, { service: "sqs" });
    expect([misscoped.status, xmlValues(misscoped.text, "Message")]).toEqual([403, ["Credential should be scoped to correct service: 'sns'. "]]);
    await drained();
    expect(take()).toEqual([]);
  });
});

describe("local SNS, Publish's limits", () => {
  // The same topics without their subscriptions: nothing published here reaches another test's functions or queues.
  const quiet = () => new LocalSns(definitions.map((topic) => ({ ...topic, subscriptions: [] })));

  it("takes a Subject of fewer than 100 characters only (API_Publish: \"less than 100 characters long\")", () => {
    const sns = quiet();
    expect(sns.publish(topicArn, { message: "m", subject: "s".repeat(99) }).messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => sns.publish(topicArn, { message: "m", subject: "s".repeat(100) })).toThrow(/Invalid parameter: Subject/);
  });

  it("checks MessageGroupId and MessageDeduplicationId: 1 to 128 alphanumeric and punctuation characters", () => {
    const sns = quiet();
    expect(() => sns.publish(ordersArn, { message: "m", messageGroupId: "a group", messageDeduplicationId: "d" })).toThrow(/Invalid parameter: MessageGroupId .*alphanumeric and punctuation characters/);
    expect(() => sns.publish(ordersArn, { message: "m", messageGroupId: "g".repeat(129), messageDeduplicationId: "d" })).toThrow(/MessageGroupId/);
    expect(() => sns.publish(ordersArn, { message: "m", messageGroupId: "g", messageDeduplicationId: "d\n" })).toThrow(/Invalid parameter: MessageDeduplicationId .*alphanumeric and punctuation characters/);
    // A standard topic takes a MessageGroupId (for SQS fair queues), in the same format.
    expect(sns.publish(topicArn, { message: "m", messageGroupId: "tenant-1" }).messageId).toBeDefined();
    expect(() => sns.publish(topicArn, { message: "m", messageGroupId: "" })).toThrow(/MessageGroupId/);
  });

  it("refuses an attribute without a value or of an invalid name, as SNS does (ParameterValueInvalid: \"Name, type, and value must not be empty\")", async () => {
    const sns = quiet();
    const refused = (attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>) => () => sns.publish(topicArn, { message: "m", attributes });
    expect(refused({ kind: { DataType: "String", StringValue: "" } })).toThrow("The message attribute 'kind' must contain non-empty message attribute value for message attribute type 'String'.");
    expect(refused({ kind: { DataType: "String.custom" } })).toThrow(/type 'String\.custom'\.$/);
    // Not 0: an empty Number is no number.
    expect(refused({ size: { DataType: "Number", StringValue: "" } })).toThrow(/attribute 'size' must contain non-empty .* type 'Number'\.$/);
    expect(refused({ blob: { DataType: "Binary", StringValue: "AQID" } })).toThrow("The message attribute 'blob' with type 'Binary' must use field 'Binary'.");
    expect(refused({ blob: { DataType: "Binary", BinaryValue: "" } })).toThrow(/attribute 'blob' must contain non-empty .* type 'Binary'\.$/);
    // Names: A-Z, a-z, 0-9, _, - and ., no period first, last or twice in a row (sns-message-attributes.html).
    expect(refused({ ".kind": { DataType: "String", StringValue: "x" } })).toThrow("Invalid message attribute name starting with character '.' was found.");
    expect(refused({ "kind.": { DataType: "String", StringValue: "x" } })).toThrow("Invalid message attribute name ending with character '.' was found.");
    expect(refused({ "a..b": { DataType: "String", StringValue: "x" } })).toThrow("Message attribute name can not have successive '.' character.");
    expect(refused({ "a b": { DataType: "String", StringValue: "x" } })).toThrow("Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.");
    expect(refused({ "": { DataType: "String", StringValue: "x" } })).toThrow(/non-empty message attribute name/);
    expect(refused({ ["a".repeat(257)]: { DataType: "String", StringValue: "x" } })).toThrow("Length of message attribute name must be less than 256 bytes.");
    expect(refused({ kind: { DataType: "Text", StringValue: "x" } })).toThrow("The message attribute 'kind' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.");
    expect(sns.publish(topicArn, { message: "m", attributes: { "AWS.SNS.MOBILE.APNS.TTL": { DataType: "String", StringValue: "60" }, ["a".repeat(256)]: { DataType: "String", StringValue: "x" } } }).messageId).toBeDefined();
    expect(sns.publish(topicArn, { message: "m", attributes: { kind: { DataType: "String", StringValue: " " }, blob: { DataType: "Binary", BinaryValue: "AQID" } } }).messageId).toMatch(/^[0-9a-f-]{36}$/);
    const quietServer = await startLocalSns({ topics: definitions.map((topic) => ({ ...topic, subscriptions: [] })) });
    try {
      const response = await send(
        { Action: "Publish", TopicArn: topicArn, Message: "m", "MessageAttributes.entry.1.Name": "kind", "MessageAttributes.entry.1.Value.DataType": "String", "MessageAttributes.entry.1.Value.StringValue": "" },
        { to: quietServer },
      );
      expect(response).toMatchObject({ status: 400, text: expect.stringContaining("<Type>Sender</Type><Code>ParameterValueInvalid</Code>") });
    } finally {
      await quietServer.stop();
    }
  });

  it("refuses a Number that is no decimal number of 38 digits between 10^-128 and 10^126, which a raw SQS subscription would otherwise drop", () => {
    const sns = quiet();
    const publish = (value: string) => () => sns.publish(topicArn, { message: "m", attributes: { size: { DataType: "Number", StringValue: value } } });
    // JavaScript's Number() reads these as 16, 0, 1e200 and a 39-digit integer; SQS refuses each (isSqsNumber), so
    // SNS's raw delivery to a queue would fail after Publish had said yes.
    for (const value of ["0x10", " ", "1e200", "1".repeat(39), "Infinity", "1_000"]) expect(publish(value), value).toThrow("Invalid parameter: MessageAttributes: size is not a number");
    for (const value of ["250", "-0.25", "1.5e3", ".5", "1".repeat(38), "1e126", "1e-128"]) expect(publish(value)().messageId, value).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses an AWS.- or Amazon.-prefixed attribute name in PublishBatch per entry (ParameterValueInvalid in Failed), taking SNS's own in another entry", async () => {
    const quietServer = await startLocalSns({ topics: definitions.map((topic) => ({ ...topic, subscriptions: [] })) });
    try {
      const entry = (n: number, name: string) => ({
        [`PublishBatchRequestEntries.member.${n}.Id`]: `e${n}`,
        [`PublishBatchRequestEntries.member.${n}.Message`]: "m",
        [`PublishBatchRequestEntries.member.${n}.MessageAttributes.entry.1.Name`]: name,
        [`PublishBatchRequestEntries.member.${n}.MessageAttributes.entry.1.Value.DataType`]: "String",
        [`PublishBatchRequestEntries.member.${n}.MessageAttributes.entry.1.Value.StringValue`]: "x",
      });
      const response = await send({ Action: "PublishBatch", TopicArn: topicArn, ...entry(1, "Amazon.trace"), ...entry(2, "AWS.SNS.SMS.SMSType") }, { to: quietServer });
      expect(response.status).toBe(200);
      const [successful, failed] = [xmlValues(response.text, "Successful")[0], xmlValues(response.text, "Failed")[0]];
      expect(xmlValues(successful, "Id")).toEqual(["e2"]);
      expect([xmlValues(failed, "Id"), xmlValues(failed, "Code")]).toEqual([["e1"], ["ParameterValueInvalid"]]);
    } finally {
      await quietServer.stop();
    }
  });

  it("counts the entries' attributes in PublishBatch's 256 KiB", async () => {
    const quietServer = await startLocalSns({ topics: definitions.map((topic) => ({ ...topic, subscriptions: [] })) });
    try {
      const entry = (n: number) => ({
        [`PublishBatchRequestEntries.member.${n}.Id`]: `e${n}`,
        [`PublishBatchRequestEntries.member.${n}.Message`]: "m".repeat(100 * 1024),
        [`PublishBatchRequestEntries.member.${n}.MessageAttributes.entry.1.Name`]: "note",
        [`PublishBatchRequestEntries.member.${n}.MessageAttributes.entry.1.Value.DataType`]: "String",
        [`PublishBatchRequestEntries.member.${n}.MessageAttributes.entry.1.Value.StringValue`]: "n".repeat(60 * 1024),
      });
      const response = await send({ Action: "PublishBatch", TopicArn: topicArn, ...entry(1), ...entry(2) }, { to: quietServer });
      expect(response).toMatchObject({ status: 400, text: expect.stringContaining("<Code>BatchRequestTooLong</Code>") });
    } finally {
      await quietServer.stop();
    }
  });
});

describe("filter policies, evaluated locally", () => {
  const attributes = (values: Record<string, string | number | string[]>) => ({
    attributes: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? { DataType: "String.Array", StringValue: JSON.stringify(v) } : typeof v === "number" ? { DataType: "Number", StringValue: String(v) } : { DataType: "String", StringValue: v }])),
    body: "{}",
  });
  const attrs = (policy: Record<string, unknown>, values: Record<string, string | number | string[]>) => matchesFilterPolicy(policy, "MessageAttributes", attributes(values));

  it("matches exact values, arrays, prefixes, suffixes, anything-but, numeric ranges, exists, equals-ignore-case and cidr", () => {
    expect(attrs({ a: ["x", "y"] }, { a: "y" })).toBe(true);
    expect(attrs({ a: ["x"] }, { a: ["z", "x"] })).toBe(true);
    expect(attrs({ a: [{ prefix: "ca" }] }, { a: "cat" })).toBe(true);
    expect(attrs({ a: [{ suffix: ".jpg" }] }, { a: "a.png" })).toBe(false);
    expect(attrs({ a: [{ "anything-but": ["x"] }] }, { a: "y" })).toBe(true);
    expect(attrs({ a: [{ "anything-but": ["x"] }] }, {})).toBe(false);
    expect(attrs({ a: [{ "anything-but": { prefix: "ca" } }] }, { a: "cat" })).toBe(false);
    expect(attrs({ a: [{ numeric: [">", 0, "<=", 5] }] }, { a: 5 })).toBe(true);
    expect(attrs({ a: [{ numeric: [">", 0, "<=", 5] }] }, { a: 6 })).toBe(false);
    expect(attrs({ a: [{ numeric: ["=", 5] }] }, { a: "5" })).toBe(false);
    expect(attrs({ a: [{ exists: false }] }, { b: "x" })).toBe(true);
    expect(attrs({ a: [{ exists: true }] }, {})).toBe(false);
    expect(attrs({ a: [{ "equals-ignore-case": "CAT" }] }, { a: "cat" })).toBe(true);
    expect(attrs({ a: [{ cidr: "10.0.0.0/24" }] }, { a: "10.0.0.7" })).toBe(true);
    expect(attrs({ a: [{ cidr: "10.0.0.0/24" }] }, { a: "10.0.1.7" })).toBe(false);
    expect(attrs({ a: ["x"], b: ["y"] }, { a: "x" })).toBe(false);
    expect(attrs({ $or: [{ a: ["x"] }, { b: ["y"] }] }, { b: "y" })).toBe(true);
  });

  it("reads only a message's own keys: an attribute or body key named like an object's member is absent unless sent", () => {
    expect(attrs({ constructor: [{ exists: true }] }, {})).toBe(false);
    expect(attrs({ toString: [{ exists: false }] }, { b: "x" })).toBe(true);
    expect(matchesFilterPolicy({ constructor: [{ exists: true }] }, "MessageBody", { attributes: {}, body: "{}" })).toBe(false);
    expect(matchesFilterPolicy({ hasOwnProperty: [{ "anything-but": "x" }] }, "MessageBody", { attributes: {}, body: "{}" })).toBe(false);
    expect(matchesFilterPolicy({ constructor: ["x"] }, "MessageBody", { attributes: {}, body: JSON.stringify({ constructor: "x" }) })).toBe(true);
  });

  it("applies exists as SNS documents it: not on an empty set of attributes, only on leaf nodes, non-null and non-empty values", () => {
    // "\"exists\": false only matches if at least one attribute is present. An empty set of attributes results in the filter not matching."
    expect(attrs({ a: [{ exists: false }] }, {})).toBe(false);
    expect(attrs({ $or: [{ a: [{ exists: false }] }, { b: ["x"] }] }, {})).toBe(false);
    expect(attrs({ a: [{ exists: false }] }, { b: "x" })).toBe(true);
    expect(attrs({ a: [{ exists: true }] }, { a: [] })).toBe(false);
    const body = (policy: Record<string, unknown>, value: unknown) => matchesFilterPolicy(policy, "MessageBody", { attributes: {}, body: JSON.stringify({ store: value, other: 1 }) });
    // "exists matching only works on leaf nodes. It does not work on intermediate nodes."
    expect(body({ store: [{ exists: true }] }, { name: "fans" })).toBe(false);
    expect(body({ store: [{ exists: false }] }, { name: "fans" })).toBe(false);
    expect(body({ store: { name: [{ exists: true }] } }, { name: "fans" })).toBe(true);
    // "The key must have a non-null and non-empty value."
    for (const empty of [null, "", []]) {
      expect(body({ store: [{ exists: true }] }, empty)).toBe(false);
      expect(body({ store: [{ exists: false }] }, empty)).toBe(true);
    }
    expect(body({ store: [{ exists: true }] }, "fans")).toBe(true);
    expect(body({ store: [{ exists: true }] }, ["fans"])).toBe(true);
  });

  it("treats a Binary attribute as absent, as SNS ignores Binary attributes in filtering", () => {
    // Beside a String attribute: with only Binary ones the message has no attributes to filter on (tests/local/sns-filter.test.ts).
    const binary = { attributes: { a: { DataType: "Binary", BinaryValue: "AAEC" }, kind: { DataType: "String", StringValue: "x" } }, body: "{}" };
    expect(matchesFilterPolicy({ a: [{ exists: true }] }, "MessageAttributes", binary)).toBe(false);
    expect(matchesFilterPolicy({ a: [{ exists: false }] }, "MessageAttributes", binary)).toBe(true);
  });

  it("parses a message's body once for all its subscriptions' MessageBody policies, each deciding on its own", () => {
    const delivered: string[] = [];
    const subscription = (name: string, filterPolicy: Record<string, unknown>) => ({ arn: `arn:aws:sns:us-east-1:123456789012:t:${name}`, protocol: "sqs" as const, filterPolicy, filterPolicyScope: "MessageBody" as const, deliver: () => delivered.push(name) });
    const arn = "arn:aws:sns:us-east-1:123456789012:t";
    const sns = new LocalSns([{ arn, region: REGION, fifo: false, contentBasedDeduplication: false, subscriptions: [subscription("a", { kind: ["x"] }), subscription("b", { kind: ["y"] }), subscription("c", { size: [{ numeric: [">", 1] }] })] }]);
    const body = JSON.stringify({ kind: "x", size: 2 });
    const parse = vi.spyOn(JSON, "parse");
    try {
      sns.publish(arn, { message: body });
      expect(parse.mock.calls.filter(([text]) => text === body)).toHaveLength(1);
    } finally {
      parse.mockRestore();
    }
    expect(delivered).toEqual(["a", "c"]);
    // Not JSON: no MessageBody policy passes, and it is tried once too.
    delivered.length = 0;
    sns.publish(arn, { message: "not json" });
    expect(delivered).toEqual([]);
  });

  it("matches a MessageBody policy against the JSON body, walking nested objects, and no non-JSON body", () => {
    const body = (policy: Record<string, unknown>, text: string) => matchesFilterPolicy(policy, "MessageBody", { attributes: {}, body: text });
    expect(body({ photo: { size: [{ numeric: [">", 10] }] } }, JSON.stringify({ photo: { size: 11 } }))).toBe(true);
    expect(body({ photo: { size: [{ numeric: [">", 10] }] } }, JSON.stringify({ photo: { size: 9 } }))).toBe(false);
    expect(body({ tags: ["b"] }, JSON.stringify({ tags: ["a", "b"] }))).toBe(true);
    expect(body({ tags: ["b"] }, "not json")).toBe(false);
  });
});

describe("local SNS, authorising the functions by their roles", () => {
  it("lets a function publish where its role allows sns:Publish, and answers 403 AuthorizationError elsewhere", async () => {
    const publisher = functionCredentials("publisher-1a2b");
    const roleArn = "arn:aws:iam::123456789012:role/publisher-role";
    const roles = FunctionRoles.fromGraph([
      { type: "aws:iam/role:Role", name: "publisher-role", urn: "urn:role", custom: true, inputs: {}, state: { name: "publisher-role", arn: roleArn }, protect: false, retainOnDelete: false, dependencies: [] },
      { type: "aws:lambda/function:Function", name: "publisher", urn: "urn:fn", custom: true, inputs: { role: roleArn }, state: { name: "publisher-1a2b" }, protect: false, retainOnDelete: false, dependencies: [] },
      {
        type: "aws:iam/rolePolicy:RolePolicy", name: "publisher-policy", urn: "urn:policy", custom: true, state: {}, protect: false, retainOnDelete: false, dependencies: [],
        inputs: { role: "publisher-role", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: topicArn }] }) },
      },
    ]);
    // The same topics without their subscriptions: what is published here reaches no other test's functions or queues.
    const topics = definitions.map((topic) => ({ ...topic, subscriptions: [] }));
    const guarded = await startLocalSns({ topics, credentials: [{ accessKeyId: "local", secretAccessKey: "local" }, ...roles.credentials()], authorise: roles.authorise });
    try {
      const as = { accessKeyId: publisher.accessKeyId, secret: publisher.secretAccessKey, to: guarded };
      expect((await send({ Action: "Publish", TopicArn: topicArn, Message: "{}" }, as)).status).toBe(200);
      const refused = await send({ Action: "Publish", TopicArn: ordersArn, Message: "{}", MessageGroupId: "g", MessageDeduplicationId: "d" }, as);
      expect(refused.status).toBe(403);
      expect(refused.text).toContain(`<Code>AuthorizationError</Code><Message>User: arn:aws:sts::123456789012:assumed-role/publisher-role/publisher-1a2b is not authorized to perform: SNS:Publish on resource: ${ordersArn} because no identity-based policy allows the SNS:Publish action</Message>`);
      // The action is known before IAM is asked: an action the endpoint does not serve is InvalidAction, not a refusal.
      expect(await send({ Action: "GetTopicAttributes", TopicArn: ordersArn }, as)).toMatchObject({ status: 400, text: expect.stringContaining("<Code>InvalidAction</Code>") });
    } finally {
      await guarded.stop();
    }
  });
});
