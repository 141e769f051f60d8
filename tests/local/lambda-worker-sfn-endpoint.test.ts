/**
 * The Lambda sandbox (local/lambda-worker.mjs) maps Step Functions' "sync-" host prefix from AWS_ENDPOINT_URL_SFN; a
 * value that is not a URL must not stop the sandbox from loading the handler (review 36c, L4): it is ignored, with a
 * line in the function's log.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { LocalLambda, type HandlerLogChunk } from "../../local/lambda-runtime";
import { localLambdaSpec } from "../harness/lambda-spec";

const logs: HandlerLogChunk[] = [];
const NOTICE = 'local runtime: AWS_ENDPOINT_URL_SFN is not a URL ("not a url")';
// The sandbox's stderr reaches the sink on its own stream, not ordered with the result: waited for, not assumed.
let noticed!: () => void;
const notice = new Promise<void>((resolve) => (noticed = resolve));
const lambda = new LocalLambda(localLambdaSpec({ name: "sfn-endpoint-not-a-url", entry: join(__dirname, "../fixtures/handlers/echo.ts"), timeout: 10 }), {
  buildDir: mkdtempSync(join(tmpdir(), "sfn-endpoint-")),
  sharedEnvironment: { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", AWS_ENDPOINT_URL_SFN: "not a url" },
  logs: (chunk) => {
    logs.push(chunk);
    if (logs.map((each) => each.text).join("").includes(NOTICE)) noticed();
  },
});
afterAll(() => lambda.stop());

it("loads the handler and runs it when AWS_ENDPOINT_URL_SFN is not a URL, saying so in the function's log", async () => {
  expect(await lambda.invoke({ message: "hi" })).toMatchObject({ echoed: "hi" });
  await notice;
  expect(logs.map((chunk) => chunk.stream)).toContain("stderr");
});
