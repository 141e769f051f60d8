/**
 * A deployment snapshots the API as it is when CreateDeployment runs: it must come after every
 * method, integration, method and integration response, authorizer, gateway response, model,
 * validator and the resource policy of its API, and a change to any of them must redeploy.
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { ofType, record, resource, type RecordedResource } from "../harness/mocks";
import { SNAPSHOT_TYPES } from "../../testing/deploy-rules/apigateway";
import { expectDeploymentAfterEveryPart } from "../stacks/api-checks";
import { refusalOf, type RefusalContract } from "../harness/refusals";

const echo = "tests/fixtures/handlers/echo.ts";
const userPoolArn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TEST";
const bucketArn = "arn:aws:s3:::uploads-bucket";

/** Every route kind, every authorisation kind, a model, CORS and a resource policy. */
function everyKind(overrides: Partial<ServerlessApiArgs> = {}): ServerlessApiArgs {
  return {
    basePath: "api",
    stages: { dev: {}, prod: {} },
    authorizers: {
      cognito: { type: "cognito", userPoolArns: [userPoolArn] },
      jwt: { type: "token", handler: "handlers/api/authorizer.ts" },
      req: { type: "request", handler: "handlers/api/authorizer.ts", identitySource: "method.request.header.X-Token" },
    },
    defaultAuth: { authorizer: "cognito" },
    cors: { allowOrigins: ["https://gallery.example.com"] },
    resourcePolicy: { allowSourceIps: ["203.0.113.0/24"] },
    routes: {
      "GET /health": { handler: echo, auth: "none" },
      "POST /albums": { handler: echo, requestSchema: { type: "object", required: ["title"] }, auth: { authorizer: "jwt" } },
      "DELETE /albums/{albumId}": { handler: echo, auth: "iam" },
      "GET /albums/{albumId}": { handler: echo, auth: { authorizer: "req" } },
      "GET /config": { integration: { type: "mock", body: { version: 1 } }, auth: "none" },
      "GET /legacy/{id}": { integration: { type: "http", uri: "https://legacy.example.com/items/{id}" } },
      "PUT /uploads/{key}": {
        integration: {
          type: "aws",
          service: "s3",
          method: "PUT",
          path: "uploads-bucket/{key}",
          permissions: [{ actions: ["s3:PutObject"], resources: [`${bucketArn}/*`] }],
          requestParameters: { "integration.request.path.key": "method.request.path.key" },
        },
        auth: "iam",
      },
    },
    ...overrides,
  };
}

const deploymentOf = (graph: RecordedResource[], name: string) => resource(graph, "aws:apigateway/deployment:Deployment", `${name}-deployment`);

describe("ServerlessApi deployment ordering", () => {
  it("waits for every part of its API, whatever the route, authorisation or option", async () => {
    const graph = await record(() => new ServerlessApi("o1", everyKind()));
    const parts = expectDeploymentAfterEveryPart(graph, resource(graph, "aws:apigateway/restApi:RestApi", "o1-api"), { canary: false });
    // The fixture really has every kind of part, so the check above covers them all.
    expect([...new Set(parts.map((p) => p.type))].sort()).toEqual([...SNAPSHOT_TYPES].sort());
    // The mock route answers through its method and integration responses (the race of issue 10).
    const deployment = deploymentOf(graph, "o1");
    expect(deployment.dependencies).toContain(resource(graph, "aws:apigateway/methodResponse:MethodResponse", "o1-response-get-api-config").urn);
    expect(deployment.dependencies).toContain(resource(graph, "aws:apigateway/integrationResponse:IntegrationResponse", "o1-integration-response-get-api-config").urn);
  });

  it("waits for the parts of the smallest API too (one Lambda route, no options)", async () => {
    const graph = await record(() => new ServerlessApi("o2", { routes: { "GET /x": { handler: echo } } }));
    expectDeploymentAfterEveryPart(graph, resource(graph, "aws:apigateway/restApi:RestApi", "o2-api"), { canary: false });
  });

  it("(the shared check) refuses a stray deployment: one without a canary, two with one, no more", async () => {
    const graph = await record(() => new ServerlessApi("o3", { routes: { "GET /x": { handler: echo } } }));
    const api = resource(graph, "aws:apigateway/restApi:RestApi", "o3-api");
    // A second deployment of the same API, as a canary deployment left behind after promotion would be.
    const stray = { ...deploymentOf(graph, "o3"), name: "o3-canary-deployment", urn: `${deploymentOf(graph, "o3").urn}-stray`, id: "stray-id" };
    expect(() => expectDeploymentAfterEveryPart([...graph, stray], api, { canary: false })).toThrow();
    expect(() => expectDeploymentAfterEveryPart(graph, api, { canary: true })).toThrow();
    expectDeploymentAfterEveryPart([...graph, stray], api, { canary: true });
    const another = { ...stray, name: "o3-other-deployment", urn: `${stray.urn}-2`, id: "other-id" };
    expect(() => expectDeploymentAfterEveryPart([...graph, stray, another], api, { canary: true })).toThrow();
  });
});

