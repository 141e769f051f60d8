/**
 * A route's `integration.method` as the provider takes it: one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT,
 * case-sensitively. REST: an HTTP or AWS-service integration's integrationHttpMethod (the deploy rule
 * ApiMethodHttpMethod). Found by the API arguments fuzz, seed 2 (`FUZZ_SEED=2 FUZZ_RUNS=200`): `method: "get"` was
 * accepted and the plan failed ApiMethodHttpMethod. HTTP kind: an HTTP integration's integrationMethod, which
 * terraform-provider-aws checks with the same case-sensitive list (internal/service/apigatewayv2/integration.go,
 * `"integration_method": { ValidateFunc: validHTTPMethod() }`; apigatewayv2/validate.go `validHTTPMethod` is
 * `validation.StringInSlice([]string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}, false)`),
 * so `"get"` was deployed as written and `pulumi preview` failed (the deploy rule ApiV2IntegrationMethod).
 */
import { describe, expect, it } from "vitest";
import { ApiKind, ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { checkDeployRules } from "../../testing/deploy-rules";
import { record, resource } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

const http = (method: string): ServerlessApiArgs["routes"] => ({ "GET /": { integration: { type: "http", uri: "https://legacy.example.com/items", method }, auth: "none" } });

describe("ServerlessApi: an integration's method", () => {
  it.each<[string, ServerlessApiArgs["routes"], string, string, ApiKind]>([
    ["an HTTP integration's lower-case method", http("get"), "get", 'Write "GET".', ApiKind.Rest],
    ["an HTTP integration's method API Gateway does not know", http("TRACE"), "TRACE", "Use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY.", ApiKind.Rest],
    ["an AWS-service integration's lower-case method",
      { "PUT /files/{key}": { integration: { type: "aws", service: "s3", method: "put", path: "my-bucket/{key}", requestParameters: { "integration.request.path.key": "method.request.path.key" }, permissions: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::my-bucket/*"] }] }, auth: "none" } },
      "put", 'Write "PUT".', ApiKind.Rest],
    ["the HTTP kind's lower-case integration method", http("get"), "get", 'Write "GET".', ApiKind.Http],
    ["the HTTP kind's mixed-case integration method", http("Post"), "Post", 'Write "POST".', ApiKind.Http],
    ["the HTTP kind's integration method API Gateway does not know", http("TRACE"), "TRACE", "Use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY.", ApiKind.Http],
  ])("refuses %s at construction", (_, routes, value, fix, kind) => {
    const key = Object.keys(routes!)[0];
    expect(refusalOf(() => new ServerlessApi("bad", { kind, routes }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "bad",
      argument: `routes["${key}"].integration.method`,
      value,
      fix,
      message: expect.stringMatching(/as written; the provider checks an integration's method case-sensitively/),
    });
  });

  it("takes an upper-case method, and the plan passes the deploy rules", async () => {
    const graph = await record(() => new ServerlessApi("ok", { routes: http("POST") }));
    expect(resource(graph, "aws:apigateway/integration:Integration", "ok-integration-get-root").inputs.integrationHttpMethod).toBe("POST");
    expect(checkDeployRules(graph, { stack: "test", production: false, region: "us-east-1" }).filter((f) => f.rule === "ApiMethodHttpMethod")).toEqual([]);
  });

  it("takes the HTTP kind's upper-case method, and the plan passes the deploy rules", async () => {
    const graph = await record(() => new ServerlessApi("hk", { kind: ApiKind.Http, routes: http("PUT") }));
    expect(resource(graph, "aws:apigatewayv2/integration:Integration", "hk-integration-get-root").inputs.integrationMethod).toBe("PUT");
    expect(checkDeployRules(graph, { stack: "test", production: false, region: "us-east-1" }).filter((f) => f.rule === "ApiV2IntegrationMethod")).toEqual([]);
  });
});
