/**
 * Local SNS through the real @aws-sdk/client-sns, as a handler calls it under `npm start`: the client's requests are
 * what the server reads (query protocol, SigV4), and the server's answers and errors are what the client parses into
 * its results and exception classes (a client would notice an error the SDK cannot map: it surfaces as a generic
 * SNSServiceException without the right name).
 */
import {
  AuthorizationErrorException,
  BatchEntryIdsNotDistinctException,
  InvalidBatchEntryIdException,
  InvalidParameterException,
  InvalidParameterValueException,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  TooManyEntriesInBatchRequestException,
} from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaFunction, type LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { Topic, type TopicSpec } from "../../components/topic";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import { LocalQueues } from "../../local/queues";
import { localTopicDefinitions } from "../../local/services/topics";
import { startLocalSns, type LocalSnsServer } from "../../local/sns-server";
import { LocalSqs } from "../../local/sqs-server";
import { record } from "../harness/mocks";

const REGION = "us-east-1";
const entry = "tests/fixtures/handlers/echo.ts";

let server: LocalSnsServer;
let client: SNSClient;
let topicArn: string;
let fifoArn: string;
const events: any[] = [];
const pending: Array<Promise<unknown>> = [];

beforeAll(async () => {
  const graph = await record(() => {
    new Topic("client-events", {}).subscribe("all", new LambdaFunction("client-all", { entry }));
    new Topic("client-orders", { fifo: true });
  });
  const topics = registeredSpecs<TopicSpec>("Topic").filter(({ name }) => name.startsWith("client-")).map(({ spec }) => spec);
  const definitions = await localTopicDefinitions(topics, REGION, graph, {
    invoke: (_spec: LambdaFunctionSpec) => async (event) => {
      events.push(event);
      return null;
    },
    sqs: () => new LocalSqs([]),
    async: { queues: new LocalQueues(), region: REGION, retryDelaysMs: [0], log: () => undefined },
    log: () => undefined,
    track: (delivery) => pending.push(delivery),
  });
  [topicArn, fifoArn] = ["client-events", "client-orders"].map((name) => graph.find((r) => r.type === "aws:sns/topic:Topic" && r.name === `${name}-topic`)!.state.arn);
  server = await startLocalSns({ topics: definitions });
  client = new SNSClient({ region: REGION, endpoint: server.endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

const drained = async () => {
  while (pending.length > 0) await Promise.allSettled(pending.splice(0));
};

describe("local SNS with @aws-sdk/client-sns", () => {
  it("publishes one message and a batch; the subscriber gets each with its attributes", async () => {
    const published = await client.send(new PublishCommand({ TopicArn: topicArn, Message: "hello", Subject: "greeting", MessageAttributes: { kind: { DataType: "String", StringValue: "hi" } } }));
    expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const batch = await client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [{ Id: "a", Message: "one" }, { Id: "b", Message: "two" }] }));
    expect(batch.Successful?.map((entry) => entry.Id).sort()).toEqual(["a", "b"]);
    expect(batch.Failed ?? []).toEqual([]);
    await drained();
    const messages = events.splice(0).map((event) => event.Records[0].Sns);
    expect(messages.map((m) => m.Message).sort()).toEqual(["hello", "one", "two"]);
    expect(messages.find((m) => m.Message === "hello")).toMatchObject({ MessageId: published.MessageId, Subject: "greeting", TopicArn: topicArn, MessageAttributes: { kind: { Type: "String", Value: "hi" } } });
  });

  it("answers errors the client maps to its exception classes", async () => {
    await expect(client.send(new PublishCommand({ TopicArn: `${topicArn}-gone`, Message: "x" }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(client.send(new PublishCommand({ TopicArn: fifoArn, Message: "x" }))).rejects.toBeInstanceOf(InvalidParameterException);
    const entries = (count: number, id = (i: number) => `e${i}`) => Array.from({ length: count }, (_, i) => ({ Id: id(i), Message: "x" }));
    await expect(client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries(11) }))).rejects.toBeInstanceOf(TooManyEntriesInBatchRequestException);
    await expect(client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries(2, () => "same") }))).rejects.toBeInstanceOf(BatchEntryIdsNotDistinctException);
    await expect(client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries(1, () => "a.b") }))).rejects.toBeInstanceOf(InvalidBatchEntryIdException);
    expect(events).toEqual([]);
  });

  it("takes batch entry Ids of up to 80 characters and refuses a longer one with InvalidBatchEntryId (API_PublishBatchRequestEntry)", async () => {
    const longest = "i".repeat(80);
    await expect(client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [{ Id: `${longest}i`, Message: "x" }] }))).rejects.toBeInstanceOf(InvalidBatchEntryIdException);
    const batch = await client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [{ Id: longest, Message: "longest" }] }));
    expect(batch.Successful?.map((entry) => entry.Id)).toEqual([longest]);
    await drained();
    expect(events.splice(0).map((event) => event.Records[0].Sns.Message)).toEqual(["longest"]);
  });

  it("answers what the client sent as it was sent, XML's special characters and a carriage return included", async () => {
    // The server's messages name what was sent (here an attribute's custom data type, which SNS takes, in an answer
    // that it must use field String): the client's parser must read it back as sent, in an error answer and in a
    // batch's Failed entry alike. `&amp;` as text: read back as itself, not as `&`.
    const dataType = `String.it's "quoted" <b> & &amp; c\rd`;
    const MessageAttributes = { kind: { DataType: dataType, BinaryValue: new Uint8Array([1]) } };
    const message = `The message attribute 'kind' with type '${dataType}' must use field 'String'.`;
    const refused = client.send(new PublishCommand({ TopicArn: topicArn, Message: "x", MessageAttributes }));
    await expect(refused).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(refused).rejects.toMatchObject({ message });
    const batch = await client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [{ Id: "refused", Message: "x", MessageAttributes }] }));
    expect(batch.Failed).toEqual([{ Id: "refused", Code: "ParameterValueInvalid", Message: message, SenderFault: true }]);
    expect(events).toEqual([]);
  });

  it("refuses a function whose role does not allow sns:Publish with AuthorizationErrorException", async () => {
    const roleArn = "arn:aws:iam::123456789012:role/reader-role";
    const roles = FunctionRoles.fromGraph([
      { type: "aws:iam/role:Role", name: "reader-role", urn: "urn:role", custom: true, inputs: {}, state: { name: "reader-role", arn: roleArn }, protect: false, retainOnDelete: false, dependencies: [] },
      { type: "aws:lambda/function:Function", name: "reader", urn: "urn:fn", custom: true, inputs: { role: roleArn }, state: { name: "reader-1a2b" }, protect: false, retainOnDelete: false, dependencies: [] },
    ]);
    const guarded = await startLocalSns({ topics: [], credentials: roles.credentials(), authorise: roles.authorise });
    const reader = new SNSClient({ region: REGION, endpoint: guarded.endpoint, credentials: functionCredentials("reader-1a2b"), maxAttempts: 1 });
    try {
      const refused = reader.send(new PublishCommand({ TopicArn: topicArn, Message: "x" }));
      await expect(refused).rejects.toBeInstanceOf(AuthorizationErrorException);
      await expect(refused).rejects.toMatchObject({ message: expect.stringContaining("is not authorized to perform: SNS:Publish") });
    } finally {
      reader.destroy();
      await guarded.stop();
    }
  });
});
