/** ServerlessApi's HTTP kind: the same route table as an API Gateway v2 HTTP API, and what it refuses. */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ApiKind, ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { checkDeployRules, formatFinding } from "../../testing/deploy-rules";
import { ofType, policyDocument, record, resource } from "../harness/mocks";
import { refusalOf, type RefusalContract } from "../harness/refusals";

const echo = "tests/fixtures/handlers/echo.ts";
const userPoolArn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TEST";
const V2 = "aws:apigatewayv2";

function args(overrides: Partial<ServerlessApiArgs> = {}): ServerlessApiArgs {
  return {
    kind: ApiKind.Http,
    basePath: "api",
    stages: { dev: { throttle: { rateLimit: 20, burstLimit: 40 } }, prod: {} },
    authorizers: { cognito: { type: "cognito", userPoolArns: [userPoolArn], audience: ["client1"] } },
    defaultAuth: { authorizer: "cognito" },
    cors: { allowOrigins: ["https://gallery.example.com"] },
    routes: {
      "GET /health": { handler: echo, auth: "none" },
      "GET /albums/{albumId}": { handler: echo },
      "DELETE /albums/{albumId}": { handler: echo, auth: "iam" },
      "GET /legacy/{id}": { integration: { type: "http", uri: "https://legacy.example.com/items/{id}" } },
    },
    ...overrides,
  };
}

