/**
 * Folder URIs of a multi-page site (Hugo, Astro, Docusaurus, Jekyll output link to `/docs/`) serve that folder's index
 * document with hosting "oac", as S3's website endpoint does. CloudFront's default root object covers `/` only: "an
 * end-user request for a subdirectory of your distribution does not return the default root object"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DefaultRootObject.html), so StaticSite rewrites
 * `<folder>/` to `<folder>/<indexDocument>` in a viewer-request CloudFront Function. The code is run here in the local
 * cloudfront-js-2.0 sandbox, exactly as recorded for deployment.
 */
import { describe, expect, it } from "vitest";
import { autonameLength } from "../../components/autoname";
import { EdgeLogic } from "../../components/edge-logic";
import { StaticSite, type StaticSiteArgs } from "../../components/static-site";
import { siteRequestFunction } from "../../components/static-site/distribution";
import { CloudFrontFunctionSandbox } from "../../local/edge-runtime";
import { checkDeployRules } from "../../testing/deploy-rules";
import { CLOUDFRONT_FUNCTIONS } from "../../testing/security-rules/edge";
import { viewerRequest } from "../handlers/edge/events";
import { ofType, record, resource, type RecordedResource } from "../harness/mocks";

const path = "tests/fixtures/multi-page-site";
const FUNCTION = "aws:cloudfront/function:Function";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";

async function build(name: string, args: Partial<StaticSiteArgs> = {}) {
  let site!: StaticSite;
  const graph = await record(() => (site = new StaticSite(name, { path, ...args })));
  const distribution = resource(graph, DISTRIBUTION, `${name}-cdn`);
  return { graph, site, distribution, functions: ofType(graph, FUNCTION) };
}

/** The URI the function hands on for each viewer URI, running the recorded code in the local sandbox. */
async function rewrites(fn: RecordedResource, uris: string[]): Promise<string[]> {
  const sandbox = new CloudFrontFunctionSandbox(fn.inputs.code, { name: fn.name });
  return Promise.all(uris.map(async (uri) => ((await sandbox.invoke(viewerRequest(uri))) as { uri: string }).uri));
}

const behaviour = (distribution: RecordedResource, pattern: string) =>
  pattern === "default" ? distribution.inputs.defaultCacheBehavior : distribution.inputs.orderedCacheBehaviors.find((b: { pathPattern: string }) => b.pathPattern === pattern);

describe("StaticSite directoryIndex (hosting oac)", () => {
  it("serves a folder URI's index document by default: one published cloudfront-js-2.0 function on the site behaviour's viewer-request", async () => {
    const { site, distribution, functions } = await build("docs");
    expect(functions).toHaveLength(1);
    const [fn] = functions;
    expect(fn.name).toBe("docs-idx");
    expect(fn.inputs).toMatchObject({ runtime: "cloudfront-js-2.0", publish: true });
    expect(distribution.inputs.defaultCacheBehavior.functionAssociations).toEqual([{ eventType: "viewer-request", functionArn: fn.state.arn }]);
    expect(distribution.inputs.defaultRootObject).toBe("index.html");
    expect(await rewrites(fn, ["/docs/", "/docs/guide/", "/", "/docs", "/docs/install.html", "/docs/index.html", "/assets/app.1a2b3c4d.js"])).toEqual([
      "/docs/index.html", "/docs/guide/index.html", "/index.html",
      // No slash, no extension: left alone. The website endpoint's 302 to /docs/ depends on docs/index.html existing,
      // which a CloudFront Function cannot look up (docs/components/static-site.md).
      "/docs",
      "/docs/install.html", "/docs/index.html", "/assets/app.1a2b3c4d.js",
    ]);
    // The front door builds its runner from the same description, so npm start runs the deployed code.
    expect(siteRequestFunction(site.spec)).toMatchObject({ code: fn.inputs.code, behaviours: ["default"] });
  });

  it("passes the deploy rules and the CloudFront Functions security rule, in a multi-page site with an edge-only behaviour and the routes", async () => {
    const { graph } = await build("rules", {
      routes: [{ pathPattern: "/api/*", originId: "api", domainName: "abc123.execute-api.us-east-1.amazonaws.com" }],
      edge: [{ pathPattern: "/blog/*", eventType: "viewer-response", kind: "function", edgeLogic: "x", key: "k", arn: "arn:aws:cloudfront::123456789012:function/x-k" }],
    });
    const distribution = resource(graph, DISTRIBUTION, "rules-cdn");
    // The site's behaviours take it; the API's route does not (its URIs are not folders of the site).
    expect(behaviour(distribution, "/blog/*").functionAssociations.map((a: { eventType: string }) => a.eventType)).toEqual(["viewer-request", "viewer-response"]);
    expect(behaviour(distribution, "/api/*").functionAssociations).toBeUndefined();
    expect(checkDeployRules(graph, { stack: "test", production: true, region: "us-east-1" })).toEqual([]);
    expect(CLOUDFRONT_FUNCTIONS.check(graph, { stack: "prod", production: true })).toEqual([]);
  });

  it("appends the site's own indexDocument", async () => {
    const { functions } = await build("htm", { indexDocument: "default.htm" });
    expect(await rewrites(functions[0], ["/docs/", "/"])).toEqual(["/docs/default.htm", "/default.htm"]);
  });

  it("is turned off with directoryIndex: false: no function, /docs/ is the key docs/ as before", async () => {
    const { distribution, functions } = await build("off", { directoryIndex: false });
    expect(functions).toEqual([]);
    expect(distribution.inputs.defaultCacheBehavior.functionAssociations).toBeUndefined();
  });

  it("with spa: true, the SPA fallback is the behaviour's one viewer-request function (every folder URI serves the root index document)", async () => {
    const { distribution, functions } = await build("spa", { spa: true });
    expect(functions.map((f) => f.name)).toEqual(["spa-spa"]);
    expect(distribution.inputs.defaultCacheBehavior.functionAssociations).toEqual([{ eventType: "viewer-request", functionArn: functions[0].state.arn }]);
    expect(await rewrites(functions[0], ["/docs/"])).toEqual(["/index.html"]);
    expect(() => new StaticSite("both", { path, spa: true, directoryIndex: true })).toThrow(
      /^StaticSite "both": directoryIndex true conflicts with spa: true, whose fallback serves the root index document for every folder URI; CloudFront runs one viewer-request function per behaviour\. Remove directoryIndex \(spa: true serves folder URIs\), or set spa: false\./,
    );
  });

  it("needs no function with hosting s3-website, whose endpoint serves each folder's index document itself; false there is refused", async () => {
    const { functions } = await build("web", { hosting: "s3-website" });
    expect(functions).toEqual([]);
    expect(() => new StaticSite("web-off", { path, hosting: "s3-website", directoryIndex: false })).toThrow(
      /^StaticSite "web-off": directoryIndex false cannot be honoured with hosting "s3-website": the website endpoint serves every folder's index document itself\. Remove directoryIndex, or use hosting "oac"\./,
    );
    expect(() => new StaticSite("not-bool", { path, directoryIndex: "yes" as never })).toThrow(/^StaticSite "not-bool": directoryIndex "yes" is not true or false\./);
  });

  it("names its function with the characters CloudFront takes, as long as the origin access control's name at most: a dotted component name still deploys", async () => {
    // 52 characters: the longest name the origin access control's "<name>-oac" and Pulumi's "-" + 7 leave (64), with
    // both buckets named (the log bucket's autoname is longer).
    const longest = `${"a".repeat(25)}.${"b".repeat(26)}`;
    const { graph, functions } = await build(longest, { bucketName: "long-site", logs: { bucketName: "long-site-logs" } });
    const [fn] = functions;
    expect(fn.name).toMatch(new RegExp(`^${"a".repeat(25)}-${"b".repeat(19)}-[0-9a-f]{6}-idx$`));
    expect(autonameLength(fn.name)).toBe(autonameLength(`${longest}-oac`));
    expect(checkDeployRules(graph, { stack: "test", production: false, region: "us-east-1" }).filter((f) => f.rule === "PhysicalNameLimits")).toEqual([]);
  });

  it("gives my.site and my-site in one program their own function: the program plans without a duplicate URN, and a name without slugging keeps <name>-idx", async () => {
    // Child URNs leave out the parent's name, so two StaticSites whose names slug alike would register one function URN twice.
    const graph = await record(() => {
      new StaticSite("my.site", { path, bucketName: "my-dotted-site" });
      new StaticSite("my-site", { path });
    });
    const functionOf = (site: string) => ofType(graph, FUNCTION).filter((f) => f.parent === resource(graph, "serverless-fullstack:index:StaticSite", site).urn).map((f) => f.name);
    expect(functionOf("my-site")).toEqual(["my-site-idx"]);
    expect(functionOf("my.site")).toEqual([expect.stringMatching(/^my-site-[0-9a-f]{6}-idx$/)]);
  });
});

