/**
 * The event-driven parts of the components: LambdaFunction's schedule (EventBridge Scheduler),
 * failure queue and native modules; BucketEvents and UploadBucket.notify (permission before
 * notification); DataTier's idempotency table and grants. Each construction-time check fails with
 * the component, argument, value and fix.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as aws from "@pulumi/aws";
import { BucketEvents } from "../../components/bucket-events";
import { DataTier } from "../../components/data-tier";
import { LambdaFunction } from "../../components/lambda/function";
import { resolveNativeModules } from "../../components/lambda/native-modules";
import { argFailer } from "../../components/errors";
import { UploadBucket } from "../../components/upload-bucket";
import { EM_X86_64, plantFakeNativeAddon } from "../harness/fake-native";
import { dependencyClosure, ofType, policyDocument, record, resource, useMocks } from "../harness/mocks";
import { SECURITY_RULES } from "../../testing/security-rules";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
// Some tests construct outside `record` (checks that throw): the mocks are there whichever test runs first (--sequence.shuffle).
beforeAll(() => useMocks());
const securityClean = (graph: Awaited<ReturnType<typeof record>>) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));

describe("LambdaFunction schedule", () => {
  it("creates a Scheduler schedule in its time zone, with retries, an encrypted DLQ and a role that may invoke exactly this function", async () => {
    const graph = await record(() => new LambdaFunction("nightly", { entry, schedule: { expression: "cron(0 3 * * ? *)", timezone: "Europe/Berlin", flexibleWindowMinutes: 15, maxRetryAttempts: 5 } }));
    const fn = resource(graph, "aws:lambda/function:Function", "nightly-function");
    const schedule = resource(graph, "aws:scheduler/schedule:Schedule", "nightly-schedule");
    const dlq = resource(graph, "aws:sqs/queue:Queue", "nightly-schedule-dlq");
    const role = resource(graph, "aws:iam/role:Role", "nightly-schedule-role");
    expect(schedule.inputs).toMatchObject({
      scheduleExpression: "cron(0 3 * * ? *)",
      scheduleExpressionTimezone: "Europe/Berlin",
      flexibleTimeWindow: { mode: "FLEXIBLE", maximumWindowInMinutes: 15 },
      state: "ENABLED",
      target: { arn: fn.state.arn, roleArn: role.state.arn, retryPolicy: { maximumRetryAttempts: 5, maximumEventAgeInSeconds: 3600 }, deadLetterConfig: { arn: dlq.state.arn } },
    });
    expect(JSON.parse(schedule.inputs.target.input)).toEqual({ source: "serverless-fullstack.schedule", schedule: "nightly", time: "<aws.scheduler.scheduled-time>" });
    expect(dlq.inputs).toMatchObject({ sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 86400 });
    expect(policyDocument(role.inputs.assumeRolePolicy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } } },
    ]);
    const policy = resource(graph, "aws:iam/rolePolicy:RolePolicy", "nightly-schedule-policy");
    expect(policyDocument(policy.inputs.policy).Statement.map((s) => [s.Action, s.Resource])).toEqual([
      [["lambda:InvokeFunction"], [fn.state.arn]],
      [["sqs:SendMessage"], [dlq.state.arn]],
    ]);
    expect(dependencyClosure(graph, schedule).has(policy.urn)).toBe(true);
    expect(securityClean(graph)).toEqual([]);
  });

  it("turns the flexible window off unless asked, and can be created disabled", async () => {
    const graph = await record(() => new LambdaFunction("hourly", { entry, schedule: { expression: "rate(1 hour)", enabled: false } }));
    expect(resource(graph, "aws:scheduler/schedule:Schedule", "hourly-schedule").inputs).toMatchObject({ flexibleTimeWindow: { mode: "OFF" }, state: "DISABLED", scheduleExpressionTimezone: "UTC" });
  });

  it.each([
    [{ expression: "every hour" }, /schedule\.expression "every hour" is neither rate\(value unit\) nor cron/],
    [{ expression: "rate(1 hours)" }, /schedule\.expression "rate\(1 hours\)" uses the plural "hours" with 1/],
    [{ expression: "rate(5 minute)" }, /uses the singular "minute" with 5/],
    [{ expression: "rate(0 minutes)" }, /the value must be a positive integer/],
    [{ expression: "cron(0 3 * * *)" }, /has 5 cron fields; EventBridge cron takes six/],
    [{ expression: "cron(0 3 * * MON *)" }, /must have \? in exactly one of day-of-month and day-of-week/],
    [{ expression: "cron(0 25 * * ? *)" }, /has hours "25", outside 0–23/],
    [{ expression: "cron(0/1 * * * ? *)", minimumIntervalMinutes: 5 }, /schedule\.expression "cron\(0\/1 \* \* \* \? \*\)" fires every 1 minute, more often than minimumIntervalMinutes \(5\)/],
    [{ expression: "rate(10 minutes)", minimumIntervalMinutes: 60 }, /fires every 10 minutes, more often than minimumIntervalMinutes \(60\)/],
    [{ expression: "rate(1 day)", timezone: "Europe/Atlantis" }, /schedule\.timezone "Europe\/Atlantis" is not an IANA time zone name/],
    [{ expression: "rate(1 day)", maxRetryAttempts: 186 }, /schedule\.maxRetryAttempts 186 is outside EventBridge Scheduler's range of 0–185 retries/],
    [{ expression: "rate(1 day)", maxEventAgeSeconds: 30 }, /schedule\.maxEventAgeSeconds 30 is outside EventBridge Scheduler's range of 60–86400 seconds/],
    [{ expression: "rate(1 day)", flexibleWindowMinutes: 1441 }, /schedule\.flexibleWindowMinutes 1441 is outside EventBridge Scheduler's range of 1–1440 minutes/],
    [{ expression: "rate(1 day)", deadLetterRetentionDays: 15 }, /schedule\.deadLetterRetentionDays 15 is outside SQS's message retention of 1–14 days/],
  ])("rejects %j", (schedule, message) => {
    expect(() => new LambdaFunction("bad", { entry, schedule })).toThrow(message);
    expect(() => new LambdaFunction("bad", { entry, schedule })).toThrow(/^LambdaFunction "bad": /);
  });
});

describe("LambdaFunction failure queue", () => {
  it("creates an encrypted queue as the on-failure destination, and lets only the function's role send to it", async () => {
    const graph = await record(() => new LambdaFunction("async", { entry, asyncInvoke: { maxRetryAttempts: 1, maxEventAgeSeconds: 600, failureQueue: { retentionDays: 4 } } }));
    const queue = resource(graph, "aws:sqs/queue:Queue", "async-failures");
    expect(queue.inputs).toMatchObject({ sqsManagedSseEnabled: true, messageRetentionSeconds: 4 * 86400 });
    expect(resource(graph, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "async-async").inputs).toMatchObject({
      maximumRetryAttempts: 1,
      maximumEventAgeInSeconds: 600,
      destinationConfig: { onFailure: { destination: queue.state.arn } },
    });
    const send = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "async-policy").inputs.policy).Statement.find((s) => s.Sid === "SendFailedEvents");
    expect(send).toMatchObject({ Action: ["sqs:SendMessage"], Resource: [queue.state.arn] });
  });

  // Lambda sends an invocation record to a destination; the role needs the send action of its kind
  // (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html), and OnSuccess takes the same four
  // kinds ("an Amazon SNS topic, Amazon SQS queue, Lambda function, or Amazon EventBridge event bus", AWS::Lambda::EventInvokeConfig OnSuccess).
  it.each([
    ["sqs", "arn:aws:sqs:us-east-1:123456789012:records", "sqs:SendMessage"],
    ["sns", "arn:aws:sns:us-east-1:123456789012:records", "sns:Publish"],
    ["lambda", "arn:aws:lambda:us-east-1:123456789012:function:records", "lambda:InvokeFunction"],
    ["eventbridge", "arn:aws:events:us-east-1:123456789012:event-bus/records", "events:PutEvents"],
  ] as const)("sends failed and succeeded events to a %s destination, granting the role exactly its send action on it", async (type, arn, action) => {
    const failed = `${arn}-failed`;
    const graph = await record(() => new LambdaFunction("dest", { entry, asyncInvoke: { onFailure: { type, arn: failed }, onSuccess: { type, arn } } }));
    expect(resource(graph, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "dest-async").inputs.destinationConfig).toEqual({ onFailure: { destination: failed }, onSuccess: { destination: arn } });
    const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "dest-policy").inputs.policy).Statement;
    expect(statements.find((s) => s.Sid === "SendFailedEvents")).toMatchObject({ Action: [action], Resource: [failed] });
    expect(statements.find((s) => s.Sid === "SendSucceededEvents")).toMatchObject({ Action: [action], Resource: [arn] });
  });

  it("sends only succeeded events when onSuccess is the one destination, next to a failure queue", async () => {
    const graph = await record(() => new LambdaFunction("ok", { entry, asyncInvoke: { failureQueue: {}, onSuccess: { type: "sns", arn: "arn:aws:sns:us-east-1:123456789012:done" } } }));
    const queue = resource(graph, "aws:sqs/queue:Queue", "ok-failures");
    expect(resource(graph, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "ok-async").inputs.destinationConfig).toEqual({
      onFailure: { destination: queue.state.arn },
      onSuccess: { destination: "arn:aws:sns:us-east-1:123456789012:done" },
    });
  });

  it("rejects a failure queue together with onFailure, and retention outside SQS's", () => {
    expect(() => new LambdaFunction("both", { entry, asyncInvoke: { failureQueue: {}, onFailure: { type: "sqs", arn: "arn:aws:sqs:us-east-1:1:q" } } })).toThrow(
      /asyncInvoke\.failureQueue \{\} is set together with onFailure; a function has one on-failure destination\. Keep one of them\./,
    );
    expect(() => new LambdaFunction("long", { entry, asyncInvoke: { failureQueue: { retentionDays: 30 } } })).toThrow(/asyncInvoke\.failureQueue\.retentionDays 30 is outside SQS's message retention of 1–14 days/);
  });
});

describe("LambdaFunction native modules", () => {
  it("ships sharp's linux-arm64 addon and libvips in the zip, bundles the rest, and counts them against the limits", async () => {
    const graph = await record(() => new LambdaFunction("img", { entry: "handlers/thumbnail/index.ts", nativeModules: ["sharp"] }));
    const assets = await resource(graph, "aws:lambda/function:Function", "img-function").inputs.code.assets;
    const names = Object.keys(assets);
    expect(names).toEqual(expect.arrayContaining(["index.mjs", "index.mjs.map", "node_modules/sharp/package.json", "node_modules/detect-libc/package.json", "node_modules/@img/colour/package.json"]));
    expect(names.some((n) => /^node_modules\/@img\/sharp-linux-arm64\/lib\/sharp-linux-arm64-[\d.]+\.node$/.test(n))).toBe(true);
    expect(names.some((n) => /^node_modules\/@img\/sharp-libvips-linux-arm64\/lib\/libvips-cpp\.so/.test(n))).toBe(true);
    expect(names.filter((n) => /x64|darwin|win32|musl/.test(n))).toEqual([]);
    expect(await assets["index.mjs"].text).toMatch(/from"sharp"|from "sharp"/);
  });

  it("ships the x64 binaries to an x86_64 function", () => {
    const native = resolveNativeModules(argFailer("LambdaFunction", "t"), ["sharp"], "x86_64");
    expect(native.platform).toBe("linux-x64");
    expect(native.files.some((f) => f.path.startsWith("node_modules/@img/sharp-linux-x64/"))).toBe(true);
    expect(native.files.some((f) => f.path.includes("arm64"))).toBe(false);
    expect(native.zippedBytes).toBeGreaterThan(1_000_000);
  });

  it("deflates each native file once across runs: the zipped size comes from the cache folder while the file is unchanged (issue 15)", async () => {
    const cache = mkdtempSync(join(tmpdir(), "sf-native-cache-"));
    const previous = process.env.SERVERLESS_FULLSTACK_CACHE_DIR;
    process.env.SERVERLESS_FULLSTACK_CACHE_DIR = cache;
    try {
      vi.resetModules();
      const first = (await import("../../components/lambda/native-modules.js")).resolveNativeModules(argFailer("LambdaFunction", "t"), ["sharp"], "x86_64");
      const saved = JSON.parse(readFileSync(join(cache, "native-sizes.json"), "utf8")) as Record<string, { fingerprint: string; size: number }>;
      expect(Object.keys(saved)).toEqual(expect.arrayContaining(first.files.map((f) => f.source)));
      // A later process (fresh module state) reads the sizes instead of deflating: prove it by planting one.
      const planted = Object.fromEntries(Object.entries(saved).map(([path, entry]) => [path, { ...entry, size: 1 }]));
      writeFileSync(join(cache, "native-sizes.json"), JSON.stringify(planted));
      vi.resetModules();
      const fresh = await import("../../components/lambda/native-modules.js");
      expect(fresh.resolveNativeModules(argFailer("LambdaFunction", "t"), ["sharp"], "x86_64").zippedBytes).toBe(first.files.length);
    } finally {
      if (previous === undefined) delete process.env.SERVERLESS_FULLSTACK_CACHE_DIR;
      else process.env.SERVERLESS_FULLSTACK_CACHE_DIR = previous;
    }
  });

  it("fails at construction, with the install command, when the platform's binary is not installed or is another architecture's", () => {
    const project = mkdtempSync(join(tmpdir(), "sf-native-"));
    const fail = argFailer("LambdaFunction", "img");
    expect(() => resolveNativeModules(fail, ["sharp"], "arm64", project)).toThrow(
      /LambdaFunction "img": nativeModules "sharp" is not installed for linux-arm64 \(needed by the function\)\. Install it: npm ci --prefix lambda-native\/linux-arm64 --os=linux --cpu=arm64 --libc=glibc/,
    );
    // A package whose addon is an x86-64 ELF, posing as the arm64 build.
    const addon = plantFakeNativeAddon(project, EM_X86_64);
    expect(existsSync(addon)).toBe(true);
    expect(() => resolveNativeModules(fail, ["fake-native"], "arm64", project)).toThrow(/nativeModules "node_modules\/fake-native\/lib\/addon\.node" is not a linux arm64 binary \(ELF machine 0x3e\)/);
  });
});

describe("BucketEvents and UploadBucket.notify", () => {
  it("grants s3.amazonaws.com the invoke from this bucket and account, then puts the one notification configuration", async () => {
    const graph = await record(() => {
      const uploads = new UploadBucket("up");
      const fn = new LambdaFunction("up-thumb", { entry, asyncInvoke: { maxRetryAttempts: 2, failureQueue: {} } });
      const jpegs = new LambdaFunction("up-jpeg", { entry });
      uploads.notify({
        thumbs: { function: fn, events: ["s3:ObjectCreated:*"], filterPrefix: "originals/" },
        removed: { function: jpegs, events: ["s3:ObjectRemoved:*"], filterPrefix: "originals/", filterSuffix: ".jpg" },
      });
    });
    const bucket = resource(graph, "aws:s3/bucket:Bucket", "up-bucket");
    const notification = resource(graph, "aws:s3/bucketNotification:BucketNotification", "up-events-notification");
    const permission = resource(graph, "aws:lambda/permission:Permission", "up-events-thumbs-invoke");
    const fn = resource(graph, "aws:lambda/function:Function", "up-thumb-function");
    expect(permission.inputs).toEqual({ action: "lambda:InvokeFunction", function: fn.state.name, principal: "s3.amazonaws.com", sourceArn: bucket.state.arn, sourceAccount: MOCK_ACCOUNT_ID });
    expect(notification.inputs).toMatchObject({
      bucket: bucket.id,
      lambdaFunctions: [
        { id: "thumbs", lambdaFunctionArn: fn.state.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "originals/" },
        { id: "removed", events: ["s3:ObjectRemoved:*"], filterPrefix: "originals/", filterSuffix: ".jpg" },
      ],
    });
    const before = dependencyClosure(graph, notification);
    for (const p of ofType(graph, "aws:lambda/permission:Permission")) expect(before.has(p.urn), p.name).toBe(true);
    expect(ofType(graph, "aws:s3/bucketNotification:BucketNotification")).toHaveLength(1);
    expect(securityClean(graph)).toEqual([]);
  });

  it("grants each function once per bucket: subscriptions of one function share the permission of its first subscription (the name it had), which the notification waits for", async () => {
    // Lambda keeps a function's resource-based policy within 20 KB (Lambda quotas); one statement per subscription
    // repeated the same principal, bucket and account.
    const graph = await record(() => {
      const bucket = new aws.s3.Bucket("shared-src");
      const fn = new LambdaFunction("shared-thumb", { entry });
      const other = new LambdaFunction("shared-index", { entry });
      const events = new BucketEvents("shared-events", {
        bucket,
        subscriptions: {
          jpegs: { function: fn, events: ["s3:ObjectCreated:*"], filterSuffix: ".jpg" },
          pngs: { function: fn, events: ["s3:ObjectCreated:*"], filterSuffix: ".png" },
          index: { function: other, events: ["s3:ObjectRemoved:*"] },
          gifs: { function: fn, events: ["s3:ObjectCreated:*"], filterSuffix: ".gif" },
        },
      });
      expect(events.permissions.pngs).toBe(events.permissions.jpegs);
      expect(events.permissions.gifs).toBe(events.permissions.jpegs);
      expect(events.permissions.index).not.toBe(events.permissions.jpegs);
    });
    const permissions = ofType(graph, "aws:lambda/permission:Permission");
    expect(permissions.map((p) => p.name).sort()).toEqual(["shared-events-index-invoke", "shared-events-jpegs-invoke"]);
    const fn = resource(graph, "aws:lambda/function:Function", "shared-thumb-function");
    const bucket = resource(graph, "aws:s3/bucket:Bucket", "shared-src");
    expect(resource(graph, "aws:lambda/permission:Permission", "shared-events-jpegs-invoke").inputs).toEqual({ action: "lambda:InvokeFunction", function: fn.state.name, principal: "s3.amazonaws.com", sourceArn: bucket.state.arn, sourceAccount: MOCK_ACCOUNT_ID });
    const notification = resource(graph, "aws:s3/bucketNotification:BucketNotification", "shared-events-notification");
    expect(notification.inputs.lambdaFunctions.map((f: { id: string }) => f.id)).toEqual(["jpegs", "pngs", "index", "gifs"]);
    const before = dependencyClosure(graph, notification);
    for (const p of permissions) expect(before.has(p.urn), p.name).toBe(true);
  });

  it("refuses a second notify (S3 keeps one configuration per bucket), overlapping filters, unknown event types and edge functions", async () => {
    const uploads = new UploadBucket("twice");
    const fn = new LambdaFunction("twice-fn", { entry });
    uploads.notify({ a: { function: fn, events: ["s3:ObjectCreated:*"] } });
    expect(() => uploads.notify({ b: { function: fn, events: ["s3:ObjectRemoved:*"] } })).toThrow(
      /UploadBucket "twice": notify \["b"\] is called a second time; S3 keeps one notification configuration per bucket/,
    );
    const bucket = new UploadBucket("ov").nodes.bucket;
    expect(() => new BucketEvents("ov-events", { bucket, subscriptions: { a: { function: fn, events: ["s3:ObjectCreated:*"], filterPrefix: "originals/" }, b: { function: fn, events: ["s3:ObjectCreated:Put"], filterPrefix: "originals/2026/" } } })).toThrow(
      /BucketEvents "ov-events": subscriptions\.b .* overlaps subscription "a" on s3:ObjectCreated:Put; S3 refuses configurations whose filters can match the same key/,
    );
    // Disjoint prefixes, or disjoint suffixes, do not overlap.
    expect(() => new BucketEvents("ok-events", { bucket, subscriptions: { a: { function: fn, events: ["s3:ObjectCreated:*"], filterSuffix: ".jpg" }, b: { function: fn, events: ["s3:ObjectCreated:*"], filterSuffix: ".png" } } })).not.toThrow();
    expect(() => new BucketEvents("typo-events", { bucket, subscriptions: { a: { function: fn, events: ["s3:ObjectCreated"] } } })).toThrow(/subscriptions\.a\.events "s3:ObjectCreated" is not an S3 event type/);
    const edge = new LambdaFunction("edge-fn", { entry, edge: true });
    expect(() => new BucketEvents("edge-events", { bucket, subscriptions: { a: { function: edge, events: ["s3:ObjectCreated:*"] } } })).toThrow(/is a Lambda@Edge function, which only CloudFront invokes/);
    // `<name>-<subscription>-invoke` plus pulumi-aws's 8-character suffix is the permission's statement id, at most 100
    // (fuzz seed 31203: a 44-character name with a 41-character subscription passed construction and failed preview).
    const name = "n".repeat(44);
    expect(() => new BucketEvents(name, { bucket, subscriptions: { ["s".repeat(41)]: { function: fn, events: ["s3:ObjectCreated:*"] } } })).toThrow(
      new RegExp(`^BucketEvents "${name}": subscriptions "s{41}" makes the Lambda permission statement id "${name}-s{41}-invoke-<random suffix>" 101 characters, over the 100 pulumi-aws autonames a statement id within .*Use a subscription name of at most 40 characters`),
    );
    expect(() => new BucketEvents(name, { bucket, subscriptions: { ["s".repeat(40)]: { function: fn, events: ["s3:ObjectCreated:*"] } } })).not.toThrow();
  });
});

describe("DataTier idempotency", () => {
  it("creates an on-demand, encrypted table keyed on id with TTL on expiration, and grants exactly Powertools' four actions", async () => {
    let data!: DataTier;
    const graph = await record(() => {
      data = new DataTier("idem", { tables: { items: { attributes: { pk: "S" }, partitionKey: "pk" } }, idempotency: {}, export: { schedule: "rate(1 day)" }, retainOnDelete: true, deletionProtection: true });
    });
    const table = resource(graph, "aws:dynamodb/table:Table", "idem-idempotency");
    expect(table.inputs).toMatchObject({
      hashKey: "id",
      attributes: [{ name: "id", type: "S" }],
      billingMode: "PAY_PER_REQUEST",
      ttl: { enabled: true, attributeName: "expiration" },
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
    });
    expect(table.retainOnDelete).toBe(true);
    // The export covers the program's tables, not the idempotency records.
    expect(data.spec.export!.tables).toEqual(["items"]);
    const grants = data.idempotencyGrants();
    expect(grants.map((g) => g.actions)).toEqual([["dynamodb:GetItem"], ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]]);
    expect(securityClean(graph).filter((f) => !String(f.resource).includes("export"))).toEqual([]);
  });

  it("refuses a table of its own named idempotency, and grants when idempotency is off", () => {
    expect(() => new DataTier("clash", { tables: { idempotency: { attributes: { id: "S" }, partitionKey: "id" } }, idempotency: {} })).toThrow(/DataTier "clash": tables "idempotency" is a table key, but idempotency creates the table of that key/);
    const off = new DataTier("off", { tables: { items: { attributes: { pk: "S" }, partitionKey: "pk" } } });
    expect(() => off.idempotencyGrants()).toThrow(/DataTier "off": idempotency \(not set\) is off, but idempotencyGrants\(\) was called\. Set idempotency: \{\} on the DataTier\./);
  });
});
