import { describe, expect, it } from "vitest";
import { sandboxFor, viewerRequest, viewerResponse } from "./events";

const experiment = {
  cookie: "gallery-ab-home",
  paths: ["/index.html"],
  variants: [{ name: "a", weight: 50 }, { name: "b", weight: 50, prefix: "/variants/b" }],
};
const config = { canonicalHost: "gallery.example.com", redirects: true, cleanUrls: "html", experiment };
const redirects = { "/about-us": "/about" };
const viewerRequestFn = (overrides: Record<string, unknown> = {}) => sandboxFor("handlers/edge/viewer-request.js", { ...config, ...overrides }, redirects);

describe("viewer-request CloudFront Function", () => {
  const fn = viewerRequestFn();

  it("maps clean URLs onto the site's files: folders to index.html, extension-less paths to .html", async () => {
    const uri = async (path: string) => ((await fn.invoke(viewerRequest(path))) as any).uri;
    expect(await uri("/about")).toBe("/about.html");
    expect(await uri("/account/")).toBe("/account/index.html");
    expect(await uri("/assets/app.3f9a12bc.js")).toBe("/assets/app.3f9a12bc.js");
    const folders = viewerRequestFn({ cleanUrls: "index", experiment: undefined });
    expect(((await folders.invoke(viewerRequest("/about"))) as any).uri).toBe("/about/index.html");
    const spa = viewerRequestFn({ spaFallback: "index.html", experiment: undefined });
    expect(((await spa.invoke(viewerRequest("/albums/42"))) as any).uri).toBe("/index.html");
  });

  it("redirects other hosts to the canonical host, keeping path and query", async () => {
    const result: any = await fn.invoke(viewerRequest("/about", { host: "d111111abcdef8.cloudfront.net", querystring: { ref: "mail" } }));
    expect(result.statusCode).toBe(301);
    expect(result.headers.location.value).toBe("https://gallery.example.com/about?ref=mail");
    expect(((await fn.invoke(viewerRequest("/about", { host: "localhost:3000" }))) as any).uri).toBe("/about.html");
  });

  it("redirects paths listed in the KeyValueStore", async () => {
    const result: any = await fn.invoke(viewerRequest("/about-us"));
    expect(result).toMatchObject({ statusCode: 301, headers: { location: { value: "/about" } } });
  });

  it("A/B test: a visitor's cookie keeps them in their variant", async () => {
    for (let i = 0; i < 20; i++) {
      const b: any = await fn.invoke(viewerRequest("/", { cookies: { "gallery-ab-home": "b" } }));
      expect(b.uri).toBe("/variants/b/index.html");
      expect(b.headers["x-experiment-assigned"]).toBeUndefined();
      const a: any = await fn.invoke(viewerRequest("/", { cookies: { "gallery-ab-home": "a" } }));
      expect(a.uri).toBe("/index.html");
    }
  });

  it("A/B test: a new visitor is assigned a variant by weight, marked for the Set-Cookie", async () => {
    const alwaysB = viewerRequestFn({ experiment: { ...experiment, variants: [{ name: "a", weight: 0 }, { name: "b", weight: 100, prefix: "/variants/b" }] } });
    const assigned: any = await alwaysB.invoke(viewerRequest("/"));
    expect(assigned.uri).toBe("/variants/b/index.html");
    expect(assigned.cookies["gallery-ab-home"]).toEqual({ value: "b" });
    expect(assigned.headers["x-experiment-assigned"]).toEqual({ value: "gallery-ab-home=b" });
    // An unknown variant (a finished experiment's cookie) is reassigned.
    expect(((await alwaysB.invoke(viewerRequest("/", { cookies: { "gallery-ab-home": "z" } }))) as any).uri).toBe("/variants/b/index.html");
    // Pages outside the experiment are untouched.
    expect(((await alwaysB.invoke(viewerRequest("/about"))) as any).uri).toBe("/about.html");
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(((await fn.invoke(viewerRequest("/"))) as any).cookies["gallery-ab-home"].value);
    expect([...seen].sort()).toEqual(["a", "b"]);
  });
});

