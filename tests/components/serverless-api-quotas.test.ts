/**
 * ServerlessApi arguments that one API alone takes past API Gateway's per-API quotas (review 28, findings 5 and 6):
 * refused where API Gateway does not raise the quota (an HTTP API's integrations, scopes per route, audiences per
 * authorizer), warned where it is a default an API's quota may be raised past (authorizers, stages, a REST API's
 * resources and resource policy length). Mocks and preview pass either way; `pulumi up` fails part-way.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ApiKind, ServerlessApi, type ApiAuthorizer, type ApiRoute, type ServerlessApiArgs } from "../../components/serverless-api";
import { ofType, record } from "../harness/mocks";
import { recordWarnings as warningsWhile } from "../harness/warnings";
import { refusalOf } from "../harness/refusals";

const userPoolArn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TEST";
const proxy = (i: number): ApiRoute => ({ integration: { type: "http", uri: `https://legacy.example.com/items/${i}` }, auth: "none" });
const mock: ApiRoute = { integration: { type: "mock", body: { ok: true } }, auth: "none" };
const routesOf = (count: number, route: (i: number) => ApiRoute) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`GET /r${i}`, route(i)]));
const cognito = (audience: string[]): ApiAuthorizer => ({ type: "cognito", userPoolArns: [userPoolArn], audience });
const scopes = (count: number) => Array.from({ length: count }, (_, i) => `gallery/scope${i}`);
const stagesOf = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`s${i}`, {}]));

function http(overrides: Partial<ServerlessApiArgs> = {}): ServerlessApiArgs {
  return { kind: ApiKind.Http, routes: { "GET /legacy": proxy(0) }, ...overrides };
}

/** What `pulumi.log.warn` was given while `run` recorded, filtered to the messages mentioning `about`, with the graph. */
const recordWarnings = (about: string, run: () => unknown) => warningsWhile(run, (message) => message.includes(about));
const warnings = async (about: string, run: () => unknown) => (await recordWarnings(about, run)).warned;

