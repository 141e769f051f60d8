/**
 * EventBus: the bus (AWS owned key or a customer managed one), its optional archive, producers' grant and variable,
 * subscriptions (a rule with the pattern, the function as its target with a retry policy and a dead-letter queue
 * EventBridge may write to, the invoke permission from that rule created first), the spec the local runtime reads, and
 * every construction-time refusal with its component, argument, value and fix.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { assertEventBusKmsKeyId, EventBus, eventPatternProblem, type EventBusSpec } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { checkDeployRules } from "../../testing/deploy-rules";
import { SECURITY_RULES } from "../../testing/security-rules";
import { ruleDeadLettersStatement } from "../harness/event-bus";
import { dependencyClosure, policyDocument, record, resource, useMocks } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const BUS = "aws:cloudwatch/eventBus:EventBus";
const ARCHIVE = "aws:cloudwatch/eventArchive:EventArchive";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const PERMISSION = "aws:lambda/permission:Permission";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const PATTERN = { source: ["gallery.photos"], "detail-type": ["PhotoUploaded"], detail: { size: [{ numeric: [">", 0] }] } };

beforeAll(() => useMocks());

const securityFindings = (graph: Awaited<ReturnType<typeof record>>) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Awaited<ReturnType<typeof record>>) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });

describe("EventBus", () => {
  it("creates a bus under an AWS owned key, no archive, and grants producers PutEvents on it with its name in their environment", async () => {
    let bus: EventBus;
    const graph = await record(() => {
      bus = new EventBus("orders", {});
      new LambdaFunction("orders-api", { entry, permissions: bus.grants.put(), environment: bus.environment() });
    });
    const created = resource(graph, BUS, "orders-bus");
    expect(created.inputs).toEqual({});
    expect(graph.filter((r) => r.type === ARCHIVE)).toEqual([]);
    const policy = resource(graph, "aws:iam/rolePolicy:RolePolicy", "orders-api-policy");
    expect(policyDocument(policy.inputs.policy).Statement[0]).toEqual({ Effect: "Allow", Action: ["events:PutEvents"], Resource: [created.state.arn] });
    const fn = resource(graph, "aws:lambda/function:Function", "orders-api-function");
    expect(fn.inputs.environment.variables.EVENT_BUS_NAME).toBe(created.state.name);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("encrypts the bus and its archive with a customer managed key and keeps the archive for the days given", async () => {
    const graph = await record(() => new EventBus("audit", { kmsKeyId: KEY, archiveRetentionDays: 7 }));
    const bus = resource(graph, BUS, "audit-bus");
    expect(bus.inputs).toEqual({ kmsKeyIdentifier: KEY });
    expect(resource(graph, ARCHIVE, "audit-archive").inputs).toEqual({ eventSourceArn: bus.state.arn, retentionDays: 7, kmsKeyIdentifier: KEY });
    expect(registeredSpecs<EventBusSpec>("EventBus").find((s) => s.name === "audit")?.spec).toMatchObject({ encryption: "customer", archiveRetentionDays: 7, subscriptions: [] });
    expect(deployFindings(graph)).toEqual([]);
  });

  it("passes EventBridgeBusKeyPolicy for a key of the plan whose policy is the encryption-archives page's: DescribeKey alone, and the data actions under the bus's encryption context", async () => {
    const graph = await record(() => new EventBus("audit", { kmsKeyId: KEY, archiveRetentionDays: 7 }));
    const busArn = resource(graph, BUS, "audit-bus").state.arn;
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
        { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:DescribeKey"], Resource: "*" },
        { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncrypt*"], Resource: "*", Condition: { StringEquals: { "kms:EncryptionContext:aws:events:event-bus:arn": busArn } } },
      ],
    };
    const key = { type: "aws:kms/key:Key", name: "audit-key", urn: "urn:pulumi:dev::fixture::aws:kms/key:Key::audit-key", id: "1234abcd-12ab-34cd-56ef-1234567890ab", inputs: { policy: JSON.stringify(policy) }, state: { arn: KEY } };
    expect(deployFindings([...graph, key] as typeof graph)).toEqual([]);
  });

  it("subscribes a function: a rule with the pattern, the permission from that rule before the target, a retry policy and a dead-letter queue EventBridge may write to", async () => {
    const graph = await record(() => {
      const bus = new EventBus("photos", {});
      bus.subscribe("thumbs", new LambdaFunction("photos-thumbs", { entry }), { pattern: PATTERN, retryAttempts: 3, maximumEventAgeSeconds: 3600, deadLetterRetentionDays: 4 });
    });
    const bus = resource(graph, BUS, "photos-bus");
    const rule = resource(graph, RULE, "photos-thumbs");
    expect(rule.inputs).toEqual({ eventBusName: bus.state.name, eventPattern: JSON.stringify(PATTERN), state: "ENABLED" });
    expect(rule.state.arn).toBe(`arn:aws:events:us-east-1:123456789012:rule/${bus.state.name}/${rule.state.name}`);
    const fn = resource(graph, "aws:lambda/function:Function", "photos-thumbs-function");
    const permission = resource(graph, PERMISSION, "photos-thumbs-invoke");
    expect(permission.inputs).toEqual({ action: "lambda:InvokeFunction", function: fn.state.name, principal: "events.amazonaws.com", sourceArn: rule.state.arn });
    const dlq = resource(graph, QUEUE, "photos-thumbs-dlq");
    expect(dlq.inputs).toMatchObject({ sqsManagedSseEnabled: true, messageRetentionSeconds: 4 * 86400 });
    const target = resource(graph, TARGET, "photos-thumbs");
    expect(target.inputs).toEqual({
      rule: rule.state.name,
      eventBusName: bus.state.name,
      targetId: "function",
      arn: fn.state.arn,
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      deadLetterConfig: { arn: dlq.state.arn },
    });
    const before = dependencyClosure(graph, target);
    expect(before.has(permission.urn)).toBe(true);
    const dlqPolicy = resource(graph, QUEUE_POLICY, "photos-thumbs-dlq-policy");
    expect(before.has(dlqPolicy.urn)).toBe(true);
    expect(policyDocument(dlqPolicy.inputs.policy).Statement).toContainEqual(ruleDeadLettersStatement(dlq.state.arn, rule.state.arn));
    expect(registeredSpecs<EventBusSpec>("EventBus").find((s) => s.name === "photos")?.spec.subscriptions).toEqual([
      expect.objectContaining({ name: "thumbs", pattern: PATTERN, targetId: "function", retryAttempts: 3, maximumEventAgeSeconds: 3600, deadLetterRetentionSeconds: 4 * 86400 }),
    ]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("retries as EventBridge does by default: 185 times within 24 hours", async () => {
    const graph = await record(() => new EventBus("defaults", {}).subscribe("all", new LambdaFunction("defaults-all", { entry }), { pattern: { source: [{ prefix: "" }] } }));
    expect(resource(graph, TARGET, "defaults-all").inputs.retryPolicy).toEqual({ maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 });
    expect(resource(graph, QUEUE, "defaults-all-dlq").inputs.messageRetentionSeconds).toBe(14 * 86400);
  });

  it("checks a kmsKeyId given as an Output once known, with the construction-time message", async () => {
    // What the Output's apply runs: a failing Output fails `pulumi up` at the bus.
    expect(() => assertEventBusKmsKeyId("late", "alias/my-key")).toThrow(/^EventBus "late": kmsKeyId "alias\/my-key" is not a KMS key's ARN; the provider reads the bus's key back as EventBridge reports it, and an alias or key id reported as the ARN would show a change on every deploy\. Pass a customer managed key's ARN/);
    const graph = await record(() => new EventBus("late-arn", { kmsKeyId: pulumi.output(KEY), archiveRetentionDays: 1 }));
    expect(resource(graph, BUS, "late-arn-bus").inputs.kmsKeyIdentifier).toBe(KEY);
    expect(resource(graph, ARCHIVE, "late-arn-archive").inputs.kmsKeyIdentifier).toBe(KEY);
  });

  describe("refuses at construction", () => {
    const fn = (name: string) => new LambdaFunction(name, { entry });
    const ok = { pattern: { source: ["a"] } };
    it.each([
      ["an empty pattern", () => new EventBus("b", {}).subscribe("x", fn("eb1"), { pattern: {} }), /^EventBus "b": subscribe\("x"\) pattern \{\} is not a JSON object of at least one field\. Fix the pattern/],
      ["a leaf that is not an array", () => new EventBus("b", {}).subscribe("x", fn("eb2"), { pattern: { source: "a" } }), /subscribe\("x"\) pattern .* has "source" whose value is not a non-empty array/],
      ["an unknown operator", () => new EventBus("b", {}).subscribe("x", fn("eb3"), { pattern: { a: [{ regex: "x" }] } }), /has "a" with the operator "regex", which event bus rules do not take/],
      ["a pattern over 2048 characters", () => new EventBus("b", {}).subscribe("x", fn("eb4"), { pattern: { a: ["x".repeat(2100)] } }), /over the 2048 of EventBridge's event pattern size quota/],
      ["186 retries", () => new EventBus("b", {}).subscribe("x", fn("eb5"), { ...ok, retryAttempts: 186 }), /^EventBus "b": subscribe\("x"\) retryAttempts 186 is outside EventBridge's retry policy range of 0–185 retries\. Use a whole number from 0 to 185 retries\./],
      ["an event age of 59 seconds", () => new EventBus("b", {}).subscribe("x", fn("eb6"), { ...ok, maximumEventAgeSeconds: 59 }), /maximumEventAgeSeconds 59 is outside EventBridge's retry policy range of 60–86400 seconds/],
      ["a dead-letter retention of 15 days", () => new EventBus("b", {}).subscribe("x", fn("eb7"), { ...ok, deadLetterRetentionDays: 15 }), /deadLetterRetentionDays 15 is outside SQS's message retention of 1–14 days/],
      ["two subscriptions of one name", () => { const b = new EventBus("b", {}); b.subscribe("x", fn("eb8"), ok); b.subscribe("x", fn("eb9"), ok); }, /subscription name "x" is used by another subscription of this bus/],
      ["a rule name over 64 characters", () => new EventBus("b".repeat(30), {}).subscribe("s".repeat(30), fn("eb10"), ok), /subscribe name "s{30}" makes the rule's autoname 69 characters, over the 64 EventBridge takes for a rule name/],
      ["an archive name over 48 characters", () => new EventBus("a".repeat(33), { archiveRetentionDays: 1 }), /name "a{33}" makes the archive's autoname 49 characters, over the 48/],
      ["an archive kept 0 days", () => new EventBus("b", { archiveRetentionDays: 0 }), /^EventBus "b": archiveRetentionDays 0 is not a whole number of days, 1 or more/],
      ["an empty key", () => new EventBus("b", { kmsKeyId: "" }), /^EventBus "b": kmsKeyId "" is not a KMS key's ARN/],
      ["a key alias", () => new EventBus("b", { kmsKeyId: "alias/my-key" }), /^EventBus "b": kmsKeyId "alias\/my-key" is not a KMS key's ARN; the provider reads the bus's key back.* Pass a customer managed key's ARN \(aws\.kms\.Key's arn\), or leave kmsKeyId out for an AWS owned key\./],
      ["an AWS managed key's alias ARN", () => new EventBus("b", { kmsKeyId: "arn:aws:kms:us-east-1:123456789012:alias/aws/events" }), /kmsKeyId "arn:aws:kms:us-east-1:123456789012:alias\/aws\/events" is not a KMS key's ARN/],
      ["a key id", () => new EventBus("b", { kmsKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" }), /kmsKeyId "1234abcd-12ab-34cd-56ef-1234567890ab" is not a KMS key's ARN/],
      ["a key that is not a string", () => new EventBus("b", { kmsKeyId: 123 as unknown as string }), /^EventBus "b": kmsKeyId 123 is not a KMS key's ARN/],
      ["a function of another region", () => new EventBus("b", { region: "us-west-2" }).subscribe("x", new LambdaFunction("eb11", { entry, region: "eu-west-1" }), ok), /^EventBus "b": subscribe\("x"\) function "eb11" is in eu-west-1, but the bus is in us-west-2; EventBridge invokes a Lambda target in the rule's region only\. Create the function in us-west-2 \(region: "us-west-2"\), or the bus in eu-west-1\./],
      [
        "two buses' subscriptions whose resource names join alike (bus a + b-c, bus a-b + c)",
        () => {
          new EventBus("a", {}).subscribe("b-c", fn("eb14"), ok);
          new EventBus("a-b", {}).subscribe("c", fn("eb15"), ok);
        },
        /^EventBus "a-b": subscription name "c" makes the resource names "a-b-c…", which EventBus "a"'s subscription "b-c" makes too; Pulumi refuses two resources of one name and type \("Duplicate resource URN"\)\. Rename this subscription/,
      ],
      ["a wildcard of two stars", () => new EventBus("b", {}).subscribe("x", fn("eb16"), { pattern: { key: [{ wildcard: "a**b" }] } }), /has "key" with the wildcard "a\*\*b", which EventBridge refuses: Consecutive wildcard characters at pos 1/],
      ["an anything-but wildcard escaping another character", () => new EventBus("b", {}).subscribe("x", fn("eb17"), { pattern: { key: [{ "anything-but": { wildcard: ["ok*", "a\\b"] } }] } }), /has "key" with anything-but of/],
      ["a mixed anything-but list", () => new EventBus("b", {}).subscribe("x", fn("eb13"), { pattern: { a: [{ "anything-but": ["a", 1] }] } }), /has "a" with anything-but of \["a",1\], not a value, a list of all strings or all numbers/],
      ["a name with a dot", () => new EventBus("b.v2", {}), /^EventBus "b\.v2": name "b\.v2" holds characters/],
      ["a bad environment key", () => new EventBus("b", {}).environment("1X"), /environment key "1X" is not a Lambda environment variable name/],
    ])("%s", (_, build, message) => {
      expect(build).toThrow(message);
    });
  });
});

describe("eventPatternProblem", () => {
  // The operators table of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html.
  it("takes every documented operator", () => {
    expect(
      eventPatternProblem({
        a: ["x", 1, true, null, ""],
        b: [{ prefix: "us-" }, { prefix: { "equals-ignore-case": "eventb" } }, { suffix: ".png" }, { suffix: { "equals-ignore-case": "tbridge" } }],
        c: [{ "anything-but": "initializing" }, { "anything-but": ["a", "b"] }, { "anything-but": [1, 2.5] }, { "anything-but": { prefix: "us-" } }, { "anything-but": { suffix: ".png" } }, { "anything-but": { "equals-ignore-case": ["a", "b"] } }, { "anything-but": { wildcard: "*/lib/*" } }],
        d: [{ numeric: [">", 0, "<=", 5] }, { numeric: ["=", 3] }, { exists: false }, { cidr: "10.0.0.0/24" }, { "equals-ignore-case": "alice" }, { wildcard: "dir/*.png" }],
        detail: { $or: [{ e: ["1"] }, { f: [{ exists: true }] }] },
      }),
    ).toBeUndefined();
  });
  it("refuses what EventBridge refuses", () => {
    expect(eventPatternProblem([])).toMatch(/not a JSON object/);
    expect(eventPatternProblem({ a: [] })).toMatch(/"a" whose value is not a non-empty array/);
    expect(eventPatternProblem({ a: [{ numeric: ["<", 20, ">", 1] }] })).toMatch(/numeric of \["<",20,">",1\]/);
    expect(eventPatternProblem({ a: [{ prefix: "a", suffix: "b" }] })).toMatch(/operator object of 2 keys/);
    expect(eventPatternProblem({ $or: [{ a: ["1"] }] })).toMatch(/"\$or" at the top that is not a list of at least two/);
    expect(eventPatternProblem({ a: [{ "anything-but": { numeric: [">", 1] } }] })).toMatch(/anything-but of/);
    // aws/event-ruler: "Inside anything but list, either all values are number or string, mixed type is not supported".
    expect(eventPatternProblem({ a: [{ "anything-but": ["a", 1] }] })).toMatch(/anything-but of \["a",1\], not a value, a list of all strings or all numbers/);
    expect(eventPatternProblem({ a: [{ "anything-but": [1, true] }] })).toMatch(/anything-but of \[1,true\]/);
    expect(eventPatternProblem({ a: ["x".repeat(3000)] }, 4096)).toBeUndefined();
    expect(eventPatternProblem({ a: ["x".repeat(4100)] }, 4096)).toMatch(/over the 4096/);
  });
  it("measures the pattern in UTF-8 bytes, as terraform-provider-aws's len() of the JSON does", () => {
    // 1100 × "é" is 1110 characters as JSON but 2210 bytes.
    expect(eventPatternProblem({ a: ["é".repeat(1100)] })).toMatch(/^is 2210 bytes as JSON \(UTF-8\), over the 2048 of EventBridge's event pattern size quota$/);
    expect(eventPatternProblem({ a: ["x".repeat(1100)] })).toBeUndefined();
  });
});

describe("the dead-letter queue's grant", () => {
  it("is the queues' one service statement (components/queues.ts serviceSendStatement), not a public export of the package", async () => {
    const pkg = await import("../../components/index.js");
    const queues = await import("../../components/queues.js");
    expect(Object.keys(pkg)).not.toContain("eventsSendStatement");
    expect(Object.keys(pkg)).not.toContain("serviceSendStatement");
    expect(typeof queues.serviceSendStatement).toBe("function");
  });
});
