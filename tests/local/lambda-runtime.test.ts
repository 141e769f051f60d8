import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import { LAMBDA_SYNC_PAYLOAD_LIMITS, LambdaInvokeError, LocalLambda, setDefaultHandlerLogSink, type HandlerLogChunk } from "../../local/lambda-runtime";
import type { LocalContext } from "../../local/services/types";
import { gatewaySpec } from "../harness/api-spec";
import { withHeldTimer } from "../harness/held-timer";
import { localLambdaSpec } from "../harness/lambda-spec";

const spec: LambdaFunctionSpec = localLambdaSpec({ name: "behaviours", entry: join(__dirname, "../fixtures/handlers/behaviours.ts"), environment: { TABLE_NAME: "gallery-table" } });

const buildDir = mkdtempSync(join(tmpdir(), "sf-lambda-"));
const lambda = new LocalLambda(spec, { buildDir, sharedEnvironment: { AWS_REGION: "eu-west-1" } });
afterAll(() => lambda.stop());

/** A log sink that collects chunks and resolves once both of the "log" action's lines have arrived (output travels apart from the result). */
function collectHandlerLogs() {
  const chunks: HandlerLogChunk[] = [];
  let done!: () => void;
  const arrived = new Promise<void>((resolve) => (done = resolve));
  const sink = (chunk: HandlerLogChunk) => {
    chunks.push(chunk);
    const text = (stream: string) => chunks.filter((c) => c.stream === stream).map((c) => c.text).join("");
    if (text("stdout").includes("from the handler") && text("stderr").includes("an error line")) done();
  };
  return { chunks, sink, arrived };
}

describe("LocalLambda", () => {
  it("gives the handler its own environment and keeps the sandbox warm", async () => {
    // Counted from whatever this sandbox answered before (the tests run in any order with --sequence.shuffle).
    const first = await lambda.invoke<{ invocations: number }>({ action: "env" });
    expect(first).toEqual({ table: "gallery-table", region: "eu-west-1", fn: "behaviours", invocations: expect.any(Number) });
    expect(await lambda.invoke({ action: "count" })).toEqual({ invocations: first.invocations + 1 });
    expect(process.env.TABLE_NAME).toBeUndefined();
  });

  it("gives a function of another region that region as AWS_REGION, as Lambda does, and its own credentials", async () => {
    const regional = new LocalLambda(spec, { buildDir, sharedEnvironment: { AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "local" }, region: "us-west-2", credentials: { accessKeyId: "ASIAEXAMPLE0000000001", secretAccessKey: "s" } });
    try {
      expect(await regional.invoke({ action: "env" })).toMatchObject({ region: "us-west-2", accessKeyId: "ASIAEXAMPLE0000000001" });
    } finally {
      await regional.stop();
    }
  });

  it("returns handler errors as Lambda does", async () => {
    const error = await lambda.invoke({ action: "throw" }).catch((e) => e);
    expect(error).toBeInstanceOf(LambdaInvokeError);
    expect(error).toMatchObject({ errorType: "TypeError", message: "behaviours: TypeError: bad thing" });
  });

  it("enforces the timeout and starts a fresh sandbox afterwards", async () => {
    // The function's timer (spec.timeout: 1 s, Lambda's least) fired once set, not waited out. The handler sleeps 3 s,
    // so only that timer ends the invocation: a timer of another length is not held, and the invocation would answer.
    const error = await withHeldTimer(spec.timeout * 1000, "LocalLambda.invoke", () => lambda.invoke({ action: "sleep", ms: 3000 }).catch((e) => e));
    expect(error).toMatchObject({ errorType: "Sandbox.Timedout", message: expect.stringContaining(`Task timed out after ${spec.timeout}.00 seconds`) });
    const after = await lambda.invoke<{ slept: number; remaining: number }>({ action: "sleep", ms: 10 });
    expect(after.remaining).toBeGreaterThan(0);
    expect(await lambda.invoke({ action: "count" })).toEqual({ invocations: 2 });
  });

  it("starts one warm sandbox for concurrent first invocations, not one each (the others were leaked)", async () => {
    const fresh = new LocalLambda(spec, { buildDir, sharedEnvironment: {}, functionName: "fresh-fn" });
    try {
      const counts = await Promise.all(Array.from({ length: 3 }, () => fresh.invoke<{ invocations: number }>({ action: "count" })));
      expect(counts.map((c) => c.invocations).sort()).toEqual([1, 2, 3]);
    } finally {
      await fresh.stop();
    }
  });

  it("sends the handler's output (console, Powertools JSON) to the log sink instead of this process's output", async () => {
    const logs = collectHandlerLogs();
    const quiet = new LocalLambda(spec, { buildDir, sharedEnvironment: {}, functionName: "quiet-fn", logs: logs.sink });
    const written = vi.spyOn(process.stdout, "write");
    try {
      expect(await quiet.invoke({ action: "log" })).toEqual({ logged: true });
      await logs.arrived;
      expect(logs.chunks.every((c) => c.functionName === "quiet-fn")).toBe(true);
      expect(logs.chunks.find((c) => c.stream === "stdout")?.text).toContain('{"level":"INFO","message":"from the handler"}');
      expect(written.mock.calls.some(([text]) => String(text).includes("from the handler"))).toBe(false);
    } finally {
      written.mockRestore();
      await quiet.stop();
    }
  });

  it("uses the process-wide default sink when given none (the terminal for npm start; the test setup's buffer here)", async () => {
    const logs = collectHandlerLogs();
    const previous = setDefaultHandlerLogSink(logs.sink);
    try {
      expect(await lambda.invoke({ action: "log" })).toEqual({ logged: true });
      await logs.arrived;
      expect(logs.chunks.map((c) => c.functionName)).toContain("behaviours");
    } finally {
      setDefaultHandlerLogSink(previous);
    }
  });
});

