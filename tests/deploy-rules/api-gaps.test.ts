/**
 * The API Gateway rules added for reviews 89 (#4, #6) and 94 (#5), silent on what AWS takes: a custom domain on its own
 * account's certificate (or a plan that does not know its account), stacks on their own domain names (or one name in two
 * regions, or private REST domains), a WebSocket authorizer without the HTTP-only settings and with every identity source
 * form AWS names, and an HTTP API authorizer that may set them. Their failing fixtures are in fixtures/apigatewayv2.ts and
 * fixtures/api-authorizers.ts (fixtures.test.ts runs them with every rule of the pack).
 */
import { describe, expect, it } from "vitest";
import {
  API_AUTHORIZER_IDENTITY_SOURCE,
  API_METHOD_HTTP_METHOD,
  APIGWV2_INTEGRATION_METHOD,
  APIGATEWAY_DOMAIN_CERTIFICATE_ACCOUNT,
  APIGATEWAY_DOMAIN_NAME_UNIQUE,
  APIGATEWAY_DOMAIN_NAME_UNIQUE_ACROSS_STACKS,
  APIGWV2_WEBSOCKET_AUTHORIZER,
  checkDeployRules,
  checkProjectDeployRules,
  formatFinding,
} from "../../testing/deploy-rules";
import type { RecordedResource } from "../../local/offline/mocks";
import { devContext, handBuilt } from "./fixture";
import { api } from "./fixtures/apigateway";

const V1 = "aws:apigateway/domainName:DomainName";
const V2 = "aws:apigatewayv2/domainName:DomainName";
const AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer";
const arnOf = (account: string) => `arn:aws:acm:us-east-1:${account}:certificate/a`;
const v1Domain = (logical: string, inputs: Record<string, any> = {}) => handBuilt(V1, logical, { domainName: "api.example.com", regionalCertificateArn: arnOf("123456789012"), endpointConfiguration: { types: "REGIONAL" }, ...inputs });
const v2Domain = (logical: string, inputs: Record<string, any> = {}) => handBuilt(V2, logical, { domainName: "api.example.com", domainNameConfiguration: { certificateArn: arnOf("123456789012"), endpointType: "REGIONAL", securityPolicy: "TLS_1_2" }, ...inputs });

describe("ApiGatewayDomainCertificateAccount", () => {
  const check = (graph: RecordedResource[], account?: string) => checkDeployRules(graph, { ...devContext, account }, [APIGATEWAY_DOMAIN_CERTIFICATE_ACCOUNT]).map(formatFinding);

  it("passes domains on certificates of the plan's account, and any certificate when the plan does not know its account", () => {
    expect(check([v1Domain("rest"), v2Domain("ws")], "123456789012")).toEqual([]);
    const foreign = [v1Domain("rest", { regionalCertificateArn: arnOf("210987654321") }), v2Domain("ws", { domainNameConfiguration: { certificateArn: arnOf("210987654321") } })];
    expect(check(foreign)).toEqual([]);
  });

  it("finds an edge-optimized REST domain's certificate of another account too", () => {
    const edge = v1Domain("edge", { regionalCertificateArn: undefined, certificateArn: arnOf("210987654321"), endpointConfiguration: { types: "EDGE" } });
    expect(check([edge], "123456789012")).toEqual([
      expect.stringMatching(/^dev: \[ApiGatewayDomainCertificateAccount\] aws:apigateway\/domainName:DomainName edge: is a custom domain of account 123456789012 with certificate \S+ from account 210987654321;/),
    ]);
  });
});

