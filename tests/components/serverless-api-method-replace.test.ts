/**
 * A REST method is replaced delete-first: API Gateway refuses a second PutMethod on the same API, resource and HTTP
 * method (ConflictException "Method already exists for this resource"), which Pulumi's create-first replacement
 * (`pulumi up --replace`, a changed resource of the same path) would send. The method's integration and responses name
 * its httpMethod output, so a replacement replaces them too (routes.ts METHOD_OPTIONS).
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi } from "../../components/serverless-api";
import type { RecordedResource } from "../../local/offline/mocks";
import { ofType, record } from "../harness/mocks";

const METHOD = "aws:apigateway/method:Method";
const INTEGRATION = "aws:apigateway/integration:Integration";
const METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse";
const INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse";
const DEPLOYMENT = "aws:apigateway/deployment:Deployment";

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

/**
 * When the engine replaces a resource delete-first it first deletes each dependent that the replacement would replace:
 * a resource with an input whose property dependencies name one in the set and that the provider's Diff, given that
 * input unknown, replaces (pulumi pkg/resource/deploy/step_generator.go calculateDependentReplacements; dependsOn alone
 * does not count). The inputs terraform-provider-aws replaces on (ForceNew) for the REST API parts a method reaches:
 * apigateway/integration.go, method_response.go, integration_response.go (rest_api_id, resource_id, http_method,
 * status_code) and deployment.go (rest_api_id, triggers).
 */
const FORCE_NEW: Record<string, readonly string[]> = {
  [INTEGRATION]: ["restApi", "resourceId", "httpMethod"],
  [METHOD_RESPONSE]: ["restApi", "resourceId", "httpMethod", "statusCode"],
  [INTEGRATION_RESPONSE]: ["restApi", "resourceId", "httpMethod", "statusCode"],
  [DEPLOYMENT]: ["restApi", "triggers"],
};

function deletedFirstWith(graph: RecordedResource[], root: RecordedResource): RecordedResource[] {
  const set = new Set([root.urn]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of graph) {
      if (set.has(r.urn)) continue;
      const forcing = FORCE_NEW[r.type] ?? [];
      if (forcing.some((input) => (r.propertyDependencies?.[input] ?? []).some((urn) => set.has(urn)))) {
        set.add(r.urn);
        grew = true;
      }
    }
  }
  return graph.filter((r) => set.has(r.urn) && r.urn !== root.urn);
}

describe("ServerlessApi method replaced delete-first", () => {
  it("deletes first its integration and responses, never the deployment a stage serves (API Gateway refuses that DeleteDeployment)", async () => {
    const graph = await record(
      () =>
        new ServerlessApi("mrd", {
          basePath: "api",
          cors: { allowOrigins: ["https://gallery.example.com"] },
          routes: { "GET /maintenance": { integration: { type: "mock", statusCode: 503, body: { message: "back soon" } }, auth: "none" } },
        }),
    );
    const deployment = ofType(graph, DEPLOYMENT)[0]!;
    // The deployment still comes after every part (dependsOn) ...
    for (const m of ofType(graph, METHOD)) expect(deployment.dependencies).toContain(m.urn);
    for (const method of ofType(graph, METHOD)) {
      const first = deletedFirstWith(graph, method);
      // ... but no replaced method takes it (or a response's delete-first replacement) down before the stage moves.
      expect({ method: method.name, types: [...new Set(first.map((r) => r.type))].sort() }).toEqual({ method: method.name, types: [INTEGRATION, INTEGRATION_RESPONSE, METHOD_RESPONSE].sort() });
    }
    for (const response of ofType(graph, METHOD_RESPONSE).filter((r) => r.deleteBeforeReplace)) {
      expect(deletedFirstWith(graph, response).map((r) => r.type)).not.toContain(DEPLOYMENT);
    }
  });
});
