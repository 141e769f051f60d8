/**
 * An authorizer's `identitySource` (review 89, finding 1): ServerlessApi refuses at construction what API Gateway's
 * CreateAuthorizer refuses at pulumi up (the console's bare "Authorization" above all), and `npm start` reads the
 * identity where API Gateway reads it — so a value that works locally is one AWS takes, and a REQUEST authorizer's
 * query string source works locally too.
 */
import type { Input } from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ApiKind, ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { identitySourceProblem } from "../../components/serverless-api/identity-source";
import { normalise } from "../../components/serverless-api/spec";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import type { LocalContext } from "../../local/services/types";
import { ofType, record } from "../harness/mocks";
import { rejectionOf } from "../harness/refusals";
import { apiRefusal } from "../harness/serverless-api-refusals";

const authorizerHandler = "tests/fixtures/handlers/echo.ts";
const pool = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123";
const mock = { integration: { type: "mock" as const, body: { ok: true } } };
/** The HTTP kind has no mock integrations. */
const lambda = { handler: authorizerHandler };

const refusalOf = (args: ServerlessApiArgs) => apiRefusal("api", args, "ServerlessApi took an identity source API Gateway refuses");

const restWith = (authorizer: NonNullable<ServerlessApiArgs["authorizers"]>[string]): ServerlessApiArgs => ({
  authorizers: { jwt: authorizer },
  routes: { "GET /me": { ...mock, auth: { authorizer: "jwt" } } },
});

describe("ServerlessApi refuses an identity source API Gateway refuses", () => {
  it.each([
    ["a TOKEN authorizer with the console's bare header name", { type: "token", handler: authorizerHandler, identitySource: "Authorization" }, /a TOKEN authorizer reads its token from one request header/, "Write \"method.request.header.Authorization\"."],
    ["a Cognito authorizer with the HTTP API spelling", { type: "cognito", userPoolArns: [pool], identitySource: "$request.header.Authorization" }, /a Cognito authorizer reads its token/, "Write \"method.request.header.Authorization\"."],
    ["a TOKEN authorizer reading a query string", { type: "token", handler: authorizerHandler, identitySource: "method.request.querystring.token" }, /The source must be a method request header/, "Write \"method.request.header.token\"."],
    ["a TOKEN authorizer with two headers", { type: "token", handler: authorizerHandler, identitySource: "method.request.header.A, method.request.header.B" }, /one request header/, "Write \"method.request.header.Authorization\"."],
    ["a REQUEST authorizer with a bare name in its list", { type: "request", handler: authorizerHandler, identitySource: "method.request.header.X-Tenant, Authorization" }, /has "Authorization", which is not a REST mapping expression/, "Replace \"Authorization\" with \"method.request.header.Authorization\", giving \"method.request.header.X-Tenant, method.request.header.Authorization\"."],
    // Review 95 (F5): the fix rewrites only the bad element, keeping the others (the cache key and the presence rule).
    ["a REQUEST authorizer with an HTTP API spelling in its list", { type: "request", handler: authorizerHandler, identitySource: "method.request.header.A, $request.querystring.B" }, /has "\$request\.querystring\.B"/, "Replace \"$request.querystring.B\" with \"method.request.querystring.B\", giving \"method.request.header.A, method.request.querystring.B\"."],
    ["a REQUEST authorizer with an unreadable element", { type: "request", handler: authorizerHandler, identitySource: "method.request.header.A, method.request.headers.B" }, /has "method\.request\.headers\.B"/, "Replace \"method.request.headers.B\" with one of those forms, keeping the other sources."],
    ["a caching REQUEST authorizer without a source", { type: "request", handler: authorizerHandler, identitySource: "" }, /needs at least one identity source/, /set the result TTL to 0/],
  ] as const)("%s", (_, authorizer, problem, fix) => {
    const error = refusalOf(restWith(authorizer as never));
    expect(error).toMatchObject({ component: "ServerlessApi", argument: "authorizers.jwt.identitySource", value: authorizer.identitySource });
    expect(error.problem).toMatch(problem);
    if (typeof fix === "string") expect(error.fix).toBe(fix);
    else expect(error.fix).toMatch(fix);
    expect(error.message).toMatch(/^ServerlessApi "api": authorizers\.jwt\.identitySource /);
  });

  it("refuses on the HTTP kind a JWT source that is not one header or query string", () => {
    const http = (identitySource: string): ServerlessApiArgs => ({
      kind: ApiKind.Http,
      authorizers: { jwt: { type: "cognito", userPoolArns: [pool], audience: ["client"], identitySource } },
      routes: { "GET /me": { ...lambda, auth: { authorizer: "jwt" } } },
    });
    for (const source of ["Authorization", "$request.header.A,$request.header.B", "$context.authorizer.x"]) {
      const error = refusalOf(http(source));
      expect(error).toMatchObject({ argument: "authorizers.jwt.identitySource", value: source });
      expect(error.problem).toMatch(/a single \$request\.header\.<name> or \$request\.querystring\.<name>/);
    }
    expect(refusalOf(http("Authorization")).fix).toBe('Write "$request.header.Authorization".');
  });

  it("takes AWS's forms, and sends the HTTP kind's REST spelling as $request", async () => {
    for (const [kind, source] of [
      ["token", "method.request.header.X-Token"],
      ["cognito", "method.request.header.Authorization"],
      ["request", "method.request.header.Auth, method.request.querystring.Name"],
      ["request", "stageVariables.tenant,context.identity.sourceIp"],
      // Reviews 95/96 (F6): the other method request parameter mapping expressions; no AWS refusal of them was found.
      ["request", "method.request.multivalueheader.X-Tenant, method.request.multivaluequerystring.tag, method.request.path.id"],
      ["jwt", "$request.querystring.access_token"],
      ["jwt", "method.request.header.Authorization"],
    ] as const) {
      expect(identitySourceProblem(kind, source), `${kind} ${source}`).toBeUndefined();
    }
    expect(identitySourceProblem("request", "", false), "a REQUEST authorizer that does not cache needs no source").toBeUndefined();
    // ServerlessApi itself builds such an authorizer (it was refused at construction before reviews 95/96).
    const built = await record(() =>
      new ServerlessApi("api", {
        accountCloudWatchRole: false,
        authorizers: { gate: { type: "request", handler: authorizerHandler, identitySource: "method.request.multivalueheader.X-Tenant, method.request.path.id" } },
        routes: { "GET /items/{id}": { ...mock, auth: { authorizer: "gate" } } },
      }),
    );
    expect(ofType(built, "aws:apigateway/authorizer:Authorizer")[0].inputs).toMatchObject({ type: "REQUEST", identitySource: "method.request.multivalueheader.X-Tenant, method.request.path.id" });
    const resources = await record(() =>
      new ServerlessApi("api", {
        kind: ApiKind.Http,
        authorizers: { jwt: { type: "cognito", userPoolArns: [pool], audience: ["client"], identitySource: "method.request.querystring.access_token" } },
        routes: { "GET /me": { ...lambda, auth: { authorizer: "jwt" } } },
      }),
    );
    expect(ofType(resources, "aws:apigatewayv2/authorizer:Authorizer")[0].inputs.identitySources).toEqual(["$request.querystring.access_token"]);
  });
});