describe("ApiGatewayDomainNameUniqueAcrossStacks", () => {
  const stack = (name: string, graph: RecordedResource[]) => ({ graph, context: { ...devContext, stack: name } });
  const across = (...stacks: ReturnType<typeof stack>[]) => checkProjectDeployRules(stacks, [APIGATEWAY_DOMAIN_NAME_UNIQUE_ACROSS_STACKS]).map(formatFinding);

  it("passes stacks with their own names, one name in two regions, private REST domains, and leaves one stack's duplicate to the stack rule", () => {
    expect(across(stack("prod", [v1Domain("api")]), stack("staging", [v1Domain("api", { domainName: "api.staging.example.com" })]))).toEqual([]);
    expect(across(stack("prod", [v1Domain("api")]), stack("west", [v2Domain("api", { region: "us-west-2" })]))).toEqual([]);
    const privateDomain = (logical: string) => v1Domain(logical, { endpointConfiguration: { types: "PRIVATE" }, regionalCertificateArn: undefined, certificateArn: arnOf("123456789012") });
    expect(across(stack("prod", [privateDomain("api")]), stack("staging", [privateDomain("api")]))).toEqual([]);
    expect(across(stack("prod", [v1Domain("a"), v2Domain("b")]))).toEqual([]);
  });

  it("finds a REST domain in one stack and an HTTP or WebSocket (v2) domain of the same name, in another case, in another", () => {
    expect(across(stack("prod", [v1Domain("api")]), stack("staging", [v2Domain("live", { domainName: "API.Example.com" })]))).toEqual([
      expect.stringMatching(/^prod: \[ApiGatewayDomainNameUniqueAcrossStacks\] aws:apigateway\/domainName:DomainName api: is custom domain api\.example\.com in us-east-1, as is staging: live;/),
      expect.stringMatching(/^staging: \[ApiGatewayDomainNameUniqueAcrossStacks\] aws:apigatewayv2\/domainName:DomainName live: is custom domain api\.example\.com in us-east-1, as is prod: api;/),
    ]);
  });
});

