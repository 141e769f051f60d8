/**
 * A ServerlessApi route's HTTP integration (HTTP_PROXY) through the local gateway, as API Gateway answers it: a backend
 * that does not answer within the route's `integration.timeoutMs` is the gateway's timeout answer (and the backend
 * request is abandoned), a backend that cannot be reached is the gateway's 500, a client that disconnects abandons the
 * backend request, and what the backend receives and answers passes through as a proxy would pass it (its own Host,
 * the client's bytes in any charset, every Set-Cookie). The backends
 * are local http servers; a held request is released in afterEach, so nothing outlives a test.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { ApiKind } from "../../components/serverless-api/args";
import { normalise } from "../../components/serverless-api/spec";
import { gatewaySpec } from "../harness/api-spec";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import type { LocalContext } from "../../local/services/types";

let servers: Server[] = [];
/** Backend responses a test holds open (a backend that never answers); ended in afterEach. */
let held: ServerResponse[] = [];
afterEach(async () => {
  for (const response of held) response.destroy();
  held = [];
  await Promise.all(
    servers.map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
  servers = [];
});

/** A backend on a free port: `answer` handles each request; `requests` resolves with what it received. */
async function backend(answer: (request: IncomingMessage, response: ServerResponse, body: Buffer) => void) {
  const received: Array<{ request: IncomingMessage; body: Buffer }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push({ request, body });
      answer(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** A port nothing listens on: a server's, closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function gateway(args: Parameters<typeof normalise>[1]) {
  const spec = gatewaySpec("api", { basePath: "api", ...args });
  const logged: string[] = [];
  const context = { log: (line: string) => logged.push(line), run: { config: { region: "us-east-1" } } } as unknown as LocalContext;
  const { server, url } = await listen(createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: () => undefined }), 0);
  servers.push(server);
  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${url}/api${path}`, init);
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  return { call, logged, url };
}

const httpRoute = (uri: string, timeoutMs?: number) => ({ integration: { type: "http" as const, uri, ...(timeoutMs ? { timeoutMs } : {}) }, auth: "none" as const });

/**
 * A backend that holds every request: `reached` resolves when a request has arrived, `abandoned` when the gateway gives
 * it up (closes the connection).
 */
async function silentBackend() {
  let reach: () => void;
  let abandon: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const abandoned = new Promise<void>((resolve) => (abandon = resolve));
  const silent = await backend((_, response) => {
    held.push(response);
    response.on("close", () => abandon());
    reach();
  });
  return { ...silent, reached, abandoned };
}

// A gateway that never gives a held request up would otherwise wait for vitest's 180 s: fail sooner.
describe("a backend that does not answer within the route's integration.timeoutMs", { timeout: 20_000 }, () => {

  it("REST: API Gateway's INTEGRATION_TIMEOUT, 504 Endpoint request timed out, and the backend request is abandoned", async () => {
    const silent = await silentBackend();
    const api = await gateway({ routes: { "GET /slow": httpRoute(`${silent.url}/slow`, 200) } });
    const answer = await api.call("/slow");
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 504, body: JSON.stringify({ message: "Endpoint request timed out" }) });
    await silent.abandoned;
    expect(api.logged.join("\n")).toMatch(/GET \/slow: .*timed out after 200 ms/);
  });

  it("HTTP kind: an HTTP API's 503 Service Unavailable, and the backend request is abandoned", async () => {
    const silent = await silentBackend();
    const api = await gateway({ kind: ApiKind.Http, routes: { "GET /slow": httpRoute(`${silent.url}/slow`, 200) } });
    const answer = await api.call("/slow");
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 503, body: JSON.stringify({ message: "Service Unavailable" }) });
    await silent.abandoned;
  });

  it("a backend that answers in time passes through", async () => {
    const quick = await backend((_, response) => response.end("ok"));
    const api = await gateway({ routes: { "GET /quick": httpRoute(`${quick.url}/quick`, 5000) } });
    expect(await api.call("/quick")).toMatchObject({ status: 200, body: "ok" });
  });
});

describe("a backend that cannot be reached", () => {
  it("REST: 500 Internal server error, the cause logged, and the gateway answers the next request", async () => {
    const port = await closedPort();
    const quick = await backend((_, response) => response.end("ok"));
    const api = await gateway({ routes: { "GET /down": httpRoute(`http://127.0.0.1:${port}/down`), "GET /up": httpRoute(`${quick.url}/up`) } });
    const answer = await api.call("/down");
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 500, body: JSON.stringify({ message: "Internal server error" }) });
    expect(api.logged.join("\n")).toMatch(/GET \/down: .*ECONNREFUSED/);
    expect(await api.call("/up")).toMatchObject({ status: 200, body: "ok" });
  });

  it("HTTP kind: 500 Internal Server Error", async () => {
    const port = await closedPort();
    const api = await gateway({ kind: ApiKind.Http, routes: { "GET /down": httpRoute(`http://127.0.0.1:${port}/down`) } });
    const answer = await api.call("/down");
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 500, body: JSON.stringify({ message: "Internal Server Error" }) });
    expect(api.logged.join("\n")).toMatch(/GET \/down: .*ECONNREFUSED/);
  });
});

