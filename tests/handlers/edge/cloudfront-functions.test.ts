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

describe("viewer-response CloudFront Function", () => {
  const fn = sandboxFor("handlers/edge/viewer-response.js", { cookieMaxAgeSeconds: 600 });

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
