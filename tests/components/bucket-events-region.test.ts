/**
 * BucketEvents (and UploadBucket.notify) with one region left to the stack: a bucket or function without a region of
 * its own is in the stack's aws:region, so a function in another region is refused at construction, as S3 would refuse
 * the notification configuration ("The Lambda function must be in the same region as your S3 bucket", Amazon S3 User
 * Guide, awsdocs/amazon-s3-user-guide doc_source/setup-event-notification-destination.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { BucketEvents } from "../../components/bucket-events";
import { LambdaFunction } from "../../components/lambda/function";
import { UploadBucket } from "../../components/upload-bucket";
import { useMocks } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const created = { events: ["s3:ObjectCreated:*"] };

beforeAll(async () => {
  await useMocks();
  pulumi.runtime.setConfig("aws:region", "us-east-1");
});

describe("BucketEvents: the function in the bucket's region, an unset region being the stack's", () => {
  it("refuses a function in us-west-2 for a bucket in the stack's region (us-east-1), and the other way round", () => {
    const west = new LambdaFunction("west-thumb", { entry, region: "us-west-2" });
    expect(() => new UploadBucket("home").notify({ thumbs: { function: west, ...created } })).toThrow(
      /^BucketEvents "home-events": subscriptions\.thumbs\.function "west-thumb" is in us-west-2, but the bucket is in us-east-1 \(the stack's aws:region\); S3 invokes only Lambda functions in the bucket's region\. Create the function in us-east-1 \(region: "us-east-1"\), or the bucket in us-west-2\.$/,
    );
    const home = new LambdaFunction("home-thumb", { entry });
    expect(() => new UploadBucket("westward", { region: "us-west-2" }).notify({ thumbs: { function: home, ...created } })).toThrow(
      /^BucketEvents "westward-events": subscriptions\.thumbs\.function "home-thumb" is in us-east-1 \(the stack's aws:region\), but the bucket is in us-west-2; S3 invokes only Lambda functions in the bucket's region\. Create the function in us-west-2 \(region: "us-west-2"\), or the bucket in us-east-1\.$/,
    );
  });

  it("takes a region set to the stack's own as the same region, and leaves a function under an explicit provider (region unknown here) to the deploy rule", () => {
    const explicitHome = new LambdaFunction("explicit-home", { entry, region: "us-east-1" });
    expect(() => new UploadBucket("same").notify({ thumbs: { function: explicitHome, ...created } })).not.toThrow();
    const bucket = new UploadBucket("same-west", { region: "us-west-2" }).nodes.bucket;
    expect(() => new BucketEvents("same-west-events", { bucket, region: "us-west-2", subscriptions: { thumbs: { function: new LambdaFunction("west-fn", { entry, region: "us-west-2" }), ...created } } })).not.toThrow();
    const westProvider = new aws.Provider("west-provider", { region: "us-west-2" });
    const underProvider = new LambdaFunction("provided", { entry }, { provider: westProvider });
    expect(() => new UploadBucket("provided-bucket").notify({ thumbs: { function: underProvider, ...created } })).not.toThrow();
  });
});
