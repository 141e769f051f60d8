import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { ofType, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";

const echo = "tests/fixtures/handlers/echo.ts";
const userPoolArn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TEST";
const tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/gallery";

function args(overrides: Partial<ServerlessApiArgs> = {}): ServerlessApiArgs {
  return {
    basePath: "api",
    stages: { dev: { variables: { logLevel: "debug" } }, prod: {} },
    authorizers: {
      cognito: { type: "cognito", userPoolArns: [userPoolArn] },
      jwt: { type: "token", handler: "handlers/api/authorizer.ts", function: { environment: { USER_POOL_ID: "us-east-1_TEST", USER_POOL_CLIENT_ID: "client" } } },
    },
    defaultAuth: { authorizer: "cognito" },
    routes: {
      "GET /health": { handler: echo, auth: "none" },
      "GET /albums/{albumId}": { handler: echo, function: { permissions: [{ actions: ["dynamodb:GetItem"], resources: [tableArn] }] } },
      "POST /albums": { handler: echo, requestSchema: { type: "object", required: ["title"] }, auth: { authorizer: "jwt" } },
      "DELETE /albums/{albumId}": { handler: echo, auth: "iam" },
      "GET /config": { integration: { type: "mock", body: { version: 1 } }, auth: "none" },
      "GET /legacy/{id}": { integration: { type: "http", uri: "https://legacy.example.com/items/{id}" } },
      "PUT /uploads/{key}": {
        integration: { type: "aws", service: "s3", method: "PUT", path: "uploads-bucket/{key}", permissions: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::uploads-bucket/*"] }], requestParameters: { "integration.request.path.key": "method.request.path.key" } },
        auth: "iam",
      },
    },
    ...overrides,
  };
}

const byType = (graph: RecordedResource[], type: string) => ofType(graph, type);

describe("ServerlessApi", () => {
  it("builds the resource tree under the base path and a method per route", async () => {
    const graph = await record(() => new ServerlessApi("t1", args()));
    const paths = byType(graph, "aws:apigateway/resource:Resource").map((r) => r.inputs.pathPart);
    expect(paths).toEqual(["api", "albums", "config", "health", "legacy", "uploads", "{albumId}", "{id}", "{key}"]);
    const api = resource(graph, "aws:apigateway/restApi:RestApi", "t1-api");
    expect(api.inputs.endpointConfiguration.types).toBe("REGIONAL");
    const apiRes = resource(graph, "aws:apigateway/resource:Resource", "t1-res-api");
    expect(apiRes.inputs.parentId).toBe(api.state.rootResourceId);
    const methods = byType(graph, "aws:apigateway/method:Method").map((m) => `${m.inputs.httpMethod} ${m.name}`);
    expect(methods).toHaveLength(7);
  });
});
