/**
 * Lambda's Invoke API under `npm start`: a handler invokes another function of the program with the AWS SDK
 * (`LambdaClient`, `InvokeCommand`), synchronously or as an Event, by the name or ARN the program gives it, and gets
 * Lambda's answers (result, function error, 202, ResourceNotFoundException); a terminal's request (`aws lambda invoke
 * --endpoint-url`) gets the same, and nothing it sends stops the local runtime. A function has one name and one ARN, the
 * ones the program resolved (`fn.functionName`, `fn.arn`): its sandbox's context and environment, the Invoke API and
 * the invocation records all give those (review 30). A route whose function reserves no concurrency answers 500
 * through the local API Gateway and 429 from the Invoke API, end to end.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { ServerlessApi } from "../../components/serverless-api";
import { startLocalLambdaApi } from "../../local/lambda-invoke-server";
import { LocalQueues } from "../../local/queues";
import type { LocalEvents } from "../../local/services/events";
import type { LocalLambdaService } from "../../local/services/lambda";
import { startLocalApp, type LocalApp } from "../../local/start";
import { signedFetch } from "../harness/signed-fetch";
import { localLambdaSpec } from "../harness/lambda-spec";

const dir = mkdtempSync(join(tmpdir(), "sf-lambda-invoke-"));
const recordFile = join(dir, "target-events.jsonl");
let app: LocalApp;
let names: { targetName: string; targetArn: string; whoamiName: string; whoamiArn: string };

const recorded = (): unknown[] => (existsSync(recordFile) ? readFileSync(recordFile, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)) : []);
const orchestrate = (event: Record<string, unknown>) => app.context.lambda(app.context.run.specs.find((s) => s.name === "orchestrator")!.spec as never).invoke<Record<string, unknown>>(event);
/** Waits for the Event invocations the local Lambda API has queued, retries included. */
const lambdaService = () => app.services.find((s) => s.name === "lambda") as LocalLambdaService;
const eventsDone = () => lambdaService().api.drained();
const queued = (queue: string) => app.context.queues().messages(queue).map((m) => m.body as { requestContext: { functionArn: string; condition: string }; responseContext: { executedVersion: string } });
/** What the identity fixture answers (tests/fixtures/handlers/identity.ts). */
const identityOf = (name: string, invokedFunctionArn: string, functionVersion = "$LATEST") => ({ functionName: name, invokedFunctionArn, functionVersion, logGroupName: `/aws/lambda/${name}`, environmentName: name });

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
      // Its versions and aliases need `<arn>:*` (a statement on the unqualified ARN does not match `<arn>:live`); the
      // two ARNs of functions the program lacks let the tests see 404 ResourceNotFoundException rather than IAM's 403.
      permissions: [{ actions: ["lambda:InvokeFunction"], resources: [target.arn, pulumi.interpolate`${target.arn}:*`, "arn:aws:lambda:us-east-1:123456789012:function:target", pulumi.interpolate`arn:aws:lambda:eu-west-1:123456789012:function:${target.functionName}`, "arn:aws:lambda:us-east-1:123456789012:function:whoami-*"] }],
    });
    const whoami = new LambdaFunction("whoami", {
      entry: "tests/fixtures/handlers/identity.ts",
      publish: true,
      asyncInvoke: { maxRetryAttempts: 0, failureQueue: {}, onSuccess: { type: "sqs", arn: "arn:aws:sqs:us-east-1:123456789012:whoami-handled" } },
      schedule: { expression: "rate(1 day)" },
    });
    new aws.lambda.Alias("whoami-live", { name: "live", functionName: whoami.functionName, functionVersion: whoami.version });
    new ServerlessApi("gw", {
      accountCloudWatchRole: false,
      routes: {
        "GET /whoami": { handler: "tests/fixtures/handlers/identity.ts", auth: "none" },
        "GET /throttled": { handler: "tests/fixtures/handlers/echo.ts", auth: "none", function: { reservedConcurrency: 0 } },
      },
    });
    return { targetName: target.functionName, targetArn: target.arn, whoamiName: whoami.functionName, whoamiArn: whoami.arn };
  };
  // Event invocations retry at once: what is retried and recorded is the test's, not Lambda's wait (1 s locally).
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program, asyncRetryDelaysMs: [0] });
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
    expect(failures).toEqual([expect.objectContaining({ requestContext: expect.objectContaining({ functionArn: `${names.targetArn}:$LATEST`, condition: "RetriesExhausted", approximateInvokeCount: 2 }), requestPayload: { job: "poison", fail: true }, responsePayload: { errorType: "RangeError", errorMessage: "refused it" } })]);
    // One set of local queues for every service: what the Invoke API's Event path wrote, the others read (review 30 F9).
    expect(app.context.queues().messages("target-failures").map((m) => m.body)).toEqual(failures);
  });

  it("is refused a function its role does not name, as IAM refuses it: 403 AccessDeniedException", async () => {
    const other = lambdaService().functions.find((f) => f.spec.reservedConcurrency === 0)!;
    expect(await orchestrate({ functionName: other.functionName })).toMatchObject({
      error: "AccessDeniedException",
      httpStatusCode: 403,
      message: expect.stringMatching(new RegExp(`^User: arn:aws:sts::\\d{12}:assumed-role/orchestrator-role-[0-9a-f]+/orchestrator-function-[0-9a-f]+ is not authorized to perform: lambda:InvokeFunction on resource: ${other.arn} because no identity-based policy allows the lambda:InvokeFunction action$`)),
    });
    // A qualifier is its own resource: the unqualified ARN's statement does not cover `:1`; target's `<arn>:*` does.
    expect(await orchestrate({ qualifier: "1" })).toMatchObject({ statusCode: 200 });
  });

  it("gets ResourceNotFoundException (404) for a name the program does not have, naming an unqualified one `:$LATEST` (AWS-recorded)", async () => {
    expect(await orchestrate({ functionName: "target" })).toMatchObject({ error: "ResourceNotFoundException", httpStatusCode: 404, message: expect.stringMatching(/^Function not found: arn:aws:lambda:us-east-1:\d{12}:function:target:\$LATEST\./) });
    expect(await orchestrate({ functionName: `arn:aws:lambda:eu-west-1:${names.targetArn.split(":")[4]}:function:${names.targetName}` })).toMatchObject({ error: "ResourceNotFoundException", httpStatusCode: 404 });
  });
});

