/**
 * Issue 11's reproductions against `npm start`'s front door, the dev stack's real edge functions included:
 * hostile requests get CloudFront's and S3's answers, never a crash, a 5xx or an internal path.
 * Requests go out with node:http so the path reaches the server exactly as written (fetch would
 * normalise dot segments and backslashes first, as browsers do).
 */
import { readFileSync, statSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../../local/offline/program";
import type { LocalApp } from "../../local/start";
import { startDevApp } from "../setup/dev-app";

let app: LocalApp;

beforeAll(async () => {
  app = await startDevApp("sf-hostile-");
});
afterAll(() => app?.stop());

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request with the path exactly as given; resolves with the answer or rejects when the connection drops. */
function raw(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Answer> {
  const url = new URL(app.urls.site);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    // A ceiling, not a timing assertion: a request the app never answers fails here instead of hanging the file.
    outgoing.setTimeout(60_000, () => outgoing.destroy(new Error(`no answer to ${method} ${path.slice(0, 80)}`)));
    outgoing.on("error", reject);
    outgoing.end();
  });
}

function expectNoInternals(answer: Answer) {
  expect(answer.body).not.toContain(PROJECT_DIR);
  expect(answer.body).not.toMatch(/URIError|TypeError|ENAMETOOLONG|ENOENT|ERR_[A-Z_]{4,}|\n\s+at /);
}

describe("one request never stops npm start (query strings reach the functions as sent)", () => {
  it.each(["%E2%82%AC", "%0d%0a", "%00", "%7F", "%2Fa%26b%3D1"])("redirects /about-us and /index.htm with ?q=%s kept percent-encoded", async (value) => {
    for (const [from, to] of [["/about-us", "/about"], ["/index.htm", "/"]]) {
      const answer = await raw(`${from}?q=${value}`);
      expect(answer.status, from).toBe(301);
      expect(answer.headers.location, from).toBe(`${to}?q=${value}`);
    }
    expect((await raw("/")).status).toBe(200);
  });

  it("keeps an encoded query string encoded: ?next=%2Fa%26b%3D1 is one parameter, not two", async () => {
    expect((await raw("/about-us?next=%2Fa%26b%3D1")).headers.location).toBe("/about?next=%2Fa%26b%3D1");
  });

  it("answers odd request targets (was an uncaught Invalid URL for //[), and still serves the next request", async () => {
    const odd = await raw("//[");
    expect(odd.status).toBe(404);
    expectNoInternals(odd);
    const asterisk = await raw("*", {}, "OPTIONS");
    expect(asterisk.status).toBe(400);
    expectNoInternals(asterisk);
    expect((await raw("/")).status).toBe(200);
  });
});

describe("the /account/* check cannot be skipped by spelling the path differently", () => {
  it("refuses an encoded slash with 400", async () => {
    for (const path of ["/account%2findex.html", "/account%2Findex.html", "/account%5cindex.html"]) {
      const answer = await raw(path, { accept: "text/html" });
      expect(answer.status, path).toBe(400);
      expect(answer.body, path).not.toContain("Your account");
    }
  });

  it("301s an escaped unreserved character to the plain path, which then meets the auth check", async () => {
    const moved = await raw("/%61ccount/index.html", { accept: "text/html" });
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe("/account/index.html");
    expect(moved.body).not.toContain("Your account");
    const page = await raw(moved.headers.location!, { accept: "text/html" });
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe("/?next=%2Faccount%2Findex.html");
    expect((await raw(moved.headers.location!, { accept: "application/json" })).status).toBe(401);
  });

  it("refuses dot segments that reach the default behaviour with 400 instead of resolving them", async () => {
    for (const path of ["/x/../about.html", "/about.html/.", "/x/%2e%2e/account/index.html"]) {
      const answer = await raw(path, { accept: "text/html" });
      expect(answer.status, path).toBe(400);
      expect(answer.body, path).not.toContain("Your account");
    }
  });

  it("matches path patterns on the normalised path, as CloudFront does: /x/../account/ and //account/ meet the auth check", async () => {
    for (const path of ["/x/../account/index.html", "//account/index.html", "//account/index.html/."]) {
      const page = await raw(path, { accept: "text/html" });
      expect(page.status, path).toBe(302);
      expect(page.body, path).not.toContain("Your account");
      expect((await raw(path, { accept: "application/json" })).status, path).toBe(401);
    }
  });
});

