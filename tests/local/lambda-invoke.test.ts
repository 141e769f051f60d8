/**
 * Lambda's Invoke API under `npm start`: a handler invokes another function of the program with the AWS SDK
 * (`LambdaClient`, `InvokeCommand`), synchronously or as an Event, by the name or ARN the program gives it, and gets
 * Lambda's answers (result, function error, 202, ResourceNotFoundException); a terminal's request (`aws lambda invoke
 * --endpoint-url`) gets the same, and nothing it sends stops the local runtime.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import type { LocalLambdaService } from "../../local/services/lambda";
import { startLocalApp, type LocalApp } from "../../local/start";

const dir = mkdtempSync(join(tmpdir(), "sf-lambda-invoke-"));
const recordFile = join(dir, "target-events.jsonl");
let app: LocalApp;
let names: { targetName: string; targetArn: string };

const recorded = (): unknown[] => (existsSync(recordFile) ? readFileSync(recordFile, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)) : []);
const orchestrate = (event: Record<string, unknown>) => app.context.lambda(app.context.run.specs.find((s) => s.name === "orchestrator")!.spec as never).invoke<Record<string, unknown>>(event);
/** Waits for the Event invocations the local Lambda API has queued, retries included. */
const eventsDone = () => (app.services.find((s) => s.name === "lambda") as LocalLambdaService).api.drained();

