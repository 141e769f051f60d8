/** StackSecret's value: what PutSecretValue takes (review-112 #1). */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { StackSecret } from "../../components/stack-secret";
import { record, resource } from "../harness/mocks";

/** A recorded secret input: the mocks keep the secret wrapper, `{ <sig>: ..., value }`. */
const secretValue = (input: unknown) => (input as { value: unknown }).value;

describe("StackSecret value", () => {
  it("refuses an empty value, which the SecretVersion would put as no SecretString at all (PutSecretValue refuses it)", () => {
    expect(() => new StackSecret("empty", { value: "" })).toThrow(/^StackSecret "empty": value "" is empty; Secrets Manager refuses a secret version with no value \(PutSecretValue needs a SecretString\)\. Pass the value/);
    expect(() => new StackSecret("unset", { value: undefined as unknown as string })).toThrow(/^StackSecret "unset": value \(not set\) is not set; /);
  });

  it("refuses a value over 65,536 bytes without showing it, and keeps one of 65,536", async () => {
    expect(() => new StackSecret("big", { value: "s".repeat(65537) })).toThrow(
      /^StackSecret "big": value "<65537 bytes, not shown>" is over the 65536 bytes Secrets Manager takes in a secret's value \(counted in UTF-8\)\. Store a smaller value \(e\.g\. a key to a larger object in S3\)\.$/,
    );
    const graph = await record(() => new StackSecret("full", { value: "s".repeat(65536) }));
    expect(secretValue(resource(graph, "aws:secretsmanager/secretVersion:SecretVersion", "full-value").inputs.secretString) === "s".repeat(65536)).toBe(true);
  });

  it("counts the value in UTF-8 bytes: 40,000 \"é\" are 40,000 characters but 80,000 bytes, refused; 32,768 are 65,536 bytes, kept (review 117 F7)", async () => {
    expect(() => new StackSecret("accents", { value: "é".repeat(40000) })).toThrow(/^StackSecret "accents": value "<80000 bytes, not shown>" is over the 65536 bytes/);
    const graph = await record(() => new StackSecret("accents-full", { value: "é".repeat(32768) }));
    expect(secretValue(resource(graph, "aws:secretsmanager/secretVersion:SecretVersion", "accents-full-value").inputs.secretString) === "é".repeat(32768)).toBe(true);
  });

  it("checks a value that is an Output once it is known: a set one is kept, secret; an empty one fails the plan", async () => {
    const graph = await record(() => new StackSecret("from-output", { value: pulumi.output("s3cr3t") }));
    expect(secretValue(resource(graph, "aws:secretsmanager/secretVersion:SecretVersion", "from-output-value").inputs.secretString)).toBe("s3cr3t");
    await expect(record(() => new StackSecret("empty-output", { value: pulumi.output("") }))).rejects.toThrow(/StackSecret "empty-output": value "" is empty/);
  });
});