describe("ServerlessApi kind: ApiKind.Http", () => {
  it("takes several CORS origins (the HTTP API answers with the one that matched); a REST API's single Access-Control-Allow-Origin takes one", async () => {
    const origins = ["https://gallery.example.com", "https://admin.example.com"];
    const graph = await record(() => new ServerlessApi("h0", args({ cors: { allowOrigins: origins } })));
    expect(resource(graph, `${V2}/api:Api`, "h0-http-api").inputs.corsConfiguration.allowOrigins).toEqual(origins);
    expect(checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" }).map(formatFinding)).toEqual([]);
    expect(refusalOf(() => new ServerlessApi("r0", { routes: { "GET /health": { handler: echo, auth: "none" } }, cors: { allowOrigins: origins } }), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "r0",
      argument: "cors.allowOrigins",
      value: ["https://gallery.example.com", "https://admin.example.com"],
      fix: "Serve the API behind the site's CloudFront (same origin), pick one origin, or use kind: ApiKind.Http, whose CORS configuration takes several.",
      message: expect.stringMatching(/^ServerlessApi "r0": cors\.allowOrigins .* has more than one origin; a REST API's responses name exactly one in Access-Control-Allow-Origin\. .*or use kind: ApiKind\.Http, whose CORS configuration takes several\.$/),
    });
  });

  it.each([
    [86_401, /^ServerlessApi "h9": cors\.maxAgeSeconds 86401 is outside ServerlessApi's range of 0–86400 seconds; an HTTP API's CORS MaxAge takes at most 86400, and a REST API writes the value into Access-Control-Max-Age, where a negative one means nothing\. Use e\.g\. 600 \(the default\); browsers cap it lower anyway\.$/, { component: "ServerlessApi", resourceName: "h9", argument: "cors.maxAgeSeconds", value: 86401, fix: "Use e.g. 600 (the default); browsers cap it lower anyway." }],
    [-1, /cors\.maxAgeSeconds -1 is outside ServerlessApi's range of 0–86400 seconds; an HTTP API's CORS MaxAge takes at most 86400, and a REST API writes the value into Access-Control-Max-Age, where a negative one means nothing/, { component: "ServerlessApi", resourceName: "h9", argument: "cors.maxAgeSeconds", value: -1, fix: "Use e.g. 600 (the default); browsers cap it lower anyway." }],
    [1.5, /cors\.maxAgeSeconds 1\.5 is not a whole number; an HTTP API's/, { component: "ServerlessApi", resourceName: "h9", argument: "cors.maxAgeSeconds", value: 1.5, fix: "Use e.g. 600 (the default); browsers cap it lower anyway." }],
  ])("refuses cors.maxAgeSeconds %s on either kind", (maxAgeSeconds, message, contract) => {
    expect(refusalOf(() => new ServerlessApi("h9", args({ cors: { allowOrigins: ["https://gallery.example.com"], maxAgeSeconds } })), "ServerlessApi accepted the arguments")).toMatchObject({
      ...contract,
      message: expect.stringMatching(message),
    });
    expect(refusalOf(() => new ServerlessApi("h9", { routes: { "GET /health": { handler: echo, auth: "none" } }, cors: { allowOrigins: ["https://gallery.example.com"], maxAgeSeconds } }), "ServerlessApi accepted the arguments")).toMatchObject({
      ...contract,
      message: expect.stringMatching(message),
    });
  });

  it("deploys the route table as an HTTP API: routes under the base path, Lambda proxies with payload format 2.0, an HTTP proxy", async () => {
    const graph = await record(() => new ServerlessApi("h1", args()));
    expect(ofType(graph, "aws:apigateway/restApi:RestApi")).toEqual([]);
    const api = resource(graph, `${V2}/api:Api`, "h1-http-api");
    expect(api.inputs).toMatchObject({
      protocolType: "HTTP",
      corsConfiguration: { allowOrigins: ["https://gallery.example.com"], allowHeaders: ["Authorization", "Content-Type", "X-Api-Key"], maxAge: 600 },
    });
    expect(ofType(graph, `${V2}/route:Route`).map((r) => r.inputs.routeKey).sort()).toEqual(["DELETE /api/albums/{albumId}", "GET /api/albums/{albumId}", "GET /api/health", "GET /api/legacy/{id}"]);
    const lambda = resource(graph, `${V2}/integration:Integration`, "h1-integration-get-api-albums-albumId");
    expect(lambda.inputs).toMatchObject({ integrationType: "AWS_PROXY", payloadFormatVersion: "2.0", integrationMethod: "POST" });
    expect(resource(graph, `${V2}/integration:Integration`, "h1-integration-get-api-legacy-id").inputs).toMatchObject({
      integrationType: "HTTP_PROXY",
      integrationMethod: "GET",
      integrationUri: "https://legacy.example.com/items/{id}",
    });
    const invoke = resource(graph, "aws:lambda/permission:Permission", "h1-get-albums-albumid-invoke");
    expect(invoke.inputs.sourceArn).toBe(`${api.state.executionArn}/*/GET/api/albums/*`);
  });

  it("gives route functions their secrets and VPC, as the REST kind does (functionDefaults and per route)", async () => {
    const vpc = { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] };
    const graph = await record(
      () =>
        new ServerlessApi(
          "hs",
          args({
            functionDefaults: { vpc },
            routes: { "GET /albums": { handler: echo, function: { secrets: { CURSOR_SECRET_ID: { secretsManager: "gallery/cursor-key" } } } } },
          }),
        ),
    );
    const fn = resource(graph, "aws:lambda/function:Function", "hs-get-albums-function");
    expect(fn.inputs.environment.variables.CURSOR_SECRET_ID).toBe("gallery/cursor-key");
    expect(fn.inputs.vpcConfig).toEqual(vpc);
    const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "hs-get-albums-policy").inputs.policy).Statement;
    expect(statements.filter((s) => s.Action.includes("secretsmanager:GetSecretValue")).flatMap((s) => s.Resource)).toEqual(["arn:aws:secretsmanager:us-east-1:123456789012:secret:gallery/cursor-key-??????"]);
  });

  it("maps a custom domain served to IPv4 and IPv6 clients (dualstack) unless domain.ipAddressType says ipv4", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/api";
    const dual = await record(() => new ServerlessApi("hd1", args({ domain: { name: "api.gallery.example.com", certificateArn } })));
    expect(resource(dual, `${V2}/domainName:DomainName`, "hd1-domain").inputs.domainNameConfiguration).toMatchObject({
      endpointType: "REGIONAL",
      securityPolicy: "TLS_1_2",
      ipAddressType: "dualstack",
    });
    const v4 = await record(() => new ServerlessApi("hd2", args({ domain: { name: "api.gallery.example.com", certificateArn, ipAddressType: "ipv4" } })));
    expect(resource(v4, `${V2}/domainName:DomainName`, "hd2-domain").inputs.domainNameConfiguration.ipAddressType).toBe("ipv4");
  });

  it("maps the custom domain under a multi-level domain.basePath (an API mapping takes several levels on a regional TLS 1.2 domain)", async () => {
    // "To configure API mappings with multiple levels, you must use a Regional custom domain name with the TLS 1.2
    // security policy" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mappings.html): the HTTP kind's domain is one.
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/api";
    const graph = await record(() => new ServerlessApi("hm", args({ domain: { name: "api.gallery.example.com", certificateArn, basePath: "gallery/v2" } })));
    expect(resource(graph, `${V2}/apiMapping:ApiMapping`, "hm-mapping").inputs.apiMappingKey).toBe("gallery/v2");
    expect(refusalOf(() => new ServerlessApi("bad", args({ domain: { name: "api.gallery.example.com", certificateArn, basePath: "gallery//v2" } })), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "bad",
      argument: "domain.basePath",
      value: "gallery//v2",
      fix: 'Write it without leading, trailing or doubled slashes: "gallery/v2".',
      message: expect.stringMatching(/^ServerlessApi "bad": domain\.basePath "gallery\/\/v2" starts or ends with "\/", or has an empty level between two "\/"; .* Write it without leading, trailing or doubled slashes: "gallery\/v2"\.$/),
    });
    expect(refusalOf(() => new ServerlessApi("bad", args({ domain: { name: "api.gallery.example.com", certificateArn, basePath: "gallery/v2?x" } })), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "bad",
      argument: "domain.basePath",
      value: "gallery/v2?x",
      fix: 'Remove them: "gallery/v2x".',
      message: expect.stringMatching(/^ServerlessApi "bad": domain\.basePath "gallery\/v2\?x" has characters an API mapping does not take \("\?"\): API Gateway takes letters, digits and \$-_\.\+!\*'\(\) with "\/" between levels .*\. Remove them: "gallery\/v2x"\.$/),
    });
    // Nothing left once the refused characters go: no path to suggest from the value.
    expect(refusalOf(() => new ServerlessApi("bad", args({ domain: { name: "api.gallery.example.com", certificateArn, basePath: "??/%" } })), "ServerlessApi accepted the arguments")).toMatchObject({
      argument: "domain.basePath",
      value: "??/%",
      fix: 'Use e.g. "v1", or "" to map the API at the root.',
    });
  });

  it("gives an HTTP route the integration timeout it asks for, up to the 30 s an HTTP API allows, and refuses more instead of cutting it down", async () => {
    // "Maximum integration timeout | 30 seconds | No" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
    const legacy = (timeoutMs: number) => ({ routes: { "GET /legacy": { integration: { type: "http" as const, uri: "https://legacy.example.com/", timeoutMs } } } });
    const graph = await record(() => new ServerlessApi("ht", args(legacy(30000))));
    expect(resource(graph, `${V2}/integration:Integration`, "ht-integration-get-api-legacy").inputs.timeoutMilliseconds).toBe(30000);
    const defaulted = await record(() => new ServerlessApi("hu", args()));
    expect(resource(defaulted, `${V2}/integration:Integration`, "hu-integration-get-api-legacy-id").inputs.timeoutMilliseconds).toBe(29000);
    expect(refusalOf(() => new ServerlessApi("bad", args(legacy(60000))), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "bad",
      argument: 'routes["GET /legacy"].integration.timeoutMs',
      value: 60000,
      fix: "Use at most 30000, or kind: ApiKind.Rest with a REGIONAL endpoint, whose integrations may wait up to 300000 once the account's quota is raised.",
      message: expect.stringMatching(/^ServerlessApi "bad": routes\["GET \/legacy"\]\.integration\.timeoutMs 60000 is over 30000 ms, the longest an HTTP API waits for an integration \(a quota API Gateway does not raise\)\. Use at most 30000, or kind: ApiKind\.Rest with a REGIONAL endpoint, whose integrations may wait up to 300000 once the account's quota is raised\.$/),
    });
  });

  it("verifies Cognito tokens with the native JWT authorizer (the pool's issuer, the app clients as audience)", async () => {
    const graph = await record(() => new ServerlessApi("h2", args()));
    const authorizer = resource(graph, `${V2}/authorizer:Authorizer`, "h2-authorizer-cognito");
    expect(authorizer.inputs).toMatchObject({
      authorizerType: "JWT",
      identitySources: ["$request.header.Authorization"],
      jwtConfiguration: { issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST", audiences: ["client1"] },
    });
    const routes = Object.fromEntries(ofType(graph, `${V2}/route:Route`).map((r) => [r.inputs.routeKey, r.inputs]));
    expect(routes["GET /api/albums/{albumId}"]).toMatchObject({ authorizationType: "JWT", authorizerId: authorizer.id });
    expect(routes["DELETE /api/albums/{albumId}"]).toMatchObject({ authorizationType: "AWS_IAM" });
    expect(routes["GET /api/health"]).toMatchObject({ authorizationType: "NONE" });
  });

  // Review 95 (F6): a pool with IssuerConfiguration UPDATED issues https://issuer-cognito-idp.<region>.amazonaws.com/<id>.
  it("takes an issuer for pools whose tokens carry another one (UPDATED issuers), and refuses it on REST", async () => {
    const updated = "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST";
    const graph = await record(() => new ServerlessApi("h2u", args({ authorizers: { cognito: { type: "cognito", userPoolArns: [userPoolArn], audience: ["client1"], issuer: updated } } })));
    expect(resource(graph, `${V2}/authorizer:Authorizer`, "h2u-authorizer-cognito").inputs.jwtConfiguration).toEqual({ issuer: updated, audiences: ["client1"] });
    expect(refusalOf(() => new ServerlessApi("bad", args({ kind: undefined, authorizers: { cognito: { type: "cognito", userPoolArns: [userPoolArn], issuer: updated } } })), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "bad",
      argument: "authorizers.cognito.issuer",
      value: updated,
      fix: "Drop issuer, or set kind: ApiKind.Http.",
      message: expect.stringMatching(/^ServerlessApi "bad": authorizers\.cognito\.issuer "https:\/\/issuer-cognito-idp\.us-east-1\.amazonaws\.com\/us-east-1_TEST" is for the HTTP kind's JWT authorizer; a REST Cognito authorizer takes the pool from userPoolArns and checks its tokens itself\. Drop issuer, or set kind: ApiKind\.Http\.$/),
    });
  });

  it("gives every stage auto-deploy, JSON access logs and its throttle; and passes the deploy rules", async () => {
    const graph = await record(() => new ServerlessApi("h3", args()));
    const logs = resource(graph, "aws:cloudwatch/logGroup:LogGroup", "h3-access-logs");
    const dev = resource(graph, `${V2}/stage:Stage`, "h3-stage-dev");
    expect(dev.inputs).toMatchObject({
      name: "dev",
      autoDeploy: true,
      accessLogSettings: { destinationArn: logs.state.arn },
      defaultRouteSettings: { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
    });
    expect(JSON.parse(dev.inputs.accessLogSettings.format)).toMatchObject({ routeKey: "$context.routeKey", status: "$context.status" });
    expect(resource(graph, `${V2}/stage:Stage`, "h3-stage-prod").inputs.defaultRouteSettings).toMatchObject({ throttlingRateLimit: 100, throttlingBurstLimit: 200 });
    expect(ofType(graph, `${V2}/deployment:Deployment`)).toEqual([]);
    expect(checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" }).map(formatFinding)).toEqual([]);
  });

  const refusals: Array<[string, Partial<ServerlessApiArgs>, RegExp, RefusalContract]> = [
    ["usage plans", { usagePlans: { basic: { apiKeys: ["k"] } } }, /usagePlans \["basic"\] is set on an HTTP API, which has no usage plans or API keys/, { component: "ServerlessApi", resourceName: "bad", argument: "usagePlans", value: ["basic"], fix: "Drop usagePlans, or use kind: ApiKind.Rest for per-client quotas." }],
    ["a canary", { canary: { stage: "prod", percentTraffic: 10 } }, /canary .* is set on an HTTP API, which has no canary deployments/, { component: "ServerlessApi", resourceName: "bad", argument: "canary", value: { stage: "prod", percentTraffic: 10 }, fix: "Drop the canary, or use kind: ApiKind.Rest." }],
    ["request validation", { routes: { "POST /albums": { handler: echo, requestSchema: { type: "object" } } } }, /routes\["POST \/albums"\]\.requestSchema \{"type":"object"\} is set on an HTTP API, which has no request validation/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["POST /albums"].requestSchema', value: { type: "object" }, fix: "Validate the body in the handler (e.g. with zod), or use kind: ApiKind.Rest." }],
    ["a mock integration", { routes: { "GET /config": { integration: { type: "mock", body: {} }, auth: "none" } } }, /routes\["GET \/config"\].integration "mock" is set on an HTTP API, which has no mock integrations/, { component: "ServerlessApi", resourceName: "bad", argument: 'routes["GET /config"].integration', value: "mock", fix: "Answer from a small Lambda handler, or use kind: ApiKind.Rest." }],
    ["a resource policy", { resourcePolicy: { allowSourceIps: ["203.0.113.0/24"] } }, /resourcePolicy .* which has no resource policies/, { component: "ServerlessApi", resourceName: "bad", argument: "resourcePolicy", value: { allowSourceIps: ["203.0.113.0/24"] }, fix: "Restrict callers with an authorizer, or use kind: ApiKind.Rest." }],
    ["a private endpoint", { endpointType: "PRIVATE", vpcEndpointIds: ["vpce-0123456789abcdef0"] }, /endpointType "PRIVATE" is set on an HTTP API, which has no edge-optimized or private endpoints/, { component: "ServerlessApi", resourceName: "bad", argument: "endpointType", value: "PRIVATE", fix: 'Use "REGIONAL" (put CloudFront in front, as siteRoute() does), or kind: ApiKind.Rest.' }],
    ["a TOKEN authorizer", { authorizers: { jwt: { type: "token", handler: echo } }, defaultAuth: { authorizer: "jwt" } }, /authorizers.jwt.type "token" is a Lambda authorizer; the HTTP kind verifies Cognito tokens with API Gateway's native JWT authorizer/, { component: "ServerlessApi", resourceName: "bad", argument: "authorizers.jwt.type", value: "token", fix: 'Use { type: "cognito", userPoolArns, audience: [clientId] }, or kind: ApiKind.Rest for Lambda authorizers.' }],
    ["a Cognito authorizer without audience", { authorizers: { cognito: { type: "cognito", userPoolArns: [userPoolArn] } } }, /authorizers.cognito.audience \(not set\) is empty; a JWT authorizer accepts only tokens for its audience/, { component: "ServerlessApi", resourceName: "bad", argument: "authorizers.cognito.audience", value: undefined, fix: "Pass the app client ids, e.g. [auth.clientId]." }],
    ["X-Ray tracing", { tracing: true }, /tracing true is set on an HTTP API, which has no X-Ray tracing/, { component: "ServerlessApi", resourceName: "bad", argument: "tracing", value: true, fix: "Drop tracing (trace in the functions), or use kind: ApiKind.Rest." }],
  ];
  it.each(refusals)("refuses %s, saying HTTP APIs lack it", (_, overrides, message, contract) => {
    expect(refusalOf(() => new ServerlessApi("bad", args(overrides)), "ServerlessApi accepted the arguments")).toMatchObject({ ...contract, message: expect.stringMatching(message) });
  });

  it("refuses audience on a REST API, whose Cognito authorizer takes any client of the pool", () => {
    expect(refusalOf(() => new ServerlessApi("bad", args({ kind: undefined })), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "bad",
      argument: "authorizers.cognito.audience",
      value: ["client1"],
      fix: "Drop audience, or set kind: ApiKind.Http.",
      message: expect.stringMatching(/^ServerlessApi "bad": authorizers\.cognito\.audience \["client1"\] is for the HTTP kind's JWT authorizer/),
    });
    // An app client id known only at deploy (auth.clientId) reads as an Output, not as the text of Output's toJSON.
    const clientId = pulumi.output("client1");
    expect(refusalOf(() => new ServerlessApi("bad", args({ kind: undefined, authorizers: { cognito: { type: "cognito", userPoolArns: [userPoolArn], audience: [clientId] } } })), "ServerlessApi accepted the arguments")).toMatchObject({
      argument: "authorizers.cognito.audience",
      value: [clientId],
      message: expect.stringMatching(/^ServerlessApi "bad": authorizers\.cognito\.audience \["\(Output\)"\] is for the HTTP kind's JWT authorizer/),
    });
  });
});