describe("ServerlessApi redeploys when a part of its API changes", () => {
  // Same component name each time, so ids (and with them the parts' inputs) are comparable.
  const triggers = async (args: ServerlessApiArgs) => deploymentOf(await record(() => new ServerlessApi("r1", args)), "r1").inputs.triggers;

  it("keeps the deployment when nothing it snapshots changes (function code and settings, stages)", async () => {
    const base = await triggers(everyKind());
    expect(base).toEqual(await triggers(everyKind()));
    expect(await triggers(everyKind({ stages: { dev: { variables: { logLevel: "debug" } }, prod: {} }, logRetentionDays: 7 }))).toEqual(base);
    const routes = everyKind().routes;
    expect(await triggers(everyKind({ routes: { ...routes, "GET /health": { handler: echo, auth: "none", function: { memorySize: 1024 } } } }))).toEqual(base);
  });

  it("redeploys when a method, integration, authorizer, gateway response or response template changes", async () => {
    const base = await triggers(everyKind());
    const routes = everyKind().routes;
    const changes: Array<[string, Partial<ServerlessApiArgs>]> = [
      // The Lambda integration's timeout follows the function's.
      ["integration timeout", { routes: { ...routes, "GET /health": { handler: echo, auth: "none", function: { timeout: 20 } } } }],
      ["authorizer cache TTL", { authorizers: { ...everyKind().authorizers, jwt: { type: "token", handler: "handlers/api/authorizer.ts", resultTtlSeconds: 60 } } }],
      ["user pool of the Cognito authorizer", { authorizers: { ...everyKind().authorizers, cognito: { type: "cognito", userPoolArns: [`${userPoolArn}2`] } } }],
      ["mock body", { routes: { ...routes, "GET /config": { integration: { type: "mock", body: { version: 2 } }, auth: "none" } } }],
      ["CORS origin (preflights and gateway responses)", { cors: { allowOrigins: ["https://other.example.com"] } }],
      ["resource policy", { resourcePolicy: { allowSourceIps: ["198.51.100.0/24"] } }],
    ];
    for (const [what, change] of changes) {
      expect(await triggers(everyKind(change)), what).not.toEqual(base);
    }
  });
});

