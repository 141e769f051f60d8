/**
 * A stage variable in an HTTP integration's `uri` (review 28, F10): deployed as written, so API Gateway substitutes it
 * per stage; refused when a stage of the API does not define it, since that stage would send a request with an empty
 * host or segment; refused in an HTTP-kind private integration, whose overwrite:path and TLS server name ServerlessApi
 * computes from `uri` at construction.
 */
import { describe, expect, it } from "vitest";
import { ApiKind, ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { record, resource } from "../harness/mocks";
import { refusalOf, type RefusalContract } from "../harness/refusals";

const uri = "https://${stageVariables.backend}/items/{id}";
const routes: ServerlessApiArgs["routes"] = { "GET /items/{id}": { integration: { type: "http", uri }, auth: "none" } };

describe("ServerlessApi: a stage variable in an HTTP integration's uri", () => {
  it("REST: deployed as written, mapping only the path parameter", async () => {
    const graph = await record(() => new ServerlessApi("sv1", { routes, stages: { dev: { variables: { backend: "dev.example.com" } }, prod: { variables: { backend: "prod.example.com" } } } }));
    const integration = resource(graph, "aws:apigateway/integration:Integration", "sv1-integration-get-items-id");
    expect(integration.inputs.uri).toBe(uri);
    expect(integration.inputs.requestParameters).toEqual({ "integration.request.path.id": "method.request.path.id" });
  });

  it("HTTP kind: deployed as written", async () => {
    const graph = await record(() => new ServerlessApi("sv2", { kind: ApiKind.Http, routes, stages: { prod: { variables: { backend: "prod.example.com" } } } }));
    expect(resource(graph, "aws:apigatewayv2/integration:Integration", "sv2-integration-get-items-id").inputs.integrationUri).toBe(uri);
  });

  it("the alias variable ServerlessApi sets on every stage may be named", async () => {
    const aliasUri = "https://backend.example.com/${stageVariables.alias}/items";
    await expect(record(() => new ServerlessApi("sv3", { routes: { "GET /items": { integration: { type: "http", uri: aliasUri }, auth: "none" } } }))).resolves.toBeDefined();
  });

  it.each<[string, Partial<ServerlessApiArgs>, RegExp, RefusalContract]>([
    ["REST: a stage without the variable", { stages: { dev: { variables: { backend: "dev.example.com" } }, prod: {} } },
      /^ServerlessApi "bad": routes\["GET \/items\/\{id\}"\]\.integration\.uri "https:\/\/\$\{stageVariables\.backend\}\/items\/\{id\}" names the stage variable "backend", which stage "prod" does not define: API Gateway would call that stage's backend with an empty value there\. Set stages\.prod\.variables\.backend, or write the value into the uri\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /items/{id}"].integration.uri', value: "https://${stageVariables.backend}/items/{id}", fix: "Set stages.prod.variables.backend, or write the value into the uri." }],
    ["REST: only a canary defines it", { stages: { prod: { canary: { percentTraffic: 10, stageVariableOverrides: { backend: "canary.example.com" } } } } },
      /names the stage variable "backend", which stage "prod" does not define/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /items/{id}"].integration.uri', value: "https://${stageVariables.backend}/items/{id}", fix: "Set stages.prod.variables.backend, or write the value into the uri." }],
    ["HTTP kind: a stage without the variable", { kind: ApiKind.Http, stages: { prod: {} } }, /names the stage variable "backend", which stage "prod" does not define/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /items/{id}"].integration.uri', value: "https://${stageVariables.backend}/items/{id}", fix: "Set stages.prod.variables.backend, or write the value into the uri." }],
    ["HTTP kind: in a private integration", {
      kind: ApiKind.Http,
      stages: { prod: { variables: { backend: "internal.example.com" } } },
      routes: { "GET /items/{id}": { integration: { type: "http", uri, vpcLink: { id: "vpclink-1", listenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/0123456789abcdef/0123456789abcdef" } }, auth: "none" } },
    }, /^ServerlessApi "bad": routes\["GET \/items\/\{id\}"\]\.integration\.uri ".*" names a stage variable in an HTTP API's private integration, whose backend path \(overwrite:path\) and TLS server name ServerlessApi reads from the uri when it is built, not per stage\. Write the backend's host and path into the uri\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /items/{id}"].integration.uri', value: "https://${stageVariables.backend}/items/{id}", fix: "Write the backend's host and path into the uri." }],
  ])("%s is refused", (_, bad, message, contract) => {
    expect(refusalOf(() => new ServerlessApi("bad", { routes, ...bad }), "ServerlessApi accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });
});
