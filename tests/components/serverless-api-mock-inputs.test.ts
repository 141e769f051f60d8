/**
 * Mock integration bodies may hold `pulumi.Input`s (e.g. the gallery's GET /config carries
 * UserAuth's pool and client ids): resolved into the integration response template in AWS,
 * and by the local API gateway in `npm start`.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { mockBody, normalise } from "../../components/serverless-api/spec";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import { localiseMockBody } from "../../local/services/api";
import type { LocalContext } from "../../local/services/types";
import { record, resource } from "../harness/mocks";

function args(body: unknown): ServerlessApiArgs {
  return { basePath: "api", routes: { "GET /config": { integration: { type: "mock", body }, auth: "none" } } };
}

const body = () => ({ apiVersion: 1, auth: { userPoolId: pulumi.output("us-east-1_AbCdEfGhI"), clientId: Promise.resolve("client123"), scopes: ["openid"] } });
const resolved = '{"apiVersion":1,"auth":{"userPoolId":"us-east-1_AbCdEfGhI","clientId":"client123","scopes":["openid"]}}';

describe("ServerlessApi mock bodies with Inputs", () => {
  it("keeps plain bodies plain strings, and resolves Outputs and promises at any depth", async () => {
    expect(mockBody({ a: 1 })).toBe('{"a":1}');
    expect(mockBody("raw")).toBe("raw");
    const output = mockBody(body());
    expect(pulumi.Output.isInstance(output)).toBe(true);
    await expect(new Promise((done) => (output as pulumi.Output<string>).apply(done))).resolves.toBe(resolved);
  });

  it("renders the resolved body as the integration response template and redeploys when it changes", async () => {
    const graph = await record(() => new ServerlessApi("m1", args(body())));
    expect(resource(graph, "aws:apigateway/integrationResponse:IntegrationResponse", "m1-integration-response-get-api-config").inputs.responseTemplates).toEqual({ "application/json": resolved });
    const triggers = resource(graph, "aws:apigateway/deployment:Deployment", "m1-deployment").inputs.triggers;
    expect(triggers.snapshot).toMatch(/^[0-9a-f]{64}$/);
    const other = await record(() => new ServerlessApi("m1", args({ ...body(), apiVersion: 2 })));
    expect(resource(other, "aws:apigateway/deployment:Deployment", "m1-deployment").inputs.triggers.snapshot).not.toBe(triggers.snapshot);
  });

  it("is answered resolved by the local API gateway, through its localisation hook", async () => {
    const spec = normalise("local", args(body()));
    const context = { log: () => undefined, run: { config: { region: "us-east-1" } } } as unknown as LocalContext;
    const gateway = createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: () => undefined, localiseMockBody: (text) => text.replace("client123", "local-client") });
    const { server, url } = await listen(gateway, 0);
    try {
      const response = await fetch(`${url}/api/config`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(resolved.replace("client123", "local-client"));
    } finally {
      server.close();
    }
  });

  it("localises only bodies naming a pool the local Cognito runs", () => {
    const environment = { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: "http://127.0.0.1:9" };
    expect(localiseMockBody(resolved, environment)).toBe(resolved);
    expect(localiseMockBody("not json", environment)).toBe("not json");
  });
});
