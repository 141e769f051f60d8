/**
 * A REST method is replaced delete-first: API Gateway refuses a second PutMethod on the same API, resource and HTTP
 * method (ConflictException "Method already exists for this resource"), which Pulumi's create-first replacement
 * (`pulumi up --replace`, a changed resource of the same path) would send. The method's integration and responses name
 * its httpMethod output, so a replacement replaces them too (routes.ts METHOD_OPTIONS).
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi } from "../../components/serverless-api";
import { ofType, record } from "../harness/mocks";

const METHOD = "aws:apigateway/method:Method";
const INTEGRATION = "aws:apigateway/integration:Integration";
const METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse";
const INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse";

describe("ServerlessApi methods", () => {
  it("are replaced delete-first, and every integration and response depends on its method's httpMethod", async () => {
    const graph = await record(
      () =>
        new ServerlessApi("mr", {
          basePath: "api",
          cors: { allowOrigins: ["https://gallery.example.com"] },
          routes: {
            "GET /maintenance": { integration: { type: "mock", statusCode: 503, body: { message: "back soon" } }, auth: "none" },
            "POST /items": { integration: { type: "mock", statusCode: 201, body: {} }, auth: "iam" },
          },
        }),
    );
    const methods = ofType(graph, METHOD);
    expect(methods.map((m) => [m.name, m.deleteBeforeReplace])).toEqual(expect.arrayContaining([
      ["mr-method-get-api-maintenance", true],
      ["mr-method-post-api-items", true],
      ["mr-method-options-api-maintenance", true],
      ["mr-method-options-api-items", true],
    ]));
    expect(methods.every((m) => m.deleteBeforeReplace)).toBe(true);
    const parts = [...ofType(graph, INTEGRATION), ...ofType(graph, METHOD_RESPONSE), ...ofType(graph, INTEGRATION_RESPONSE)];
    expect(parts.length).toBeGreaterThanOrEqual(12);
    for (const part of parts) {
      const method = methods.find((m) => m.inputs.resourceId === part.inputs.resourceId && m.inputs.httpMethod === part.inputs.httpMethod)!;
      expect({ part: part.name, dependsOnMethod: part.propertyDependencies?.httpMethod ?? [] }).toEqual({ part: part.name, dependsOnMethod: [method.urn] });
    }
  });
});
