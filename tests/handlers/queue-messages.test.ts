/**
 * SendMessage as the photos API sends it (handlers/shared/queue-messages.ts, SigV4 + fetch over SQS's JSON protocol):
 * to the queue URL's origin, signed for the queue's region (RegionalApis' other regions send to the home region's
 * queue), retried on throttling and faults only, and refused when SQS reports a body other than the one sent.
 */
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSignedRequestEnvironment } from "./signed-requests";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/photo-removals-queue-174ac0fa";
const md5 = (text: string) => createHash("md5").update(text).digest("hex");

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
}
let sent: Sent[];
/** fetch answering each request with the next of `answers` (status and JSON body). */
function answer(...answers: Array<[number, Record<string, unknown>]>) {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    sent.push({ url: String(input), headers: init!.headers as Record<string, string>, body: String(init!.body) });
    const [status, body] = answers.shift()!;
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": `req-${sent.length}` } });
  });
}

useSignedRequestEnvironment();
beforeEach(() => {
  sent = [];
});

describe("sendMessage", () => {
  it("posts SendMessage to the queue URL's origin, signed for the queue's region rather than the function's", async () => {
    const { sendMessage } = await import("../../handlers/shared/queue-messages.js");
    answer([200, { MessageId: "m-1", MD5OfMessageBody: md5('{"a":1}') }]);
    const result = await sendMessage(QUEUE_URL, "us-east-1", '{"a":1}');
    expect(result).toMatchObject({ messageId: "m-1", $metadata: { httpStatusCode: 200, requestId: "req-1", attempts: 1 } });
    const [request] = sent;
    expect(request.url).toBe("https://sqs.us-east-1.amazonaws.com/");
    expect(request.headers).toMatchObject({ "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" });
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/sqs\/aws4_request, SignedHeaders=[^,]*x-amz-target/);
    expect(JSON.parse(request.body)).toEqual({ QueueUrl: QUEUE_URL, MessageBody: '{"a":1}' });
  });

  it("retries throttling and faults (three attempts in all), not what SQS refused", async () => {
    const { sendMessage } = await import("../../handlers/shared/queue-messages.js");
    answer([500, { __type: "com.amazonaws.sqs#InternalError", message: "oops" }], [400, { __type: "com.amazonaws.sqs#RequestThrottled", message: "slow down" }], [200, { MessageId: "m-3", MD5OfMessageBody: md5("b") }]);
    expect(await sendMessage(QUEUE_URL, "us-east-1", "b")).toMatchObject({ messageId: "m-3", $metadata: { attempts: 3 } });

    sent = [];
    answer([500, { __type: "com.amazonaws.sqs#InternalError", message: "1" }], [500, { __type: "com.amazonaws.sqs#InternalError", message: "2" }], [500, { __type: "com.amazonaws.sqs#InternalError", message: "3" }]);
    await expect(sendMessage(QUEUE_URL, "us-east-1", "b")).rejects.toMatchObject({ name: "InternalError", message: "3", $metadata: { httpStatusCode: 500, attempts: 3 } });
    expect(sent).toHaveLength(3);

    sent = [];
    answer([400, { __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "The specified queue does not exist." }]);
    await expect(sendMessage(QUEUE_URL, "us-east-1", "b")).rejects.toMatchObject({ name: "QueueDoesNotExist", $metadata: { httpStatusCode: 400, attempts: 1 } });
    expect(sent).toHaveLength(1);
  });

  it("gives each attempt its own time limit, and retries an attempt that ran out of it", async () => {
    const { sendMessage } = await import("../../handlers/shared/queue-messages.js");
    const { ATTEMPT_TIMEOUT_MS } = await import("../../handlers/shared/retries.js");
    // AbortSignal.timeout's signals, which the test fires itself: no clock is waited on.
    const limits: AbortController[] = [];
    const timeout = vi.spyOn(AbortSignal, "timeout").mockImplementation(() => {
      limits.push(new AbortController());
      return limits.at(-1)!.signal;
    });
    const signals: Array<AbortSignal | null | undefined> = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
      signals.push(init?.signal);
      if (signals.length > 1) return new Response(JSON.stringify({ MessageId: "m-2", MD5OfMessageBody: md5("b") }), { status: 200 });
      // The first attempt stalls: no answer until its time limit aborts it, as fetch rejects then (without a limit it
      // would wait forever: the test fails at once instead).
      if (!init?.signal) throw new Error("an attempt without a time limit");
      return new Promise<Response>((_, reject) => {
        init.signal!.addEventListener("abort", () => reject(init.signal!.reason));
        limits[0]?.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
      });
    });
    expect(await sendMessage(QUEUE_URL, "us-east-1", "b")).toMatchObject({ messageId: "m-2", $metadata: { attempts: 2 } });
    expect(timeout.mock.calls).toEqual([[ATTEMPT_TIMEOUT_MS], [ATTEMPT_TIMEOUT_MS]]);
    expect(signals).toEqual([limits[0].signal, limits[1].signal]);
  });

  it("fails when SQS stored another body than the one sent (its MD5 differs)", async () => {
    const { sendMessage } = await import("../../handlers/shared/queue-messages.js");
    answer([200, { MessageId: "m-1", MD5OfMessageBody: md5("something else") }]);
    await expect(sendMessage(QUEUE_URL, "us-east-1", "b")).rejects.toMatchObject({ name: "InvalidChecksum" });
    expect(sent).toHaveLength(1);
  });
});
