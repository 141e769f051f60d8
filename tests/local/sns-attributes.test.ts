/**
 * SNS message attribute types (sns-message-attributes.html, "Message attribute items and validation": "The data type is
 * case-sensitive, and it can be up to 256 bytes long").
 */
import { describe, expect, it } from "vitest";
import { LocalSns, SNS_LIMITS } from "../../local/sns-server";

const arn = "arn:aws:sns:us-east-1:123456789012:t";

describe("a message attribute's DataType", () => {
  it("takes a type of 256 bytes and refuses a longer one with ParameterValueInvalid, counting UTF-8 bytes", () => {
    const delivered: unknown[] = [];
    const sns = new LocalSns([{ arn, region: "us-east-1", fifo: false, contentBasedDeduplication: false, subscriptions: [{ arn: `${arn}:s`, protocol: "sqs", filterPolicyScope: "MessageAttributes", deliver: (n) => delivered.push(n) }] }]);
    const publish = (DataType: string) => sns.publish(arn, { message: "m", attributes: { kind: { DataType, StringValue: "x" } } });
    expect(SNS_LIMITS.attributeTypeBytes).toBe(256);
    expect(publish(`String.${"a".repeat(249)}`).messageId).toBeDefined();
    expect(() => publish(`String.${"a".repeat(250)}`)).toThrow(expect.objectContaining({ code: "ParameterValueInvalid", message: expect.stringContaining("up to 256 bytes") }));
    // 125 two-byte characters: 257 bytes, though 132 characters.
    expect(() => publish(`String.${"é".repeat(125)}`)).toThrow(expect.objectContaining({ code: "ParameterValueInvalid" }));
    expect(delivered).toHaveLength(1);
  });

  it("takes String, String.Array, Number, Binary and a custom label after them", () => {
    const sns = new LocalSns([{ arn, region: "us-east-1", fifo: false, contentBasedDeduplication: false, subscriptions: [] }]);
    for (const [DataType, value] of [["String", { StringValue: "x" }], ["String.Array", { StringValue: '["x"]' }], ["Number", { StringValue: "1" }], ["Binary", { BinaryValue: "AQID" }], ["String.foo", { StringValue: "x" }], ["Number.bar", { StringValue: "2" }]] as const) {
      expect(sns.publish(arn, { message: "m", attributes: { a: { DataType, ...value } } }).messageId, DataType).toBeDefined();
    }
  });
});

describe("a message attribute's name", () => {
  it("refuses a name starting with AWS. or Amazon. in any casing at Publish (reserved, as a raw SQS subscription's queue would refuse it), taking SNS's own AWS.SNS.MOBILE / AWS.SNS.SMS / AWS.MM.SMS attributes", () => {
    const delivered: unknown[] = [];
    const sns = new LocalSns([{ arn, region: "us-east-1", fifo: false, contentBasedDeduplication: false, subscriptions: [{ arn: `${arn}:s`, protocol: "sqs", filterPolicyScope: "MessageAttributes", deliver: (n) => delivered.push(n) }] }]);
    const publish = (name: string) => () => sns.publish(arn, { message: "m", attributes: { [name]: { DataType: "String", StringValue: "x" } } });
    for (const name of ["AWS.trace", "aws.trace", "Amazon.kind", "AMAZON.kind", "AWS.SNSx.kind", "aws.sns.sms.SenderID"]) {
      expect(publish(name), name).toThrow(expect.objectContaining({ code: "ParameterValueInvalid", message: expect.stringContaining("reserved for use by Amazon Web Services") }));
    }
    expect(delivered).toHaveLength(0);
    for (const name of ["AWS.SNS.MOBILE.APNS.TTL", "AWS.SNS.SMS.SenderID", "AWS.MM.SMS.EntityId", "AWSkind", "Amazonkind", "my.AWS.kind"]) expect(publish(name)().messageId, name).toBeDefined();
    expect(delivered).toHaveLength(6);
  });
});