describe("StaticSite directoryIndex with EdgeLogic", () => {
  const edgeArgs = {
    functions: { "viewer-request": { file: "handlers/edge/viewer-request.js", eventType: "viewer-request" as const, config: { directoryIndex: "index.html" } } },
    lambdas: {
      auth: { entry: "tests/fixtures/handlers/echo.ts", eventType: "viewer-request" as const, pathPatterns: ["/account/*"] },
      seo: { entry: "tests/fixtures/handlers/echo.ts", eventType: "origin-response" as const, pathPatterns: ["/blog/*"] },
    },
  };

  it("leaves each behaviour whose viewer-request an edge function owns to that function, and takes the others'", async () => {
    let edge!: EdgeLogic;
    const graph = await record(() => {
      edge = new EdgeLogic("e", edgeArgs);
      new StaticSite("mix", { path, edge: edge.associations });
    });
    const distribution = resource(graph, DISTRIBUTION, "mix-cdn");
    const own = resource(graph, FUNCTION, "mix-idx");
    // default: EdgeLogic's function (it rewrites folder URIs with config.directoryIndex); /account/*: Lambda@Edge on viewer-request.
    expect(behaviour(distribution, "default").functionAssociations).toEqual([{ eventType: "viewer-request", functionArn: resource(graph, FUNCTION, "e-viewer-request").state.arn }]);
    expect(behaviour(distribution, "/account/*").functionAssociations).toBeUndefined();
    // /blog/* runs only an origin-response function: StaticSite's goes on its viewer-request.
    expect(behaviour(distribution, "/blog/*").functionAssociations).toEqual([{ eventType: "viewer-request", functionArn: own.state.arn }]);
  });

  it("makes no function when every site behaviour's viewer-request is taken, and refuses directoryIndex: true there", async () => {
    const viewerOnly = { functions: edgeArgs.functions };
    const graph = await record(() => new StaticSite("taken", { path, edge: new EdgeLogic("v", viewerOnly).associations }));
    expect(ofType(graph, FUNCTION).map((f) => f.name)).toEqual(["v-viewer-request"]);
    expect(() => new StaticSite("forced", { path, directoryIndex: true, edge: new EdgeLogic("w", viewerOnly).associations })).toThrow(
      /^StaticSite "forced": directoryIndex true cannot run on the site behaviour default: w\.viewer-request \(CloudFront Function\) runs on its viewer-request, and CloudFront runs one function per event type per behaviour\. Leave directoryIndex unset/,
    );
  });
});
