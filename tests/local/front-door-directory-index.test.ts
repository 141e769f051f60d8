/**
 * A multi-page site through the front door, in both hosting modes, as CloudFront serves it. With "oac" S3's REST
 * endpoint knows only exact keys, and CloudFront's default root object covers `/` alone ("an end-user request for a
 * subdirectory of your distribution does not return the default root object",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DefaultRootObject.html): `/docs/` is served by
 * StaticSite's viewer-request function, which the front door runs as deployed. With "s3-website" the endpoint serves
 * "the root of a website or any subfolder" its index document and 302s `/docs` to `/docs/`
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/IndexDocumentSupport.html).
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer, request as httpRequest, type RequestListener, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import type { EdgeAssociation } from "../../components/edge-logic/associations";
import { cloudFrontFunctionCode } from "../../components/edge-logic/function-code";
import { normalise, withBehaviourPatterns, type StaticSiteArgs } from "../../components/static-site/spec";
import { CloudFrontFunctionSandbox, cloudFrontFunctionRunner, type EdgeRuntime } from "../../local/edge-runtime";
import { createFrontDoor } from "../../local/front-door";

const path = "tests/fixtures/multi-page-site";
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A front door over the fixture with these StaticSite arguments; answers GETs with status, Location and body. */
async function door(args: Partial<StaticSiteArgs>, edge?: EdgeRuntime) {
  const listener: RequestListener = createFrontDoor(normalise("pages", withBehaviourPatterns({ path, ...args })), new Map(), { edge, log: () => undefined });
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return (target: string) =>
    new Promise<{ status: number; location?: string; body: string }>((resolve, reject) => {
      const outgoing = httpRequest({ host: "127.0.0.1", port, path: target, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, body: Buffer.concat(chunks).toString("utf8").trim() }));
      });
      outgoing.on("error", reject);
      outgoing.end();
    });
}

describe("front door: folder URIs of a multi-page site", () => {
  it("oac (the default): /docs/ and /docs/guide/ serve their index documents through StaticSite's function", async () => {
    const get = await door({});
    expect(await get("/docs/")).toMatchObject({ status: 200, body: "<h1>docs</h1>" });
    expect(await get("/docs/guide/")).toMatchObject({ status: 200, body: "<h1>guide</h1>" });
    expect(await get("/docs/?tab=2")).toMatchObject({ status: 200, body: "<h1>docs</h1>" });
    expect(await get("/")).toMatchObject({ status: 200, body: "<h1>home</h1>" });
    expect(await get("/docs/install.html")).toMatchObject({ status: 200, body: "<h1>install</h1>" });
    // A folder without an index document, and /docs without its slash (S3's REST endpoint has no key "docs"): the
    // distribution's error document with 404, as deployed. Only the website endpoint redirects /docs to /docs/.
    expect(await get("/nothing/")).toMatchObject({ status: 404, body: "<h1>missing</h1>" });
    expect(await get("/docs")).toMatchObject({ status: 404, body: "<h1>missing</h1>" });
  });

  it("oac with directoryIndex: false: /docs/ is the key docs/, which does not exist (404), as CloudFront without the function", async () => {
    const get = await door({ directoryIndex: false });
    expect(await get("/docs/")).toMatchObject({ status: 404, body: "<h1>missing</h1>" });
    expect(await get("/")).toMatchObject({ status: 200, body: "<h1>home</h1>" });
  });

  it("s3-website: the endpoint itself serves folder index documents and redirects /docs to /docs/", async () => {
    const get = await door({ hosting: "s3-website" });
    expect(await get("/docs/")).toMatchObject({ status: 200, body: "<h1>docs</h1>" });
    expect(await get("/docs/guide/")).toMatchObject({ status: 200, body: "<h1>guide</h1>" });
    expect(await get("/docs")).toMatchObject({ status: 302, location: "/docs/" });
    expect(await get("/nothing/")).toMatchObject({ status: 404, body: "<h1>missing</h1>" });
  });

  it("oac with an EdgeLogic viewer-request function on the site behaviour: that function rewrites (config.directoryIndex), StaticSite's does not run", async () => {
    const association = { pathPattern: "default", eventType: "viewer-request", kind: "function", edgeLogic: "edge", key: "viewer-request", arn: "arn" } satisfies EdgeAssociation;
    const code = (directoryIndex: string | false) => cloudFrontFunctionCode(readFileSync("handlers/edge/viewer-request.js", "utf8"), { directoryIndex });
    const runtime = (directoryIndex: string | false): EdgeRuntime => {
      const runner = cloudFrontFunctionRunner("edge-viewer-request", "viewer-request", new CloudFrontFunctionSandbox(code(directoryIndex), { name: "edge-viewer-request" }));
      return { behaviour: (pattern) => (pattern === "default" ? { "viewer-request": runner } : {}) };
    };
    const withIndex = await door({ edge: [association] }, runtime("index.html"));
    expect(await withIndex("/docs/guide/")).toMatchObject({ status: 200, body: "<h1>guide</h1>" });
    // The edge function turned it off: nothing else rewrites the URI (StaticSite's function is not on this behaviour).
    const without = await door({ edge: [association] }, runtime(false));
    expect(await without("/docs/")).toMatchObject({ status: 404, body: "<h1>missing</h1>" });
  });
});
