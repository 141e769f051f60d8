/**
 * Requests kinesalite throws on inside its callbacks (an uncaught exception that would end `npm start`, and a stream
 * lock never released): the local Kinesis endpoint answers them with Kinesis's errors, and the stream still takes
 * records afterwards. Raw signed requests, as an SDK would not build them.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalKinesis, type LocalKinesis } from "../../local/kinesis-server";
import { CREDENTIALS, signedKinesisCall, streamDefinition } from "./kinesis-helpers";

let server: LocalKinesis;

beforeAll(async () => {
  const stream = streamDefinition("malformed");
  server = await startLocalKinesis({ streams: [stream], credentials: [CREDENTIALS] });
});

afterAll(async () => {
  await server?.stop();
});

const call = (operation: string, body: unknown) => signedKinesisCall(server.endpoint, operation, body);

it("answers PutRecords with a null entry in Records with a ValidationException, and the stream still takes records", async () => {
  expect(await call("PutRecords", { StreamName: "malformed", Records: [{ PartitionKey: "k", Data: "AA==" }, null] })).toEqual({
    status: 400,
    body: { __type: "ValidationException", message: expect.stringContaining("Value null at 'records.2.member'") },
  });
  const put = await call("PutRecords", { StreamName: "malformed", Records: [{ PartitionKey: "k", Data: "AA==" }] });
  expect(put).toMatchObject({ status: 200, body: { FailedRecordCount: 0 } });
});

it("answers ListShards by a NextToken it never handed out with InvalidArgumentException, and still lists by name", async () => {
  expect(await call("ListShards", { NextToken: "not-a-token" })).toMatchObject({ status: 400, body: { __type: "InvalidArgumentException" } });
  const listed = await call("ListShards", { StreamName: "malformed" });
  expect(listed).toMatchObject({ status: 200, body: { Shards: [expect.objectContaining({ ShardId: "shardId-000000000000" })] } });
});

it("answers AddTagsToStream with a null tag value with a ValidationException, and still tags the stream", async () => {
  expect(await call("AddTagsToStream", { StreamName: "malformed", Tags: { team: null } })).toMatchObject({ status: 400, body: { __type: "ValidationException" } });
  expect(await call("AddTagsToStream", { StreamName: "malformed", Tags: { team: "photos" } })).toMatchObject({ status: 200 });
  expect(await call("ListTagsForStream", { StreamName: "malformed" })).toMatchObject({ status: 200, body: { Tags: [{ Key: "team", Value: "photos" }] } });
});