describe("ServerlessApi AWS-service integrations answer like the service", () => {
  it("maps 2xx through (with its Content-Type), 4xx to 400 and everything else to 500", async () => {
    const graph = await record(() => new ServerlessApi("w1", everyKind()));
    const slug = "put-api-uploads-key";
    const methodResponses = ofType(graph, "aws:apigateway/methodResponse:MethodResponse").filter((r) => r.name.startsWith(`w1-response-${slug}`));
    expect(methodResponses.map((r) => r.inputs.statusCode).sort()).toEqual(["200", "400", "500"]);
    const integrationResponses = Object.fromEntries(
      ofType(graph, "aws:apigateway/integrationResponse:IntegrationResponse")
        .filter((r) => r.name.startsWith(`w1-integration-response-${slug}`))
        .map((r): [string, Record<string, any>] => [r.inputs.statusCode, r.inputs]),
    );
    expect(Object.keys(integrationResponses).sort()).toEqual(["200", "400", "500"]);
    // API Gateway matches an AWS integration's selection patterns against the service's HTTP status.
    expect(integrationResponses["200"]).toMatchObject({ selectionPattern: "2\\d{2}", responseParameters: { "method.response.header.Content-Type": "integration.response.header.Content-Type" } });
    expect(integrationResponses["200"].responseTemplates).toBeUndefined();
    expect(integrationResponses["400"]).toMatchObject({ selectionPattern: "4\\d{2}" });
    // The default response (no pattern) catches 5xx and anything unexpected.
    expect(integrationResponses["500"].selectionPattern).toBeUndefined();
    for (const status of ["400", "500"]) expect(JSON.parse(integrationResponses[status].responseTemplates["application/json"])).toHaveProperty("message");
    const ok = methodResponses.find((r) => r.inputs.statusCode === "200")!;
    expect(ok.inputs.responseParameters).toEqual({ "method.response.header.Content-Type": true });
    const integration = resource(graph, "aws:apigateway/integration:Integration", `w1-integration-${slug}`);
    for (const response of Object.values(integrationResponses)) expect(response.httpMethod).toBe(integration.inputs.httpMethod);
  });

  it("declares the method request parameters the integration maps from", async () => {
    const routes = everyKind().routes;
    const graph = await record(
      () =>
        new ServerlessApi("w2", {
          ...everyKind(),
          routes: {
            ...routes,
            "PUT /uploads/{key}": {
              integration: {
                type: "aws",
                service: "s3",
                method: "PUT",
                path: "uploads-bucket/{key}",
                permissions: [{ actions: ["s3:PutObject"], resources: [`${bucketArn}/*`] }],
                requestParameters: {
                  "integration.request.path.key": "method.request.path.key",
                  "integration.request.header.Content-Type": "method.request.header.Content-Type",
                  "integration.request.header.x-amz-acl": "'private'",
                },
              },
              auth: "iam",
            },
          },
        }),
    );
    expect(resource(graph, "aws:apigateway/method:Method", "w2-method-put-api-uploads-key").inputs.requestParameters).toEqual({
      "method.request.path.key": true,
      "method.request.header.Content-Type": false,
    });
  });

  it.each<[string, Record<string, string>, RegExp, RefusalContract]>([
    ["an unknown target", { "integration.request.body.key": "method.request.path.key" }, /requestParameters "integration\.request\.body\.key" is not an integration request parameter/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["PUT /uploads/{key}"].integration.requestParameters', value: "integration.request.body.key", fix: "Use integration.request.<path|querystring|header|multivaluequerystring|multivalueheader>.<name>." }],
    ["a path parameter the route lacks", { "integration.request.path.key": "method.request.path.name" }, /requestParameters\["integration\.request\.path\.key"\] "method\.request\.path\.name" names a path parameter the route does not have/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["PUT /uploads/{key}"].integration.requestParameters["integration.request.path.key"]', value: "method.request.path.name", fix: "Use one of method.request.path.key." }],
    ["an unknown source", { "integration.request.header.x": "request.header.x" }, /is not a method request parameter, a 'static value', context\. or stageVariables\. variable/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["PUT /uploads/{key}"].integration.requestParameters["integration.request.header.x"]', value: "request.header.x", fix: "Use e.g. method.request.path.key, method.request.header.Content-Type, 'application/json' or context.requestId." }],
    // The body's JSONPath is read by the one reader npm start evaluates it with (components/serverless-api/jsonpath.ts).
    ["a body JSONPath ending in .", { "integration.request.header.x": "method.request.body.owner." }, /"method\.request\.body\.owner\." is a JSONPath into the body that Jayway .*cannot parse: JSONPath "\$\.owner\.": expected a name after \./, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["PUT /uploads/{key}"].integration.requestParameters["integration.request.header.x"]', value: "method.request.body.owner.", fix: "Write the part after method.request.body. as Jayway reads it, e.g. method.request.body.owner.name, method.request.body.items[0].id or method.request.body.items[?(@.kind == 'photo')].id." }],
    ["a body JSONPath with a blank in a name", { "integration.request.header.x": "method.request.body.owner name" }, /cannot parse: JSONPath "\$\.owner name": not JSONPath API Gateway reads: a name with a space is written in brackets, \['a name'\]/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["PUT /uploads/{key}"].integration.requestParameters["integration.request.header.x"]', value: "method.request.body.owner name", fix: "Write the part after method.request.body. as Jayway reads it, e.g. method.request.body.owner.name, method.request.body.items[0].id or method.request.body.items[?(@.kind == 'photo')].id." }],
    ["a body JSONPath with an unclosed bracket", { "integration.request.header.x": "method.request.body.tags[0" }, /cannot parse: JSONPath "\$\.tags\[0": expected \]/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["PUT /uploads/{key}"].integration.requestParameters["integration.request.header.x"]', value: "method.request.body.tags[0", fix: "Write the part after method.request.body. as Jayway reads it, e.g. method.request.body.owner.name, method.request.body.items[0].id or method.request.body.items[?(@.kind == 'photo')].id." }],
    ["a body JSONPath with an unknown filter operator", { "integration.request.header.x": "method.request.body.tags[?(@.k like 'a')]" }, /cannot parse: .*like is not a filter operator/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["PUT /uploads/{key}"].integration.requestParameters["integration.request.header.x"]', value: "method.request.body.tags[?(@.k like 'a')]", fix: "Write the part after method.request.body. as Jayway reads it, e.g. method.request.body.owner.name, method.request.body.items[0].id or method.request.body.items[?(@.kind == 'photo')].id." }],
    ["a body JSONPath with in not followed by a space", { "integration.request.header.x": "method.request.body.tags[?(@.k in['a'])]" }, /cannot parse: .*the filter operator in is followed by "\[", not a space/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["PUT /uploads/{key}"].integration.requestParameters["integration.request.header.x"]', value: "method.request.body.tags[?(@.k in['a'])]", fix: "Write the part after method.request.body. as Jayway reads it, e.g. method.request.body.owner.name, method.request.body.items[0].id or method.request.body.items[?(@.kind == 'photo')].id." }],
  ])("refuses request parameters with %s", (_, requestParameters, message, contract) => {
    const routes = everyKind().routes;
    const aws = routes["PUT /uploads/{key}"].integration as Extract<NonNullable<(typeof routes)[string]["integration"]>, { type: "aws" }>;
    expect(refusalOf(() => new ServerlessApi("bad", { ...everyKind(), routes: { ...routes, "PUT /uploads/{key}": { integration: { ...aws, requestParameters }, auth: "iam" } } }), "ServerlessApi accepted the arguments")).toMatchObject({
      ...contract,
      message: expect.stringMatching(message),
    });
  });

  // Only what Jayway cannot parse is refused: a path only the local reader does not take (a function, several names,
  // a slice step, an operator it does not offer) may be one API Gateway reads, so the plan leaves it to AWS.
  it.each(["owner", "items[0].id", "items[-1]", "items[?(@.kind == 'photo')].id", "items.length()", "['a','b']", "items[0:4:2]", "items[?(@.tags all ['a'])]", "['owner name']"])(
    "accepts the body JSONPath method.request.body.%s",
    (path) => {
      const routes = everyKind().routes;
      const aws = routes["PUT /uploads/{key}"].integration as Extract<NonNullable<(typeof routes)[string]["integration"]>, { type: "aws" }>;
      const requestParameters = { ...aws.requestParameters, "integration.request.header.x-amz-meta-owner": `method.request.body.${path}` };
      expect(() => new ServerlessApi("ok", { ...everyKind(), routes: { ...routes, "PUT /uploads/{key}": { integration: { ...aws, requestParameters }, auth: "iam" } } })).not.toThrow();
    },
  );
});
