/**
 * reservedConcurrency 0 locally (review 28 F11): Lambda throttles every invocation of a function that reserves no
 * concurrency, so `npm start` refuses them as Lambda does (TooManyRequestsException, "Rate Exceeded."), before any
 * sandbox starts; API Gateway answers such a refused invocation with its 500. The gateway test below stubs the sandbox;
 * tests/local/lambda-invoke.test.ts runs the whole path (a program route with reservedConcurrency 0: 500 and 429).
 */
import { mkdtempSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { ApiKind } from "../../components/serverless-api/args";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import { LambdaInvokeError, LocalLambda } from "../../local/lambda-runtime";
import type { LocalContext } from "../../local/services/types";
import { gatewaySpec } from "../harness/api-spec";
import { localLambdaSpec } from "../harness/lambda-spec";

const spec: LambdaFunctionSpec = localLambdaSpec({ name: "throttled", entry: join(__dirname, "../fixtures/handlers/results.ts") });
const buildDir = mkdtempSync(join(tmpdir(), "sf-reserved-"));

let servers: Server[] = [];
afterEach(() => {
  for (const server of servers) server.close();
  servers = [];
});

describe("reservedConcurrency 0 locally", () => {
  it("refuses every invocation as Lambda throttles it, without starting a sandbox; any other reservation runs", async () => {
    const none = new LocalLambda({ ...spec, reservedConcurrency: 0 }, { buildDir, sharedEnvironment: {}, functionName: "none-fn" });
    const error: unknown = await none.invoke({ action: "echo" }).catch((e) => e);
    expect(error).toBeInstanceOf(LambdaInvokeError);
    expect(error).toMatchObject({ errorType: "TooManyRequestsException", message: "none-fn: TooManyRequestsException: Rate Exceeded." });
    expect(none.coldStarts).toBe(0);
    const one = new LocalLambda({ ...spec, reservedConcurrency: 1 }, { buildDir, sharedEnvironment: {} });
    try {
      expect(await one.invoke({ action: "echo" })).toEqual({ action: "echo" });
    } finally {
      await one.stop();
    }
  });

  it("API Gateway answers a throttled route 500 Internal server error (REST) or 500 Internal Server Error (HTTP kind), not 502", async () => {
    for (const [kind, body] of [[ApiKind.Rest, { message: "Internal server error" }], [ApiKind.Http, { message: "Internal Server Error" }]] as const) {
      const api = gatewaySpec("api", { kind, routes: { "GET /a": { handler: "tests/fixtures/handlers/echo.ts", auth: "none" } } });
      const context = {
        log: () => undefined,
        run: { config: { region: "us-east-1" } },
        lambda: () => ({ invoke: async () => Promise.reject(new LambdaInvokeError("fn", "TooManyRequestsException", "Rate Exceeded.")) }),
      } as unknown as LocalContext;
      const { server, url } = await listen(createLocalGateway({ spec: api, stage: api.stages[0], context, issuerFor: () => undefined }), 0);
      servers.push(server);
      const response = await fetch(`${url}/a`);
      expect({ kind, status: response.status, body: await response.json() }).toEqual({ kind, status: 500, body });
    }
  });
});