describe("edge functions get malformed input and answer it", () => {
  it("a malformed auth cookie gets the sign-in redirect or 401 (was a URIError in Lambda@Edge: 503)", async () => {
    const page = await raw("/account/", { accept: "text/html", cookie: "gallery-id-token=%zz" });
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe("/?next=%2Faccount%2F");
    expect((await raw("/account/", { accept: "application/json", cookie: "gallery-id-token=%zz" })).status).toBe(401);
  });

  it("never reflects a client's x-experiment-assigned into Set-Cookie", async () => {
    for (const path of ["/", "/about", "/index.html", "/robots.txt"]) {
      for (const value of ["injected=1; Domain=example.com", "gallery-ab-home=b; Domain=example.com"]) {
        const answer = await raw(path, { "x-experiment-assigned": value, cookie: "gallery-ab-home=a" });
        expect(answer.status, path).toBe(200);
        expect(answer.headers["set-cookie"], `${path} ${value}`).toBeUndefined();
      }
    }
    // A new visitor still gets the experiment's own cookie, and only that.
    const fresh = await raw("/", { "x-experiment-assigned": "injected=1; Domain=example.com" });
    expect(fresh.headers["set-cookie"]).toEqual([expect.stringMatching(/^gallery-ab-home=(a|b); Path=\/; Max-Age=2592000; Secure; SameSite=Lax$/)]);
  });
});

describe("the S3 site origin answers as S3 does, without internal paths", () => {
  it("answers bad percent-encodings 400 and unreadable keys 404", async () => {
    const bad = await raw("/%zz");
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("<Code>InvalidURI</Code>");
    for (const path of ["/%00", "/%C0%AF", `/${"a".repeat(300)}`, `/assets/${"b".repeat(300)}.js`, "/index.html/x.js", "/%2e%2e%2fetc"]) {
      const answer = await raw(path);
      expect([400, 404], path).toContain(answer.status);
      expectNoInternals(answer);
    }
    for (const path of ["/%00", `/${"a".repeat(300)}`]) expect((await raw(path)).status, path).toBe(404);
  });

  it("answers a URL over CloudFront's 8,192 bytes with 413, as CloudFront does for a URL or a request over its maximums", async () => {
    const answer = await raw(`/${"a".repeat(9000)}`);
    expect(answer.status).toBe(413);
    expectNoInternals(answer);
    expect((await raw(`/robots.txt?${"q".repeat(8181)}`)).status).toBe(413); // 8,193 bytes
    expect((await raw(`/robots.txt?${"q".repeat(8180)}`)).status).toBe(200); // 8,192 bytes
  });

  it("serves byte ranges: 206 with Content-Range, 416 past the end, the whole object for a header that is not a range", async () => {
    const robots = readFileSync("site/dist/robots.txt");
    const first = await raw("/robots.txt", { range: "bytes=0-9" });
    expect(first.status).toBe(206);
    expect(first.headers["content-range"]).toBe(`bytes 0-9/${robots.length}`);
    expect(first.headers["content-length"]).toBe("10");
    expect(first.body).toBe(robots.subarray(0, 10).toString());
    const last = await raw("/robots.txt", { range: "bytes=-5" });
    expect([last.status, last.body, last.headers["content-range"]]).toEqual([206, robots.subarray(-5).toString(), `bytes ${robots.length - 5}-${robots.length - 1}/${robots.length}`]);
    const open = await raw("/robots.txt", { range: "bytes=3-" });
    expect([open.status, open.body]).toEqual([206, robots.subarray(3).toString()]);
    const past = await raw("/robots.txt", { range: "bytes=100000-" });
    expect(past.status).toBe(416);
    expect(past.headers["content-range"]).toBe(`bytes */${robots.length}`);
    expectNoInternals(past);
    for (const ignored of ["bytes=abc", "bytes=5-1", "items=0-1"]) {
      const whole = await raw("/robots.txt", { range: ignored });
      expect([whole.status, whole.body], ignored).toEqual([200, robots.toString()]);
    }
  });

  it("answers If-Modified-Since with 304 when the object has not changed since, 200 when it has", async () => {
    const modified = statSync("site/dist/robots.txt").mtime;
    const since = new Date(Math.floor(modified.getTime() / 1000) * 1000);
    expect((await raw("/robots.txt", { "if-modified-since": since.toUTCString() })).status).toBe(304);
    expect((await raw("/robots.txt", { "if-modified-since": new Date(since.getTime() - 1000).toUTCString() })).status).toBe(200);
    expect((await raw("/robots.txt", { "if-modified-since": "garbage" })).status).toBe(200);
  });

  it("keeps the response headers policy on 304s, Content-Security-Policy included", async () => {
    const first = await raw("/robots.txt");
    const conditionals: Array<Record<string, string>> = [{ "if-none-match": String(first.headers.etag) }, { "if-modified-since": String(first.headers["last-modified"]) }];
    for (const conditional of conditionals) {
      const again = await raw("/robots.txt", conditional);
      expect(again.status).toBe(304);
      expect(again.body).toBe("");
      for (const name of ["content-security-policy", "strict-transport-security", "x-frame-options", "x-content-type-options", "referrer-policy", "permissions-policy"]) {
        expect(again.headers[name], name).toBe(first.headers[name]);
      }
      expect(again.headers.etag).toBe(first.headers.etag);
    }
  });
});