describe("the ARN the local Lambda API reads an Invoke's FunctionName as", () => {
  it("takes a name without region or account as the program's function's own ARN (its region, not the server's), for IAM and to find it", async () => {
    const ARN = "arn:aws:lambda:eu-west-1:210987654321:function:far-fn";
    const asked: string[] = [];
    const api = await startLocalLambdaApi({
      functions: [{ name: "far", functionName: "far-fn", arn: ARN, version: "1", aliases: new Map(), spec: localLambdaSpec({ name: "far", entry: "tests/fixtures/handlers/echo.ts" }), invoke: async () => ({ ok: true }) }],
      async: { queues: new LocalQueues(), retryDelaysMs: [0] },
      region: "us-east-1",
      authorise: (_caller, _action, resource) => void asked.push(resource),
    });
    try {
      const invoke = (name: string, query = "") => signedFetch(`${api.endpoint}/2015-03-31/functions/${encodeURIComponent(name)}/invocations${query}`, { body: "{}" }, { service: "lambda" });
      expect((await invoke("far-fn")).status).toBe(200);
      expect((await invoke("far-fn", "?Qualifier=1")).status).toBe(200);
      // A name the program lacks is taken in the server's region and the mocks' account.
      const missing = await invoke("near-fn");
      expect(missing.status).toBe(404);
      expect(asked).toEqual([ARN, `${ARN}:1`, expect.stringMatching(/^arn:aws:lambda:us-east-1:\d{12}:function:near-fn$/)]);
    } finally {
      await api.stop();
    }
  });
});

