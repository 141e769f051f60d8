/**
 * SNS filter policies on a message whose only attributes are Binary: "Amazon SNS ignores message attributes with the
 * Binary data type" (subscription-filter-policy-constraints.html) and "\"exists\": false only matches if at least one
 * attribute is present. An empty set of attributes results in the filter not matching" (attribute-key-matching.html).
 */
import { describe, expect, it } from "vitest";
import { LocalSns } from "../../local/sns-server";
import { matchesFilterPolicy, type SnsMessageAttribute } from "../../local/sns-filter";

const message = (attributes: Record<string, SnsMessageAttribute>) => ({ attributes, body: "{}" });

describe("exists: false and Binary attributes", () => {
  it("matches no exists: false when the message's only attributes are Binary: SNS filters on an empty set", () => {
    for (const DataType of ["Binary", "Binary.png"]) {
      const onlyBinary = message({ blob: { DataType, BinaryValue: "AAEC" } });
      expect(matchesFilterPolicy({ store: [{ exists: false }] }, "MessageAttributes", onlyBinary)).toBe(false);
      expect(matchesFilterPolicy({ blob: [{ exists: false }] }, "MessageAttributes", onlyBinary)).toBe(false);
      expect(matchesFilterPolicy({ blob: [{ exists: true }] }, "MessageAttributes", onlyBinary)).toBe(false);
    }
    expect(matchesFilterPolicy({ store: [{ exists: false }] }, "MessageAttributes", message({}))).toBe(false);
  });

  it("matches exists: false once one String, String.Array or Number attribute is there, a Binary one beside it or not", () => {
    const blob = { DataType: "Binary", BinaryValue: "AAEC" };
    for (const other of [{ DataType: "String", StringValue: "x" }, { DataType: "String.Array", StringValue: '["x"]' }, { DataType: "Number", StringValue: "1" }]) {
      expect(matchesFilterPolicy({ store: [{ exists: false }] }, "MessageAttributes", message({ blob, other }))).toBe(true);
      expect(matchesFilterPolicy({ blob: [{ exists: false }] }, "MessageAttributes", message({ blob, other }))).toBe(true);
    }
  });

  it("delivers a Binary-only message to no subscription whose policy is exists: false, through Publish", () => {
    const delivered: string[] = [];
    const arn = "arn:aws:sns:us-east-1:123456789012:t";
    const subscription = (name: string, filterPolicy: Record<string, unknown>) => ({ arn: `${arn}:${name}`, protocol: "sqs" as const, filterPolicy, filterPolicyScope: "MessageAttributes" as const, deliver: () => delivered.push(name) });
    const sns = new LocalSns([{ arn, region: "us-east-1", fifo: false, contentBasedDeduplication: false, subscriptions: [subscription("no-store", { store: [{ exists: false }] })] }]);
    sns.publish(arn, { message: "m", attributes: { blob: { DataType: "Binary", BinaryValue: "AAEC" } } });
    expect(delivered).toEqual([]);
    sns.publish(arn, { message: "m", attributes: { blob: { DataType: "Binary", BinaryValue: "AAEC" }, kind: { DataType: "String", StringValue: "x" } } });
    expect(delivered).toEqual(["no-store"]);
  });
});