describe("viewer-request: URIs that S3 would read as another key than the path patterns saw", () => {
  // Issue 11: CloudFront matches path patterns on the URI as sent, S3 decodes it. /%61ccount/index.html and
  // /account%2findex.html matched the default behaviour (no auth check) and S3 served account/index.html.
  const fn = viewerRequestFn({ canonicalHost: undefined });
  const run = async (uri: string, querystring: Record<string, string> = {}): Promise<any> => fn.invoke(viewerRequest(uri, { querystring }));

  it("301s escaped unreserved characters to their plain spelling, whose next request meets /account/*'s check", async () => {
    expect(await run("/%61ccount/index.html")).toMatchObject({ statusCode: 301, headers: { location: { value: "/account/index.html" } } });
    expect(await run("/%41%7e%2D%5f%2e%30/x.html", { next: "%2Fa%26b%3D1" })).toMatchObject({ statusCode: 301, headers: { location: { value: "/A~-_.0/x.html?next=%2Fa%26b%3D1" } } });
  });

  it.each(["/account%2findex.html", "/account%2Findex.html", "/account%5cindex.html", "/account%5Cindex.html", "/account\\index.html", "/x/../account/index.html", "/x/%2e%2e/account/index.html", "/x/.%2E/account/", "/./account/", "/account/.", "/account/..", "/x/%2E/account/"])(
    "refuses %s with 400: encoded slashes or backslashes, dot segments",
    async (uri) => {
      const result = await run(uri);
      expect(result.statusCode).toBe(400);
      expect(result.uri).toBeUndefined();
    },
  );

  it("leaves other escapes as sent (S3 decodes them to the same key whichever way they are spelled)", async () => {
    expect((await run("/photos/caf%C3%A9.html")).uri).toBe("/photos/caf%C3%A9.html");
    expect((await run("/a..b.html")).uri).toBe("/a..b.html");
  });

  it("redirects from the KeyValueStore with the query string as the viewer sent it (still percent-encoded)", async () => {
    for (const value of ["%E2%82%AC", "%0d%0a", "%00", "%7F", "%2Fa%26b%3D1"]) {
      expect((await run("/about-us", { q: value })).headers.location.value).toBe(`/about?q=${value}`);
    }
  });

  it("drops a client-sent x-experiment-assigned: only its own assignment reaches viewer-response", async () => {
    const forged = { "x-experiment-assigned": "injected=1; Domain=example.com" };
    const elsewhere: any = await fn.invoke(viewerRequest("/about", { headers: forged }));
    expect(elsewhere.headers["x-experiment-assigned"]).toBeUndefined();
    const returning: any = await fn.invoke(viewerRequest("/", { headers: forged, cookies: { "gallery-ab-home": "b" } }));
    expect(returning.headers["x-experiment-assigned"]).toBeUndefined();
    const noExperiment = viewerRequestFn({ experiment: undefined, canonicalHost: undefined });
    expect(((await noExperiment.invoke(viewerRequest("/", { headers: forged }))) as any).headers["x-experiment-assigned"]).toBeUndefined();
  });
});

describe("viewer-response CloudFront Function", () => {
  const fn = sandboxFor("handlers/edge/viewer-response.js", { cookieMaxAgeSeconds: 600, cookie: "gallery-ab-home", variants: ["a", "b"] });

  it("leaves headers to the response headers policy: the response goes out as the origin sent it", async () => {
    const request = viewerRequest("/index.html").request;
    const result: any = await fn.invoke(viewerResponse(request, 200, { "cross-origin-opener-policy": "unsafe-none" }));
    expect(result.headers).toEqual({ "content-type": { value: "text/html; charset=utf-8" }, "cross-origin-opener-policy": { value: "unsafe-none" } });
    expect(result.cookies).toEqual({});
  });

  it("turns the viewer-request function's A/B assignment into a sticky Set-Cookie", async () => {
    const request = viewerRequest("/variants/b/index.html", { headers: { "x-experiment-assigned": "gallery-ab-home=b" } }).request;
    const result: any = await fn.invoke(viewerResponse(request));
    expect(result.cookies["gallery-ab-home"]).toEqual({ value: "b", attributes: "Path=/; Max-Age=600; Secure; SameSite=Lax" });
  });
});

describe("viewer-response sets only the experiment's own cookie (issue 11: no client text in Set-Cookie)", () => {
  const fn = sandboxFor("handlers/edge/viewer-response.js", { cookieMaxAgeSeconds: 600, cookie: "gallery-ab-home", variants: ["a", "b"] });

  it.each(["injected=1; Domain=example.com", "gallery-ab-home=b; Domain=example.com", "gallery-ab-home=z", "other=a", "gallery-ab-home", "gallery-ab-home=a=b"])(
    "sets no cookie for x-experiment-assigned: %s",
    async (value) => {
      const request = viewerRequest("/index.html", { headers: { "x-experiment-assigned": value } }).request;
      expect(((await fn.invoke(viewerResponse(request))) as any).cookies).toEqual({});
    },
  );

  it("sets none when the stack runs no experiment", async () => {
    const off = sandboxFor("handlers/edge/viewer-response.js", { cookieMaxAgeSeconds: 600 });
    const request = viewerRequest("/index.html", { headers: { "x-experiment-assigned": "gallery-ab-home=b" } }).request;
    expect(((await off.invoke(viewerResponse(request))) as any).cookies).toEqual({});
  });
});
