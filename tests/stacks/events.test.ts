/**
 * The reference app's event wiring as `pulumi up` would create it (index.ts, dev stack): originals'
 * ObjectCreated events → the thumbnail function after its invoke permission, its arm64 zip with
 * sharp's linux-arm64 binaries, its retries and failure queue, the idempotency grants, the
 * clean-up on its schedule, and photo deletion's (and the clean-up's) object removal through the photo-removals queue.
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
    expect(statements.find((s) => s.Sid === "UploadObjectsThumbnails")).toMatchObject({ Action: ["s3:PutObject"] });
    expect(statements.find((s) => s.Sid === "UploadObjectsOriginals")).toMatchObject({ Action: ["s3:GetObject"] });
    // A photo gone meanwhile: its original and thumbnails go to the photo-removals queue; the function deletes no object.
    const removals = resource(run.resources, "aws:sqs/queue:Queue", "photo-removals-queue");
    expect(statements.find((s) => s.Action.includes("sqs:SendMessage"))?.Resource).toContain(removals.state.arn);
    expect(statements.some((s) => s.Action.includes("s3:DeleteObject"))).toBe(false);
    expect(fn.inputs.environment.variables).toMatchObject({ PHOTO_REMOVALS_QUEUE_URL: removals.state.url, PHOTO_REMOVALS_QUEUE_REGION: "us-east-1" });
  });

  it("runs the clean-up hourly in UTC, removing photos older than the configured age", () => {
    const fn = resource(run.resources, "aws:lambda/function:Function", "photo-cleanup-function");
    const schedule = resource(run.resources, "aws:scheduler/schedule:Schedule", "photo-cleanup-schedule");
    expect(schedule.inputs).toMatchObject({ scheduleExpression: "rate(1 hour)", scheduleExpressionTimezone: "UTC", target: { arn: fn.state.arn } });
    expect(fn.inputs.environment.variables.CLEANUP_AGE_HOURS).toBe("6");
  });

  it("has the clean-up send removed photos' objects to the photo-removals queue, and delete them itself only when that fails", () => {
    const fn = resource(run.resources, "aws:lambda/function:Function", "photo-cleanup-function");
    const queue = resource(run.resources, "aws:sqs/queue:Queue", "photo-removals-queue");
    const table = resource(run.resources, "aws:dynamodb/table:Table", "data-gallery");
    const bucket = resource(run.resources, "aws:s3/bucket:Bucket", "uploads-bucket");
    expect(fn.inputs.environment.variables).toMatchObject({ TABLE_NAME: table.state.name, UPLOAD_BUCKET_NAME: bucket.state.bucket, PHOTO_REMOVALS_QUEUE_URL: queue.state.url, PHOTO_REMOVALS_QUEUE_REGION: "us-east-1" });
    const statements = policyDocument(resource(run.resources, "aws:iam/rolePolicy:RolePolicy", "photo-cleanup-policy").inputs.policy).Statement;
    const own = (actions: string[]) => actions.filter((a) => !a.startsWith("xray:") && !a.startsWith("logs:")).sort();
    expect(own(statements.flatMap((st) => st.Action))).toEqual(["dynamodb:DeleteItem", "dynamodb:Scan", "s3:DeleteObject", "s3:DeleteObject", "sqs:SendMessage"]);
    expect(statements.find((st) => st.Action.includes("sqs:SendMessage"))?.Resource).toContain(queue.state.arn);
    expect(statements.filter((st) => st.Action.includes("s3:DeleteObject")).flatMap((st) => st.Resource).sort()).toEqual([`${bucket.state.arn}/originals/*`, `${bucket.state.arn}/thumbnails/*`]);
  });

  it("removes a deleted photo's objects through the photo-removals queue: the API only sends, the consumer reads the item and deletes under originals/ and thumbnails/", () => {
    const queue = resource(run.resources, "aws:sqs/queue:Queue", "photo-removals-queue");
    const deadLetters = resource(run.resources, "aws:sqs/queue:Queue", "photo-removals-dlq");
    const consumer = resource(run.resources, "aws:lambda/function:Function", "photo-object-removal-function");
    const table = resource(run.resources, "aws:dynamodb/table:Table", "data-gallery");
    const bucket = resource(run.resources, "aws:s3/bucket:Bucket", "uploads-bucket");
    // One region: 1 s covers the DELETE's send-then-delete (multi-region.test.ts pins prod's 5 s for replication).
    expect(queue.inputs).toMatchObject({ delaySeconds: 1, visibilityTimeoutSeconds: 60, sqsManagedSseEnabled: true });
    expect(JSON.parse(queue.inputs.redrivePolicy)).toEqual({ deadLetterTargetArn: deadLetters.state.arn, maxReceiveCount: 5 });
    expect(resource(run.resources, "aws:lambda/eventSourceMapping:EventSourceMapping", "photo-removals-mapping").inputs).toMatchObject({ eventSourceArn: queue.state.arn, functionName: consumer.state.arn, batchSize: 10, functionResponseTypes: ["ReportBatchItemFailures"] });
    // The consumer knows the last receive (the queue's maxReceiveCount): a removal whose photo still exists is dropped then.
    expect(consumer.inputs.environment.variables).toMatchObject({ TABLE_NAME: table.state.name, UPLOAD_BUCKET_NAME: bucket.state.bucket, MAX_RECEIVES: String(JSON.parse(queue.inputs.redrivePolicy).maxReceiveCount) });
    const statements = policyDocument(resource(run.resources, "aws:iam/rolePolicy:RolePolicy", "photo-object-removal-policy").inputs.policy).Statement;
    // Beside its logs and traces, which every function's role has.
    const own = (actions: string[]) => actions.filter((a) => !a.startsWith("xray:") && !a.startsWith("logs:")).sort();
    expect(own(statements.flatMap((st) => st.Action))).toEqual(["dynamodb:GetItem", "s3:DeleteObject", "s3:DeleteObject"]);
    expect(statements.find((st) => st.Action.includes("dynamodb:GetItem"))?.Resource).toContain(table.state.arn);
    expect(statements.filter((st) => st.Action.includes("s3:DeleteObject")).flatMap((st) => st.Resource).sort()).toEqual([`${bucket.state.arn}/originals/*`, `${bucket.state.arn}/thumbnails/*`]);

    const api = resource(run.resources, "aws:lambda/function:Function", "api-delete-albums-albumid-photos-photoid-function");
    expect(api.inputs.environment.variables).toMatchObject({ PHOTO_REMOVALS_QUEUE_URL: queue.state.url, PHOTO_REMOVALS_QUEUE_REGION: "us-east-1" });
    const apiStatements = policyDocument(resource(run.resources, "aws:iam/rolePolicy:RolePolicy", "api-delete-albums-albumid-photos-photoid-policy").inputs.policy).Statement;
    expect(own(apiStatements.flatMap((st) => st.Action))).toEqual(["dynamodb:DeleteItem", "dynamodb:GetItem", "sqs:SendMessage"]);
    expect(run.outputs).toMatchObject({ photoRemovalsQueueName: queue.state.name, photoRemovalsDeadLetterQueueName: deadLetters.state.name });
  });
});
