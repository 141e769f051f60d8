/**
 * What the local gateway answers for handler results and invocation failures, as API Gateway answers them
 * (review 13, findings 1, 2, 3 and 9): a result HTTP cannot carry is the gateway's 502 (REST) or 500 (HTTP kind)
 * and never ends `npm start`; timeouts and refused invocations get API Gateway's statuses. The functions are stubs
 * (`context.lambda`), so each case is one request.
 */
import type { Server } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiKind } from "../../components/serverless-api/args";
import { normalise } from "../../components/serverless-api/spec";
import { gatewaySpec } from "../harness/api-spec";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import { LambdaInvokeError } from "../../local/lambda-runtime";
import type { LocalContext } from "../../local/services/types";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { recordedExecutionArn } from "../../local/services/api";
import { ServerlessApi } from "../../components/serverless-api";
import { record } from "../harness/mocks";

const value = <T>(o: { apply: (f: (v: T) => unknown) => unknown }) => new Promise<T>((done) => o.apply((v) => done(v)));

const echo = "tests/fixtures/handlers/echo.ts";
/** What each stub function answers, by its key in the spec's functions: a result, or an error it rejects with. */
type Answer = { result: unknown } | { error: Error };

let servers: Server[] = [];
afterEach(() => {
  for (const server of servers) server.close();
  servers = [];
});