describe("npm start reads the identity where API Gateway reads it", () => {
  /** A local gateway whose Lambda authorizer allows every call it gets, and the events it got. */
  async function gatewayWith(authorizer: { type: "token" | "request"; identitySource: string; resultTtlSeconds?: number }, route = "GET /me") {
    const api = normalise("api", {
      authorizers: { gate: { handler: authorizerHandler, ...authorizer } },
      routes: { [route]: { ...mock, auth: { authorizer: "gate" } } },
    });
    const calls: unknown[] = [];
    const allow = { principalId: "caller", policyDocument: { Statement: [{ Effect: "Allow", Resource: "*" }] } };
    const context = { log: () => undefined, run: { config: { region: "us-east-1" } }, lambda: () => ({ invoke: async (event: unknown) => (calls.push(event), allow) }) } as unknown as LocalContext;
    const { server, url } = await listen(createLocalGateway({ spec: api, stage: api.stages[0], context, issuerFor: () => undefined }), 0);
    return { calls, url, close: () => server.close() };
  }

  it("calls a REQUEST authorizer whose source is a query string when the request has it, and answers 401 without calling it when not", async () => {
    const gateway = await gatewayWith({ type: "request", identitySource: "method.request.querystring.token", resultTtlSeconds: 0 });
    try {
      expect((await fetch(`${gateway.url}/me?token=abc`)).status).toBe(200);
      expect(gateway.calls).toHaveLength(1);
      expect((await fetch(`${gateway.url}/me`, { headers: { "method.request.querystring.token": "abc" } })).status).toBe(401);
      expect(gateway.calls).toHaveLength(1);
    } finally {
      gateway.close();
    }
  });

  it("needs every source of a REQUEST authorizer present and non-empty", async () => {
    const gateway = await gatewayWith({ type: "request", identitySource: "method.request.header.X-Tenant, method.request.querystring.token", resultTtlSeconds: 0 });
    try {
      expect((await fetch(`${gateway.url}/me?token=abc`)).status).toBe(401);
      expect((await fetch(`${gateway.url}/me?token=`, { headers: { "x-tenant": "t1" } })).status).toBe(401);
      expect((await fetch(`${gateway.url}/me?token=abc`, { headers: { "x-tenant": "t1" } })).status).toBe(200);
      expect(gateway.calls).toHaveLength(1);
    } finally {
      gateway.close();
    }
  });

  it("reads a REQUEST authorizer's multi-value header, multi-value query string and path parameter sources (reviews 95/96 F6)", async () => {
    const gateway = await gatewayWith({ type: "request", identitySource: "method.request.multivalueheader.X-Tenant, method.request.multivaluequerystring.tag, method.request.path.id", resultTtlSeconds: 0 }, "GET /items/{id}");
    try {
      expect((await fetch(`${gateway.url}/items/7?tag=a&tag=b`, { headers: { "x-tenant": "t1" } })).status).toBe(200);
      expect(gateway.calls).toEqual([expect.objectContaining({ type: "REQUEST", pathParameters: { id: "7" }, multiValueQueryStringParameters: { tag: ["a", "b"] } })]);
      // Each source missing in turn: 401 without calling the authorizer.
      expect((await fetch(`${gateway.url}/items/7?tag=a`)).status).toBe(401);
      expect((await fetch(`${gateway.url}/items/7`, { headers: { "x-tenant": "t1" } })).status).toBe(401);
      expect((await fetch(`${gateway.url}/items/7?tag=`, { headers: { "x-tenant": "t1" } })).status).toBe(401);
      expect(gateway.calls).toHaveLength(1);
    } finally {
      gateway.close();
    }
  });

  it("does not read a bare header name as a TOKEN source (the component refuses it; AWS would)", async () => {
    const gateway = await gatewayWith({ type: "token", identitySource: "Authorization" });
    try {
      expect((await fetch(`${gateway.url}/me`, { headers: { authorization: "token" } })).status).toBe(401);
      expect(gateway.calls).toHaveLength(0);
    } finally {
      gateway.close();
    }
  });

  it("hands a TOKEN authorizer the header's value", async () => {
    const gateway = await gatewayWith({ type: "token", identitySource: "method.request.header.X-Token" });
    try {
      expect((await fetch(`${gateway.url}/me`, { headers: { "x-token": "secret" } })).status).toBe(200);
      expect(gateway.calls).toEqual([expect.objectContaining({ type: "TOKEN", authorizationToken: "secret" })]);
    } finally {
      gateway.close();
    }
  });
});