describe("ServerlessApi kind: ApiKind.Http — API Gateway's per-API limits it does not raise", () => {
  it("refuses more than 300 routes: each route gets its own integration, and an HTTP API takes at most 300 integrations", () => {
    expect(refusalOf(() => new ServerlessApi("wide", http({ routes: routesOf(301, proxy) })), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "wide",
      argument: "routes",
      value: "301 routes",
      fix: "Split the routes over two APIs (e.g. by path prefix), or use kind: ApiKind.Rest, whose quota counts distinct path prefixes (300 resources per API, raised on request).",
      message: expect.stringMatching(/^ServerlessApi "wide": routes "301 routes" make 301 integrations: the HTTP kind gives every route its own integration, and an HTTP API takes at most 300 \("Integrations per API \| 300 \| No", a quota API Gateway does not raise, even when its routes quota is raised\)\. Split the routes over two APIs \(e\.g\. by path prefix\), or use kind: ApiKind\.Rest, whose quota counts distinct path prefixes \(300 resources per API, raised on request\)\.$/),
    });
  });

  it("creates 300 routes and 300 integrations", async () => {
    const graph = await record(() => new ServerlessApi("full", http({ routes: routesOf(300, proxy) })));
    expect(ofType(graph, "aws:apigatewayv2/integration:Integration")).toHaveLength(300);
  });

  it("refuses more than 10 scopes on a route or on defaultAuth (authorizationScopes)", () => {
    const authorizers = { cognito: cognito(["client1"]) };
    expect(refusalOf(() => new ServerlessApi("scoped", http({ authorizers, routes: { "GET /albums": { ...proxy(0), auth: { authorizer: "cognito", scopes: scopes(11) } } } })), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "scoped",
      argument: 'routes["GET /albums"].auth.scopes',
      value: ["gallery/scope0", "gallery/scope1", "gallery/scope2", "gallery/scope3", "gallery/scope4", "gallery/scope5", "gallery/scope6", "gallery/scope7", "gallery/scope8", "gallery/scope9", "gallery/scope10"],
      fix: 'Keep at most 10 scopes on a route: grant broader scopes in the resource server (e.g. one "gallery/admin" scope) and check finer ones in the handler.',
      message: expect.stringMatching(/^ServerlessApi "scoped": routes\["GET \/albums"\]\.auth\.scopes \[.* has 11 scopes; an HTTP API route takes at most 10 \("Scopes per route \| 10 \| No", a quota API Gateway does not raise\)\. Keep at most 10 scopes on a route: grant broader scopes in the resource server \(e\.g\. one "gallery\/admin" scope\) and check finer ones in the handler\.$/),
    });
    expect(refusalOf(() => new ServerlessApi("scoped", http({ authorizers, defaultAuth: { authorizer: "cognito", scopes: scopes(11) }, routes: { "GET /albums": { integration: proxy(0).integration } } })), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "scoped",
      argument: "defaultAuth.scopes",
      value: ["gallery/scope0", "gallery/scope1", "gallery/scope2", "gallery/scope3", "gallery/scope4", "gallery/scope5", "gallery/scope6", "gallery/scope7", "gallery/scope8", "gallery/scope9", "gallery/scope10"],
      fix: 'Keep at most 10 scopes on a route: grant broader scopes in the resource server (e.g. one "gallery/admin" scope) and check finer ones in the handler.',
      message: expect.stringMatching(/^ServerlessApi "scoped": defaultAuth\.scopes \[.* has 11 scopes; an HTTP API route takes at most 10/),
    });
    expect(() => new ServerlessApi("scoped10", http({ authorizers, routes: { "GET /albums": { ...proxy(0), auth: { authorizer: "cognito", scopes: scopes(10) } } } }))).not.toThrow();
  });

  it("refuses more than 50 audiences on a JWT authorizer (its app client ids)", () => {
    const audience = Array.from({ length: 51 }, (_, i) => `client${i}`);
    expect(refusalOf(() => new ServerlessApi("aud", http({ authorizers: { cognito: cognito(audience) } })), "ServerlessApi accepted the arguments")).toMatchObject({
      component: "ServerlessApi",
      resourceName: "aud",
      argument: "authorizers.cognito.audience",
      value: "51 app client ids",
      fix: "Use at most 50 app clients per authorizer: declare a second authorizer for the others and name it on their routes.",
      message: expect.stringMatching(/^ServerlessApi "aud": authorizers\.cognito\.audience "51 app client ids" is over an HTTP API JWT authorizer's 50 audiences \("Audiences per authorizer \| 50 \| No", a quota API Gateway does not raise\)\. Use at most 50 app clients per authorizer: declare a second authorizer for the others and name it on their routes\.$/),
    });
    expect(() => new ServerlessApi("aud50", http({ authorizers: { cognito: cognito(audience.slice(0, 50)) } }))).not.toThrow();
  });

  it("warns for more than 10 authorizers or 10 stages (default quotas raised on request), and still creates them", async () => {
    const authorizers = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`pool${i}`, cognito(["client1"])]));
    expect(await warnings("Authorizers per API", () => new ServerlessApi("auths", http({ authorizers })))).toEqual([
      'ServerlessApi "auths": authorizers has 11 authorizers, over API Gateway\'s default quota of 10 "Authorizers per API" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html). Unless this API\'s quota was raised (AWS Support Center), API Gateway refuses the 11th authorizer part-way through pulumi up. Ask for the increase before deploying, or share authorizers between routes.',
    ]);
    expect(await warnings("Stages per API", () => new ServerlessApi("stages", http({ stages: stagesOf(11) })))).toEqual([
      'ServerlessApi "stages": stages has 11 stages, over API Gateway\'s default quota of 10 "Stages per API" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html). Unless this API\'s quota was raised (Service Quotas, Amazon API Gateway), API Gateway refuses the 11th stage part-way through pulumi up. Ask for the increase before deploying, or split the stages over two APIs.',
    ]);
    expect(await warnings("per API", () => new ServerlessApi("ten", http({ stages: stagesOf(10), authorizers: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`pool${i}`, cognito(["client1"])])) })))).toEqual([]);
  });
});