describe("LocalLambda: results and events cross as JSON, within Lambda's synchronous payload limits (review 13, finding 3)", () => {
  const resultsSpec = { ...spec, name: "results", entry: join(__dirname, "../fixtures/handlers/results.ts") };
  const results = new LocalLambda(resultsSpec, { buildDir, sharedEnvironment: {} });
  afterAll(() => results.stop());

  it("serialises a result as Lambda does: an undefined header is dropped, a Date is its ISO string, nothing is null", async () => {
    const result = await results.invoke<{ headers: Record<string, unknown> }>({ action: "headers" });
    expect(Object.keys(result.headers)).toEqual(["expires"]);
    expect(result.headers.expires).toBe("1970-01-01T00:00:00.000Z");
    expect(await results.invoke({ action: "nothing" })).toBeNull();
    expect(await results.invoke({ action: "echo", at: new Date(0), gone: undefined })).toStrictEqual({ action: "echo", at: "1970-01-01T00:00:00.000Z" });
  });

  it("fails a result JSON cannot carry, as the Node.js runtime does", async () => {
    expect(await results.invoke({ action: "bigint" }).catch((e) => e)).toMatchObject({ errorType: "Error", message: "results: Error: Unable to stringify response body" });
  });

  it("refuses a result over 6,291,556 bytes (Function.ResponseSizeTooLarge) and returns one of exactly that size", async () => {
    // Lambda's own number ("Response payload size exceeded maximum allowed payload size (6291556 bytes)"), not the constant under test.
    const largestResponseBytes = 6_291_556;
    expect(((await results.invoke<string>({ action: "sized", bytes: largestResponseBytes })) as string).length).toBe(largestResponseBytes - 2);
    const error = await results.invoke({ action: "sized", bytes: largestResponseBytes + 1 }).catch((e) => e);
    expect(error).toBeInstanceOf(LambdaInvokeError);
    expect(error).toMatchObject({ errorType: "Function.ResponseSizeTooLarge" });
  });

  it("refuses an event of 6,291,456 bytes or more, counted in UTF-8, before the handler runs (RequestEntityTooLargeException)", async () => {
    // Lambda's own number ("Request must be smaller than 6291456 bytes"), not the constant under test.
    const largestRequestBytes = 6_291_456 - 1;
    // {"action":"echo","pad":"…"}: 26 bytes around the padding, two bytes each "é".
    const event = (bytes: number) => ({ action: "echo", pad: "é".repeat(Math.floor((bytes - 26) / 2)) + ((bytes - 26) % 2 ? "x" : "") });
    expect(Buffer.byteLength(JSON.stringify(event(largestRequestBytes)))).toBe(largestRequestBytes);
    expect(await results.invoke(event(largestRequestBytes))).toMatchObject({ action: "echo" });
    const error = await results.invoke(event(largestRequestBytes + 1)).catch((e) => e);
    expect(error).toMatchObject({ errorType: "RequestEntityTooLargeException" });
  });

  it("refuses an oversized event before starting a sandbox: the caller gets Lambda's refusal, and no cold start is spent on it", async () => {
    const { largestRequestBytes } = LAMBDA_SYNC_PAYLOAD_LIMITS;
    const cold = new LocalLambda(resultsSpec, { buildDir, sharedEnvironment: {}, functionName: "cold-fn" });
    try {
      const error: unknown = await cold.invoke({ action: "echo", pad: "x".repeat(largestRequestBytes) }).catch((e) => e);
      expect(error).toBeInstanceOf(LambdaInvokeError);
      expect((error as LambdaInvokeError).message).toBe(`cold-fn: RequestEntityTooLargeException: Request must be smaller than ${largestRequestBytes + 1} bytes for the InvokeFunction operation`);
      expect(cold.coldStarts).toBe(0);
      expect(await cold.invoke({ action: "echo" })).toEqual({ action: "echo" });
      expect(cold.coldStarts).toBe(1);
    } finally {
      await cold.stop();
    }
  });

  it("through the local gateway, a request whose event is over the limit is API Gateway's 500 and starts no sandbox", async () => {
    const cold = new LocalLambda(resultsSpec, { buildDir, sharedEnvironment: {}, functionName: "cold-api-fn" });
    const api = gatewaySpec("api", { basePath: "api", routes: { "POST /in": { handler: "tests/fixtures/handlers/results.ts", auth: "none" } } });
    const context = { log: () => undefined, run: { config: { region: "us-east-1" } }, lambda: () => cold } as unknown as LocalContext;
    const { server, url } = await listen(createLocalGateway({ spec: api, stage: api.stages[0], context, issuerFor: () => undefined }), 0);
    try {
      // Under API Gateway's 10 MB payload limit, over Lambda's 6 MB once it is the proxy event's body.
      const response = await fetch(`${url}/api/in`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x".repeat(LAMBDA_SYNC_PAYLOAD_LIMITS.largestRequestBytes) });
      expect(response.status).toBe(500);
      expect(await response.text()).toBe(JSON.stringify({ message: "Internal server error" }));
      expect(cold.coldStarts).toBe(0);
    } finally {
      server.close();
      await cold.stop();
    }
  });
});

// The Node.js runtime (aws-lambda-nodejs-runtime-interface-client, Runtime.js) calls `handler(event, context, callback)`
// and finishes on the callback, on context.succeed/fail/done, or on the promise the handler returns; a plain return
// value is not the result (the invocation ends with null once the event loop is empty). Errors become
// `{errorType: error.name, errorMessage}`, or `{errorType: typeof error, errorMessage: String(error)}` for a non-Error
// (Errors.js, toRapidResponse).
describe("LocalLambda: callback-style handlers, as the Node.js 22 runtime runs them", () => {
  const sandboxes: LocalLambda[] = [];
  afterAll(() => Promise.all(sandboxes.map((s) => s.stop())));
  const invoke = (handler: string, event: unknown = { value: "x" }) => {
    const sandbox = new LocalLambda({ ...spec, name: `cb-${handler}`, handler, entry: join(__dirname, "../fixtures/handlers/callbacks.ts") }, { buildDir, sharedEnvironment: {} });
    sandboxes.push(sandbox);
    return sandbox.invoke(event).catch((error) => error);
  };

  it("takes the result from callback(null, value), context.succeed and context.done, and from a returned promise", async () => {
    expect(await invoke("callback")).toEqual({ via: "callback", value: "x" });
    expect(await invoke("succeed")).toEqual({ via: "succeed", value: "x" });
    expect(await invoke("done")).toEqual({ via: "done", value: "x" });
    expect(await invoke("asyncWithCallbackParameter")).toEqual({ via: "promise", value: "x" });
  });

  it("fails on callback(error), context.fail and a thrown non-Error, typed as the runtime types them", async () => {
    expect(await invoke("callbackError")).toMatchObject({ errorType: "TypeError", message: "cb-callbackError: TypeError: bad input" });
    expect(await invoke("fail")).toMatchObject({ errorType: "RangeError" });
    expect(await invoke("callbackString")).toMatchObject({ errorType: "string", message: "cb-callbackString: string: boom" });
    expect(await invoke("throwsString")).toMatchObject({ errorType: "string", message: "cb-throwsString: string: plain string" });
    // CallbackContext.js: a fail without an error is done('handled').
    expect(await invoke("failWithoutError")).toMatchObject({ errorType: "string", message: "cb-failWithoutError: string: handled" });
  });

  it("does not take a plain function's return value as its result: null, as the runtime answers", async () => {
    expect(await invoke("returnsWithoutCallback")).toBeNull();
  });
});