beforeAll(async () => {
  const program = () => {
    const target = new LambdaFunction("target", {
      entry: "tests/fixtures/handlers/invoke-target.ts",
      publish: true,
      environment: { RECORD_FILE: recordFile },
      asyncInvoke: { maxRetryAttempts: 1, failureQueue: {} },
    });
    new aws.lambda.Alias("target-live", { name: "live", functionName: target.functionName, functionVersion: target.version });
    new LambdaFunction("orchestrator", {
      entry: "tests/fixtures/handlers/invoke-other.ts",
      timeout: 20,
      environment: { TARGET_FUNCTION: target.functionName },
      permissions: [{ actions: ["lambda:InvokeFunction"], resources: [target.arn] }],
    });
    return { targetName: target.functionName, targetArn: target.arn };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
  names = app.context.run.outputs as typeof names;
});
afterAll(async () => {
  await app?.stop();
});

describe("a handler invokes another function through the local Lambda API", () => {
  it("gets the function's result synchronously, naming it by the name fn.functionName resolves to", async () => {
    expect(names.targetName).toMatch(/^target-function-[0-9a-f]{8}$/);
    expect(await orchestrate({ payload: { message: "hi" } })).toEqual({ statusCode: 200, functionError: null, executedVersion: "$LATEST", payload: { received: { message: "hi" } } });
  });

  it("accepts the function's ARN, a partial ARN, and an alias or version of the program as qualifier", async () => {
    const account = names.targetArn.split(":")[4];
    expect(await orchestrate({ functionName: names.targetArn, payload: { n: 1 } })).toMatchObject({ statusCode: 200, executedVersion: "$LATEST", payload: { received: { n: 1 } } });
    expect(await orchestrate({ functionName: `${account}:function:${names.targetName}`, payload: { n: 2 } })).toMatchObject({ statusCode: 200, payload: { received: { n: 2 } } });
    expect(await orchestrate({ functionName: `${names.targetName}:live`, payload: { n: 3 } })).toMatchObject({ statusCode: 200, executedVersion: "1", payload: { received: { n: 3 } } });
    expect(await orchestrate({ qualifier: "1", payload: { n: 4 } })).toMatchObject({ statusCode: 200, executedVersion: "1" });
    expect(await orchestrate({ qualifier: "beta" })).toMatchObject({ error: "ResourceNotFoundException", httpStatusCode: 404, message: expect.stringMatching(/^Function not found: arn:aws:lambda:us-east-1:\d{12}:function:target-function-[0-9a-f]{8}:beta/) });
  });

  it("gets a function error as Lambda reports it: 200, FunctionError Unhandled, the runtime's error document", async () => {
    const answer = await orchestrate({ payload: { fail: true, message: "order 7" } });
    expect(answer).toMatchObject({ statusCode: 200, functionError: "Unhandled", executedVersion: "$LATEST", payload: { errorType: "RangeError", errorMessage: "refused order 7" } });
    expect((answer.payload as { trace: string[] }).trace[0]).toBe("RangeError: refused order 7");
  });

  it("queues an Event invocation (202) and the target runs it, with the target's retries and failure queue", async () => {
    const before = recorded().length;
    expect(await orchestrate({ invocationType: "Event", payload: { job: "resize" } })).toEqual({ statusCode: 202, functionError: null, executedVersion: null, payload: null });
    expect(await orchestrate({ invocationType: "Event", payload: { job: "poison", fail: true } })).toMatchObject({ statusCode: 202 });
    await eventsDone();
    const events = recorded().slice(before);
    expect(events.filter((e) => (e as { job?: string }).job === "resize")).toHaveLength(1);
    // maxRetryAttempts 1: two attempts, then Lambda's invocation record in the failure queue.
    expect(events.filter((e) => (e as { job?: string }).job === "poison")).toHaveLength(2);
    const failures = readFileSync(join(dir, "state", "queues", "target-failures.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line).body);
    expect(failures).toEqual([expect.objectContaining({ requestContext: expect.objectContaining({ condition: "RetriesExhausted", approximateInvokeCount: 2 }), requestPayload: { job: "poison", fail: true }, responsePayload: { errorType: "RangeError", errorMessage: "refused it" } })]);
    // One set of local queues for every service: what the Invoke API's Event path wrote, the others read (review 30 F9).
    expect(app.context.queues().messages("target-failures").map((m) => m.body)).toEqual(failures);
  });

  it("gets ResourceNotFoundException (404) for a name the program does not have", async () => {
    expect(await orchestrate({ functionName: "target" })).toMatchObject({ error: "ResourceNotFoundException", httpStatusCode: 404, message: expect.stringMatching(/^Function not found: arn:aws:lambda:us-east-1:\d{12}:function:target\./) });
    expect(await orchestrate({ functionName: `arn:aws:lambda:eu-west-1:${names.targetArn.split(":")[4]}:function:${names.targetName}` })).toMatchObject({ error: "ResourceNotFoundException", httpStatusCode: 404 });
  });
});

describe("the local Lambda API from a terminal", () => {
  const invoke = (functionName: string, init: RequestInit & { query?: string } = {}) =>
    fetch(`${app.urls.lambda}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations${init.query ?? ""}`, { method: "POST", ...init });

  it("is printed with the other services and given to every sandbox as AWS_ENDPOINT_URL_LAMBDA", () => {
    expect(app.urls.lambda).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.context.environment.AWS_ENDPOINT_URL_LAMBDA).toBe(app.urls.lambda);
  });

  it("answers Invoke with Lambda's statuses and headers", async () => {
    const ok = await invoke(names.targetName, { body: JSON.stringify({ from: "cli" }) });
    expect([ok.status, ok.headers.get("x-amz-executed-version"), await ok.json()]).toEqual([200, "$LATEST", { received: { from: "cli" } }]);
    const empty = await invoke(names.targetName);
    expect(await empty.json()).toEqual({ received: {} });
    const dryRun = await invoke(names.targetName, { headers: { "X-Amz-Invocation-Type": "DryRun" }, body: "{}" });
    expect([dryRun.status, await dryRun.text()]).toEqual([204, ""]);
    const qualified = await invoke(names.targetName, { query: "?Qualifier=live", body: "{}" });
    expect(qualified.headers.get("x-amz-executed-version")).toBe("1");
    const failed = await invoke(names.targetName, { body: JSON.stringify({ fail: true }) });
    expect([failed.status, failed.headers.get("x-amz-function-error")]).toEqual([200, "Unhandled"]);
  });

  it("refuses what Lambda refuses with its error type, and keeps serving", async () => {
    const refusal = async (response: Response) => [response.status, response.headers.get("x-amzn-errortype"), ((await response.json()) as { Message: string }).Message];
    expect(await refusal(await invoke("nope"))).toEqual([404, "ResourceNotFoundException", expect.stringMatching(/^Function not found: arn:aws:lambda:us-east-1:\d{12}:function:nope\. Functions of this program, by name or ARN: .*target-function-/)]);
    expect(await refusal(await invoke(names.targetName, { body: "{not json" }))).toEqual([400, "InvalidRequestContentException", expect.stringMatching(/^Could not parse request body into json/)]);
    expect(await refusal(await invoke(names.targetName, { headers: { "X-Amz-Invocation-Type": "Later" }, body: "{}" }))).toEqual([400, "ValidationException", expect.stringContaining("invocationType")]);
    expect(await refusal(await invoke("bad name!"))).toEqual([400, "ValidationException", expect.stringContaining("functionName")]);
    expect(await refusal(await invoke(`${names.targetName}:live`, { query: "?Qualifier=1" }))).toEqual([400, "InvalidParameterValueException", expect.any(String)]);
    const sixMegabytes = JSON.stringify({ blob: "x".repeat(6_291_456) });
    expect(await refusal(await invoke(names.targetName, { body: sixMegabytes }))).toEqual([413, "RequestEntityTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation"]);
    const overOneMegabyte = JSON.stringify({ blob: "x".repeat(1_048_576) });
    expect(await refusal(await invoke(names.targetName, { headers: { "X-Amz-Invocation-Type": "Event" }, body: overOneMegabyte }))).toEqual([413, "RequestEntityTooLargeException", `${Buffer.byteLength(overOneMegabyte)} byte payload is too large for the Event invocation type (limit 1048576 bytes)`]);
    const unknownPath = await fetch(`${app.urls.lambda}/2015-03-31/functions`, { method: "GET" });
    expect([unknownPath.status, unknownPath.headers.get("x-amzn-errortype")]).toEqual([404, "UnknownOperationException"]);
    const still = await invoke(names.targetName, { body: JSON.stringify({ after: "refusals" }) });
    expect(await still.json()).toEqual({ received: { after: "refusals" } });
  });
});