describe("ServerlessApi kind: ApiKind.Rest — API Gateway's default per-API quotas, warned", () => {
  /** 30 routes 10 levels deep under the base path "api": 30 × 10 distinct path prefixes, and /api. */
  const deep = (routes: number) => Object.fromEntries(Array.from({ length: routes }, (_, i) => [`GET /t${i}/a/b/c/d/e/f/g/h/i`, mock]));

  it("warns when the routes make more than 300 resources, counting them as the API creates them (one per distinct path prefix, base path included)", async () => {
    const { graph, warned } = await recordWarnings("Resources per API", () => new ServerlessApi("tree", { basePath: "api", routes: deep(30) }));
    expect(ofType(graph, "aws:apigateway/resource:Resource")).toHaveLength(301);
    expect(warned).toEqual([
      'ServerlessApi "tree": routes make 301 API Gateway resources (one per distinct path prefix, the base path included), over API Gateway\'s default quota of 300 "Resources per API" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html). Unless this API\'s quota was raised (Service Quotas, Amazon API Gateway), API Gateway refuses the 301st resource part-way through pulumi up. Ask for the increase before deploying, share path prefixes between routes, or split the routes over two APIs.',
    ]);
    expect(await warnings("Resources per API", () => new ServerlessApi("tree300", { routes: deep(30) }))).toEqual([]);
  });

  it("warns for more than 10 authorizers or 10 stages", async () => {
    const authorizers = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`pool${i}`, { type: "cognito" as const, userPoolArns: [userPoolArn] }]));
    expect(await warnings("Authorizers per API", () => new ServerlessApi("rauths", { routes: { "GET /x": mock }, authorizers }))).toEqual([
      'ServerlessApi "rauths": authorizers has 11 authorizers, over API Gateway\'s default quota of 10 "Authorizers per API" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html). Unless this API\'s quota was raised (AWS Support Center), API Gateway refuses the 11th authorizer part-way through pulumi up. Ask for the increase before deploying, or share authorizers between routes.',
    ]);
    expect(await warnings("Stages per API", () => new ServerlessApi("rstages", { routes: { "GET /x": mock }, stages: stagesOf(11) }))).toHaveLength(1);
  });

  it("warns when the resource policy it writes is over 8,192 characters (minified JSON; how AWS counts is undocumented)", async () => {
    const cidrs = (count: number) => Array.from({ length: count }, (_, i) => `198.${Math.floor(i / 250)}.${i % 250}.0/24`);
    const [warned] = await warnings("resource policy", () => new ServerlessApi("ips", { routes: { "GET /x": mock }, resourcePolicy: { allowSourceIps: cidrs(500) } }));
    expect(warned).toMatch(
      /^ServerlessApi "ips": resourcePolicy makes a resource policy of about \d{4,5} characters \(its JSON without white space\), over API Gateway's default quota of 8192 "Length, in characters, of API Gateway resource policy" \(https:\/\/docs\.aws\.amazon\.com\/apigateway\/latest\/developerguide\/api-gateway-execution-service-limits-table\.html\)\. Unless this API's quota was raised \(Service Quotas, Amazon API Gateway\), API Gateway refuses the policy part-way through pulumi up\. Ask for the increase before deploying, or merge the IP ranges into fewer, wider CIDR blocks\.$/,
    );
    expect(await warnings("resource policy", () => new ServerlessApi("few", { routes: { "GET /x": mock }, resourcePolicy: { allowSourceIps: cidrs(20) } }))).toEqual([]);
  });
});