describe("the local Lambda API from a terminal", () => {
  // Signed with the local credentials, as `aws lambda invoke --endpoint-url …` is (docs/local-runtime.md).
  const invoke = (functionName: string, init: { headers?: Record<string, string>; body?: string | Uint8Array; query?: string } = {}) =>
    signedFetch(`${app.urls.lambda}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations${init.query ?? ""}`, init, { service: "lambda" });

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
    expect(await refusal(await invoke("nope"))).toEqual([404, "ResourceNotFoundException", expect.stringMatching(/^Function not found: arn:aws:lambda:us-east-1:\d{12}:function:nope:\$LATEST\. Functions of this program, by name or ARN: .*target-function-/)]);
    expect(await refusal(await invoke(names.targetName, { body: "{not json" }))).toEqual([400, "InvalidRequestContentException", expect.stringMatching(/^Could not parse request body into json/)]);
    expect(await refusal(await invoke(names.targetName, { headers: { "X-Amz-Invocation-Type": "Later" }, body: "{}" }))).toEqual([400, "ValidationException", expect.stringContaining("invocationType")]);
    expect(await refusal(await invoke("bad name!"))).toEqual([400, "ValidationException", expect.stringContaining("functionName")]);
    expect(await refusal(await invoke(`${names.targetName}:live`, { query: "?Qualifier=1" }))).toEqual([400, "InvalidParameterValueException", expect.any(String)]);
    expect(await refusal(await invoke(names.targetName, { query: "?Qualifier=v.1" }))).toEqual([400, "ValidationException", "1 validation error detected: Value 'v.1' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)"]);
    const sixMegabytes = JSON.stringify({ blob: "x".repeat(6_291_456) });
    expect(await refusal(await invoke(names.targetName, { body: sixMegabytes }))).toEqual([413, "RequestEntityTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation"]);
    const overOneMegabyte = JSON.stringify({ blob: "x".repeat(1_048_576) });
    expect(await refusal(await invoke(names.targetName, { headers: { "X-Amz-Invocation-Type": "Event" }, body: overOneMegabyte }))).toEqual([413, "RequestEntityTooLargeException", `${Buffer.byteLength(overOneMegabyte)} byte payload is too large for the Event invocation type (limit 1048576 bytes)`]);
    const unsigned = await fetch(`${app.urls.lambda}/2015-03-31/functions/${names.targetName}/invocations`, { method: "POST", body: "{}" });
    expect(await refusal(unsigned)).toEqual([403, "MissingAuthenticationTokenException", "Missing Authentication Token"]);
    // Over every limit, unsigned: refused for its size before the name is looked up (no list of the program's functions).
    const unsignedTooLarge = await fetch(`${app.urls.lambda}/2015-03-31/functions/nope/invocations`, { method: "POST", body: sixMegabytes });
    expect(await refusal(unsignedTooLarge)).toEqual([413, "RequestEntityTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation"]);
    // The signature covers the bytes sent: a body that is not UTF-8 is signed as it is, then refused as no JSON.
    expect(await refusal(await invoke(names.targetName, { body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }))).toEqual([400, "InvalidRequestContentException", expect.stringMatching(/^Could not parse request body into json/)]);
    const unknownPath = await fetch(`${app.urls.lambda}/2015-03-31/functions`, { method: "GET" });
    expect([unknownPath.status, unknownPath.headers.get("x-amzn-errortype")]).toEqual([404, "UnknownOperationException"]);
    const still = await invoke(names.targetName, { body: JSON.stringify({ after: "refusals" }) });
    expect(await still.json()).toEqual({ received: { after: "refusals" } });
  });
});