describe("edge-optimized REST domains: one name in every region (review 101 #5)", () => {
  const edge = (logical: string, region?: string, inputs: Record<string, any> = {}) =>
    v1Domain(logical, { regionalCertificateArn: undefined, certificateArn: arnOf("123456789012"), endpointConfiguration: { types: "EDGE" }, ...(region ? { region } : {}), ...inputs });
  const stack = (name: string, graph: RecordedResource[], region = "us-east-1") => ({ graph, context: { ...devContext, stack: name, region } });
  const across = (...stacks: ReturnType<typeof stack>[]) => checkProjectDeployRules(stacks, [APIGATEWAY_DOMAIN_NAME_UNIQUE_ACROSS_STACKS]).map(formatFinding);
  const inPlan = (graph: RecordedResource[]) => checkDeployRules(graph, devContext, [APIGATEWAY_DOMAIN_NAME_UNIQUE]).map(formatFinding);

  it("finds two stacks in two regions on one edge-optimized name (also with endpointConfiguration unset: EDGE by default), each once", () => {
    expect(across(stack("prod", [edge("api")]), stack("eu", [edge("api")], "eu-west-1"))).toEqual([
      expect.stringMatching(/^prod: \[ApiGatewayDomainNameUniqueAcrossStacks\] aws:apigateway\/domainName:DomainName api: is edge-optimized custom domain api\.example\.com in us-east-1, as is eu: api \(eu-west-1\); an edge-optimized domain name is a CloudFront alternate domain name, unique in every region and account, so whichever stack deploys second fails CreateDomainName \(CNAMEAlreadyExists\)\. Fix: give each stack its own host name/),
      expect.stringMatching(/^eu: \[ApiGatewayDomainNameUniqueAcrossStacks\] aws:apigateway\/domainName:DomainName api: is edge-optimized custom domain api\.example\.com in eu-west-1, as is prod: api \(us-east-1\);/),
    ]);
    expect(across(stack("prod", [edge("api", undefined, { endpointConfiguration: undefined })]), stack("eu", [edge("api")], "eu-west-1"))).toHaveLength(2);
    // In one region, once, as any two domains of one name there are.
    expect(across(stack("prod", [edge("api")]), stack("staging", [edge("api")]))).toEqual([
      expect.stringMatching(/^prod: .* api: is custom domain api\.example\.com in us-east-1, as is staging: api;/),
      expect.stringMatching(/^staging: .* api: is custom domain api\.example\.com in us-east-1, as is prod: api;/),
    ]);
  });

  it("finds one plan's two edge-optimized domains of one name in two regions", () => {
    expect(inPlan([edge("api"), edge("west", "us-west-2")])).toEqual([
      expect.stringMatching(/^dev: \[ApiGatewayDomainNameUnique\] aws:apigateway\/domainName:DomainName west: is custom domain api\.example\.com in us-west-2, edge-optimized, which aws:apigateway\/domainName:DomainName api of this plan also creates: an edge-optimized domain name is a CloudFront alternate domain name, unique in every region \(the other's is in us-east-1\), so CreateDomainName is refused for the second\. Fix: give one of them another host name, or make both regional/),
    ]);
  });

  it("passes an edge-optimized domain and a regional one of the name in another region, and regional ones in two regions", () => {
    expect(across(stack("prod", [edge("api")]), stack("eu", [v1Domain("api")], "eu-west-1"))).toEqual([]);
    expect(inPlan([edge("api"), v2Domain("west", { region: "us-west-2" })])).toEqual([]);
    expect(across(stack("prod", [v1Domain("api")]), stack("eu", [v1Domain("api")], "eu-west-1"))).toEqual([]);
  });
});

describe("ApiV2WebSocketAuthorizer and ApiAuthorizerIdentitySource on WebSocket authorizers", () => {
  const ws = handBuilt("aws:apigatewayv2/api:Api", "ws", { protocolType: "WEBSOCKET" }, { id: "ws1" });
  const http = handBuilt("aws:apigatewayv2/api:Api", "http", { protocolType: "HTTP" }, { id: "h1" });
  const authorizer = (name: string, inputs: Record<string, unknown>) => handBuilt(AUTHORIZER, name, { authorizerType: "REQUEST", authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/x", ...inputs });
  const rules = [APIGWV2_WEBSOCKET_AUTHORIZER, API_AUTHORIZER_IDENTITY_SOURCE];

  it("passes a WebSocket authorizer reading each form AWS names, with simple responses off and no cache setting", () => {
    const graph = [
      ws,
      authorizer("all-forms", { apiId: "ws1", identitySources: ["route.request.header.Authorization", "route.request.querystring.token", "stageVariables.tenant", "context.identity.sourceIp"], enableSimpleResponses: false }),
      authorizer("none", { apiId: "ws1" }),
    ];
    expect(checkDeployRules(graph, devContext, rules)).toEqual([]);
  });

  it("passes an HTTP API Lambda authorizer with a result cache, simple responses and $request sources", () => {
    const graph = [http, authorizer("lambda", { apiId: "h1", authorizerPayloadFormatVersion: "2.0", enableSimpleResponses: true, authorizerResultTtlInSeconds: 300, identitySources: ["$request.header.Authorization"] })];
    expect(checkDeployRules(graph, devContext, rules)).toEqual([]);
  });

  it("names the route.request spelling as the fix for a WebSocket source in the HTTP API's", () => {
    const graph = [ws, authorizer("query", { apiId: "ws1", identitySources: ["$request.querystring.token"] })];
    expect(checkDeployRules(graph, devContext, rules).map((f) => f.fix)).toEqual(['write "route.request.querystring.token" (the $request. form is an HTTP API\'s)']);
  });
});

describe("ApiMethodHttpMethod", () => {
  it("passes every method the provider takes, as written, and the fix for a lower-case one is its upper case", () => {
    const method = (name: string, httpMethod: string) => handBuilt("aws:apigateway/method:Method", name, { restApi: "r1", resourceId: "res1", httpMethod, authorization: "NONE" });
    const graph = ["ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"].map((m) => method(m, m));
    expect(checkDeployRules(graph, devContext, [API_METHOD_HTTP_METHOD])).toEqual([]);
    expect(checkDeployRules([method("lower", "get"), method("verb", "FETCH")], devContext, [API_METHOD_HTTP_METHOD]).map((f) => f.fix)).toEqual(['write "GET"', "use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY"]);
  });

  it("passes ServerlessApi's own methods and integrations", async () => {
    expect(checkDeployRules(await api(), devContext, [API_METHOD_HTTP_METHOD])).toEqual([]);
  });
});

describe("ApiV2IntegrationMethod", () => {
  const integration = (name: string, integrationMethod?: string) => handBuilt("aws:apigatewayv2/integration:Integration", name, { apiId: "h1", integrationType: "HTTP_PROXY", integrationUri: "https://backend.example.com/", integrationMethod });

  it("passes every method the provider takes, as written, and none at all; the fix for a lower-case one is its upper case", () => {
    const graph = [...["ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"].map((m) => integration(m, m)), integration("unset")];
    expect(checkDeployRules(graph, devContext, [APIGWV2_INTEGRATION_METHOD])).toEqual([]);
    expect(checkDeployRules([integration("lower", "patch"), integration("verb", "TRACE")], devContext, [APIGWV2_INTEGRATION_METHOD]).map((f) => f.fix)).toEqual(['write "PATCH"', "use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY"]);
  });
});
