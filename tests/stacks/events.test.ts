/**
 * The reference app's event wiring as `pulumi up` would create it (index.ts, dev stack): originals'
 * ObjectCreated events → the thumbnail function after its invoke permission, its arm64 zip with
 * sharp's linux-arm64 binaries, its retries and failure queue, the idempotency grants, and the
 * clean-up on its schedule.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { dependencyClosure, policyDocument, resource } from "../harness/mocks";
import { runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("dev");
});

describe("dev stack: events", () => {
  it("sends ObjectCreated under originals/ to the thumbnail function, after the permission S3 checks", () => {
    const bucket = resource(run.resources, "aws:s3/bucket:Bucket", "uploads-bucket");
    const fn = resource(run.resources, "aws:lambda/function:Function", "thumbnail-function");
    const permission = resource(run.resources, "aws:lambda/permission:Permission", "uploads-events-thumbnails-invoke");
    const notification = resource(run.resources, "aws:s3/bucketNotification:BucketNotification", "uploads-events-notification");
    expect(permission.inputs).toMatchObject({ principal: "s3.amazonaws.com", sourceArn: bucket.state.arn, function: fn.state.name });
    expect(notification.inputs).toMatchObject({ bucket: bucket.id, lambdaFunctions: [{ id: "thumbnails", lambdaFunctionArn: fn.state.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "originals/" }] });
    expect(dependencyClosure(run.resources, notification).has(permission.urn)).toBe(true);
  });

  it("ships the thumbnail function for arm64 with sharp's linux-arm64 binaries, two retries and a failure queue", async () => {
    const fn = resource(run.resources, "aws:lambda/function:Function", "thumbnail-function");
    expect(fn.inputs).toMatchObject({ architectures: ["arm64"], memorySize: 2048, timeout: 60 });
    const files = Object.keys(await fn.inputs.code.assets);
    expect(files.some((f) => f.startsWith("node_modules/@img/sharp-linux-arm64/"))).toBe(true);
    expect(files.some((f) => f.startsWith("node_modules/@img/sharp-libvips-linux-arm64/"))).toBe(true);
    const queue = resource(run.resources, "aws:sqs/queue:Queue", "thumbnail-failures");
    expect(resource(run.resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "thumbnail-async").inputs).toMatchObject({ maximumRetryAttempts: 2, destinationConfig: { onFailure: { destination: queue.state.arn } } });
    expect(run.outputs.thumbnailFailureQueueName).toBe(queue.state.name);
    const statements = policyDocument(resource(run.resources, "aws:iam/rolePolicy:RolePolicy", "thumbnail-policy").inputs.policy).Statement;
    const idempotency = resource(run.resources, "aws:dynamodb/table:Table", "data-idempotency");
    expect(statements.filter((s) => s.Resource.includes(idempotency.state.arn)).flatMap((s) => s.Action).sort()).toEqual(["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
    expect(statements.find((s) => s.Sid === "UploadObjectsThumbnails")).toMatchObject({ Action: ["s3:PutObject", "s3:DeleteObject"] });
    expect(statements.find((s) => s.Sid === "UploadObjectsOriginals")).toMatchObject({ Action: ["s3:GetObject"] });
  });

  it("runs the clean-up hourly in UTC, removing photos older than the configured age", () => {
    const fn = resource(run.resources, "aws:lambda/function:Function", "photo-cleanup-function");
    const schedule = resource(run.resources, "aws:scheduler/schedule:Schedule", "photo-cleanup-schedule");
    expect(schedule.inputs).toMatchObject({ scheduleExpression: "rate(1 hour)", scheduleExpressionTimezone: "UTC", target: { arn: fn.state.arn } });
    expect(fn.inputs.environment.variables.CLEANUP_AGE_HOURS).toBe("6");
  });
});
