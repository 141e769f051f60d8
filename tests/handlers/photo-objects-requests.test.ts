/**
 * The S3 requests the gallery's functions send themselves (handlers/shared/photo-objects.ts: HEAD and DELETE, SigV4 +
 * fetch): retried as the SDK's standard retry mode retries (throttling, faults, no answer), not when S3 refused the
 * request, and each attempt with its own time limit, so a stalled connection cannot hold a removal batch or an API
 * route until the function times out.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSignedRequestEnvironment } from "./signed-requests";

const s3Error = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;

let sent: Array<{ method: string; url: string; signal: AbortSignal | null | undefined }>;
/** fetch answering each request with the next of `answers` (status, and an S3 error body for codes). */
function answer(...answers: Array<[number, string?]>) {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    sent.push({ method: init!.method!, url: String(input), signal: init?.signal });
    const [status, code] = answers.shift()!;
    const body = code ? s3Error(code, `${code} happened`) : null;
    return new Response(status === 204 ? null : body, { status, headers: { "x-amz-request-id": `req-${sent.length}`, ...(status === 200 ? { "content-length": "0" } : {}) } });
  });
}

useSignedRequestEnvironment();
beforeEach(() => {
  sent = [];
});

describe("S3 requests of the upload bucket", () => {
  it("retry throttling and faults (three attempts in all), and fail with S3's code after the third", async () => {
    const objects = await import("../../handlers/shared/photo-objects.js");
    answer([503, "SlowDown"], [500, "InternalError"], [204]);
    await objects.deleteObject("gallery-uploads", "originals/a.png");
    expect(sent.map((request) => request.method)).toEqual(["DELETE", "DELETE", "DELETE"]);
    expect(sent[0].url).toBe("https://gallery-uploads.s3.us-west-2.amazonaws.com/originals/a.png");

    sent = [];
    answer([503, "SlowDown"], [503, "SlowDown"], [503, "SlowDown"]);
    await expect(objects.deleteObject("gallery-uploads", "originals/a.png")).rejects.toMatchObject({ name: "SlowDown", $metadata: { httpStatusCode: 503, requestId: "req-3", attempts: 3 } });
    expect(sent).toHaveLength(3);
  });

  it("do not retry what S3 refused, nor a HEAD of a missing object", async () => {
    const objects = await import("../../handlers/shared/photo-objects.js");
    answer([403, "AccessDenied"]);
    await expect(objects.deleteObject("gallery-uploads", "originals/a.png")).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403, attempts: 1 } });
    expect(sent).toHaveLength(1);

    sent = [];
    answer([404]);
    expect(await objects.objectSize("gallery-uploads", "originals/a.png")).toBeUndefined();
    expect(sent.map((request) => request.method)).toEqual(["HEAD"]);
  });

  it("give each attempt its own time limit, and retry an attempt that ran out of it", async () => {
    const objects = await import("../../handlers/shared/photo-objects.js");
    const { ATTEMPT_TIMEOUT_MS } = await import("../../handlers/shared/retries.js");
    // AbortSignal.timeout's signals, which the test fires itself: no clock is waited on.
    const limits: AbortController[] = [];
    const timeout = vi.spyOn(AbortSignal, "timeout").mockImplementation(() => {
      limits.push(new AbortController());
      return limits.at(-1)!.signal;
    });
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      sent.push({ method: init!.method!, url: String(input), signal: init?.signal });
      if (sent.length > 1) return new Response(null, { status: 200, headers: { "content-length": "1234" } });
      // The first attempt stalls until its time limit aborts it, as fetch rejects then (without a limit it would wait
      // forever: the test fails at once instead).
      if (!init?.signal) throw new Error("an attempt without a time limit");
      return new Promise<Response>((_, reject) => {
        init.signal!.addEventListener("abort", () => reject(init.signal!.reason));
        limits[0]?.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
      });
    });
    expect(await objects.objectSize("gallery-uploads", "originals/a.png")).toBe(1234);
    expect(timeout.mock.calls).toEqual([[ATTEMPT_TIMEOUT_MS], [ATTEMPT_TIMEOUT_MS]]);
    expect(sent.map((request) => request.signal)).toEqual([limits[0].signal, limits[1].signal]);
  });

  it("retry a request that got no answer (fetch failed), not one that failed before it was sent", async () => {
    const objects = await import("../../handlers/shared/photo-objects.js");
    let calls = 0;
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
      calls++;
      if (calls === 1) throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
      return new Response(null, { status: 204 });
    });
    await objects.deleteObject("gallery-uploads", "originals/a.png");
    expect(calls).toBe(2);

    // What failed before the request left fails the same way on every attempt: not retried.
    const { retryable } = await import("../../handlers/shared/retries.js");
    expect(retryable(new DOMException("The operation was aborted due to timeout", "TimeoutError"))).toBe(true);
    expect(retryable(new TypeError("terminated", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) }))).toBe(true);
    expect(retryable(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }))).toBe(false);
    expect(retryable(new TypeError("Cannot read properties of undefined"))).toBe(false);
  });

  it("deleteObjects names only the keys whose deletes failed after their retries", async () => {
    const objects = await import("../../handlers/shared/photo-objects.js");
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      sent.push({ method: init!.method!, url: String(input), signal: init?.signal });
      // b.png's deletes always fault; a.png's first attempt faults and its retry succeeds.
      const faults = String(input).endsWith("b.png") || sent.filter((request) => request.url === String(input)).length === 1;
      return faults ? new Response(s3Error("InternalError", "oops"), { status: 500 }) : new Response(null, { status: 204 });
    });
    const failure = await objects.deleteObjects("gallery-uploads", ["originals/a.png", "originals/b.png"]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(objects.ObjectsNotDeleted);
    expect(failure).toMatchObject({ keys: ["originals/b.png"], cause: { name: "InternalError", $metadata: { attempts: 3 } } });
    expect(sent.filter((request) => request.url.endsWith("a.png"))).toHaveLength(2);
  });
});
