/**
 * A function outside the upload bucket's region (RegionalApis' second region) signs S3 requests for the bucket's region:
 * a presigned URL scoped to the function's own region is refused by S3 (AuthorizationHeaderMalformed).
 */
import { describe, expect, it } from "vitest";
import { useSignedRequestEnvironment } from "./signed-requests";

useSignedRequestEnvironment();

describe("presigned URLs of the upload bucket", () => {
  it("are addressed to and signed for UPLOAD_BUCKET_REGION, not the function's region", async () => {
    process.env.UPLOAD_BUCKET_REGION = "us-east-1";
    const objects = await import("../../handlers/shared/photo-objects.js");
    const url = new URL(await objects.downloadUrl("gallery-uploads", "originals/a.png", 60));
    expect(url.host).toBe("gallery-uploads.s3.us-east-1.amazonaws.com");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/\/us-east-1\/s3\/aws4_request$/);
  });

  it("use the function's region when the bucket's is not given", async () => {
    delete process.env.UPLOAD_BUCKET_REGION;
    const objects = await import("../../handlers/shared/photo-objects.js");
    const url = new URL(await objects.downloadUrl("gallery-uploads", "originals/a.png", 60));
    expect(url.host).toBe("gallery-uploads.s3.us-west-2.amazonaws.com");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/\/us-west-2\/s3\/aws4_request$/);
  });
});
