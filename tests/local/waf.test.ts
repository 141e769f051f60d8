/**
 * The local web ACL (local/waf.ts): the front door applies StaticSite `waf`'s rate limit per client IP and body size
 * limit before any behaviour runs. Time is a fake clock: no test waits for a window to pass.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalise } from "../../components/static-site/spec";
import { normaliseWebAcl } from "../../components/web-acl/spec";
import { createFrontDoor } from "../../local/front-door";
import { createLocalWaf, RateWindow } from "../../local/waf";
import { openDoor } from "../harness/front-door";

function fakeRequest(ip: string, contentLength?: number | string): IncomingMessage {
  return { socket: { remoteAddress: ip }, headers: contentLength === undefined ? {} : { "content-length": String(contentLength) }, method: "POST", url: "/api/albums" } as unknown as IncomingMessage;
}

function fakeResponse() {
  const sent: { status?: number; body?: string } = {};
  const response = {
    writeHead(status: number) {
      sent.status = status;
      return response;
    },
    end(body: string) {
      sent.body = body;
    },
  };
  return { response: response as unknown as ServerResponse, sent };
}

describe("createLocalWaf", () => {
  const spec = normaliseWebAcl("site-waf", { rateLimit: 10, rateWindowSeconds: 60, maxBodyBytes: 100 });

  it("lets a client's first rateLimit requests through in a window, blocks the next with 403, and lets it back once the window has moved on", () => {
    let clock = 1_000_000;
    const waf = createLocalWaf(spec, { now: () => clock, log: () => {} })!;
    for (let i = 0; i < 10; i++) {
      clock += 1000;
      expect(waf(fakeRequest("10.0.0.1"), fakeResponse().response), `request ${i + 1}`).toBe(false);
    }
    const blocked = fakeResponse();
    expect(waf(fakeRequest("10.0.0.1"), blocked.response)).toBe(true);
    expect(blocked.sent).toMatchObject({ status: 403, body: expect.stringContaining("blocked by the web ACL") });
    // Another client is counted on its own.
    expect(waf(fakeRequest("10.0.0.2"), fakeResponse().response)).toBe(false);
    // 61 s after the blocked burst, the client's requests have left the 60-second window.
    clock += 61_000;
    expect(waf(fakeRequest("10.0.0.1"), fakeResponse().response)).toBe(false);
  });

  it("blocks a body larger than maxBodyBytes, and lets one of exactly that size through", () => {
    const waf = createLocalWaf(spec, { now: () => 0, log: () => {} })!;
    expect(waf(fakeRequest("10.0.0.3", 100), fakeResponse().response)).toBe(false);
    const blocked = fakeResponse();
    expect(waf(fakeRequest("10.0.0.3", 101), blocked.response)).toBe(true);
    expect(blocked.sent.status).toBe(403);
  });

  it("answers a Content-Length that is not a number of bytes 400, as Node's parser answers it before the front door's WAF runs", () => {
    // RFC 9112 section 6.3: an invalid Content-Length is answered 400 and the connection closed. Before the fix `abc`
    // was NaN, let through whatever the body's size, and `1e3` 1000 bytes, blocked 403.
    const waf = createLocalWaf(spec, { now: () => 0, log: () => {} })!;
    for (const malformed of ["abc", "1e3", "-1", "0x10", "1.0", "5, 5"]) {
      const refused = fakeResponse();
      expect(waf(fakeRequest("10.0.0.4", malformed), refused.response), malformed).toBe(true);
      expect(refused.sent, malformed).toMatchObject({ status: 400, body: expect.stringContaining("Content-Length") });
    }
    expect(waf(fakeRequest("10.0.0.5", " 100 "), fakeResponse().response)).toBe(false);
  });

  it("holds at most rateLimit + 1 request times per client IP, and forgets an IP once its window has emptied", () => {
    // A client flooding the local site (or many clients, each once) must not grow the front door's memory without end.
    const rate = new RateWindow(60_000, 10);
    let clock = 0;
    for (let i = 0; i < 1000; i++) rate.overLimit("10.0.0.1", (clock += 10));
    expect(rate.overLimit("10.0.0.1", clock)).toBe(true);
    expect(rate.heldTimes("10.0.0.1")).toBe(11);
    for (let i = 0; i < 100; i++) rate.overLimit(`10.0.1.${i}`, clock);
    expect(rate.trackedIps).toBe(101);
    // Two windows later every one of those IPs' requests has left its window: only the newcomer is held.
    clock += 120_000;
    expect(rate.overLimit("10.0.2.1", clock)).toBe(false);
    expect(rate.trackedIps).toBe(1);
    // The first client is counted afresh.
    expect(rate.overLimit("10.0.0.1", clock)).toBe(false);
    expect(rate.heldTimes("10.0.0.1")).toBe(1);
  });

  it("is absent when the site has no web ACL", () => {
    expect(createLocalWaf(undefined)).toBeUndefined();
  });
});

/** A front door with `waf` over a site whose /api/* route records each request it reaches in `reached`. */
async function doorWithApi(waf: { rateLimit?: number; maxBodyBytes?: number }, reached: string[]) {
  const spec = normalise("site", { path: "tests/fixtures/site", routes: [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com" }], waf });
  const api = (request: IncomingMessage, response: ServerResponse) => {
    reached.push(`${request.method} ${request.url}`);
    request.resume();
    request.on("end", () => response.end("{}"));
  };
  return openDoor(createFrontDoor(spec, new Map([["api", api]]), { log: () => {} }));
}

describe("the front door with a web ACL", () => {
  let base: string;
  let close: () => Promise<void>;
  const reached: string[] = [];

  beforeAll(async () => {
    ({ base, close } = await doorWithApi({ rateLimit: 10, maxBodyBytes: 64 }, reached));
  });
  afterAll(() => close?.());

  it("blocks an oversized body before the API sees it, then the eleventh request from the same client", async () => {
    const big = await fetch(`${base}/api/albums`, { method: "POST", body: "x".repeat(65) });
    expect(big.status).toBe(403);
    expect(reached).toEqual([]);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await fetch(`${base}/${i % 2 ? "index.html" : "api/albums"}`)).status);
    // The oversized request counted too (WAF counts every request it sees): the 10th and later are over the limit.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 403]);
    expect(reached).toHaveLength(5);
  });
});

describe("the front door's web ACL and a request's framing", () => {
  let base: string;
  let close: () => Promise<void>;
  const reached: string[] = [];

  beforeAll(async () => {
    ({ base, close } = await doorWithApi({ maxBodyBytes: 64 }, reached));
  });
  afterAll(() => close?.());

  it("lets a body of Content-Length 0 and a chunked one (no Content-Length) through to the API", async () => {
    // The Content-Length check reads only a header that is there: none (chunked) or 0 is a request like any other.
    const empty = await fetch(`${base}/api/empty`, { method: "POST", body: "" });
    const chunked = await fetch(`${base}/api/chunked`, { method: "POST", body: new Blob(["x"]).stream(), duplex: "half" } as RequestInit);
    expect([empty.status, chunked.status]).toEqual([200, 200]);
    expect(reached).toEqual(["POST /api/empty", "POST /api/chunked"]);
  });
});
