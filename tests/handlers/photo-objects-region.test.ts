/**
 * A function outside the upload bucket's region (RegionalApis' second region) signs S3 requests for the bucket's region:
 * a presigned URL scoped to the function's own region is refused by S3 (AuthorizationHeaderMalformed).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const saved = { ...process.env };
beforeEach(() => {
  vi.resetModules();
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.AWS_ENDPOINT_URL;
  Object.assign(process.env, { AWS_REGION: "us-west-2", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "" });
});
afterEach(() => {
  // In place: replacing process.env with a plain object would cut it off from the process's real environment.
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

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
