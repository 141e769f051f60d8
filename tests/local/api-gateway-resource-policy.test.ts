/**
 * `npm start` applies a REST API's resource policy IP conditions (review 28, F6): the policy's explicit Deny for a
 * caller outside `allowSourceIps` or inside `denySourceIps` answers 403 as API Gateway does, before authorizers and the
 * integration. The test client calls from 127.0.0.1.
 */
import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiResourcePolicy } from "../../components/serverless-api/args";
import { gatewaySpec } from "../harness/api-spec";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import type { LocalContext } from "../../local/services/types";

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
});

async function call(resourcePolicy: ApiResourcePolicy | undefined, path = "/config", init?: RequestInit) {
  const spec = gatewaySpec("api", { routes: { "GET /config": { integration: { type: "mock", body: { ok: true } }, auth: "none" } }, cors: { allowOrigins: ["https://app.example.com"] }, resourcePolicy });
  const context = { log: () => {}, run: { config: { region: "us-east-1" } } } as unknown as LocalContext;
  const { server } = await listen(createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: () => undefined }), 0);
  servers.push(server);
  const port = (server.address() as { port: number }).port;
  const response = await fetch(`http://127.0.0.1:${port}${path}`, init);
  return { status: response.status, errorType: response.headers.get("x-amzn-errortype"), body: await response.text() };
}

const denied = {
  status: 403,
  errorType: "AccessDeniedException",
  body: JSON.stringify({ Message: "User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:local/prod/GET/config with an explicit deny" }),
};

describe("the local gateway applies the resource policy's source IP conditions", () => {
  it("denySourceIps holding the caller: 403, API Gateway's resource-policy denial", async () => {
    expect(await call({ denySourceIps: ["127.0.0.0/8"] })).toEqual(denied);
  });

  it("allowSourceIps without the caller: 403", async () => {
    expect(await call({ allowSourceIps: ["203.0.113.0/24", "2001:db8::/32"] })).toEqual(denied);
  });

  it("the caller in allowSourceIps (an address without a prefix too) and not in denySourceIps: answered", async () => {
    expect((await call({ allowSourceIps: ["10.0.0.0/8", "127.0.0.1"], denySourceIps: ["198.51.100.7/32"] })).status).toBe(200);
    expect((await call(undefined)).status).toBe(200);
  });

  it("a CORS preflight is denied too (the policy covers every method)", async () => {
    const preflight = await call({ denySourceIps: ["127.0.0.1/32"] }, "/config", { method: "OPTIONS", headers: { origin: "https://app.example.com", "access-control-request-method": "GET" } });
    expect(preflight.status).toBe(403);
  });
});
