/**
 * The home region's resources a function outside it (RegionalApis' second region) calls are signed for and addressed
 * to their own region (handlers/shared/regions.ts regionOr): the photo-removals queue here, as the upload bucket is in
 * photo-objects-region.test.ts. Else the function's own: AWS_REGION, then AWS_DEFAULT_REGION.
 */
import { afterEach, describe, expect, it } from "vitest";
import { removalsQueue } from "../../handlers/shared/photo-removals";
import { regionOr } from "../../handlers/shared/regions";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe("the home region's resources", () => {
  it("the photo-removals queue is called in PHOTO_REMOVALS_QUEUE_REGION, else the function's region", () => {
    Object.assign(process.env, { AWS_REGION: "us-west-2", PHOTO_REMOVALS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/removals", PHOTO_REMOVALS_QUEUE_REGION: "us-east-1" });
    expect(removalsQueue().region).toBe("us-east-1");
    delete process.env.PHOTO_REMOVALS_QUEUE_REGION;
    expect(removalsQueue().region).toBe("us-west-2");
  });

  it("falls back to AWS_DEFAULT_REGION, and names AWS_REGION when no region is set", () => {
    delete process.env.AWS_REGION;
    process.env.AWS_DEFAULT_REGION = "eu-west-1";
    expect(regionOr(undefined)).toBe("eu-west-1");
    expect(regionOr("")).toBe("eu-west-1");
    delete process.env.AWS_DEFAULT_REGION;
    expect(() => regionOr(undefined)).toThrow("AWS_REGION is not set");
  });
});
