/**
 * The local Lambda API answers a throttled function as Lambda's Invoke API does: 429 TooManyRequestsException, not a
 * function error (review 30 F5); and a Qualifier outside API_Invoke's pattern with 400 ValidationException (F9). A function with reservedConcurrency 0 is throttled by LocalLambda itself
 * (local/lambda-runtime.ts); here the invoke stands in for it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startLocalLambdaApi, type LocalLambdaApi } from "../../local/lambda-invoke-server";
import { LambdaInvokeError } from "../../local/lambda-runtime";
import { LocalQueues } from "../../local/queues";
import { localLambdaSpec } from "../harness/lambda-spec";
import { signedFetch } from "../harness/signed-fetch";

let api: LocalLambdaApi;
afterAll(() => api?.stop());

describe("the local Lambda API and a throttled function", () => {
  it("answers 429 TooManyRequestsException with Lambda's message, no X-Amz-Function-Error", async () => {
    const spec = localLambdaSpec({ name: "throttled", entry: "tests/fixtures/handlers/echo.ts", reservedConcurrency: 0 });
    api = await startLocalLambdaApi({
      functions: [{ name: "throttled", functionName: "throttled-function-0a1b2c3d", arn: "arn:aws:lambda:us-east-1:123456789012:function:throttled-function-0a1b2c3d", version: "$LATEST", aliases: new Map(), spec, invoke: async () => {
        throw new LambdaInvokeError("throttled", "TooManyRequestsException", "Rate Exceeded.");
      } }],
      async: { queues: new LocalQueues(), retryDelaysMs: [0] },
    });
    const response = await signedFetch(`${api.endpoint}/2015-03-31/functions/throttled-function-0a1b2c3d/invocations`, { body: "{}" }, { service: "lambda" });
    expect(response.status).toBe(429);
    expect(response.headers.get("x-amz-function-error")).toBeNull();
    expect(response.headers.get("x-amzn-errortype")).toMatch(/^TooManyRequestsException/);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining("Rate Exceeded.") });
    // Qualifier: "Pattern: (|[a-zA-Z0-9$_-]+)", 1–128 characters.
    for (const qualifier of ["%E0%A4%A", "has.dot", "q".repeat(129)]) {
      const bad = await signedFetch(`${api.endpoint}/2015-03-31/functions/throttled-function-0a1b2c3d/invocations?Qualifier=${qualifier}`, { body: "{}" }, { service: "lambda" });
      expect(bad.status).toBe(400);
      expect(bad.headers.get("x-amzn-errortype")).toMatch(/^ValidationException/);
    }
  });
});
