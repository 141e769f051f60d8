/** KDS1 and KinesisLeastPrivilege pass on what DataStream builds, and fail on an unencrypted stream and a grant on every stream. */
import { describe, expect, it } from "vitest";
import { DataStream } from "../../components/data-stream";
import { LambdaFunction } from "../../components/lambda/function";
import { SECURITY_RULES } from "../../testing/security-rules";
import { KDS1, KINESIS_LEAST_PRIVILEGE } from "../../testing/security-rules/kinesis";
import { byName, mutate, record } from "../harness/mocks";

const context = { stack: "dev", production: false };
const entry = "tests/fixtures/handlers/echo.ts";

describe("Kinesis security rules", () => {
  it("are in the pack and pass on a DataStream with a subscriber and a producer", async () => {
    expect(SECURITY_RULES).toEqual(expect.arrayContaining([KDS1, KINESIS_LEAST_PRIVILEGE]));
    const graph = await record(() => {
      const s = new DataStream("sec");
      s.subscribe("read", new LambdaFunction("sec-reader", { entry }));
      new LambdaFunction("sec-writer", { entry, permissions: s.grants.put() });
    });
    expect([...KDS1.check(graph, context), ...KINESIS_LEAST_PRIVILEGE.check(graph, context)]).toEqual([]);
  });

  it("KDS1 fails on a stream without KMS encryption", async () => {
    const graph = mutate(await record(() => new DataStream("plain")), byName("plain-stream"), (r) => ({ ...r, inputs: { ...r.inputs, encryptionType: "NONE", kmsKeyId: undefined } }));
    expect(KDS1.check(graph, context)).toEqual([{ rule: "KDS1", resource: "aws:kinesis/stream:Stream plain-stream", problem: "stores records unencrypted (encryptionType is not KMS with a kmsKeyId)" }]);
  });

  it("KinesisLeastPrivilege fails on a grant of every stream", async () => {
    const graph = await record(() => new LambdaFunction("wide", { entry, permissions: [{ actions: ["kinesis:PutRecord"], resources: ["arn:aws:kinesis:us-east-1:123456789012:stream/*"] }] }));
    expect(KINESIS_LEAST_PRIVILEGE.check(graph, context)).toEqual([
      { rule: "KinesisLeastPrivilege", resource: "aws:iam/rolePolicy:RolePolicy wide-policy", problem: "allows kinesis:PutRecord on arn:aws:kinesis:us-east-1:123456789012:stream/*, not on the streams it uses" },
    ]);
  });
});