describe("one name and one ARN per function: the program's, the Invoke API's and the sandbox's (review 30)", () => {
  it("gives a handler the physical name and the ARN fn.arn resolves to, qualified as it was invoked, as the Invoke API names it", async () => {
    const { whoamiName: name, whoamiArn: arn } = names;
    expect(arn).toMatch(/^arn:aws:lambda:us-east-1:\d{12}:function:whoami-function-[0-9a-f]{8}$/);
    // The ARN the Invoke API itself reports for the function (Lambda's "Function not found: <arn>" for a qualifier it lacks).
    const notFound = await orchestrate({ functionName: name, qualifier: "beta" });
    expect(/^Function not found: (\S+):beta\./.exec(String(notFound.message))?.[1]).toBe(arn);
    expect((await orchestrate({ functionName: name })).payload).toEqual(identityOf(name, arn));
    expect((await orchestrate({ functionName: arn })).payload).toEqual(identityOf(name, arn));
    expect((await orchestrate({ functionName: `${name}:live` })).payload).toEqual(identityOf(name, `${arn}:live`, "1"));
    expect((await orchestrate({ functionName: name, qualifier: "1" })).payload).toEqual(identityOf(name, `${arn}:1`, "1"));
  });

  it("names it by that ARN in the invocation records of its Event invocations and of its schedule", async () => {
    const { whoamiName: name, whoamiArn: arn } = names;
    const handledBefore = queued("whoami-handled").length;
    expect(await orchestrate({ functionName: name, invocationType: "Event", payload: { fail: true } })).toMatchObject({ statusCode: 202 });
    expect(await orchestrate({ functionName: `${name}:live`, invocationType: "Event", payload: {} })).toMatchObject({ statusCode: 202 });
    await eventsDone();
    expect(queued("whoami-failures").map((r) => r.requestContext.functionArn)).toEqual([`${arn}:$LATEST`]);
    expect(await (app.services.find((s) => s.name === "events") as LocalEvents).scheduler.triggerNow("whoami")).toBe("succeeded");
    const handled = queued("whoami-handled").slice(handledBefore);
    expect(handled.map((r) => [r.requestContext.functionArn, r.responseContext.executedVersion])).toEqual([
      [`${arn}:live`, "1"],
      [`${arn}:$LATEST`, "$LATEST"],
    ]);
  });

  it("gives a route's function behind the local API Gateway the name the Invoke API lists it by", async () => {
    const route = lambdaService().functions.find((f) => f.spec.entry.endsWith("identity.ts") && f.name !== "whoami")!;
    const response = await fetch(`${gatewayUrl()}/whoami`);
    expect([response.status, await response.json()]).toEqual([200, identityOf(route.functionName, route.arn)]);
  });
});

describe("a route whose function reserves no concurrency, end to end (review 30)", () => {
  it("answers 500 with API Gateway's body through the local gateway, and 429 TooManyRequestsException from the Invoke API", async () => {
    const response = await fetch(`${gatewayUrl()}/throttled`);
    expect([response.status, await response.json()]).toEqual([500, { message: "Internal server error" }]);
    const throttled = lambdaService().functions.find((f) => f.spec.reservedConcurrency === 0)!;
    expect(throttled.functionName).toMatch(/^gw-.*throttled.*-function-[0-9a-f]{8}$/);
    const invoked = await signedFetch(`${app.urls.lambda}/2015-03-31/functions/${throttled.functionName}/invocations`, { body: "{}" }, { service: "lambda" });
    expect([invoked.status, invoked.headers.get("x-amzn-errortype"), ((await invoked.json()) as { Message: string }).Message]).toEqual([429, "TooManyRequestsException", "Rate Exceeded."]);
  });
});

/** The local API Gateway's own address for the program's ServerlessApi "gw" (printed as "gw (<stage>)"). */
function gatewayUrl(): string {
  return Object.entries(app.urls).find(([key]) => key.startsWith("gw "))![1];
}