async function gateway(args: Parameters<typeof normalise>[1], answers: Record<string, (event: any) => Answer>) {
  const spec = gatewaySpec("api", { basePath: "api", ...args });
  const logged: string[] = [];
  const context = {
    log: (line: string) => logged.push(line),
    run: { config: { region: "us-east-1" } },
    lambda: (fn: unknown) => ({
      invoke: async (event: unknown) => {
        const name = Object.keys(spec.functions).find((key) => spec.functions[key] === fn)!;
        const answer = answers[name]?.(event);
        if (!answer) throw new Error(`no stub answer for ${name}`);
        if ("error" in answer) throw answer.error;
        return answer.result;
      },
    }),
  } as unknown as LocalContext;
  const { server, url } = await listen(createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: () => undefined }), 0);
  servers.push(server);
  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${url}/api${path}`, init);
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  return { call, logged, spec, url };
}

/**
 * A GET with header lines as written, on a socket of its own: fetch drops a header named `__proto__` (undici's
 * Headers), so it could not send one. Its status and body; the connection closes once answered.
 */
async function rawGet(url: string, path: string, lines: string[]): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write([`GET ${path} HTTP/1.1`, `Host: ${hostname}`, ...lines, "Connection: close", "", ""].join("\r\n"));
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const answer = Buffer.concat(chunks).toString("utf8");
  return { status: Number(answer.slice(9, 12)), body: answer.slice(answer.indexOf("\r\n\r\n") + 4) };
}

/** The key of a route's function in the spec's functions (the stubs answer by it). */
function functionOf(spec: ReturnType<typeof normalise>, key: string): string {
  const integration = spec.routes.find((r) => r.key === key)!.integration;
  return (integration as { functionName: string }).functionName;
}

const restInternalError = { status: 502, body: JSON.stringify({ message: "Internal server error" }) };
const httpInternalError = { status: 500, body: JSON.stringify({ message: "Internal Server Error" }) };

describe("a handler result HTTP cannot carry (review 13, finding 1)", () => {
  const malformed: Record<string, unknown> = {
    "an object body (JSON.stringify forgotten)": { statusCode: 200, body: { a: 1 } },
    "a header value with a newline": { statusCode: 302, headers: { Location: "/a\nSet-Cookie: x=1" }, body: "" },
    "status 99": { statusCode: 99, body: "" },
    "status 1000": { statusCode: 1000, body: "" },
    "a status that is not a number": { statusCode: "OK", body: "" },
    "no status": { body: "hello" },
    "nothing (null)": null,
    "multiValueHeaders that are not lists": { statusCode: 200, multiValueHeaders: { "x-a": "b" }, body: "" },
    // The format's headers and multiValueHeaders are objects ({"headerName": "headerValue", ...}): a string's characters
    // or a list's items are not headers named 0, 1, 2 (they were, and the result a 200).
    "headers that are a string": { statusCode: 200, headers: "x-a: 1", body: "" },
    "headers that are a list": { statusCode: 200, headers: ["x-a: 1"], body: "" },
    "headers that are a number": { statusCode: 200, headers: 7, body: "" },
    "multiValueHeaders that are a list": { statusCode: 200, multiValueHeaders: [["b"]], body: "" },
  };

  it.each(Object.entries(malformed))("REST: %s is API Gateway's 502, and the server answers the next request", async (_, result) => {
    let current: unknown = result;
    const probe = normalise("api", { basePath: "api", routes: { "GET /x": { handler: echo, auth: "none" } } });
    const api = await gateway({ routes: { "GET /x": { handler: echo, auth: "none" } } }, { [functionOf(probe, "GET /x")]: () => ({ result: current }) });
    const answer = await api.call("/x");
    expect({ status: answer.status, body: answer.body }).toEqual(restInternalError);
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(api.logged.join("\n")).toMatch(/GET \/x/);
    current = { statusCode: 200, body: "fine" };
    expect(await api.call("/x")).toMatchObject({ status: 200, body: "fine" });
  });

  // Payload 2.0 infers a 200 from a result without statusCode (below), and has no multiValueHeaders.
  it.each(Object.entries(malformed).filter(([name]) => !["no status", "nothing (null)", "multiValueHeaders that are not lists", "multiValueHeaders that are a list"].includes(name)))(
    "HTTP kind: %s is 500 Internal Server Error, and the server answers the next request",
    async (_, result) => {
      let current: unknown = result;
      const probe = normalise("api", { basePath: "api", kind: ApiKind.Http, routes: { "GET /x": { handler: echo, auth: "none" } } });
      const api = await gateway({ kind: ApiKind.Http, routes: { "GET /x": { handler: echo, auth: "none" } } }, { [functionOf(probe, "GET /x")]: () => ({ result: current }) });
      const answer = await api.call("/x");
      expect({ status: answer.status, body: answer.body }).toEqual(httpInternalError);
      current = { statusCode: 200, body: "fine" };
      expect(await api.call("/x")).toMatchObject({ status: 200, body: "fine" });
    },
  );

  it("HTTP kind: a result without statusCode is inferred as a 200 JSON body, as API Gateway infers it", async () => {
    const probe = normalise("api", { basePath: "api", kind: ApiKind.Http, routes: { "GET /x": { handler: echo, auth: "none" }, "GET /y": { handler: echo, auth: "none" } } });
    const api = await gateway(
      { kind: ApiKind.Http, routes: { "GET /x": { handler: echo, auth: "none" }, "GET /y": { handler: echo, auth: "none" } } },
      { [functionOf(probe, "GET /x")]: () => ({ result: { message: "hi", body: { nested: true } } }), [functionOf(probe, "GET /y")]: () => ({ result: "Hello from Lambda!" }) },
    );
    const object = await api.call("/x");
    expect(object.status).toBe(200);
    expect(object.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(object.body)).toEqual({ message: "hi", body: { nested: true } });
    expect(await api.call("/y")).toMatchObject({ status: 200, body: "Hello from Lambda!" });
  });
});

describe("function errors, timeouts and refused invocations (review 13, findings 2 and 3)", () => {
  const timedOut = (seconds: number) => ({ error: new LambdaInvokeError("fn", "Sandbox.Timedout", `Task timed out after ${seconds}.00 seconds`) });

  const endpointTimedOut = { status: 504, body: JSON.stringify({ message: "Endpoint request timed out" }) };

  it("REST: a function whose own timeout ends first (any timeout under 29 s) is a function error, 502; a 29 s function's, ending with the integration's, is 504", async () => {
    const routes = { "GET /short": { handler: echo, auth: "none" as const, function: { timeout: 1 } }, "GET /at29": { handler: echo, auth: "none" as const, function: { timeout: 29 } } };
    const probe = normalise("api", { basePath: "api", routes });
    const api = await gateway({ routes }, { [functionOf(probe, "GET /short")]: () => timedOut(1), [functionOf(probe, "GET /at29")]: () => timedOut(29) });
    expect(await api.call("/short")).toMatchObject(restInternalError);
    expect(await api.call("/at29")).toMatchObject(endpointTimedOut);
  });

  it("REST: a function still running when the integration's 29 s end is 504, answered at 29 s and not before", async () => {
    const routes = { "GET /long": { handler: echo, auth: "none" as const, function: { timeout: 60 } } };
    const probe = normalise("api", { basePath: "api", routes });
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    // The function never answers: only the gateway's own timer can end the request.
    const api = await gateway({ routes }, { [functionOf(probe, "GET /long")]: () => (started(), { result: new Promise(() => undefined) }) });
    // Only the gateway's timers are faked; the sockets run for real.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      let answered = false;
      const answer = api.call("/long").finally(() => (answered = true));
      await running;
      await vi.advanceTimersByTimeAsync(28_999);
      expect(api.logged).toEqual([]);
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(api.logged.join("\n")).toMatch(/GET \/long: Endpoint request timed out after 29000 ms/);
      expect(await answer).toMatchObject(endpointTimedOut);
    } finally {
      vi.useRealTimers();
    }
  });

  it("HTTP kind: a 29 s function, ending with the integration's 29 s, is an HTTP API's timeout answer, 503 Service Unavailable", async () => {
    const routes = { "GET /at29": { handler: echo, auth: "none" as const, function: { timeout: 29 } } };
    const probe = normalise("api", { basePath: "api", kind: ApiKind.Http, routes });
    const api = await gateway({ kind: ApiKind.Http, routes }, { [functionOf(probe, "GET /at29")]: () => timedOut(29) });
    expect(await api.call("/at29")).toMatchObject({ status: 503, body: JSON.stringify({ message: "Service Unavailable" }) });
  });

  it("HTTP kind: a function error or a timed-out function is 500 Internal Server Error", async () => {
    const routes = { "GET /short": { handler: echo, auth: "none" as const, function: { timeout: 1 } }, "GET /throws": { handler: echo, auth: "none" as const } };
    const probe = normalise("api", { basePath: "api", kind: ApiKind.Http, routes });
    const api = await gateway(
      { kind: ApiKind.Http, routes },
      { [functionOf(probe, "GET /short")]: () => timedOut(1), [functionOf(probe, "GET /throws")]: () => ({ error: new LambdaInvokeError("fn", "TypeError", "bad thing") }) },
    );
    expect(await api.call("/short")).toMatchObject(httpInternalError);
    expect(await api.call("/throws")).toMatchObject(httpInternalError);
  });

  it("an invocation Lambda refuses (event over the synchronous payload limit) is 500 from the gateway; a response over it is a function error", async () => {
    const routes = { "POST /in": { handler: echo, auth: "none" as const }, "GET /out": { handler: echo, auth: "none" as const } };
    const probe = normalise("api", { basePath: "api", routes });
    const api = await gateway({ routes }, {
      [functionOf(probe, "POST /in")]: () => ({ error: new LambdaInvokeError("fn", "RequestEntityTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation") }),
      [functionOf(probe, "GET /out")]: () => ({ error: new LambdaInvokeError("fn", "Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (6291556 bytes).") }),
    });
    expect(await api.call("/in", { method: "POST", body: "x" })).toMatchObject({ status: 500, body: JSON.stringify({ message: "Internal server error" }) });
    expect(await api.call("/out")).toMatchObject(restInternalError);

    const httpProbe = normalise("api", { basePath: "api", kind: ApiKind.Http, routes });
    const http = await gateway({ kind: ApiKind.Http, routes }, {
      [functionOf(httpProbe, "POST /in")]: () => ({ error: new LambdaInvokeError("fn", "RequestEntityTooLargeException", "too large") }),
      [functionOf(httpProbe, "GET /out")]: () => ({ error: new LambdaInvokeError("fn", "Function.ResponseSizeTooLarge", "too large") }),
    });
    expect(await http.call("/in", { method: "POST", body: "x" })).toMatchObject(httpInternalError);
    expect(await http.call("/out")).toMatchObject(httpInternalError);
  });
});

describe("gateway error details (review 13, finding 9)", () => {
  it("a missing API key is 403 Forbidden with x-amzn-ErrorType ForbiddenException, like the gateway's other errors", async () => {
    const api = await gateway({ routes: { "GET /keyed": { integration: { type: "mock", body: { ok: true } }, auth: "none", apiKeyRequired: true } } }, {});
    const answer = await api.call("/keyed");
    expect(answer).toMatchObject({ status: 403, body: JSON.stringify({ message: "Forbidden" }) });
    expect(answer.headers.get("x-amzn-errortype")).toBe("ForbiddenException");
  });

  it("a mock answers with its statusCode, the status its method response has in AWS (ServerlessApi takes 100–599 only)", async () => {
    const api = await gateway({ routes: { "GET /down": { integration: { type: "mock", statusCode: 503, body: { message: "maintenance" } }, auth: "none" }, "GET /up": { integration: { type: "mock", body: "ok" }, auth: "none" } } }, {});
    expect(await api.call("/down")).toMatchObject({ status: 503, body: JSON.stringify({ message: "maintenance" }) });
    expect(await api.call("/up")).toMatchObject({ status: 200, body: "ok" });
  });

  it("a Lambda authorizer's Allow that does not cover the method is 'not authorized'; only an explicit Deny says so", async () => {
    const args = {
      authorizers: { custom: { type: "token" as const, handler: echo, resultTtlSeconds: 0 } },
      routes: { "GET /guarded": { integration: { type: "mock" as const, body: { ok: true } }, auth: { authorizer: "custom" } } },
    };
    const probe = normalise("api", { basePath: "api", ...args });
    const authorizerFunction = probe.authorizers.find((a) => a.name === "custom") as { functionName: string };
    const policy = (effect: string, resource: string) => ({ result: { principalId: "user", policyDocument: { Version: "2012-10-17", Statement: [{ Effect: effect, Action: "execute-api:Invoke", Resource: resource }] } } });
    const api = await gateway(args, {
      [authorizerFunction.functionName]: (event: { authorizationToken: string; methodArn: string }) =>
        event.authorizationToken === "elsewhere" ? policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:local/dev/GET/api/other") : policy("Deny", event.methodArn),
    });
    const notCovered = await api.call("/guarded", { headers: { authorization: "elsewhere" } });
    expect(notCovered).toMatchObject({ status: 403, body: JSON.stringify({ Message: "User is not authorized to access this resource" }) });
    expect(notCovered.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    const denied = await api.call("/guarded", { headers: { authorization: "denied" } });
    expect(denied).toMatchObject({ status: 403, body: JSON.stringify({ Message: "User is not authorized to access this resource with an explicit deny" }) });
  });

  it("a REST API's methodArn and requestContext name the API the program recorded: its executionArn, so its account and id", async () => {
    let api!: ServerlessApi;
    const graph = await record(() => {
      api = new ServerlessApi("recorded", {
        basePath: "api",
        authorizers: { custom: { type: "token", handler: echo, resultTtlSeconds: 0 } },
        routes: { "GET /items/{id}": { handler: echo, auth: { authorizer: "custom" } } },
      });
    });
    const [executionArn, restApiId] = await Promise.all([value<string>(api.executionArn), value<string>(api.restApiId)]);
    const seen: Array<{ methodArn?: string; requestContext?: { accountId: string; apiId: string } }> = [];
    const context = {
      log: () => undefined,
      run: { config: { region: "us-east-1" }, resources: graph },
      lambda: () => ({
        invoke: async (event: { methodArn?: string; requestContext?: { accountId: string; apiId: string } }) => {
          seen.push(event);
          return event.methodArn
            ? { principalId: "user", policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: event.methodArn }] } }
            : { statusCode: 200, body: "ok" };
        },
      }),
    } as unknown as LocalContext;
    const spec = api.spec;
    const { server, url } = await listen(createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: () => undefined, executionArn: recordedExecutionArn(context, "recorded") }), 0);
    servers.push(server);
    expect((await fetch(`${url}/api/items/7`, { headers: { authorization: "token" } })).status).toBe(200);
    const [authorizerEvent, routeEvent] = seen;
    expect(authorizerEvent.methodArn).toBe(`${executionArn}/${spec.stages[0].name}/GET/api/items/7`);
    const [, , , , account, apiId] = executionArn.split(":");
    expect(authorizerEvent.methodArn!.split(":")[4]).toBe(account);
    expect(routeEvent.requestContext).toMatchObject({ accountId: account, apiId: restApiId });
    expect(apiId).toBe(restApiId);
  });

  it("a REST API outside a program run names the mocks' account, the one every ARN the program resolves has", async () => {
    const args = { authorizers: { custom: { type: "token" as const, handler: echo, resultTtlSeconds: 0 } }, routes: { "GET /guarded": { integration: { type: "mock" as const, body: { ok: true } }, auth: { authorizer: "custom" } } } };
    const probe = normalise("api", { basePath: "api", ...args });
    const authorizerFunction = (probe.authorizers.find((a) => a.name === "custom") as { functionName: string }).functionName;
    const methodArns: string[] = [];
    const api = await gateway(args, { [authorizerFunction]: (event: { methodArn: string }) => (methodArns.push(event.methodArn), { result: { principalId: "u", policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" }] } } }) });
    expect((await api.call("/guarded", { headers: { authorization: "t" } })).status).toBe(200);
    expect(methodArns).toEqual([`arn:aws:execute-api:us-east-1:${MOCK_ACCOUNT_ID}:local/${probe.stages[0].name}/GET/api/guarded`]);
  });

  describe("a Lambda authorizer's answer API Gateway cannot use is 500 AuthorizerConfigurationException, never a pass", () => {
    const args = {
      authorizers: { custom: { type: "token" as const, handler: echo, resultTtlSeconds: 300 } },
      routes: {
        "GET /guarded/{id}": { handler: echo, auth: { authorizer: "custom" } },
      },
    };
    const probe = normalise("api", { basePath: "api", ...args });
    const authorizerFunction = (probe.authorizers.find((a) => a.name === "custom") as { functionName: string }).functionName;
    const routeFunction = functionOf(probe, "GET /guarded/{id}");
    const allow = { principalId: "user", policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" }] } };
    const answers: Record<string, unknown> = {
      null: null,
      "no-policy": { principalId: "user" },
      "no-statement": { principalId: "user", policyDocument: { Version: "2012-10-17" } },
      "no-principal": { policyDocument: allow.policyDocument },
      "nested-context": { ...allow, context: { user: { id: 3 } } },
      "list-context": { ...allow, context: { groups: ["a", "b"] } },
    };

    it.each(Object.keys(answers))("%s", async (token) => {
      const called: unknown[] = [];
      const api = await gateway(args, {
        [authorizerFunction]: (event: { authorizationToken: string }) => ({ result: answers[event.authorizationToken] }),
        [routeFunction]: (event: unknown) => (called.push(event), { result: { statusCode: 200, body: "ok" } }),
      });
      for (let attempt = 0; attempt < 2; attempt++) {
        const answer = await api.call("/guarded/1", { headers: { authorization: token } });
        expect(answer).toMatchObject({ status: 500, body: JSON.stringify({ message: null }) });
        expect(answer.headers.get("x-amzn-errortype")).toBe("AuthorizerConfigurationException");
      }
      expect(called).toEqual([]);
      expect(api.logged.join("\n")).toMatch(/authorizer custom failed: its (answer|context)/);
    });

    it("a single statement object and a flat context of strings, numbers and booleans pass to the function", async () => {
      const called: Array<{ requestContext: { authorizer: unknown } }> = [];
      const api = await gateway(args, {
        [authorizerFunction]: () => ({ result: { principalId: "user", policyDocument: { Statement: allow.policyDocument.Statement[0] }, context: { name: "ann", age: 3, admin: false } } }),
        [routeFunction]: (event: { requestContext: { authorizer: unknown } }) => (called.push(event), { result: { statusCode: 200, body: "ok" } }),
      });
      expect(await api.call("/guarded/1", { headers: { authorization: "t" } })).toMatchObject({ status: 200, body: "ok" });
      expect(called[0].requestContext.authorizer).toMatchObject({ principalId: "user", name: "ann", age: 3, admin: false });
    });

    it("a method ARN over 1,600 bytes is 414 before the authorizer is called; one of exactly 1,600 is authorised", async () => {
      const arns: string[] = [];
      const api = await gateway(args, { [authorizerFunction]: (event: { methodArn: string }) => (arns.push(event.methodArn), { result: allow }), [routeFunction]: () => ({ result: { statusCode: 200, body: "ok" } }) });
      expect((await api.call("/guarded/x", { headers: { authorization: "t" } })).status).toBe(200);
      // The ARN of /guarded/x, less its one-byte id: what the id adds to.
      const around = Buffer.byteLength(arns[0]) - 1;
      // Other tokens: the authorizer's result is cached per token.
      expect((await api.call(`/guarded/${"x".repeat(1600 - around)}`, { headers: { authorization: "t2" } })).status).toBe(200);
      expect(Buffer.byteLength(arns[1])).toBe(1600);
      expect((await api.call(`/guarded/${"x".repeat(1601 - around)}`, { headers: { authorization: "t3" } })).status).toBe(414);
      expect(arns).toHaveLength(2);
    });
  });
});

describe("a request's headers and query parameters named as an object's built-in members", () => {
  const routes = { "GET /x": { handler: echo, auth: "none" as const } };
  const probe = normalise("api", { basePath: "api", routes });

  it("REST: a header or query parameter named __proto__ reaches the function like any other, not a 500", async () => {
    // Before the fix `multiValueHeaders["__proto__"] ??= []` found Object.prototype, whose push is not a function: 500.
    const events: any[] = [];
    const api = await gateway({ routes }, { [functionOf(probe, "GET /x")]: (event) => (events.push(JSON.parse(JSON.stringify(event))), { result: { statusCode: 200, body: "ok" } }) });
    const answer = await rawGet(api.url, "/api/x?__proto__=q&constructor=c", ["__proto__: h", "constructor: k"]);
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: "ok" });
    // Read as own members (JSON.parse makes `__proto__` one), as the function's runtime parses the event.
    const [event] = events;
    expect([event.headers.__proto__, event.multiValueHeaders.__proto__, event.headers.constructor, event.multiValueHeaders.constructor]).toEqual(["h", ["h"], "k", ["k"]]);
    expect([event.queryStringParameters.__proto__, event.multiValueQueryStringParameters.__proto__, event.multiValueQueryStringParameters.constructor]).toEqual(["q", ["q"], ["c"]]);
  });

  it("HTTP kind: a header named __proto__ reaches the function, not a 500", async () => {
    const httpProbe = normalise("api", { basePath: "api", kind: ApiKind.Http, routes });
    const events: any[] = [];
    const api = await gateway({ kind: ApiKind.Http, routes }, { [functionOf(httpProbe, "GET /x")]: (event) => (events.push(JSON.parse(JSON.stringify(event))), { result: { statusCode: 200, body: "ok" } }) });
    const answer = await rawGet(api.url, "/api/x?__proto__=q", ["__proto__: h"]);
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: "ok" });
    expect([events[0].headers.__proto__, events[0].queryStringParameters.__proto__]).toEqual(["h", "q"]);
  });
});

describe("what API Gateway does to a function's headers (review 105)", () => {
  const routes = { "GET /x": { handler: echo, auth: "none" as const } };
  const probe = normalise("api", { basePath: "api", routes });

  it("REST: a name in both headers and multiValueHeaders is one merged list, a value in both appearing once", async () => {
    // "If you specify values for both headers and multiValueHeaders, API Gateway merges them into a single list. If
    // the same key-value pair is specified in both, only the values from multiValueHeaders will appear in the merged list."
    const api = await gateway({ routes }, {
      [functionOf(probe, "GET /x")]: () => ({
        result: { statusCode: 200, headers: { "Set-Cookie": "a=1", "X-Same": "v" }, multiValueHeaders: { "set-cookie": ["b=2", "a=1"], "X-Same": ["v"] }, body: "" },
      }),
    });
    const answer = await api.call("/x");
    expect(answer.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(answer.headers.get("x-same")).toBe("v");
  });

  it("REST: a result header named __proto__ is sent like any other, not dropped", async () => {
    // A function's result comes through JSON.parse, which keeps `__proto__` as an own key.
    const result = JSON.parse('{"statusCode":200,"headers":{"__proto__":"h"},"multiValueHeaders":{"__proto__":["m"]},"body":""}');
    const api = await gateway({ routes }, { [functionOf(probe, "GET /x")]: () => ({ result }) });
    const answer = await api.call("/x");
    expect([answer.status, answer.headers.get("__proto__")]).toEqual([200, "h, m"]);
  });

  it("REST: a result without Content-Type gets application/json, whatever its status; a null Content-Type stops that; the HTTP kind adds none (unconfirmed)", async () => {
    let current: unknown;
    const api = await gateway({ routes }, { [functionOf(probe, "GET /x")]: () => ({ result: current }) });
    current = { statusCode: 200, body: '{"ok":true}' };
    expect((await api.call("/x")).headers.get("content-type")).toBe("application/json");
    current = { statusCode: 204 };
    expect((await api.call("/x")).headers.get("content-type")).toBe("application/json");
    current = { statusCode: 200, headers: { "Content-Type": "text/html" }, body: "<p>" };
    expect((await api.call("/x")).headers.get("content-type")).toBe("text/html");
    current = { statusCode: 200, multiValueHeaders: { "Content-Type": ["text/csv"] }, body: "a,b" };
    expect((await api.call("/x")).headers.get("content-type")).toBe("text/csv");
    current = { statusCode: 204, headers: { "Content-Type": null } };
    expect((await api.call("/x")).headers.get("content-type")).toBeNull();

    const httpProbe = normalise("api", { basePath: "api", kind: ApiKind.Http, routes });
    const http = await gateway({ kind: ApiKind.Http, routes }, { [functionOf(httpProbe, "GET /x")]: () => ({ result: { statusCode: 200, body: "hi" } }) });
    expect((await http.call("/x")).headers.get("content-type")).toBeNull();
  });

  describe("every answer carries the request id the function's event has (one per request)", () => {
    const uuid = /^[0-9a-f-]{36}$/;
    it("REST: the gateway's own 403s (missing route, missing API key) carry x-amzn-requestid", async () => {
      const api = await gateway({ routes: { ...routes, "GET /keyed": { integration: { type: "mock", body: { ok: true } }, auth: "none", apiKeyRequired: true } } }, {});
      const missing = await api.call("/nope");
      const keyless = await api.call("/keyed");
      expect([missing.status, keyless.status]).toEqual([403, 403]);
      expect(missing.headers.get("x-amzn-requestid")).toMatch(uuid);
      expect(keyless.headers.get("x-amzn-requestid")).toMatch(uuid);
      expect(missing.headers.get("x-amzn-requestid")).not.toBe(keyless.headers.get("x-amzn-requestid"));
    });

    it("REST: a function's answer carries the id its event was given, replacing one the function set", async () => {
      const events: any[] = [];
      const api = await gateway({ routes }, { [functionOf(probe, "GET /x")]: (event) => (events.push(event), { result: { statusCode: 200, headers: { "X-Amzn-RequestId": "mine" }, body: "" } }) });
      const answer = await api.call("/x");
      expect(answer.headers.get("x-amzn-requestid")).toBe(events[0].requestContext.requestId);
    });

    it("HTTP kind: the gateway's 404 and a function's answer carry apigw-requestid (not REST's header), the function's the id its event has", async () => {
      const httpProbe = normalise("api", { basePath: "api", kind: ApiKind.Http, routes });
      const events: any[] = [];
      const api = await gateway({ kind: ApiKind.Http, routes }, { [functionOf(httpProbe, "GET /x")]: (event) => (events.push(event), { result: { statusCode: 200, body: "" } }) });
      const missing = await api.call("/nope");
      expect(missing.status).toBe(404);
      expect(missing.headers.get("apigw-requestid")).toMatch(uuid);
      const answer = await api.call("/x");
      expect(answer.headers.get("apigw-requestid")).toBe(events[0].requestContext.requestId);
      expect(answer.headers.get("x-amzn-requestid")).toBeNull();
    });
  });
});