describe("HTTP kind: a userPoolArns entry that is not a pool ARN (review 89, finding 5)", () => {
  const http = (userPoolArn: Input<string>): ServerlessApiArgs => ({
    kind: ApiKind.Http,
    authorizers: { cognito: { type: "cognito", userPoolArns: [userPoolArn], audience: ["client"] } },
    routes: { "GET /me": { ...lambda, auth: { authorizer: "cognito" } } },
  });

  it("refuses a pool id, or a truncated ARN, at construction with the component's error", () => {
    for (const value of ["us-east-1_AbC123", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"]) {
      const error = refusalOf(http(value));
      expect(error).toMatchObject({ component: "ServerlessApi", argument: "authorizers.cognito.userPoolArns[0]", value });
      expect(error.problem).toMatch(/is not a Cognito user pool ARN; the HTTP kind derives its JWT authorizer's issuer/);
      expect(error.fix).toMatch(/^Pass the pool's ARN, e\.g\. auth\.userPoolArn/);
    }
  });

  it("refuses a pool id that arrives as an Output once it resolves, naming the argument (was: a TypeError in the apply)", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const error = await rejectionOf(record(() => new ServerlessApi("api", { ...http(pulumi.output("us-east-1_AbC123")) })), "ServerlessApi took a pool id from an Output");
    expect(error).toMatchObject({
      component: "ServerlessApi",
      resourceName: "api",
      argument: "authorizers.cognito.userPoolArns[0]",
      value: "us-east-1_AbC123",
      fix: expect.stringMatching(/^Pass the pool's ARN, e\.g\. auth\.userPoolArn/),
      message: expect.stringMatching(/ServerlessApi "api": authorizers\.cognito\.userPoolArns\[0\] "us-east-1_AbC123" is not a Cognito user pool ARN/),
    });
  });

  it("derives the issuer from a pool ARN", async () => {
    const resources = await record(() => new ServerlessApi("api", http(pool)));
    expect(ofType(resources, "aws:apigatewayv2/authorizer:Authorizer")[0].inputs.jwtConfiguration.issuer).toBe("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123");
  });
});
