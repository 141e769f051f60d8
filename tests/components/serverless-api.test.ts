import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { ACCESS_LOG_FORMAT, API_BUNDLE_EXTERNALS, ApiKind, ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { normalise } from "../../components/serverless-api/spec";
import { RegionalApis } from "../../components/regional-apis";
import { checkDeployRules, PHYSICAL_NAME_LIMITS } from "../../testing/deploy-rules";
import { aliasNames, childrenOf, ofType, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";
import { refusalOf, type RefusalContract } from "../harness/refusals";

const echo = "tests/fixtures/handlers/echo.ts";
const userPoolArn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TEST";
const tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/gallery";

function args(overrides: Partial<ServerlessApiArgs> = {}): ServerlessApiArgs {
  return {
    basePath: "api",
    stages: { dev: { variables: { logLevel: "debug" } }, prod: { throttle: { rateLimit: 500, burstLimit: 1000 } } },
    authorizers: {
      cognito: { type: "cognito", userPoolArns: [userPoolArn] },
      jwt: { type: "token", handler: "handlers/api/authorizer.ts", resultTtlSeconds: 60, function: { environment: { USER_POOL_ID: "us-east-1_TEST", USER_POOL_CLIENT_ID: "client" } } },
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


const method = (graph: RecordedResource[], name: string) => resource(graph, "aws:apigateway/method:Method", name);
const integration = (graph: RecordedResource[], name: string) => resource(graph, "aws:apigateway/integration:Integration", name);

describe("ServerlessApi routes and integrations", () => {
  it("builds the resource tree under the base path, one method per route, children of the component", async () => {
    const graph = await record(() => new ServerlessApi("t1", args()));
    const api = resource(graph, "aws:apigateway/restApi:RestApi", "t1-api");
    expect(api.inputs.endpointConfiguration.types).toBe("REGIONAL");
    const tree = Object.fromEntries(ofType(graph, "aws:apigateway/resource:Resource").map((r) => [r.name, r]));
    expect(Object.keys(tree).sort()).toEqual(
      ["t1-res-api", "t1-res-api-albums", "t1-res-api-albums-albumId", "t1-res-api-config", "t1-res-api-health", "t1-res-api-legacy", "t1-res-api-legacy-id", "t1-res-api-uploads", "t1-res-api-uploads-key"].sort(),
    );
    expect(tree["t1-res-api"].inputs.parentId).toBe(api.state.rootResourceId);
    expect(tree["t1-res-api-albums-albumId"].inputs).toMatchObject({ pathPart: "{albumId}", parentId: tree["t1-res-api-albums"].id });
    expect(ofType(graph, "aws:apigateway/method:Method")).toHaveLength(7);
    const component = resource(graph, "serverless-fullstack:index:ServerlessApi", "t1");
    expect(childrenOf(graph, component).map((r) => r.name)).toContain("t1-api");
  });

  it("proxies Lambda routes to the stage's alias through ${stageVariables.alias}", async () => {
    const graph = await record(() => new ServerlessApi("t2", args()));
    const fn = resource(graph, "aws:lambda/function:Function", "t2-get-albums-albumid-function");
    expect(fn.inputs.publish).toBe(true);
    const proxy = integration(graph, "t2-integration-get-api-albums-albumId");
    expect(proxy.inputs).toMatchObject({ type: "AWS_PROXY", integrationHttpMethod: "POST", httpMethod: "GET" });
    expect(proxy.inputs.uri).toBe(`arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn.state.arn}:\${stageVariables.alias}/invocations`);
    expect(method(graph, "t2-method-get-api-albums-albumId").inputs.requestParameters).toEqual({ "method.request.path.albumId": true });
  });

  it("runs route functions in functionDefaults.vpc and keeps the Lambda authorizer outside it (it fetches the issuer's JWKS)", async () => {
    const vpc = { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] };
    const graph = await record(() => new ServerlessApi("sv", args({ functionDefaults: { vpc } })));
    expect(resource(graph, "aws:lambda/function:Function", "sv-get-health-function").inputs.vpcConfig).toEqual(vpc);
    expect(resource(graph, "aws:lambda/function:Function", "sv-auth-jwt-function").inputs.vpcConfig).toBeUndefined();
  });

  it("attaches functionDefaults.layers and then a route's own layers to its function, at most Lambda's five in all", async () => {
    const layer = (name: string) => `arn:aws:lambda:us-east-1:123456789012:layer:${name}:1`;
    const graph = await record(() =>
      new ServerlessApi("ly", { routes: { "GET /a": { handler: echo, function: { layers: [layer("image-tools")] } }, "GET /b": { handler: echo } }, functionDefaults: { layers: [layer("shared")] } }),
    );
    expect(resource(graph, "aws:lambda/function:Function", "ly-get-a-function").inputs.layers).toEqual([layer("shared"), layer("image-tools")]);
    expect(resource(graph, "aws:lambda/function:Function", "ly-get-b-function").inputs.layers).toEqual([layer("shared")]);
    const six = ["a", "b", "c", "d", "e"].map(layer);
    expect(refusalOf(() => new ServerlessApi("ly6", { routes: { "GET /a": { handler: echo, function: { layers: [layer("f")] } } }, functionDefaults: { layers: six } }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "ly6",
      argument: 'routes["GET /a"].function.layers',
      value: "6 layers",
      fix: "Merge layers or bundle the code into the function.",
      message: expect.stringMatching(/^ServerlessApi "ly6": routes\["GET \/a"\]\.function\.layers "6 layers" exceeds Lambda's limit of 5/),
    });
  });

  it("leaves the SDK's never-used credential providers out of every function's bundle", async () => {
    let api!: ServerlessApi;
    await record(() => (api = new ServerlessApi("t2b", { routes: { "GET /x": { handler: echo, function: { bundle: { external: ["sharp"] } } } } })));
    expect(api.spec.functions["t2b-get-x"].bundle.external).toEqual([...API_BUNDLE_EXTERNALS, "sharp"]);
  });

  it("gives each route function its own least-privilege role", async () => {
    const graph = await record(() => new ServerlessApi("t3", args()));
    const getPolicy = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "t3-get-albums-albumid-policy").inputs.policy);
    expect(getPolicy.Statement[0]).toMatchObject({ Action: ["dynamodb:GetItem"], Resource: [tableArn] });
    const healthPolicy = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "t3-get-health-policy").inputs.policy);
    expect(healthPolicy.Statement.flatMap((s) => s.Action)).not.toContain("dynamodb:GetItem");
    // Each function runs as its own role, and each role carries its own policy.
    for (const route of ["get-albums-albumid", "get-health"]) {
      const role = resource(graph, "aws:iam/role:Role", `t3-${route}-role`);
      expect(resource(graph, "aws:lambda/function:Function", `t3-${route}-function`).inputs.role).toBe(role.state.arn);
      expect(resource(graph, "aws:iam/rolePolicy:RolePolicy", `t3-${route}-policy`).inputs.role).toBe(role.id);
    }
  });

  it("wires mock, HTTP and AWS-service integrations", async () => {
    const graph = await record(() => new ServerlessApi("t4", args()));
    expect(integration(graph, "t4-integration-get-api-config").inputs).toMatchObject({ type: "MOCK", requestTemplates: { "application/json": '{"statusCode":200}' } });
    expect(resource(graph, "aws:apigateway/integrationResponse:IntegrationResponse", "t4-integration-response-get-api-config").inputs.responseTemplates).toEqual({ "application/json": '{"version":1}' });
    expect(integration(graph, "t4-integration-get-api-legacy-id").inputs).toMatchObject({
      type: "HTTP_PROXY",
      integrationHttpMethod: "GET",
      uri: "https://legacy.example.com/items/{id}",
      requestParameters: { "integration.request.path.id": "method.request.path.id" },
    });
    const s3 = integration(graph, "t4-integration-put-api-uploads-key");
    expect(s3.inputs).toMatchObject({ type: "AWS", integrationHttpMethod: "PUT", uri: "arn:aws:apigateway:us-east-1:s3:path/uploads-bucket/{key}" });
    const role = resource(graph, "aws:iam/role:Role", "t4-integration-role-put-api-uploads-key");
    expect(s3.inputs.credentials).toBe(role.state.arn);
    expect(policyDocument(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: ["apigateway.amazonaws.com"] });
    const policy = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "t4-integration-policy-put-api-uploads-key").inputs.policy);
    expect(policy.Statement).toEqual([{ Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::uploads-bucket/*"] }]);
  });

  it("validates request bodies against a JSON-schema model, and parameters on every other method", async () => {
    const graph = await record(() => new ServerlessApi("t5", args()));
    const bodyValidator = resource(graph, "aws:apigateway/requestValidator:RequestValidator", "t5-validate-body");
    const paramValidator = resource(graph, "aws:apigateway/requestValidator:RequestValidator", "t5-validate-parameters");
    expect(bodyValidator.inputs).toMatchObject({ validateRequestBody: true, validateRequestParameters: true });
    const model = resource(graph, "aws:apigateway/model:Model", "t5-model-PostAlbumsBody");
    expect(model.inputs).toMatchObject({ contentType: "application/json", name: "PostAlbumsBody" });
    expect(JSON.parse(model.inputs.schema)).toEqual({ type: "object", required: ["title"] });
    const post = method(graph, "t5-method-post-api-albums");
    expect(post.inputs.requestValidatorId).toBe(bodyValidator.id);
    expect(post.inputs.requestModels).toEqual({ "application/json": "PostAlbumsBody" });
    expect(method(graph, "t5-method-get-api-health").inputs.requestValidatorId).toBe(paramValidator.id);
    const badBody = resource(graph, "aws:apigateway/response:Response", "t5-gateway-bad-body");
    expect(badBody.inputs.responseTemplates["application/json"]).toContain("$context.error.validationErrorString");
  });

  it("names each method's operation and body model after its method and path words, whatever the path's punctuation", async () => {
    // SDK generators read operationName; a model name must be alphanumeric. Both come from the route key alone.
    const graph = await record(
      () =>
        new ServerlessApi("op", {
          basePath: "api",
          stages: { prod: {} },
          defaultAuth: "iam",
          routes: {
            "GET /": { handler: echo },
            "ANY /x": { handler: echo },
            "GET /my-albums/{album_id}/cover.jpg": { handler: echo },
            "PUT /my-albums/{album_id}": { handler: echo, requestSchema: { type: "object" } },
            "ANY /files/{proxy+}": { handler: echo, requestSchema: { type: "object" } },
          },
        }),
    );
    const operations = Object.fromEntries(ofType(graph, "aws:apigateway/method:Method").map((m) => [m.name, m.inputs.operationName]));
    expect(operations).toEqual({
      "op-method-get-api": "get",
      "op-method-any-api-x": "anyX",
      "op-method-get-api-my-albums-album_id-cover.jpg": "getMyAlbumsAlbumIdCoverJpg",
      "op-method-put-api-my-albums-album_id": "putMyAlbumsAlbumId",
      "op-method-any-api-files-proxy": "anyFilesProxy",
    });
    expect(ofType(graph, "aws:apigateway/model:Model").map((m) => [m.name, m.inputs.name])).toEqual([
      ["op-model-PutMyAlbumsAlbumIdBody", "PutMyAlbumsAlbumIdBody"],
      ["op-model-AnyFilesProxyBody", "AnyFilesProxyBody"],
    ]);
    expect(method(graph, "op-method-put-api-my-albums-album_id").inputs.requestModels).toEqual({ "application/json": "PutMyAlbumsAlbumIdBody" });
  });

  it("keeps each model's URN when basePath changes: the model is updated, not created a second time under its name", async () => {
    // A model's name (PostAlbumsBody) has no base path in it and is unique per REST API. Were the URN to change
    // with the base path, Pulumi would create the new model before deleting the old one, and CreateModel would
    // be refused; the same URN makes it an update of the one model.
    const modelUrns = async (basePath: string) => {
      const graph = await record(() => new ServerlessApi("bp", args({ basePath })));
      return Object.fromEntries(ofType(graph, "aws:apigateway/model:Model").map((m) => [m.inputs.name, m.urn]));
    };
    const underApi = await modelUrns("api");
    expect(Object.keys(underApi)).toEqual(["PostAlbumsBody"]);
    expect(await modelUrns("v1")).toEqual(underApi);
  });

  it("aliases each model to its earlier name (with the base path), so stacks deployed before keep their models", async () => {
    const graph = await record(() => new ServerlessApi("old", args()));
    expect(aliasNames(resource(graph, "aws:apigateway/model:Model", "old-model-PostAlbumsBody"))).toEqual(["old-model-post-api-albums"]);
  });
});

describe("ServerlessApi authorisation", () => {
  it("chooses Cognito, Lambda TOKEN, IAM or none per route", async () => {
    const graph = await record(() => new ServerlessApi("a1", args()));
    const cognito = resource(graph, "aws:apigateway/authorizer:Authorizer", "a1-authorizer-cognito");
    expect(cognito.inputs).toMatchObject({ type: "COGNITO_USER_POOLS", providerArns: [userPoolArn], identitySource: "method.request.header.Authorization" });
    const jwt = resource(graph, "aws:apigateway/authorizer:Authorizer", "a1-authorizer-jwt");
    const jwtFn = resource(graph, "aws:lambda/function:Function", "a1-auth-jwt-function");
    expect(jwt.inputs).toMatchObject({ type: "TOKEN", authorizerUri: jwtFn.state.invokeArn, authorizerResultTtlInSeconds: 60 });
    const permission = resource(graph, "aws:lambda/permission:Permission", "a1-authorizer-jwt-invoke");
    expect(permission.inputs).toMatchObject({ principal: "apigateway.amazonaws.com", function: jwtFn.state.name });
    expect(permission.inputs.sourceArn).toBe(`${resource(graph, "aws:apigateway/restApi:RestApi", "a1-api").state.executionArn}/authorizers/${jwt.id}`);

    expect(method(graph, "a1-method-get-api-albums-albumId").inputs).toMatchObject({ authorization: "COGNITO_USER_POOLS", authorizerId: cognito.id });
    expect(method(graph, "a1-method-post-api-albums").inputs).toMatchObject({ authorization: "CUSTOM", authorizerId: jwt.id });
    expect(method(graph, "a1-method-delete-api-albums-albumId").inputs).toMatchObject({ authorization: "AWS_IAM" });
    expect(method(graph, "a1-method-delete-api-albums-albumId").inputs.authorizerId).toBeUndefined();
    expect(method(graph, "a1-method-get-api-health").inputs.authorization).toBe("NONE");
    // Routes that declare nothing are IAM-authorised by default: never open by accident.
    const defaulted = await record(() => new ServerlessApi("a2", { routes: { "GET /x": { handler: echo } } }));
    expect(method(defaulted, "a2-method-get-x").inputs.authorization).toBe("AWS_IAM");
  });

  it("names each authorizer in API Gateway after its key and kind, so switching Cognito and Lambda under one key creates a differently named one", async () => {
    // terraform-provider-aws authorizer.go forces a replacement (create-first, same logical name) when `type` crosses
    // COGNITO_USER_POOLS, and CreateAuthorizer refuses a name the API's old authorizer still holds until the end of the update.
    const nameOf = async (authorizer: NonNullable<ServerlessApiArgs["authorizers"]>[string]) => {
      const graph = await record(() => new ServerlessApi("an", { authorizers: { auth: authorizer }, defaultAuth: { authorizer: "auth" }, routes: { "GET /x": { handler: echo } } }));
      return resource(graph, "aws:apigateway/authorizer:Authorizer", "an-authorizer-auth").inputs.name;
    };
    const cognito = await nameOf({ type: "cognito", userPoolArns: [userPoolArn] });
    const token = await nameOf({ type: "token", handler: "handlers/api/authorizer.ts" });
    const request = await nameOf({ type: "request", handler: "handlers/api/authorizer.ts" });
    expect(cognito).toBe("auth-cognito");
    expect(token).toBe("auth-lambda");
    // TOKEN and REQUEST switch in place (an UpdateAuthorizer /type patch), so they may keep the name.
    expect(request).toBe(token);
  });

  it("API keys and usage plans set quotas and throttling per stage", async () => {
    const graph = await record(
      () =>
        new ServerlessApi("u1", {
          ...args(),
          routes: { ...args().routes, "GET /partner/feed": { handler: echo, apiKeyRequired: true } },
          usagePlans: { partners: { quota: { limit: 10000, period: "MONTH" }, throttle: { rateLimit: 10, burstLimit: 20 }, apiKeys: ["acme"], stages: ["prod"] } },
        }),
    );
    const plan = resource(graph, "aws:apigateway/usagePlan:UsagePlan", "u1-plan-partners");
    const api = resource(graph, "aws:apigateway/restApi:RestApi", "u1-api");
    expect(plan.inputs).toMatchObject({ quotaSettings: { limit: 10000, period: "MONTH" }, throttleSettings: { rateLimit: 10, burstLimit: 20 }, apiStages: [{ apiId: api.id, stage: "prod" }] });
    const key = resource(graph, "aws:apigateway/apiKey:ApiKey", "u1-key-acme");
    expect(resource(graph, "aws:apigateway/usagePlanKey:UsagePlanKey", "u1-plan-partners-acme").inputs).toMatchObject({ keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id });
    // API keys are for metering: the route is still authorised by Cognito.
    expect(method(graph, "u1-method-get-api-partner-feed").inputs).toMatchObject({ apiKeyRequired: true, authorization: "COGNITO_USER_POOLS" });
    expect(api.inputs.apiKeySource).toBe("HEADER");
  });
});

describe("ServerlessApi stages, aliases and deployments", () => {
  it("creates a stage per environment with stage variables, access logs, execution logging, X-Ray and throttling", async () => {
    const graph = await record(() => new ServerlessApi("s1", { ...args(), logRetentionDays: 90 }));
    const logs = resource(graph, "aws:cloudwatch/logGroup:LogGroup", "s1-access-logs");
    expect(logs.inputs.retentionInDays).toBe(90);
    const dev = resource(graph, "aws:apigateway/stage:Stage", "s1-stage-dev");
    const deployment = resource(graph, "aws:apigateway/deployment:Deployment", "s1-deployment");
    expect(dev.inputs).toMatchObject({ stageName: "dev", deployment: deployment.id, xrayTracingEnabled: true, variables: { logLevel: "debug", alias: "dev" } });
    expect(dev.inputs.accessLogSettings).toEqual({ destinationArn: logs.state.arn, format: ACCESS_LOG_FORMAT });
    expect(Object.keys(JSON.parse(ACCESS_LOG_FORMAT))).toEqual(expect.arrayContaining(["requestId", "ip", "status", "latencyMs", "canary", "sub"]));
    expect(resource(graph, "aws:apigateway/stage:Stage", "s1-stage-prod").inputs.variables).toEqual({ alias: "prod" });
    const devSettings = resource(graph, "aws:apigateway/methodSettings:MethodSettings", "s1-settings-dev").inputs;
    expect(devSettings).toMatchObject({
      methodPath: "*/*",
      stageName: "dev",
      settings: { loggingLevel: "ERROR", metricsEnabled: true, dataTraceEnabled: false, throttlingRateLimit: 100, throttlingBurstLimit: 200 },
    });
    expect(resource(graph, "aws:apigateway/methodSettings:MethodSettings", "s1-settings-prod").inputs.settings).toMatchObject({ throttlingRateLimit: 500, throttlingBurstLimit: 1000 });
  });

  it("creates each stage's execution log group itself, with the API's retention, before the stage and its method settings", async () => {
    const graph = await record(() => new ServerlessApi("s1x", { ...args(), logRetentionDays: 90 }));
    const restApi = resource(graph, "aws:apigateway/restApi:RestApi", "s1x-api");
    for (const stage of ["dev", "prod"]) {
      const group = resource(graph, "aws:cloudwatch/logGroup:LogGroup", `s1x-execution-logs-${stage}`);
      // The name API Gateway writes to; any other name and it creates its own group, kept forever.
      expect(group.inputs).toMatchObject({ name: `API-Gateway-Execution-Logs_${restApi.id}/${stage}`, retentionInDays: 90 });
      expect(resource(graph, "aws:apigateway/stage:Stage", `s1x-stage-${stage}`).dependencies).toContain(group.urn);
      expect(resource(graph, "aws:apigateway/methodSettings:MethodSettings", `s1x-settings-${stage}`).dependencies).toContain(group.urn);
    }
  });

  it("creates a canary's execution and access log groups too (each the stage's group with /Canary), with the retention, before the stage, only while the canary runs", async () => {
    const graph = await record(() => new ServerlessApi("s1c", { ...args(), logRetentionDays: 90, stages: { dev: {}, prod: { canary: { percentTraffic: 10 } } } }));
    const restApi = resource(graph, "aws:apigateway/restApi:RestApi", "s1c-api");
    const group = resource(graph, "aws:cloudwatch/logGroup:LogGroup", "s1c-execution-logs-prod-canary");
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html: a canary-specific execution log group.
    expect(group.inputs).toMatchObject({ name: `API-Gateway-Execution-Logs_${restApi.id}/prod/Canary`, retentionInDays: 90 });
    expect(resource(graph, "aws:apigateway/stage:Stage", "s1c-stage-prod").dependencies).toContain(group.urn);
    expect(resource(graph, "aws:apigateway/methodSettings:MethodSettings", "s1c-settings-prod").dependencies).toContain(group.urn);
    const accessGroup = resource(graph, "aws:cloudwatch/logGroup:LogGroup", "s1c-access-logs-canary");
    expect(accessGroup.inputs).toMatchObject({ name: `${resource(graph, "aws:cloudwatch/logGroup:LogGroup", "s1c-access-logs").state.name}/Canary`, retentionInDays: 90 });
    expect(resource(graph, "aws:apigateway/stage:Stage", "s1c-stage-prod").dependencies).toContain(accessGroup.urn);
    const names = ofType(graph, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.name);
    expect(names.filter((n) => n.endsWith("-canary")).sort()).toEqual(["s1c-access-logs-canary", "s1c-execution-logs-prod-canary"]);
    const plain = await record(() => new ServerlessApi("s1d", args()));
    expect(ofType(plain, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.name).filter((n) => n.endsWith("-canary"))).toEqual([]);
  });

  it("leaves API Gateway's account-wide CloudWatch role alone by default, and warns (unless told it is owned elsewhere) that stage logging needs it", async () => {
    const warn = vi.spyOn(pulumi.log, "warn");
    try {
      const graph = await record(() => new ServerlessApi("s2", args()));
      expect(ofType(graph, "aws:apigateway/account:Account")).toEqual([]);
      expect(ofType(graph, "aws:iam/role:Role").map((r) => r.name)).not.toContain("s2-cloudwatch-role");
      const messages = warn.mock.calls.map(([message]) => message);
      expect(messages).toContainEqual(expect.stringMatching(/^ServerlessApi "s2": its stages log .* accountCloudWatchRole is unset/));
      expect(messages).toContainEqual(expect.stringContaining("docs/api-gateway-account.md"));
      // An explicit false says another stack (or an administrator) owns it: nothing to warn about.
      warn.mockClear();
      await record(() => new ServerlessApi("s2b", { ...args(), accountCloudWatchRole: false }));
      expect(warn.mock.calls.map(([message]) => message)).not.toContainEqual(expect.stringContaining('ServerlessApi "s2b"'));
    } finally {
      warn.mockRestore();
    }
  });

  it("owns the account-wide CloudWatch role when asked: retained on delete, allowed to write any stage's logs", async () => {
    const warn = vi.spyOn(pulumi.log, "warn");
    try {
      const graph = await record(() => new ServerlessApi("s3", { ...args(), accountCloudWatchRole: true }));
      const [account, ...others] = ofType(graph, "aws:apigateway/account:Account");
      expect(others).toEqual([]);
      const role = resource(graph, "aws:iam/role:Role", "s3-cloudwatch-role");
      expect(account.inputs.cloudwatchRoleArn).toBe(role.state.arn);
      expect(policyDocument(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: ["apigateway.amazonaws.com"] });
      // The provider resets the setting when it deletes the resource: never delete it, nor the role it names.
      expect(account.retainOnDelete).toBe(true);
      expect(role.retainOnDelete).toBe(true);
      const attachment = resource(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "s3-cloudwatch-policy");
      expect(attachment.inputs).toEqual({ role: role.state.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" });
      expect(attachment.retainOnDelete).toBe(true);
      expect(account.dependencies).toContain(attachment.urn);
      // Stages and their method settings log through it, so they wait for it.
      for (const stage of ofType(graph, "aws:apigateway/stage:Stage")) expect(stage.dependencies).toContain(account.urn);
      expect(warn.mock.calls.map(([message]) => message)).not.toContainEqual(expect.stringContaining('ServerlessApi "s3": accountCloudWatchRole'));
    } finally {
      warn.mockRestore();
    }
  });

  it("refuses a name too long for the account-wide CloudWatch role's name only when it owns the role, with the longest that fits (RegionalApis too)", async () => {
    const status = { "GET /": { integration: { type: "mock" as const, body: { ok: true } }, auth: "none" as const } };
    expect(refusalOf(() => new ServerlessApi("n".repeat(41), { routes: status, accountCloudWatchRole: true }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "n".repeat(41),
      argument: "name",
      value: "n".repeat(41),
      fix: "Use a component name of at most 40 characters.",
      message: expect.stringMatching(/^ServerlessApi "n{41}": name "n{41}" makes the IAM role name "n{41}-cloudwatch-role-<random suffix>" 65 characters, over IAM's 64\. Use a component name of at most 40 characters\.$/),
    });
    expect(refusalOf(() => new RegionalApis("n".repeat(41), { api: { routes: status, accountCloudWatchRole: true } }), "RegionalApis accepted the arguments")).toMatchObject({
      component: "RegionalApis",
      resourceName: "n".repeat(41),
      argument: "name",
      value: "n".repeat(41),
      fix: "Use a component name of at most 40 characters.",
      message: expect.stringMatching(/^RegionalApis "n{41}": name "n{41}" makes the IAM role name "n{41}-cloudwatch-role-<random suffix>" 65 characters/),
    });
    const fits = await record(() => new ServerlessApi("n".repeat(40), { routes: status, accountCloudWatchRole: true }));
    expect(checkDeployRules(fits, { stack: "test", production: false, region: "us-east-1" }, [PHYSICAL_NAME_LIMITS])).toEqual([]);
    expect(ofType(await record(() => new ServerlessApi("m".repeat(41), { routes: status, accountCloudWatchRole: false })), "aws:iam/role:Role")).toEqual([]);
    // The HTTP kind has no stage logging role to own (stages.ts createAccountLogging is REST's).
    const http = await record(() => new ServerlessApi("h".repeat(41), { kind: ApiKind.Http, routes: { "GET /": { handler: "tests/fixtures/handlers/echo.ts", auth: "none" } }, accountCloudWatchRole: true }));
    expect(ofType(http, "aws:iam/role:Role").map((r) => r.name).filter((n) => n.includes("cloudwatch"))).toEqual([]);
    expect(ofType(http, "aws:apigateway/account:Account")).toEqual([]);
  });

  it("takes 99 stage variables (100 with alias) and 64-character names on both kinds", async () => {
    const variables = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`${"k".repeat(62)}${String(i).padStart(2, "0")}`, "v"]));
    for (const kind of [ApiKind.Rest, ApiKind.Http]) {
      const graph = await record(() => new ServerlessApi(`v-${kind}`, { kind, accountCloudWatchRole: false, routes: { "GET /": { handler: echo, auth: "none" } }, stages: { prod: { variables } } }));
      const stage = graph.find((r) => r.type.endsWith("/stage:Stage"))!;
      expect(Object.keys(stage.inputs.variables ?? stage.inputs.stageVariables)).toHaveLength(100);
    }
  });

  it("gives every function an alias per stage on its published version, invokable by its route only", async () => {
    const graph = await record(() => new ServerlessApi("s4", args()));
    const fn = resource(graph, "aws:lambda/function:Function", "s4-get-albums-albumid-function");
    for (const stage of ["dev", "prod"]) {
      const alias = resource(graph, "aws:lambda/alias:Alias", `s4-get-albums-albumid-${stage}`);
      expect(alias.inputs).toMatchObject({ name: stage, functionName: fn.state.name, functionVersion: fn.state.version });
      const permission = resource(graph, "aws:lambda/permission:Permission", `s4-get-albums-albumid-${stage}-invoke`);
      const api = resource(graph, "aws:apigateway/restApi:RestApi", "s4-api");
      expect(permission.inputs).toMatchObject({ qualifier: stage, principal: "apigateway.amazonaws.com", action: "lambda:InvokeFunction" });
      expect(permission.inputs.sourceArn).toBe(`${api.state.executionArn}/${stage}/GET/api/albums/*`);
    }
    // Non-Lambda routes have no aliases.
    expect(ofType(graph, "aws:lambda/alias:Alias").map((a) => a.name).filter((n) => n.includes("config"))).toEqual([]);
  });

  it("keeps no old deployment when no canary runs (redeploys are in serverless-api-deployment.test.ts)", async () => {
    const graph = await record(() => new ServerlessApi("d1", args()));
    const deployment = resource(graph, "aws:apigateway/deployment:Deployment", "d1-deployment");
    expect(Object.keys(deployment.inputs.triggers)).toEqual(["snapshot"]);
    expect(deployment.retainOnDelete).toBe(false);
  });

  it("takes the canary from flat stack config the same way", () => {
    const fromConfig = normalise("c0", { ...args(), canary: { stage: "prod", percentTraffic: 5 } });
    expect(fromConfig.stages.find((s) => s.name === "prod")!.canary).toEqual({ percentTraffic: 5, alias: "prod-canary", stageVariableOverrides: { alias: "prod-canary" } });
    expect(fromConfig.stages.find((s) => s.name === "dev")!.canary).toBeUndefined();
  });

  it("runs a canary: percent of traffic, stage-variable overrides to a canary alias, the stage frozen until promotion", async () => {
    const graph = await record(() => new ServerlessApi("c1", { ...args(), stages: { dev: {}, prod: { canary: { percentTraffic: 10, stageVariableOverrides: { logLevel: "debug" } } } } }));
    const prod = resource(graph, "aws:apigateway/stage:Stage", "c1-stage-prod");
    const deployment = resource(graph, "aws:apigateway/deployment:Deployment", "c1-deployment");
    const canaryDeployment = resource(graph, "aws:apigateway/deployment:Deployment", "c1-canary-deployment");
    expect(prod.inputs.canarySettings).toEqual({ deploymentId: canaryDeployment.id, percentTraffic: 10, stageVariableOverrides: { alias: "prod-canary", logLevel: "debug" }, useStageCache: false });
    expect(prod.inputs.deployment).toBe(deployment.id);
    expect(prod.ignoreChanges).toEqual(["deployment"]);
    const dev = resource(graph, "aws:apigateway/stage:Stage", "c1-stage-dev");
    expect(dev.inputs.canarySettings).toBeUndefined();
    expect(dev.inputs.deployment).toBe(canaryDeployment.id);
    const fn = resource(graph, "aws:lambda/function:Function", "c1-get-health-function");
    const canary = resource(graph, "aws:lambda/alias:Alias", "c1-get-health-prod-canary");
    expect(canary.inputs).toMatchObject({ name: "prod-canary", functionVersion: fn.state.version });
    expect(canary.ignoreChanges).toEqual([]);
    expect(resource(graph, "aws:lambda/alias:Alias", "c1-get-health-prod").ignoreChanges).toEqual(["functionVersion"]);
    expect(resource(graph, "aws:lambda/alias:Alias", "c1-get-health-dev").ignoreChanges).toEqual([]);
    expect(resource(graph, "aws:lambda/permission:Permission", "c1-get-health-prod-canary-invoke").inputs.qualifier).toBe("prod-canary");
    // The stage's deployment is frozen rather than retained: the releases across updates are in serverless-api-canary-release.test.ts.
    expect(deployment.ignoreChanges).toEqual(["triggers", "description"]);
    expect(deployment.retainOnDelete).toBe(false);
  });
});

describe("ServerlessApi endpoint, policy, CORS and domain", () => {
  it("EDGE and PRIVATE endpoints; a resource policy restricting IPs and VPC endpoints", async () => {
    const edge = await record(() => new ServerlessApi("e1", { ...args(), endpointType: "EDGE" }));
    expect(resource(edge, "aws:apigateway/restApi:RestApi", "e1-api").inputs.endpointConfiguration.types).toBe("EDGE");
    const graph = await record(() => new ServerlessApi("e2", { ...args(), endpointType: "PRIVATE", vpcEndpointIds: ["vpce-0123456789abcdef0"], resourcePolicy: { allowSourceIps: ["10.0.0.0/8"] } }));
    const api = resource(graph, "aws:apigateway/restApi:RestApi", "e2-api");
    expect(api.inputs.endpointConfiguration).toEqual({ types: "PRIVATE", vpcEndpointIds: ["vpce-0123456789abcdef0"] });
    const policy = policyDocument(resource(graph, "aws:apigateway/restApiPolicy:RestApiPolicy", "e2-policy").inputs.policy);
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["AllowInvoke", "DenyOtherSourceIps", "DenyOtherVpcEndpoints"]);
    expect(policy.Statement[1].Condition).toEqual({ NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8"] } });
    expect(policy.Statement[2].Condition).toEqual({ StringNotEquals: { "aws:SourceVpce": ["vpce-0123456789abcdef0"] } });
    expect(policy.Statement[0].Resource).toBe(`${api.state.executionArn}/*`);
    expect(ofType(await record(() => new ServerlessApi("e3", args())), "aws:apigateway/restApiPolicy:RestApiPolicy")).toEqual([]);
  });

  it("gives a PRIVATE API the resource policy AWS requires: invoke only through its VPC endpoints", async () => {
    const graph = await record(() => new ServerlessApi("e4", { ...args(), endpointType: "PRIVATE", vpcEndpointIds: ["vpce-0123456789abcdef0", "vpce-0fedcba987654321f"] }));
    const api = resource(graph, "aws:apigateway/restApi:RestApi", "e4-api");
    expect(api.inputs.endpointConfiguration).toEqual({ types: "PRIVATE", vpcEndpointIds: ["vpce-0123456789abcdef0", "vpce-0fedcba987654321f"] });
    const policy = resource(graph, "aws:apigateway/restApiPolicy:RestApiPolicy", "e4-policy");
    expect(policyDocument(policy.inputs.policy).Statement).toEqual([
      { Sid: "AllowInvoke", Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: `${api.state.executionArn}/*` },
      {
        Sid: "DenyOtherVpcEndpoints",
        Effect: "Deny",
        Principal: "*",
        Action: "execute-api:Invoke",
        Resource: `${api.state.executionArn}/*`,
        Condition: { StringNotEquals: { "aws:SourceVpce": ["vpce-0123456789abcdef0", "vpce-0fedcba987654321f"] } },
      },
    ]);
    // AWS refuses to deploy a private API without its resource policy.
    expect(resource(graph, "aws:apigateway/deployment:Deployment", "e4-deployment").dependencies).toContain(policy.urn);
  });

  it("answers CORS preflights with a mock and tells handlers the allowed origin", async () => {
    const graph = await record(() => new ServerlessApi("o1", { ...args(), cors: { allowOrigins: ["https://gallery.example.com"] } }));
    const options = method(graph, "o1-method-options-api-albums-albumId");
    expect(options.inputs).toMatchObject({ httpMethod: "OPTIONS", authorization: "NONE" });
    const response = resource(graph, "aws:apigateway/integrationResponse:IntegrationResponse", "o1-integration-response-options-api-albums-albumId");
    expect(response.inputs.responseParameters).toMatchObject({
      "method.response.header.Access-Control-Allow-Origin": "'https://gallery.example.com'",
      "method.response.header.Access-Control-Allow-Methods": "'GET,DELETE,OPTIONS'",
    });
    const fn = resource(graph, "aws:lambda/function:Function", "o1-get-health-function");
    expect(fn.inputs.environment.variables.CORS_ALLOW_ORIGIN).toBe("https://gallery.example.com");
    expect(resource(graph, "aws:apigateway/response:Response", "o1-gateway-default-4xx").inputs.responseParameters).toEqual({ "gatewayresponse.header.Access-Control-Allow-Origin": "'https://gallery.example.com'" });
  });

  it("maps a custom domain with a regional certificate and TLS 1.2 to a stage", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/api";
    const graph = await record(() => new ServerlessApi("m1", { ...args(), domain: { name: "api.gallery.example.com", certificateArn, stage: "prod" } }));
    expect(resource(graph, "aws:apigateway/domainName:DomainName", "m1-domain").inputs).toMatchObject({
      domainName: "api.gallery.example.com",
      regionalCertificateArn: certificateArn,
      endpointConfiguration: { types: "REGIONAL" },
      securityPolicy: "TLS_1_2",
    });
    expect(resource(graph, "aws:apigateway/basePathMapping:BasePathMapping", "m1-domain-mapping").inputs).toMatchObject({ stageName: "prod", domainName: "api.gallery.example.com" });
  });

  it("maps the custom domain under a one-level domain.basePath (a REST API's base path mapping)", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/api";
    const graph = await record(() => new ServerlessApi("m4", { ...args(), domain: { name: "api.gallery.example.com", certificateArn, basePath: "gallery-v2" } }));
    expect(resource(graph, "aws:apigateway/basePathMapping:BasePathMapping", "m4-domain-mapping").inputs.basePath).toBe("gallery-v2");
  });

  it("serves the custom domain to IPv4 and IPv6 clients (dualstack) unless domain.ipAddressType says ipv4", async () => {
    // API Gateway's own default is IPv4 only, where the AAAA alias records DnsRouting (RegionalApis) makes would lead nowhere.
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/api";
    const dual = await record(() => new ServerlessApi("m2", { ...args(), domain: { name: "api.gallery.example.com", certificateArn } }));
    expect(resource(dual, "aws:apigateway/domainName:DomainName", "m2-domain").inputs.endpointConfiguration).toEqual({ types: "REGIONAL", ipAddressType: "dualstack" });
    const v4 = await record(() => new ServerlessApi("m3", { ...args(), domain: { name: "api.gallery.example.com", certificateArn, ipAddressType: "ipv4" } }));
    expect(resource(v4, "aws:apigateway/domainName:DomainName", "m3-domain").inputs.endpointConfiguration).toEqual({ types: "REGIONAL", ipAddressType: "ipv4" });
  });

  it("offers a StaticSite route to a stage and registers a spec the local runtime runs", async () => {
    let api!: ServerlessApi;
    await record(() => (api = new ServerlessApi("l1", args())));
    const route = api.siteRoute("prod");
    expect(route).toMatchObject({ pathPattern: "/api/*", originId: "l1", originPath: "/prod" });
    expect(api.spec.routes.find((r) => r.key === "GET /albums/{albumId}")).toMatchObject({ fullPath: "/api/albums/{albumId}", auth: { type: "authorizer", authorizer: "cognito" } });
    expect(Object.keys(api.spec.functions)).toEqual(expect.arrayContaining(["l1-get-health", "l1-auth-jwt"]));
    expect(api.spec.functions["l1-get-health"].publish).toBe(true);
    expect(refusalOf(() => api.siteRoute("qa"), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "l1",
      argument: "siteRoute(stage)",
      value: "qa",
      fix: "Use one of dev, prod.",
      message: expect.stringMatching(/siteRoute\(stage\) "qa" is not a stage of this API\. Use one of dev, prod\./),
    });
  });

  it("refuses a site route to a PRIVATE API, which CloudFront cannot reach", async () => {
    let api!: ServerlessApi;
    await record(() => (api = new ServerlessApi("l2", { ...args(), endpointType: "PRIVATE", vpcEndpointIds: ["vpce-0123456789abcdef0"] })));
    expect(refusalOf(() => api.siteRoute(), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "l2",
      argument: "endpointType",
      value: "PRIVATE",
      fix: "Use \"REGIONAL\" for the API the site serves under its path, or leave this API out of the site's routes and call it from inside the VPC.",
      message: expect.stringMatching(/ServerlessApi "l2": endpointType "PRIVATE" cannot back a StaticSite route \(siteRoute\(\)\): a private API answers only through its VPC endpoints, and CloudFront reaches origins over the internet\. Use "REGIONAL"/),
    });
  });
});

describe("ServerlessApi HTTP integration timeouts above API Gateway's default 29 s (review 22, F2)", () => {
  const slow = (timeoutMs: number) => ({ routes: { "GET /slow": { integration: { type: "http" as const, uri: "https://reports.example.com/", timeoutMs } } } });

  it.each<[string, Partial<ServerlessApiArgs>]>([
    ["REGIONAL", {}],
    ["PRIVATE", { endpointType: "PRIVATE", vpcEndpointIds: ["vpce-0123456789abcdef0"] }],
  ])("on a %s API: deploys the timeout asked for, and warns that it needs the account's raised quota (adjustable, so not refused)", async (_, endpoint) => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      const graph = await record(() => new ServerlessApi("slow", { ...args(), ...endpoint, ...slow(120000) }));
      expect(integration(graph, "slow-integration-get-api-slow").inputs.timeoutMilliseconds).toBe(120000);
      const messages = warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes("timeoutMs"));
      expect(messages).toEqual([
        expect.stringMatching(
          /^ServerlessApi "slow": routes\["GET \/slow"\]\.integration\.timeoutMs 120000 is over API Gateway's default integration timeout, 29000 ms\. "You can increase the default value to longer than 29 seconds for Regional or private APIs only" \(https:\/\/docs\.aws\.amazon\.com\/apigateway\/latest\/api\/API_Integration\.html\), through the account's quota in the API's region \(Service Quotas, Amazon API Gateway\): unless it was raised to 120000 ms or more, API Gateway refuses the integration\. Raise it \(a raised timeout may lower the account's throttle quota\), or use at most 29000\.$/,
        ),
      ]);
      warn.mockClear();
      await record(() => new ServerlessApi("quick", { ...args(), ...endpoint, ...slow(29000) }));
      expect(warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes("timeoutMs"))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe("ServerlessApi rejects bad route specs with clear errors", () => {
  it.each<[string, Partial<ServerlessApiArgs>, RegExp, RefusalContract]>([
    ["duplicate route", { routes: { "GET /albums/{albumId}": { handler: echo }, "GET /albums/{id}": { handler: echo } } }, /ServerlessApi "bad": routes\["GET \/albums\/\{id\}"\] "GET \/albums\/\{id\}" duplicates route "GET \/albums\/\{albumId\}" \(same method and path\)\. Declare each method and path once/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /albums/{id}"]', value: "GET /albums/{id}", fix: "Declare each method and path once; path parameters at the same place are the same route." }],
    // API Gateway: "A sibling ({albumId}) of this resource already has a variable path part -- only one is allowed" (BadRequestException).
    ["two variable path parts under one parent", { routes: { "GET /albums/{albumId}": { handler: echo }, "DELETE /albums/{id}": { handler: echo } } },
      /^ServerlessApi "bad": routes\["DELETE \/albums\/\{id\}"\] "\{id\}" is a second variable path part under \/albums, beside \{albumId\} of routes\["GET \/albums\/\{albumId\}"\]; a REST API allows one variable path part per level \(CreateResource is refused: "A sibling \(\{albumId\}\) of this resource already has a variable path part -- only one is allowed"\)\. Name the parameter \{albumId\} in both routes \(the handler reads event\.pathParameters\.albumId\), or put one route under a literal segment, e\.g\. \/albums\/by-id\/\{id\}\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["DELETE /albums/{id}"]', value: "{id}", fix: "Name the parameter {albumId} in both routes (the handler reads event.pathParameters.albumId), or put one route under a literal segment, e.g. /albums/by-id/{id}." }],
    ["a greedy path part beside a variable one", { routes: { "GET /albums/{albumId}": { handler: echo }, "ANY /albums/{proxy+}": { handler: echo } } },
      /routes\["ANY \/albums\/\{proxy\+\}"\] "\{proxy\+\}" is a second variable path part under \/albums, beside \{albumId\} of routes\["GET \/albums\/\{albumId\}"\]/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["ANY /albums/{proxy+}"]', value: "{proxy+}", fix: "Name the parameter {albumId} in both routes (the handler reads event.pathParameters.albumId), or put one route under a literal segment, e.g. /albums/by-id/{proxy+}." }],
    ["variable path parts that differ above a deeper route", { routes: { "GET /albums/{albumId}/photos": { handler: echo }, "GET /albums/{id}": { handler: echo } } },
      /routes\["GET \/albums\/\{id\}"\] "\{id\}" is a second variable path part under \/albums, beside \{albumId\} of routes\["GET \/albums\/\{albumId\}\/photos"\]/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /albums/{id}"]', value: "{id}", fix: "Name the parameter {albumId} in both routes (the handler reads event.pathParameters.albumId), or put one route under a literal segment, e.g. /albums/by-id/{id}." }],
    ["variable path parts under the root", { routes: { "GET /{tenant}": { handler: echo }, "GET /{id}/albums": { handler: echo } } },
      /^ServerlessApi "bad": routes\["GET \/\{id\}\/albums"\] "\{id\}" is a second variable path part under \/, beside \{tenant\} of routes\["GET \/\{tenant\}"\];.* Name the parameter \{tenant\} in both routes \(the handler reads event\.pathParameters\.tenant\), or put one route under a literal segment, e\.g\. \/by-id\/\{id\}\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /{id}/albums"]', value: "{id}", fix: "Name the parameter {tenant} in both routes (the handler reads event.pathParameters.tenant), or put one route under a literal segment, e.g. /by-id/{id}." }],
    ["a greedy path part beside a variable one, deeper down", { routes: { "ANY /files/{proxy+}": { handler: echo }, "GET /files/{fileId}/meta": { handler: echo } } },
      /^ServerlessApi "bad": routes\["GET \/files\/\{fileId\}\/meta"\] "\{fileId\}" is a second variable path part under \/files, beside \{proxy\+\} of routes\["ANY \/files\/\{proxy\+\}"\];.* Name the parameter \{proxy\+\} in both routes \(the handler reads event\.pathParameters\.proxy\), or put one route under a literal segment, e\.g\. \/files\/by-id\/\{fileId\}\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /files/{fileId}/meta"]', value: "{fileId}", fix: "Name the parameter {proxy+} in both routes (the handler reads event.pathParameters.proxy), or put one route under a literal segment, e.g. /files/by-id/{fileId}." }],
    // Each route's function is a resource named after the API and the route (or the route's own name).
    ["route name that is not a resource name", { routes: { "GET /x": { handler: echo, name: "get.x" } } }, /^ServerlessApi "bad": routes\["GET \/x"\]\.name "get.x" is not a resource name\. Use letters, digits, "-" and "_" \(Lambda's function name characters\)\.$/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x"].name', value: "get.x", fix: "Use letters, digits, \"-\" and \"_\" (Lambda's function name characters)." }],
    ["route whose function name is over 47 characters", { routes: { "GET /albums/{albumId}/photos/{photoId}/thumbnails": { handler: echo } } },
      /^ServerlessApi "bad": routes\["GET \/albums\/\{albumId\}\/photos\/\{photoId\}\/thumbnails"\] "GET \/albums\/\{albumId\}\/photos\/\{photoId\}\/thumbnails" makes the Lambda function name "bad-get-albums-albumid-photos-photoid-thumbnails-function-<random suffix>" 65 characters, over Lambda's 64\. Use a route name \(its function is named from the method and path without one\) of at most 43 characters, or a component name of at most 2 characters\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /albums/{albumId}/photos/{photoId}/thumbnails"]', value: "GET /albums/{albumId}/photos/{photoId}/thumbnails", fix: "Use a route name (its function is named from the method and path without one) of at most 43 characters, or a component name of at most 2 characters." }],
    ["two routes naming one function", { routes: { "GET /albums": { handler: echo, name: "albums" }, "POST /albums": { handler: echo, name: "albums" } } },
      /^ServerlessApi "bad": routes\["POST \/albums"\]\.name "bad-albums" is the function name of another route\. Give the route a distinct name\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /albums"].name', value: "bad-albums", fix: "Give the route a distinct name." }],
    ["a route name taken by another route's derived name", { routes: { "GET /albums": { handler: echo }, "POST /albums": { handler: echo, name: "get-albums" } } },
      /^ServerlessApi "bad": routes\["POST \/albums"\]\.name "bad-get-albums" is the function name of another route/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /albums"].name', value: "bad-get-albums", fix: "Give the route a distinct name." }],
    ["a space in a path", { routes: { "GET /my albums": { handler: echo } } }, /^ServerlessApi "bad": routes\["GET \/my albums"\] "my albums" is not a valid path segment\. Use letters, digits/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /my albums"]', value: "my albums", fix: 'Use letters, digits, ._~- or a parameter such as "{albumId}" (no trailing slash).' }],
    ["two spaces after the method", { routes: { "GET  /albums": { handler: echo } } }, /^ServerlessApi "bad": routes\["GET  \/albums"\] "GET  \/albums" is not "METHOD \/path"\. Write the key as e\.g\. "GET \/albums\/\{albumId\}"\.$/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET  /albums"]', value: "GET  /albums", fix: 'Write the key as e.g. "GET /albums/{albumId}".' }],
    ["an HTTP API's $default route key", { routes: { $default: { handler: echo } } }, /^ServerlessApi "bad": routes\["\$default"\] "\$default" is not "METHOD \/path"\./, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["$default"]', value: "$default", fix: 'Write the key as e.g. "GET /albums/{albumId}".' }],
    ["a lower-case method", { routes: { "get /albums": { handler: echo } } }, /^ServerlessApi "bad": routes\["get \/albums"\] "get \/albums" is not "METHOD \/path"\./, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["get /albums"]', value: "get /albums", fix: 'Write the key as e.g. "GET /albums/{albumId}".' }],
    // The path an AWS-service integration maps from is the route's own, whatever its method.
    ["AWS integration mapping a path parameter of another route", { routes: {
      "ANY /buckets/{bucket}/objects/{key}": { integration: { type: "aws", service: "s3", method: "PUT", path: "{bucket}/{key}", permissions: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::uploads-bucket/*"] }], requestParameters: { "integration.request.path.bucket": "method.request.path.bucket", "integration.request.path.key": "method.request.path.name" } } } } },
      /^ServerlessApi "bad": routes\["ANY \/buckets\/\{bucket\}\/objects\/\{key\}"\]\.integration\.requestParameters\["integration\.request\.path\.key"\] "method\.request\.path\.name" names a path parameter the route does not have\. Use one of method\.request\.path\.bucket, method\.request\.path\.key\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["ANY /buckets/{bucket}/objects/{key}"].integration.requestParameters["integration.request.path.key"]', value: "method.request.path.name", fix: "Use one of method.request.path.bucket, method.request.path.key." }],
    ["AWS integration mapping a body JSONPath Jayway cannot parse", { routes: {
      "PUT /objects/{key}": { integration: { type: "aws", service: "s3", method: "PUT", path: "uploads-bucket/{key}", permissions: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::uploads-bucket/*"] }], requestParameters: { "integration.request.path.key": "method.request.path.key", "integration.request.header.x-amz-meta-owner": "method.request.body.owner..name." } } } } },
      /^ServerlessApi "bad": routes\["PUT \/objects\/\{key\}"\]\.integration\.requestParameters\["integration\.request\.header\.x-amz-meta-owner"\] "method\.request\.body\.owner\.\.name\." is a JSONPath into the body that Jayway JsonPath \(which API Gateway reads JSONPath with\) cannot parse: JSONPath "\$\.owner\.\.name\.": expected a name after \. \(at ""\); npm start would answer every request of the route 500\. Write the part after method\.request\.body\. as Jayway reads it, e\.g\. method\.request\.body\.owner\.name, method\.request\.body\.items\[0\]\.id or method\.request\.body\.items\[\?\(@\.kind == 'photo'\)\]\.id\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["PUT /objects/{key}"].integration.requestParameters["integration.request.header.x-amz-meta-owner"]', value: "method.request.body.owner..name.", fix: "Write the part after method.request.body. as Jayway reads it, e.g. method.request.body.owner.name, method.request.body.items[0].id or method.request.body.items[?(@.kind == 'photo')].id." }],
    // PutIntegration: "Invalid mapping expression parameter specified: method.request.path.id" (aws/aws-cdk#17318).
    ["HTTP integration URI with a path parameter the route lacks", { routes: { "GET /legacy/{itemId}": { integration: { type: "http", uri: "https://legacy.example.com/items/{id}" } } } },
      /^ServerlessApi "bad": routes\["GET \/legacy\/\{itemId\}"\]\.integration\.uri "https:\/\/legacy\.example\.com\/items\/\{id\}" maps \{id\} from method\.request\.path\.id, a path parameter the route does not have, which PutIntegration refuses \("Invalid mapping expression parameter specified: method\.request\.path\.id"\)\. Use one of the route's path parameters: \{itemId\}\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /legacy/{itemId}"].integration.uri', value: "https://legacy.example.com/items/{id}", fix: "Use one of the route's path parameters: {itemId}." }],
    // The REST mapping reads `{x}` (routes.ts): a `{proxy+}` in the URI is sent as literal text, and npm start sent an empty segment.
    ["HTTP integration URI with a greedy parameter", { routes: { "GET /files/{proxy+}": { integration: { type: "http", uri: "https://files.example.com/{proxy+}" } } } },
      /^ServerlessApi "bad": routes\["GET \/files\/\{proxy\+\}"\]\.integration\.uri "https:\/\/files\.example\.com\/\{proxy\+\}" names the greedy \{proxy\+\}, which an HTTP integration's uri does not take: its mapping reads \{proxy\}\. Write \{proxy\}: it is given the route's \{proxy\+\} value, slashes included\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /files/{proxy+}"].integration.uri', value: "https://files.example.com/{proxy+}", fix: "Write {proxy}: it is given the route's {proxy+} value, slashes included." }],
    ["HTTP integration URI with a path parameter on a route without any", { routes: { "GET /health": { integration: { type: "http", uri: "https://b.example.com/{tenant}/health" } } } },
      /integration\.uri "https:\/\/b\.example\.com\/\{tenant\}\/health" maps \{tenant\} from method\.request\.path\.tenant, a path parameter the route does not have.*Use one of the route's path parameters: \(the route has none\)\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /health"].integration.uri', value: "https://b.example.com/{tenant}/health", fix: "Use one of the route's path parameters: (the route has none)." }],
    ["HTTP integration timeout under 50 ms", { routes: { "GET /legacy": { integration: { type: "http", uri: "https://legacy.example.com/", timeoutMs: 10 } } } },
      /routes\["GET \/legacy"\]\.integration\.timeoutMs 10 is not a whole number of milliseconds of at least 50/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /legacy"].integration.timeoutMs', value: 10, fix: "Use e.g. 5000, or drop it for the 29000 default." }],
    // "You can increase the default value to longer than 29 seconds for Regional or private APIs only"
    // (https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html), and never past 300,000 BUFFERED
    // (pulumi-aws 7.48 apigateway/integration.d.ts timeoutMilliseconds) — review 22, F2.
    ["HTTP integration timeout over 29 s on an EDGE API", { endpointType: "EDGE", routes: { "GET /legacy": { integration: { type: "http", uri: "https://legacy.example.com/", timeoutMs: 60000 } } } },
      /^ServerlessApi "bad": routes\["GET \/legacy"\]\.integration\.timeoutMs 60000 is over 29000 ms, the longest an EDGE API's integration waits: API Gateway raises it only for REGIONAL and PRIVATE REST APIs\. Use at most 29000, or endpointType "REGIONAL" with the account's integration timeout quota raised\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /legacy"].integration.timeoutMs', value: 60000, fix: "Use at most 29000, or endpointType \"REGIONAL\" with the account's integration timeout quota raised." }],
    ["HTTP integration timeout over 300 s on a REGIONAL API", { routes: { "GET /legacy": { integration: { type: "http", uri: "https://legacy.example.com/", timeoutMs: 400000 } } } },
      /^ServerlessApi "bad": routes\["GET \/legacy"\]\.integration\.timeoutMs 400000 is over 300000 ms, the longest API Gateway waits for a REST integration, whatever the quota\. Use at most 300000 \(above 29000 only with the account's quota raised\), or hand long work to a queue and answer at once\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /legacy"].integration.timeoutMs', value: 400000, fix: "Use at most 300000 (above 29000 only with the account's quota raised), or hand long work to a queue and answer at once." }],
    // PutMethodResponse statusCode "Pattern: [1-5]\d\d" (https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethodResponse.html) — review 22, S2.
    ["mock status code under 100", { routes: { "GET /config": { integration: { type: "mock", statusCode: 99, body: {} }, auth: "none" } } },
      /^ServerlessApi "bad": routes\["GET \/config"\]\.integration\.statusCode 99 is not an HTTP status a method response takes \(API Gateway's pattern \[1-5\]\\d\\d: a whole number from 100 to 599\)\. Use e\.g\. 200, 204 or 503\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /config"].integration.statusCode', value: 99, fix: "Use e.g. 200, 204 or 503." }],
    ["mock status code 600", { routes: { "GET /config": { integration: { type: "mock", statusCode: 600, body: {} }, auth: "none" } } }, /routes\["GET \/config"\]\.integration\.statusCode 600 is not an HTTP status a method response takes/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /config"].integration.statusCode', value: 600, fix: "Use e.g. 200, 204 or 503." }],
    ["mock status code that is not a whole number", { routes: { "GET /config": { integration: { type: "mock", statusCode: 200.5, body: {} }, auth: "none" } } }, /routes\["GET \/config"\]\.integration\.statusCode 200\.5 is not an HTTP status a method response takes/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /config"].integration.statusCode', value: 200.5, fix: "Use e.g. 200, 204 or 503." }],
    ["mock status code given as a string", { routes: { "GET /config": { integration: { type: "mock", statusCode: "200" as unknown as number, body: {} }, auth: "none" } } }, /routes\["GET \/config"\]\.integration\.statusCode "200" is not an HTTP status a method response takes/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /config"].integration.statusCode', value: "200", fix: "Use e.g. 200, 204 or 503." }],
    ["an authorizer cache over an hour", { authorizers: { jwt: { type: "token", handler: "handlers/api/authorizer.ts", resultTtlSeconds: 3601 } } },
      /authorizers\.jwt\.resultTtlSeconds 3601 is outside API Gateway's range of 0–3600 seconds\. Use a whole number from 0 to 3600 seconds\./,
      { component: "ServerlessApi", resourceName: "bad", argument: "authorizers.jwt.resultTtlSeconds", value: 3601, fix: "Use a whole number from 0 to 3600 seconds." }],
    ["missing handler file", { routes: { "GET /x": { handler: "handlers/api/missing.ts" } } }, /routes\["GET \/x"\]\.handler "handlers\/api\/missing\.ts" is not a file\. Point it at the handler's source file/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x"].handler', value: "handlers/api/missing.ts", fix: `Point it at the handler's source file, relative to ${process.cwd()}.` }],
    ["canary on an unknown stage", { canary: { stage: "qa", percentTraffic: 10 } }, /ServerlessApi "bad": canary\.stage "qa" is not a stage of this API, so there is nothing to run a canary on\. Use one of dev, prod, or add the stage\./, { component: "ServerlessApi", resourceName: "bad", argument: "canary.stage", value: "qa", fix: "Use one of dev, prod, or add the stage." }],
    // The top-level canary is refused under the argument the user wrote, not the stage's (fuzz 16, finding 6).
    ["canary percent from config outside 0–100", { canary: { stage: "prod", percentTraffic: 101 } },
      /^ServerlessApi "bad": canary\.percentTraffic 101 is outside API Gateway's range of 0–100 percent\. Use a percentage such as 10 \(5–10 % is a common start\)\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "canary.percentTraffic", value: 101, fix: "Use a percentage such as 10 (5–10 % is a common start)." }],
    ["canary percent from config written as a string", { canary: { stage: "prod", percentTraffic: "10" as unknown as number } }, /^ServerlessApi "bad": canary\.percentTraffic "10" is not a number\. Use a percentage such as 10/, { component: "ServerlessApi", resourceName: "bad", argument: "canary.percentTraffic", value: "10", fix: "Use a percentage such as 10 (5–10 % is a common start)." }],
    ["canary percent that is not set", { canary: { stage: "prod" } as ServerlessApiArgs["canary"] }, /^ServerlessApi "bad": canary\.percentTraffic \(not set\) is required on a canary\. Use a percentage such as 10/, { component: "ServerlessApi", resourceName: "bad", argument: "canary.percentTraffic", value: undefined, fix: "Use a percentage such as 10 (5–10 % is a common start)." }],
    ["canary alias from config that is a stage's name", { canary: { stage: "prod", percentTraffic: 5, stageVariableOverrides: { alias: "dev" } } }, /^ServerlessApi "bad": canary\.stageVariableOverrides\.alias "dev" is also a stage's name/, { component: "ServerlessApi", resourceName: "bad", argument: "canary.stageVariableOverrides.alias", value: "dev", fix: 'Use a name no stage has, e.g. "prod-canary" (or drop it: that is the default, "<stage>-canary").' }],
    ["percent above 100", { stages: { prod: { canary: { percentTraffic: 120 } } } }, /stages\.prod\.canary\.percentTraffic 120 is outside API Gateway's range of 0–100 percent\. Use a percentage such as 10/, { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.canary.percentTraffic", value: 120, fix: "Use a percentage such as 10 (5–10 % is a common start)." }],
    ["percent below 0", { stages: { prod: { canary: { percentTraffic: -0.5 } } } }, /percentTraffic -0\.5 is outside API Gateway's range of 0–100 percent/, { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.canary.percentTraffic", value: -0.5, fix: "Use a percentage such as 10 (5–10 % is a common start)." }],
    ["percent NaN", { stages: { prod: { canary: { percentTraffic: Number.NaN } } } }, /stages\.prod\.canary\.percentTraffic NaN is not a number\./, { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.canary.percentTraffic", value: Number.NaN, fix: "Use a percentage such as 10 (5–10 % is a common start)." }],
    ["bad route key", { routes: { "FETCH /x": { handler: echo } } }, /routes\["FETCH \/x"\] "FETCH" is not an HTTP method API Gateway supports/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["FETCH /x"]', value: "FETCH", fix: "Use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY." }],
    ["trailing slash", { routes: { "GET /x/": { handler: echo } } }, /"" is not a valid path segment/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x/"]', value: "", fix: 'Use letters, digits, ._~- or a parameter such as "{albumId}" (no trailing slash).' }],
    ["handler and integration", { routes: { "GET /x": { handler: echo, integration: { type: "mock", body: {} } } } }, /needs exactly one of handler and integration/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x"]', value: ["handler", "integration"], fix: 'Set handler: "handlers/api/<name>.ts" for a Lambda route, or an integration (mock, http, aws).' }],
    ["unknown authorizer", { routes: { "GET /x": { handler: echo, auth: { authorizer: "okta" } } } }, /routes\["GET \/x"\]\.auth "okta" is not one of the API's authorizers\. Declare it under authorizers, or use one of: cognito, jwt\./, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x"].auth', value: "okta", fix: "Declare it under authorizers, or use one of: cognito, jwt." }],
    ["schema on GET", { routes: { "GET /x": { handler: echo, requestSchema: { type: "object" } } } }, /requestSchema "GET" is set on a method without a body/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x"].requestSchema', value: "GET", fix: "Only POST, PUT, PATCH (and ANY) routes take a request schema." }],
    ["timeout over 29 s", { routes: { "GET /x": { handler: echo, function: { timeout: 60 } } } }, /function\.timeout 60 is more than API Gateway waits \(29 s\)/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x"].function.timeout', value: 60, fix: "Use 1–29 seconds, or hand long work to a queue." }],
    ["wildcard permission", { routes: { "GET /x": { handler: echo, function: { permissions: [{ actions: ["dynamodb:*"], resources: [tableArn] }] } } } }, /function\.permissions\[0\]\.actions "dynamodb:\*" is a wildcard/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x"].function.permissions[0].actions', value: "dynamodb:*", fix: 'Name each action exactly (least privilege), e.g. "s3:GetObject"; use a grant helper from the component that owns the resource.' }],
    ["API key without plan", { routes: { "GET /x": { handler: echo, apiKeyRequired: true } } }, /apiKeyRequired true needs an API key, but no usage plan has apiKeys/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x"].apiKeyRequired', value: true, fix: "Add a usage plan with apiKeys, or drop apiKeyRequired." }],
    ["usage plan on unknown stage", { usagePlans: { p: { apiKeys: ["k"], stages: ["qa"] } } }, /usagePlans\.p\.stages "qa" is not a stage of this API\. Use one of dev, prod\./, { component: "ServerlessApi", resourceName: "bad", argument: "usagePlans.p.stages", value: "qa", fix: "Use one of dev, prod." }],
    ["private without endpoints", { endpointType: "PRIVATE" }, /ServerlessApi "bad": vpcEndpointIds \(not set\) is empty for a PRIVATE API, which only answers through VPC endpoints\. Pass the ids of the execute-api interface VPC endpoints/, { component: "ServerlessApi", resourceName: "bad", argument: "vpcEndpointIds", value: undefined, fix: 'Pass the ids of the execute-api interface VPC endpoints its callers use, e.g. ["vpce-0123456789abcdef0"] (config apiVpcEndpointIds); the resource policy allows only them.' }],
    ["private with an empty endpoint list", { endpointType: "PRIVATE", vpcEndpointIds: [] }, /vpcEndpointIds \[\] is empty for a PRIVATE API/, { component: "ServerlessApi", resourceName: "bad", argument: "vpcEndpointIds", value: [], fix: 'Pass the ids of the execute-api interface VPC endpoints its callers use, e.g. ["vpce-0123456789abcdef0"] (config apiVpcEndpointIds); the resource policy allows only them.' }],
    ["endpoints on a regional API", { vpcEndpointIds: ["vpce-0123456789abcdef0"] }, /vpcEndpointIds \["vpce-0123456789abcdef0"\] is set on a REGIONAL API; only PRIVATE APIs are reached through VPC endpoints\. Set endpointType "PRIVATE", or drop vpcEndpointIds\./, { component: "ServerlessApi", resourceName: "bad", argument: "vpcEndpointIds", value: ["vpce-0123456789abcdef0"], fix: 'Set endpointType "PRIVATE", or drop vpcEndpointIds.' }],
    ["a VPC id for an endpoint id", { endpointType: "PRIVATE", vpcEndpointIds: ["vpc-0123456789abcdef0"] }, /vpcEndpointIds\[0\] "vpc-0123456789abcdef0" is not a VPC endpoint id/, { component: "ServerlessApi", resourceName: "bad", argument: "vpcEndpointIds[0]", value: "vpc-0123456789abcdef0", fix: "Use the interface endpoint's id for com.amazonaws.<region>.execute-api, e.g. \"vpce-0123456789abcdef0\"." }],
    // Stage names (and canary aliases) become Lambda alias names: https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html
    ["all-digit stage, an alias Lambda refuses", { stages: { "2024": {} } }, /ServerlessApi "bad": stages "2024" is all digits, and each stage names a Lambda alias of every route function, which Lambda refuses for all-digit names\. Start the stage name with a letter/, { component: "ServerlessApi", resourceName: "bad", argument: "stages", value: "2024", fix: "Start the stage name with a letter, e.g. v2024." }],
    ["stage too long for its canary alias", { stages: { ["s".repeat(122)]: { canary: { percentTraffic: 10 } } } }, /stages "s{122}" gives the canary alias "s{122}-canary" \(129 characters\), longer than Lambda's 128 for an alias name\. Shorten the stage name/, { component: "ServerlessApi", resourceName: "bad", argument: "stages", value: "s".repeat(122), fix: "Shorten the stage name to at most 121 characters, or set stages.ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss.canary.stageVariableOverrides.alias to a shorter name." }],
    ["canary alias with a dot", { stages: { prod: { canary: { percentTraffic: 10, stageVariableOverrides: { alias: "prod.v2" } } } } }, /stages\.prod\.canary\.stageVariableOverrides\.alias "prod\.v2" names the canary's Lambda alias, and Lambda alias names are 1–128 letters, digits, hyphens and underscores/, { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.canary.stageVariableOverrides.alias", value: "prod.v2", fix: 'Use e.g. "prod-canary" (or drop it: that is the default, "<stage>-canary").' }],
    // Stage names take "-" (API_Stage), so a stage may be named like another stage's default canary alias.
    ["canary's default alias that is a stage's name", { stages: { "prod-canary": {}, prod: { canary: { percentTraffic: 10 } } } },
      /^ServerlessApi "bad": stages "prod" gives its canary the Lambda alias "prod-canary", which stage prod-canary already names .*; its canary's resources are also named like that stage's \(the execution log group "<api>-execution-logs-prod-canary"\), so no alias override makes the two fit\. Rename stage prod-canary, e\.g\. to "prod_canary", or stage prod\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "stages", value: "prod", fix: 'Rename stage prod-canary, e.g. to "prod_canary", or stage prod.' }],
    ["canary alias that is a stage's own alias", { stages: { dev: {}, prod: { canary: { percentTraffic: 10, stageVariableOverrides: { alias: "dev" } } } } }, /stages\.prod\.canary\.stageVariableOverrides\.alias "dev" is also a stage's name, and each stage already names a Lambda alias of every route function\. Use a name no stage has/, { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.canary.stageVariableOverrides.alias", value: "dev", fix: 'Use a name no stage has, e.g. "prod-canary" (or drop it: that is the default, "<stage>-canary").' }],
    ["top-level canary whose default alias is a stage's name", { stages: { "prod-canary": {}, prod: {} }, canary: { stage: "prod", percentTraffic: 5 } },
      /^ServerlessApi "bad": canary\.stage "prod" gives its canary the Lambda alias "prod-canary", which stage prod-canary already names .*Rename stage prod-canary, e\.g\. to "prod_canary", or stage prod\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "canary.stage", value: "prod", fix: 'Rename stage prod-canary, e.g. to "prod_canary", or stage prod.' }],
    ["all-digit canary alias from config", { canary: { stage: "prod", percentTraffic: 5, stageVariableOverrides: { alias: "2" } } }, /^ServerlessApi "bad": canary\.stageVariableOverrides\.alias "2" names the canary's Lambda alias/, { component: "ServerlessApi", resourceName: "bad", argument: "canary.stageVariableOverrides.alias", value: "2", fix: 'Use e.g. "prod-canary" (or drop it: that is the default, "<stage>-canary").' }],
    ["a stage variable alias ServerlessApi would replace", { stages: { prod: { variables: { alias: "live" } } } },
      /^ServerlessApi "bad": stages\.prod\.variables\.alias "live" is set by ServerlessApi to the stage's name \("prod"\): it names the Lambda alias the stage's routes call, so another value would be replaced\. Remove it/,
      { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.variables.alias", value: "live", fix: "Remove it, or give your variable another name; a canary calls another alias with canary.stageVariableOverrides.alias." }],
    ["bad stage variable", { stages: { prod: { variables: { "log-level": "x" } } } }, /stages\.prod\.variables "log-level" is not a stage variable name/, { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.variables", value: "log-level", fix: "Use letters, digits and underscores." }],
    // Fuzz seed 271828: @pulumi/pulumi could not register the stage ("Cannot convert object to primitive value").
    ["a stage variable named __proto__ (from JSON, an own key)", { stages: { prod: { variables: JSON.parse('{"__proto__":"x"}') } } },
      /^ServerlessApi "bad": stages\.prod\.variables "__proto__" is a key a JavaScript object does not keep when it is copied \(it sets the copy's prototype\), so the entry would be dropped silently, though AWS takes it\. Use another name/,
      { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.variables", value: "__proto__", fix: 'Use another name, e.g. "to_string".' }],
    ["a stage variable named toString", { stages: { prod: { variables: { toString: "x" } } } },
      /^ServerlessApi "bad": stages\.prod\.variables "toString" is a key Pulumi's SDK cannot send in an input map: registering the resource fails with "TypeError: Cannot convert object to primitive value" \(@pulumi\/pulumi runtime\/rpc\.js safeToString\), though AWS takes it\. Use another name, e\.g\. "to_string"\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.variables", value: "toString", fix: 'Use another name, e.g. "to_string".' }],
    // A canary's overrides are refused as the overrides, not as the stage's variables.
    ["bad canary override value", { stages: { prod: { canary: { percentTraffic: 5, stageVariableOverrides: { backend: "with space" } } } } }, /^ServerlessApi "bad": stages\.prod\.canary\.stageVariableOverrides\.backend "with space" has characters stage variables do not allow/, { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.canary.stageVariableOverrides.backend", value: "with space", fix: "Use 1–512 of A-Z a-z 0-9 - . _ ~ : / ? # & = ," }],
    // "Stage variables per stage | 100 | No", "Length, in characters, of the key in a stage variable | 64 | No":
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html (fuzz 16, finding 9).
    ["stage variable name over 64 characters", { stages: { prod: { variables: { ["k".repeat(65)]: "v" } } } },
      /^ServerlessApi "bad": stages\.prod\.variables "k{65}" is 65 characters long, over API Gateway's 64 for a stage variable name .*\. Shorten it to at most 64 characters\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.variables", value: "k".repeat(65), fix: "Shorten it to at most 64 characters." }],
    ["100 stage variables, 101 with the alias ServerlessApi adds", { stages: { prod: { variables: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, "v"])) } } },
      /^ServerlessApi "bad": stages\.prod\.variables 100 variables, with the "alias" variable ServerlessApi adds to every stage, make 101, over API Gateway's 100 stage variables per stage .*\. Declare at most 99/,
      { component: "ServerlessApi", resourceName: "bad", argument: "stages.prod.variables", value: 100, fix: "Declare at most 99 (alias is set for you), e.g. by moving settings into the functions' environment (functionDefaults.environment)." }],
    ["canary override name over 64 characters", { canary: { stage: "prod", percentTraffic: 5, stageVariableOverrides: { ["k".repeat(65)]: "v" } } },
      /^ServerlessApi "bad": canary\.stageVariableOverrides "k{65}" is 65 characters long, over API Gateway's 64 for a stage variable name/,
      { component: "ServerlessApi", resourceName: "bad", argument: "canary.stageVariableOverrides", value: "k".repeat(65), fix: "Shorten it to at most 64 characters." }],
    ["domain IP address type API Gateway does not know", { domain: { name: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x", ipAddressType: "ipv6" as "ipv4" } },
      /^ServerlessApi "bad": domain\.ipAddressType "ipv6" is not an IP address type of an API Gateway custom domain\. Use "dualstack" \(IPv4 and IPv6, the default\) or "ipv4"\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "domain.ipAddressType", value: "ipv6", fix: 'Use "dualstack" (IPv4 and IPv6, the default) or "ipv4".' }],
    // API mappings: "must contain only letters, numbers, and the following characters: $-_.+!*'()/" and "The maximum length
    // for the path in an API mapping is 300 characters" (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html);
    // a REST API's v1 base path mapping takes one level (CreateBasePathMapping: "API Gateway V1 doesn't support the slash
    // character (/) in base path mappings", hashicorp/terraform-provider-aws#21986) — review 22, S3.
    ["domain base path with a leading slash", { domain: { name: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x", basePath: "/v1" } },
      /^ServerlessApi "bad": domain\.basePath "\/v1" starts or ends with "\/", or has an empty level between two "\/"; API Gateway maps a path of levels without them\. Write it without leading, trailing or doubled slashes: "v1"\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "domain.basePath", value: "/v1", fix: 'Write it without leading, trailing or doubled slashes: "v1".' }],
    ["domain base path with a space", { domain: { name: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x", basePath: "a b" } },
      /^ServerlessApi "bad": domain\.basePath "a b" has characters an API mapping does not take \(" "\): API Gateway takes letters, digits and \$-_\.\+!\*'\(\) \(rest-api-mappings\.html\)\. Remove them: "ab"\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "domain.basePath", value: "a b", fix: 'Remove them: "ab".' }],
    // A REST API's base path mapping takes one level: the suggestion joins the levels as the several-levels refusal does.
    ["domain base path with a query and two levels", { domain: { name: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x", basePath: "gallery/v2?x" } },
      /^ServerlessApi "bad": domain\.basePath "gallery\/v2\?x" has characters an API mapping does not take \("\?"\): .*\. Remove them and join the levels with "-" \(a REST base path mapping takes one level\): "gallery-v2x"\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "domain.basePath", value: "gallery/v2?x", fix: 'Remove them and join the levels with "-" (a REST base path mapping takes one level): "gallery-v2x".' }],
    ["multi-level domain base path on a REST API", { domain: { name: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x", basePath: "api/v1" } },
      /^ServerlessApi "bad": domain\.basePath "api\/v1" has several levels, and a REST API's domain is mapped by a base path mapping \(API Gateway v1\), which refuses them: "API Gateway V1 doesn't support the slash character \(\/\) in base path mappings\. To create a multi-level base path mapping, use API Gateway V2\."\. Map one level, e\.g\. "api-v1", or "api" with the rest in the API's own basePath \(routes then answer under \/api\/v1\/…\), or use kind: ApiKind\.Http, whose API mapping takes several levels\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "domain.basePath", value: "api/v1", fix: "Map one level, e.g. \"api-v1\", or \"api\" with the rest in the API's own basePath (routes then answer under /api/v1/…), or use kind: ApiKind.Http, whose API mapping takes several levels." }],
    ["domain base path over 300 characters", { domain: { name: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x", basePath: "v".repeat(301) } },
      /^ServerlessApi "bad": domain\.basePath "v{301}" is 301 characters long, over the 300 API Gateway takes for an API mapping's path\. Shorten it to at most 300 characters\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "domain.basePath", value: "v".repeat(301), fix: "Shorten it to at most 300 characters." }],
    ["domain stage unknown", { domain: { name: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x", stage: "qa" } }, /domain\.stage "qa" is not a stage of this API/, { component: "ServerlessApi", resourceName: "bad", argument: "domain.stage", value: "qa", fix: "Use one of dev, prod." }],
    // "The certificate must be in the same Region as your API": https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html
    ["domain certificate from another region", { region: "eu-west-1", domain: { name: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x", stage: "prod" } },
      /^ServerlessApi "bad": domain\.certificateArn "arn:aws:acm:us-east-1:123456789012:certificate\/x" is in us-east-1, but a regional custom domain takes a certificate from its API's region, eu-west-1\. Request or import a certificate for api\.example\.com in eu-west-1\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "domain.certificateArn", value: "arn:aws:acm:us-east-1:123456789012:certificate/x", fix: "Request or import a certificate for api.example.com in eu-west-1." }],
  ])("%s", (_, bad, message, contract) => {
    expect(refusalOf(() => new ServerlessApi("bad", { ...args(), ...bad }), "ServerlessApi accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });
});

describe("ServerlessApi names its own arguments when a route's or authorizer's function is refused", () => {
  it.each<[string, Partial<ServerlessApiArgs>, RegExp, RefusalContract]>([
    // The fix names the route's `export`, not LambdaFunction's `handler`, which the user never wrote.
    ["an export the route's handler file lacks", { routes: { "GET /x": { handler: echo, export: "list_all" } } },
      /^ServerlessApi "bad": routes\["GET \/x"\]\.export "list_all" is not exported by .*echo\.ts\. Export a function named list_all, or set routes\["GET \/x"\]\.export to the exported name\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x"].export', value: "list_all", fix: 'Export a function named list_all, or set routes["GET /x"].export to the exported name.' }],
    // A Lambda authorizer has no `export`: its file must export `handler`.
    ["an authorizer file without a handler export", { authorizers: { jwt: { type: "token", handler: "tests/fixtures/handlers/no-handler.ts" } }, defaultAuth: "iam", routes: { "GET /x": { handler: echo, auth: { authorizer: "jwt" } } } },
      /^ServerlessApi "bad": authorizers\.jwt\.handler "handler" is not exported by .*no-handler\.ts\. Export a function named handler from it\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: "authorizers.jwt.handler", value: "handler", fix: "Export a function named handler from it." }],
    ["a reserved environment variable on a route", { routes: { "GET /x": { handler: echo, function: { environment: { AWS_REGION: "us-west-2" } } } } },
      /^ServerlessApi "bad": routes\["GET \/x"\]\.function\.environment "AWS_REGION" is reserved by the Lambda runtime\. Pick another name\.$/,
      { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /x"].function.environment', value: "AWS_REGION", fix: "Pick another name." }],
  ])("%s", (_, bad, message, contract) => {
    expect(refusalOf(() => new ServerlessApi("bad", { ...args(), ...bad }), "ServerlessApi accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });
});

describe("ServerlessApi refuses an AWS-service route whose integration role IAM would refuse (the shared autoname check)", () => {
  const s3Put = { type: "aws" as const, service: "s3", method: "PUT", path: "uploads-bucket/{key}", permissions: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::uploads-bucket/*"] }] };

  it("refuses a component name too long for the role as its name, with the longest that fits", () => {
    expect(refusalOf(() => new ServerlessApi("n".repeat(40), { routes: { "GET /": { integration: s3Put } } }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "n".repeat(40),
      argument: "name",
      value: "n".repeat(40),
      fix: "Use a component name of at most 30 characters.",
      message: expect.stringMatching(/^ServerlessApi "n{40}": name "n{40}" makes the IAM role name "n{40}-integration-role-get-root-<random suffix>" 74 characters, over IAM's 64\. Use a component name of at most 30 characters\.$/),
    });
  });

  it("refuses a path too long for the role as the route's, with the longest part and component name that fit", () => {
    expect(refusalOf(() => new ServerlessApi("gallery-api", { routes: { "PUT /uploads/by-album/{albumId}": { integration: s3Put } } }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "gallery-api",
      argument: 'routes["PUT /uploads/by-album/{albumId}"]',
      value: "PUT /uploads/by-album/{albumId}",
      fix: 'Use a role name part (now "put-uploads-by-album-albumId": from the method, base path and path, "/" read as "-") of at most 27 characters, or a component name of at most 10 characters.',
      message: expect.stringMatching(/^ServerlessApi "gallery-api": routes\["PUT \/uploads\/by-album\/\{albumId\}"\] "PUT \/uploads\/by-album\/\{albumId\}" makes the IAM role name "gallery-api-integration-role-put-uploads-by-album-albumId-<random suffix>" 65 characters, over IAM's 64\. Use a role name part \(now "put-uploads-by-album-albumId": from the method, base path and path, "\/" read as "-"\) of at most 27 characters, or a component name of at most 10 characters\.$/),
    });
  });

  it("refuses a component name with a character IAM refuses in a role name (the access log group takes it) as its name, with an example", () => {
    expect(refusalOf(() => new ServerlessApi("uploads/v2", { routes: { "PUT /u/{key}": { integration: s3Put } } }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "uploads/v2",
      argument: "name",
      value: "uploads/v2",
      fix: 'Use a component name of letters, digits, "-", "." and "_", e.g. "uploads-v2".',
      message: expect.stringMatching(/^ServerlessApi "uploads\/v2": name "uploads\/v2" makes the IAM role name "uploads\/v2-integration-role-put-u-key-<random suffix>" hold "\/", which IAM refuses \(it takes letters, digits, "-", "_", "\.", "\+", "=", "," and "@"\)\. Use a component name of letters, digits, "-", "\." and "_", e\.g\. "uploads-v2"\.$/),
    });
  });

  it('refuses a "~" the base path puts in the role name as the base path\'s, and one the path puts as the route\'s', () => {
    expect(refusalOf(() => new ServerlessApi("data", { basePath: "~v1", routes: { "PUT /u": { integration: s3Put } } }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "data",
      argument: "basePath",
      value: "~v1",
      fix: 'Use a base path without "~" (it names the role of every AWS-service route), or call the service from a Lambda handler.',
      message: expect.stringMatching(/^ServerlessApi "data": basePath "~v1" makes the IAM role name "data-integration-role-put-~v1-u-<random suffix>" hold "~", which IAM refuses \(letters, digits and _\+=,\.@- only\) for route "PUT \/u"\. Use a base path without "~"/),
    });
    expect(refusalOf(() => new ServerlessApi("data", { basePath: "v1", routes: { "PUT /~u": { integration: s3Put } } }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "data",
      argument: 'routes["PUT /~u"].integration',
      value: "aws",
      fix: "The route's path names the role: use a path without \"~\" for an AWS-service route, or call the service from a Lambda handler.",
      message: expect.stringMatching(/^ServerlessApi "data": routes\["PUT \/~u"\]\.integration "aws" makes the IAM role name "data-integration-role-put-v1-~u-<random suffix>" hold "~".* use a path without "~"/),
    });
  });

  it("refuses an AWS-service route on the HTTP kind for its kind, not for a role it never creates", () => {
    expect(refusalOf(() => new ServerlessApi("n".repeat(40), { kind: ApiKind.Http, routes: { "GET /": { integration: s3Put } } }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "n".repeat(40),
      argument: 'routes["GET /"].integration',
      value: "aws",
      fix: "Call the service from a Lambda handler, or use kind: ApiKind.Rest.",
      message: expect.stringMatching(/routes\["GET \/"\]\.integration "aws" is set on an HTTP API/),
    });
  });
});
