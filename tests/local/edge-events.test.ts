/**
 * Lambda@Edge's request body with Include Body: "For viewer requests, the body is truncated at 40 KB. For origin
 * requests, the body is truncated at 1 MB."
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html#lambda-at-edge-restrictions-request-body)
 */
import { describe, expect, it } from "vitest";
import { lambdaEvent, type EdgeRequest } from "../../local/edge-events";

const post = (bytes: number): EdgeRequest => ({ method: "POST", uri: "/form", querystring: "", headers: {}, clientIp: "203.0.113.1", body: Buffer.alloc(bytes, "a") });
const bodyOf = (event: ReturnType<typeof lambdaEvent>) => (event.Records[0].cf.request as { body: { inputTruncated: boolean; data: string } }).body;

describe("Lambda@Edge request body (Include Body)", () => {
  it("shows a viewer-request function at most 40 KB of the body, marked inputTruncated", () => {
    const body = bodyOf(lambdaEvent("viewer-request", post(40 * 1024 + 1), undefined, "d111.cloudfront.net", true));
    expect([body.inputTruncated, Buffer.from(body.data, "base64").length]).toEqual([true, 40 * 1024]);
    const whole = bodyOf(lambdaEvent("viewer-request", post(40 * 1024), undefined, "d111.cloudfront.net", true));
    expect([whole.inputTruncated, Buffer.from(whole.data, "base64").length]).toEqual([false, 40 * 1024]);
  });

  it("shows an origin-request function at most 1 MB of the body, marked inputTruncated", () => {
    const body = bodyOf(lambdaEvent("origin-request", post(1024 * 1024 + 1), undefined, "d111.cloudfront.net", true));
    expect([body.inputTruncated, Buffer.from(body.data, "base64").length]).toEqual([true, 1024 * 1024]);
    const small = bodyOf(lambdaEvent("origin-request", post(64 * 1024), undefined, "d111.cloudfront.net", true));
    expect([small.inputTruncated, Buffer.from(small.data, "base64").length]).toEqual([false, 64 * 1024]);
  });
});