describe("what passes through the proxy", () => {
  it("the backend gets its own Host, the query string and the client's bytes, not the gateway's framing or base64", async () => {
    const echo = await backend((_, response) => response.end("ok"));
    const api = await gateway({ routes: { "POST /upload": httpRoute(`${echo.url}/upload`) } });
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]);
    const answer = await api.call("/upload?name=a%20b&tag=1&tag=2", { method: "POST", headers: { "content-type": "application/octet-stream", "x-custom": "kept" }, body: bytes });
    expect(answer.status).toBe(200);
    const { request, body } = echo.received[0];
    expect(request.headers.host).toBe(new URL(echo.url).host);
    expect(request.url).toBe("/upload?name=a%20b&tag=1&tag=2");
    expect(request.headers["x-custom"]).toBe("kept");
    expect(body.equals(bytes)).toBe(true);
  });

  it("a text body that is not UTF-8 reaches the backend byte for byte (ISO-8859-1)", async () => {
    const echo = await backend((_, response) => response.end("ok"));
    const api = await gateway({ routes: { "POST /note": httpRoute(`${echo.url}/note`) } });
    const latin1 = Buffer.from("café crème, 10 °C, ½", "latin1");
    const answer = await api.call("/note", { method: "POST", headers: { "content-type": "text/plain; charset=iso-8859-1" }, body: latin1 });
    expect(answer.status).toBe(200);
    expect(echo.received[0].body.toString("hex")).toBe(latin1.toString("hex"));
  });

  it("the client gets every Set-Cookie and a body it can read under the Content-Encoding it is told", async () => {
    const page = gzipSync(Buffer.from("compressed page"));
    const compressed = await backend((_, response) => {
      response.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip", "set-cookie": ["a=1; Path=/", "b=2; Path=/"] });
      response.end(page);
    });
    const api = await gateway({ routes: { "GET /page": httpRoute(`${compressed.url}/page`) } });
    const answer = await api.call("/page", { headers: { "accept-encoding": "gzip" } });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("compressed page");
    expect(answer.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
  });

  it("a redirect reaches the client, not the page it points to", async () => {
    const moved = await backend((request, response) => {
      if (request.url === "/old") response.writeHead(302, { location: "/new" }).end();
      else response.end("the new page");
    });
    const api = await gateway({ routes: { "GET /old": httpRoute(`${moved.url}/old`) } });
    const answer = await api.call("/old", { redirect: "manual" });
    expect({ status: answer.status, location: answer.headers.get("location") }).toEqual({ status: 302, location: "/new" });
  });
});

// Without the disconnect reaching the backend, the held request would stay open for the route's timeout: fail sooner.
describe("a client that disconnects before it is answered", { timeout: 20_000 }, () => {
  /** A GET the client abandons once the backend has the request: a closed browser tab. */
  async function abandonedCall(gatewayUrl: string, path: string, reached: Promise<void>) {
    const client = request(`${gatewayUrl}/api${path}`);
    client.on("error", () => {}); // destroy() below: the socket hang-up is the point
    client.end();
    await reached;
    client.destroy();
  }

  for (const kind of [ApiKind.Rest, ApiKind.Http]) {
    it(`${kind}: the backend request is aborted, the log says why and shows no error, and the gateway answers the next request`, async () => {
      const silent = await silentBackend();
      const quick = await backend((_, response) => response.end("ok"));
      // Each kind's longest timeout (REST 300 s, HTTP kind 30 s), beyond the test's 20 s: only the client's disconnect
      // can end the backend request within the test.
      const longest = kind === ApiKind.Rest ? 300_000 : 30_000;
      const api = await gateway({ kind, routes: { "GET /slow": httpRoute(`${silent.url}/slow`, longest), "GET /quick": httpRoute(`${quick.url}/quick`) } });
      await abandonedCall(api.url, "/slow", silent.reached);
      await silent.abandoned;
      expect(await api.call("/quick")).toMatchObject({ status: 200, body: "ok" });
      const logged = api.logged.join("\n");
      expect(logged).toMatch(/GET \/slow: the client disconnected/);
      expect(logged).not.toMatch(/could not reach|local API error|could not answer|timed out/);
    });
  }
});

// F10 (review 28): API Gateway substitutes `${stageVariables.x}` in an HTTP integration's uri at request time
// (aws-api-gateway-stage-variables-reference.html, http-api-stages.stage-variables-reference.html); the local gateway
// read the braces as a path parameter and sent `http://$/items/7`.
describe("a stage variable in the uri", () => {
  const stageVariableRoute = { "GET /items/{id}": httpRoute("http://${stageVariables.backend}/items/{id}") };

  for (const kind of [ApiKind.Rest, ApiKind.Http]) {
    it(`${kind}: is the stage's value, substituted before the path parameters`, async () => {
      const echo = await backend((_, response) => response.end("from the stage's backend"));
      const api = await gateway({ kind, routes: stageVariableRoute, stages: { dev: { variables: { backend: new URL(echo.url).host } } } });
      const answer = await api.call("/items/7?x=1");
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: "from the stage's backend" });
      expect(echo.received[0].request.url).toBe("/items/7?x=1");
    });
  }

  it("rest: a canary request gets the canary's override", async () => {
    const stable = await backend((_, response) => response.end("stable"));
    const canary = await backend((_, response) => response.end("canary"));
    const api = await gateway({
      routes: stageVariableRoute,
      stages: { prod: { variables: { backend: new URL(stable.url).host }, canary: { percentTraffic: 100, stageVariableOverrides: { backend: new URL(canary.url).host } } } },
    });
    const answer = await api.call("/items/7");
    expect({ status: answer.status, body: answer.body, canary: answer.headers.get("x-local-canary") }).toEqual({ status: 200, body: "canary", canary: "true" });
    expect(stable.received).toEqual([]);
  });
});
