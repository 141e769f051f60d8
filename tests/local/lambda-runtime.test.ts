import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { LambdaInvokeError, LocalLambda } from "../../local/lambda-runtime";

const spec: LambdaFunctionSpec = {
  name: "behaviours",
  entry: join(__dirname, "../fixtures/handlers/behaviours.ts"),
  handler: "handler",
  memorySize: 128,
  timeout: 1,
  ephemeralStorageSize: 512,
  architecture: "arm64",
  publish: false,
  tracing: false,
  edge: false,
  logRetentionDays: 30,
  environment: { TABLE_NAME: "gallery-table" },
  permissions: [],
  layers: [],
  bundle: {},
  retainOnDelete: false,
};

const lambda = new LocalLambda(spec, { buildDir: mkdtempSync(join(tmpdir(), "sf-lambda-")), sharedEnvironment: { AWS_REGION: "eu-west-1" } });
afterAll(() => lambda.stop());

describe("LocalLambda", () => {
  it("gives the handler its own environment and keeps the sandbox warm", async () => {
    expect(await lambda.invoke({ action: "env" })).toEqual({ table: "gallery-table", region: "eu-west-1", fn: "behaviours", invocations: 1 });
    expect(await lambda.invoke({ action: "count" })).toEqual({ invocations: 2 });
    expect(process.env.TABLE_NAME).toBeUndefined();
  });

  it("returns handler errors as Lambda does", async () => {
    const error = await lambda.invoke({ action: "throw" }).catch((e) => e);
    expect(error).toBeInstanceOf(LambdaInvokeError);
    expect(error).toMatchObject({ errorType: "TypeError", message: "behaviours: TypeError: bad thing" });
  });

  it("enforces the timeout and starts a fresh sandbox afterwards", async () => {
    const error = await lambda.invoke({ action: "sleep", ms: 3000 }).catch((e) => e);
    expect(error).toMatchObject({ errorType: "Sandbox.Timedout" });
    const after = await lambda.invoke<{ slept: number; remaining: number }>({ action: "sleep", ms: 10 });
    expect(after.remaining).toBeGreaterThan(0);
    expect(await lambda.invoke({ action: "count" })).toEqual({ invocations: 2 });
  });
});
