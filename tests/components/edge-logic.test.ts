import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { EDGE_LOG_REGIONS, EdgeLogic, type EdgeLogicArgs } from "../../components/edge-logic";
import { cloudFrontFunctionCode } from "../../components/edge-logic/function-code";
import { StaticSite } from "../../components/static-site";
import { checkDeployRules, CLOUDFRONT_KEY_VALUE_STORE, PHYSICAL_NAME_LIMITS } from "../../testing/deploy-rules";
import { viewerRequest, sandboxFor } from "../handlers/edge/events";
import { ofType, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";

const functions: EdgeLogicArgs["functions"] = {
  "viewer-request": { file: "handlers/edge/viewer-request.js", eventType: "viewer-request", keyValueStore: true, config: { cleanUrls: "html", redirects: true } },
  "viewer-response": { file: "handlers/edge/viewer-response.js", eventType: "viewer-response", config: { cookieMaxAgeSeconds: 600 } },
};
const lambdas: EdgeLogicArgs["lambdas"] = {
  auth: {
    entry: "handlers/edge/auth.ts",
    eventType: "viewer-request",
    pathPatterns: ["/account/*"],
    define: { __EDGE_AUTH_CONFIG__: JSON.stringify({ issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X", clientId: "c", cookie: "t", signInPath: "/" }) },
  },
  "origin-response": {
    entry: "handlers/edge/origin-response.ts",
    eventType: "origin-response",
    memorySize: 256,
    timeout: 10,
    define: { __EDGE_ORIGIN_RESPONSE_CONFIG__: JSON.stringify({ noindexPrefixes: [], defaultCacheControl: "no-cache", errorCacheControl: "max-age=10" }) },
  },
};
const args: EdgeLogicArgs = { keyValueStore: { data: { "/about-us": "/about" } }, functions, lambdas };

async function build(name: string, edgeArgs: EdgeLogicArgs = args) {
  let edge!: EdgeLogic;
  const graph = await record(() => {
    edge = new EdgeLogic(name, edgeArgs);
    new StaticSite(`${name}-site`, {
      path: "site",
      edge: edge.associations,
      routes: [{ pathPattern: "/api/*", originId: "api", domainName: "abc123.execute-api.us-east-1.amazonaws.com" }],
    });
  });
  return { graph, edge, get: (type: string, suffix: string) => resource(graph, type, `${name}${suffix}`) };
}

const behaviour = (distribution: RecordedResource, pattern: string) =>
  pattern === "default" ? distribution.inputs.defaultCacheBehavior : distribution.inputs.orderedCacheBehaviors.find((b: { pathPattern: string }) => b.pathPattern === pattern);

describe("EdgeLogic", () => {
  it("publishes cloudfront-js-2.0 functions with their config baked in, reading the KeyValueStore it owns", async () => {
    const { get } = await build("cff");
    const fn = get("aws:cloudfront/function:Function", "-viewer-request");
    const store = get("aws:cloudfront/keyValueStore:KeyValueStore", "-kvs");
    expect(fn.inputs).toMatchObject({ runtime: "cloudfront-js-2.0", publish: true, keyValueStoreAssociations: [store.state.arn] });
    expect(fn.inputs.code).toMatch(/^import cf from 'cloudfront';\nvar CONFIG = \{"cleanUrls":"html","redirects":true\};\n/);
    expect(Buffer.byteLength(fn.inputs.code)).toBeLessThanOrEqual(10 * 1024);
    expect(get("aws:cloudfront/keyvaluestoreKeysExclusive:KeyvaluestoreKeysExclusive", "-kvs-keys").inputs).toMatchObject({
      keyValueStoreArn: store.state.arn,
      resourceKeyValuePairs: [{ key: "/about-us", value: "/about" }],
    });
    expect(fn.dependencies).toContain(get("aws:cloudfront/keyvaluestoreKeysExclusive:KeyvaluestoreKeysExclusive", "-kvs-keys").urn);
    expect(get("aws:cloudfront/function:Function", "-viewer-response").inputs.keyValueStoreAssociations).toBeUndefined();
  });

  it("ships functions minified, as scripts: the app's viewer-request with its largest config is at most 3 KB (issue 15), handler and config kept", () => {
    const config = {
      canonicalHost: "photos.example.com",
      redirects: true,
      cleanUrls: "html",
      spaFallback: "index.html",
      directoryIndex: "index.html",
      experiment: { cookie: "gallery-ab-home", paths: ["/index.html"], variants: [{ name: "a", weight: 90 }, { name: "b", weight: 10, prefix: "/variants/b" }] },
    };
    const code = cloudFrontFunctionCode(readFileSync("handlers/edge/viewer-request.js", "utf8"), config);
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(3 * 1024);
    expect(code).toMatch(/^import cf from 'cloudfront';\nvar CONFIG = \{"canonicalHost"/);
    expect(code).toMatch(/async function handler\(/);
    expect(code).not.toContain("// ");
  });

  it("the app's viewer-request, owning a site behaviour's viewer-request, serves folder URIs their index document as StaticSite's own function would: config.directoryIndex", async () => {
    // StaticSite steps aside on a behaviour whose viewer-request an EdgeLogic function owns (one function per event
    // type), so that function does the rewrite, configured like spaFallback.
    const rewrite = async (config: Record<string, unknown>, uri: string) =>
      ((await sandboxFor("handlers/edge/viewer-request.js", config, {}).invoke(viewerRequest(uri))) as { uri: string }).uri;
    expect(await rewrite({ directoryIndex: "index.html" }, "/docs/guide/")).toBe("/docs/guide/index.html");
    expect(await rewrite({ directoryIndex: "default.htm" }, "/docs/")).toBe("/docs/default.htm");
    expect(await rewrite({ directoryIndex: false }, "/docs/")).toBe("/docs/");
    // Unset, as the reference app shipped before the option: index.html.
    expect(await rewrite({}, "/docs/")).toBe("/docs/index.html");
  });

  it("the app's viewer-request in SPA mode (spaFallback, directoryIndex false, as index.ts passes them) serves folder URIs the SPA root, as StaticSite's spa: true does", async () => {
    // StaticSite refuses directoryIndex beside spa: true, whose fallback serves every folder URI the root index
    // document; /albums/ must not become the missing key albums/index.html.
    const rewrite = async (uri: string) =>
      ((await sandboxFor("handlers/edge/viewer-request.js", { spaFallback: "index.html", directoryIndex: false }, {}).invoke(viewerRequest(uri))) as { uri: string }).uri;
    expect(await rewrite("/albums/")).toBe("/index.html");
    expect(await rewrite("/albums/2024/")).toBe("/index.html");
    expect(await rewrite("/")).toBe("/index.html");
    expect(await rewrite("/albums")).toBe("/index.html");
    expect(await rewrite("/assets/app.1a2b3c4d.js")).toBe("/assets/app.1a2b3c4d.js");
  });

  it("builds Lambda@Edge in us-east-1 as published versions, trusted by edgelambda, without env, retained on delete", async () => {
    const { graph, get, edge } = await build("lam");
    for (const key of ["auth", "origin-response"]) {
      const fn = get("aws:lambda/function:Function", `-${key}-function`);
      expect(fn.inputs).toMatchObject({ region: "us-east-1", publish: true, runtime: "nodejs22.x", architectures: ["x86_64"] });
      expect(fn.inputs.environment).toBeUndefined();
      expect(fn.retainOnDelete).toBe(true);
      const trust = policyDocument(get("aws:iam/role:Role", `-${key}-role`).inputs.assumeRolePolicy);
      expect(trust.Statement[0].Principal.Service).toEqual(["lambda.amazonaws.com", "edgelambda.amazonaws.com"]);
      // LambdaFunction's own log group would be in us-east-1 only; Lambda@Edge logs where it runs (see the log group test).
      expect(graph.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && r.name === `lam-${key}-logs`)).toEqual([]);
    }
    expect(get("aws:lambda/function:Function", "-auth-function").inputs).toMatchObject({ memorySize: 128, timeout: 5 });
    expect(get("aws:lambda/function:Function", "-origin-response-function").inputs).toMatchObject({ memorySize: 256, timeout: 10 });
    // Configuration is in the code, not the environment.
    const code = await (await get("aws:lambda/function:Function", "-auth-function").inputs.code.assets)["index.mjs"].text;
    expect(code).toContain("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X");
    const auth = edge.associations.find((a) => a.key === "auth")!;
    expect(await new Promise((done) => (auth.arn as any).apply(done))).toBe(get("aws:lambda/function:Function", "-auth-function").state.qualifiedArn);
  });

  it("bakes deploy-time values (Outputs, e.g. a user pool's issuer) into Lambda@Edge code once they resolve", async () => {
    const issuer = pulumi.output("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_FROMOUTPUT");
    const late = { ...lambdas.auth, define: { __EDGE_AUTH_CONFIG__: pulumi.jsonStringify({ issuer, clientId: "c", cookie: "t", signInPath: "/" }) } };
    const { get, edge } = await build("late", { lambdas: { auth: late } });
    const fn = get("aws:lambda/function:Function", "-auth-function");
    const code = await (await fn.inputs.code.assets)["index.mjs"].text;
    expect(code).toContain("us-east-1_FROMOUTPUT");
    expect(fn.inputs.environment).toBeUndefined();
    // Checked at construction with the value as null: well inside the viewer limit.
    expect(edge.spec.lambdas[0].zippedBytes).toBeLessThan(1024 * 1024);
  });

  it("StaticSite attaches each function to its behaviours and event types, by ARN and published-version ARN", async () => {
    const { get } = await build("assoc");
    const distribution = get("aws:cloudfront/distribution:Distribution", "-site-cdn");
    const fnArn = (key: string) => get("aws:cloudfront/function:Function", `-${key}`).state.arn;
    const lambdaArn = (key: string) => get("aws:lambda/function:Function", `-${key}-function`).state.qualifiedArn;
    expect(lambdaArn("auth")).toMatch(/:function:assoc-auth-function-[0-9a-f]+:1$/);

    const root = behaviour(distribution, "default");
    expect(root.functionAssociations).toEqual([
      { eventType: "viewer-request", functionArn: fnArn("viewer-request") },
      { eventType: "viewer-response", functionArn: fnArn("viewer-response") },
    ]);
    expect(root.lambdaFunctionAssociations).toEqual([{ eventType: "origin-response", lambdaArn: lambdaArn("origin-response") }]);

    // /account/* exists only for edge code: a site-origin behaviour like the default, with its own functions.
    const account = behaviour(distribution, "/account/*");
    expect(account).toMatchObject({ targetOriginId: "site", viewerProtocolPolicy: "redirect-to-https", cachePolicyId: root.cachePolicyId, responseHeadersPolicyId: root.responseHeadersPolicyId });
    expect(account.functionAssociations).toBeUndefined();
    expect(account.lambdaFunctionAssociations).toEqual([{ eventType: "viewer-request", lambdaArn: lambdaArn("auth") }]);
    // Routes come first (CloudFront matches in order), and get no function they did not ask for.
    expect(distribution.inputs.orderedCacheBehaviors.map((b: { pathPattern: string }) => b.pathPattern)).toEqual(["/api/*", "/account/*"]);
    expect(behaviour(distribution, "/api/*").functionAssociations).toBeUndefined();
  });

  it("keeps Lambda@Edge logs for a set time in every edge region, in log groups named as Lambda@Edge writes them", async () => {
    const { graph, get, edge } = await build("logs", { ...args, logs: { regions: ["us-east-1", "eu-west-1", "ap-northeast-1"], retentionDays: 14 } });
    for (const key of ["auth", "origin-response"]) {
      const fn = get("aws:lambda/function:Function", `-${key}-function`);
      const groups = ofType(graph, "aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.startsWith(`logs-${key}-edge-logs-`));
      // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html: /aws/lambda/us-east-1.<FunctionName> in every region.
      expect(groups.map((g) => [g.inputs.region, g.inputs.name, g.inputs.retentionInDays])).toEqual(
        ["us-east-1", "eu-west-1", "ap-northeast-1"].map((region) => [region, `/aws/lambda/us-east-1.${fn.state.name}`, 14]),
      );
      for (const group of groups) expect(group.parent).toBe(resource(graph, "serverless-fullstack:index:EdgeLogic", "logs").urn);
      // The tag the clean-up script finds a stack's retained functions by.
      expect(fn.inputs.tags).toEqual({ "serverless-fullstack:stack": `${pulumi.getProject()}/${pulumi.getStack()}`, "serverless-fullstack:edge-logic": "logs" });
    }
    // CloudFront gets the versions only once their log groups exist: no invocation can create one without retention first.
    const distribution = get("aws:cloudfront/distribution:Distribution", "-site-cdn");
    for (const group of ofType(graph, "aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.startsWith("logs-"))) expect(distribution.dependencies).toContain(group.urn);
    expect(edge.spec.logs).toEqual({ regions: ["us-east-1", "eu-west-1", "ap-northeast-1"], retentionDays: 14 });
  });

  it("defaults to CloudFront's regional edge cache regions and 30 days; no Lambda@Edge, no log groups", async () => {
    const { graph } = await build("deflogs");
    const groups = ofType(graph, "aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.startsWith("deflogs-auth-edge-logs-"));
    expect(groups.map((g) => g.inputs.region)).toEqual([...EDGE_LOG_REGIONS]);
    expect(new Set(groups.map((g) => g.inputs.retentionInDays))).toEqual(new Set([30]));
    expect(EDGE_LOG_REGIONS).toContain("us-east-1");
    const functionsOnly = await build("nolambdas", { keyValueStore: args.keyValueStore, functions });
    expect(ofType(functionsOnly.graph, "aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.startsWith("nolambdas"))).toEqual([]);
  });

  it("names children after the component and parents them to it", async () => {
    const { graph } = await build("named", { ...args, logs: { regions: ["us-east-1"] } });
    const component = resource(graph, "serverless-fullstack:index:EdgeLogic", "named");
    const children = graph.filter((r) => r.parent === component.urn);
    expect(children.map((c) => c.name).sort()).toEqual([
      "named-auth", "named-auth-edge-logs-us-east-1", "named-kvs", "named-kvs-keys", "named-origin-response", "named-origin-response-edge-logs-us-east-1",
      "named-viewer-request", "named-viewer-response",
    ]);
  });
});

describe("EdgeLogic rejects bad arguments", () => {
  const fn = functions["viewer-request"];
  it.each<[string, EdgeLogicArgs, RegExp]>([
    ["nothing to run", {}, /^EdgeLogic "bad": functions "\(none\)" and lambdas are both empty/],
    ["a CloudFront Function on an origin event", { functions: { f: { file: fn.file, eventType: "origin-request" as never } } },
      /functions\.f\.eventType "origin-request" is not an event type CloudFront Functions support \(viewer-request and viewer-response only\)\. Move the function to lambdas/],
    ["an unknown event type", { functions: { f: { file: fn.file, eventType: "viewer-error" as never } } }, /functions\.f\.eventType "viewer-error" is not an event type CloudFront Functions support.*Use "viewer-request" or "viewer-response"/],
    ["code over 10 KB", { functions: { f: { file: "tests/fixtures/edge/too-big.js", eventType: "viewer-request" } } },
      /functions\.f\.file "tests\/fixtures\/edge\/too-big\.js" is 10\d{3} bytes with its config, over CloudFront Functions' limit of 10240 bytes \(10 KB\)\. Move data into the KeyValueStore/],
    ["config that pushes the code over 10 KB", { functions: { f: { file: "handlers/edge/viewer-response.js", eventType: "viewer-response", config: { pad: "x".repeat(10_000) } } } }, /bytes with its config, over CloudFront Functions' limit/],
    ["a missing file", { functions: { f: { file: "handlers/edge/nope.js", eventType: "viewer-request" } } }, /functions\.f\.file "handlers\/edge\/nope\.js" is not a file/],
    ["code without a handler", { functions: { f: { file: "tests/fixtures/edge/no-handler.js", eventType: "viewer-request" } } }, /defines no top-level `function handler\(event\)`/],
    ["a module import other than cloudfront", { functions: { f: { file: "tests/fixtures/edge/imports-module.js", eventType: "viewer-request" } } }, /does not compile as cloudfront-js-2\.0 code/],
    ["a KeyValueStore the component lacks", { functions: { f: { ...fn, keyValueStore: true } } }, /functions\.f\.keyValueStore true is set but the component has no keyValueStore/],
    ["two functions on one behaviour's event type", { keyValueStore: {}, functions: { f: fn, g: { ...fn, keyValueStore: false } } },
      /functions\.g\.pathPatterns "default" already runs functions\.f on viewer-request; CloudFront allows one function \(CloudFront Function or Lambda@Edge\) per event type per behaviour/],
    // "account/*" is "/account/*" to CloudFront (API_CacheBehavior PathPattern): one behaviour, one viewer-request function.
    ["one behaviour spelled with and without its leading slash", { keyValueStore: {}, functions: { f: { ...fn, pathPatterns: ["/account/*"] }, g: { ...fn, keyValueStore: false, pathPatterns: ["account/*"] } } },
      /functions\.g\.pathPatterns "\/account\/\*" already runs functions\.f on viewer-request/],
    ["a function and a Lambda@Edge on one event type", { keyValueStore: {}, functions: { f: fn }, lambdas: { a: { ...lambdas.auth, pathPatterns: ["default"] } } }, /lambdas\.a\.pathPatterns "default" already runs functions\.f on viewer-request/],
    ["a CloudFront Function and a Lambda@Edge on the viewer events of one behaviour",
      { functions: { vr: { file: "handlers/edge/viewer-response.js", eventType: "viewer-response", pathPatterns: ["default", "/account/*"] } }, lambdas: { auth: lambdas.auth } },
      /^EdgeLogic "bad": lambdas\.auth\.pathPatterns "\/account\/\*" runs Lambda@Edge lambdas\.auth on viewer-request where the CloudFront Function functions\.vr runs on viewer-response; CloudFront does not allow CloudFront Functions and Lambda@Edge together on the viewer events of one behaviour\. .*response headers policy/],
    ["a Lambda@Edge on viewer-response next to a CloudFront Function on viewer-request",
      { keyValueStore: {}, functions: { f: fn }, lambdas: { b: { ...lambdas.auth, pathPatterns: ["default"], eventType: "viewer-response" } } },
      /lambdas\.b\.pathPatterns "default" runs Lambda@Edge lambdas\.b on viewer-response where the CloudFront Function functions\.f runs on viewer-request/],
    ["the error document served by a viewer function", { lambdas: { a: { ...lambdas.auth, servesErrorDocument: true } } },
      /lambdas\.a\.servesErrorDocument true is set on a viewer-request function; only origin-response sees the origin's 404/],
    ["a log region that is not a region", { lambdas: { a: lambdas.auth }, logs: { regions: ["europe"] } }, /logs\.regions "europe" is not an AWS region code/],
    ["a log region twice", { lambdas: { a: lambdas.auth }, logs: { regions: ["us-east-1", "us-east-1"] } }, /logs\.regions "us-east-1" is listed twice/],
    ["a retention CloudWatch does not offer", { lambdas: { a: lambdas.auth }, logs: { retentionDays: 13 } }, /logs\.retentionDays 13 is not a retention CloudWatch Logs offers/],
    ["a catch-all path pattern", { functions: { f: { ...fn, keyValueStore: false, pathPatterns: ["/*"] } } }, /functions\.f\.pathPatterns "\/\*" is not a behaviour\. Use "default"/],
    // CloudFront's path patterns (Developer Guide, "Path pattern"): its characters only, at most 255 of them. Refused by
    // EdgeLogic itself, under its own argument, not later as StaticSite's edge[i].pathPattern.
    ["a path pattern with a character CloudFront does not take", { functions: { f: { ...fn, keyValueStore: false, pathPatterns: ["/account/{id}/*"] } } },
      /^EdgeLogic "bad": functions\.f\.pathPatterns "\/account\/\{id\}\/\*" has characters CloudFront's path patterns do not take \("\{", "\}"\); a path pattern takes A-Z, a-z, 0-9, _ - \. \* \? \$ \/ ~ " ' @ : \+ and &\. Use e\.g\. "\/account\/\*"\.$/],
    ["a Lambda@Edge path pattern with a space, given without its leading slash", { lambdas: { a: { ...lambdas.auth, pathPatterns: ["my account/*"] } } },
      /^EdgeLogic "bad": lambdas\.a\.pathPatterns "\/my account\/\*" has characters CloudFront's path patterns do not take \(" "\)/],
    ["a path pattern over 255 characters", { functions: { f: { ...fn, keyValueStore: false, pathPatterns: [`/${"a".repeat(253)}/*`] } } },
      /^EdgeLogic "bad": functions\.f\.pathPatterns "\/a{253}\/\*" is 256 characters; CloudFront's path patterns are at most 255\. Use a shorter pattern, e\.g\. a shorter folder with \/\*\.$/],
    // The leading "/" EdgeLogic adds counts: CloudFront is sent "/<pattern>".
    ["a Lambda@Edge path pattern of 255 characters without its leading slash", { lambdas: { a: { ...lambdas.auth, pathPatterns: [`${"a".repeat(253)}/*`] } } },
      /^EdgeLogic "bad": lambdas\.a\.pathPatterns "\/a{253}\/\*" is 256 characters; CloudFront's path patterns are at most 255/],
    ["viewer Lambda@Edge over 128 MB", { lambdas: { a: { ...lambdas.auth, memorySize: 256 } } }, /^EdgeLogic "bad": lambdas\.a\.memorySize 256 is outside Lambda@Edge's range for viewer events of 128 MB\. Use 128, or move the work to an origin-request\/origin-response function\.$/],
    ["viewer Lambda@Edge over 5 s", { lambdas: { a: { ...lambdas.auth, timeout: 6 } } }, /^EdgeLogic "bad": lambdas\.a\.timeout 6 is outside Lambda@Edge's range for viewer events of 1–5 seconds\. Use a whole number from 1 to 5 seconds, or move the work to an origin event \(up to 30 s\)\.$/],
    ["viewer Lambda@Edge with a fractional timeout", { lambdas: { a: { ...lambdas.auth, timeout: 2.5 } } }, /^EdgeLogic "bad": lambdas\.a\.timeout 2\.5 is not a whole number\. Use a whole number from 1 to 5 seconds/],
    ["origin Lambda@Edge with a memory size that is no number", { lambdas: { a: { ...lambdas["origin-response"], memorySize: "512" as unknown as number } } },
      /^EdgeLogic "bad": lambdas\.a\.memorySize "512" is not a number\. Use a whole number from 128 to 10240 MB\.$/],
    ["origin Lambda@Edge over 30 s", { lambdas: { a: { ...lambdas["origin-response"], timeout: 31 } } }, /^EdgeLogic "bad": lambdas\.a\.timeout 31 is outside Lambda@Edge's range for origin events of 1–30 seconds\. Use a whole number from 1 to 30 seconds\.$/],
    ["origin Lambda@Edge over 10240 MB", { lambdas: { a: { ...lambdas["origin-response"], memorySize: 10241 } } }, /^EdgeLogic "bad": lambdas\.a\.memorySize 10241 is outside Lambda@Edge's range for origin events of 128–10240 MB\. Use a whole number from 128 to 10240 MB\.$/],
    ["a body on a response event", { lambdas: { a: { ...lambdas["origin-response"], includeBody: true } } }, /lambdas\.a\.includeBody true is set on a origin-response function; CloudFront only passes bodies to request events/],
    ["an unknown trigger point", { lambdas: { a: { ...lambdas.auth, eventType: "origin-error" as never } } }, /lambdas\.a\.eventType "origin-error" is not a CloudFront trigger point/],
    ["a bad key", { lambdas: { "Auth Check": lambdas.auth } }, /lambdas "Auth Check" is not a usable key/],
    ["an oversized KeyValueStore value", { keyValueStore: { data: { k: "v".repeat(1025) } }, functions: { f: fn } }, /keyValueStore\.data\["k"\] .* is not a string of at most 1024 bytes/],
    ["a KeyValueStore comment over 128 characters", { keyValueStore: { comment: "c".repeat(129) }, functions: { f: fn } },
      /^EdgeLogic "bad": keyValueStore\.comment "c{129}" is 129 characters; CloudFront takes a key value store comment of at most 128\. Shorten the comment\.$/],
    ["KeyValueStore data over 5 MB in all", { keyValueStore: { data: Object.fromEntries(Array.from({ length: 5200 }, (_, i) => [`/old/${i}`, "v".repeat(1000)])) }, functions: { f: fn } },
      /^EdgeLogic "bad": keyValueStore\.data "5200 keys" hold 5\d{6} bytes of keys and values, over a key value store's 5 MB \(5242880 bytes\)\. Keep the data within 5 MB/],
  ])("%s", (_, bad, message) => {
    expect(() => new EdgeLogic("bad", bad)).toThrow(message);
  });

  it("takes every character CloudFront's path patterns take and 255 characters with the leading / it adds, and StaticSite gives each its behaviour", async () => {
    const patterns = ["*.jpg", "/a??.jpg", "/~user/$x/@y/:z/+w/'q'/\"d\"/a&b/_-./*", `${"a".repeat(252)}/*`];
    const graph = await record(() => {
      const edge = new EdgeLogic("chars", { functions: { f: { ...fn, keyValueStore: false, pathPatterns: patterns } } });
      new StaticSite("chars-site", { path: "site", edge: edge.associations });
    });
    const behaviours = resource(graph, "aws:cloudfront/distribution:Distribution", "chars-site-cdn").inputs.orderedCacheBehaviors;
    expect(behaviours.map((b: { pathPattern: string }) => b.pathPattern)).toEqual(patterns.map((p) => (p.startsWith("/") ? p : `/${p}`)));
    expect(behaviours[3].pathPattern).toHaveLength(255);
  });

  // Pulumi autonames a resource `<resource name>-<7 random hex>` (pulumi-terraform-bridge AutoName: "-" and Randlen 7),
  // and CloudFront takes names of 1–64 letters, digits, - and _: so `<name>-kvs` and `<name>-<key>` may be 56 characters.
  const deploysCleanly = (graph: RecordedResource[]) =>
    expect(checkDeployRules(graph, { stack: "test", production: false, region: "us-east-1" }, [CLOUDFRONT_KEY_VALUE_STORE, PHYSICAL_NAME_LIMITS])).toEqual([]);

  it("takes a 52-character component name with a key value store, refuses 53 or characters CloudFront refuses (naming the component name), and fits the default comment", async () => {
    const longest = "e".repeat(52);
    const fine = await record(() => new EdgeLogic(longest, { keyValueStore: {}, functions: { f: fn } }));
    const comment = resource(fine, "aws:cloudfront/keyValueStore:KeyValueStore", `${longest}-kvs`).inputs.comment;
    expect(comment).toBe(`${longest} key value store`);
    expect(comment.length).toBeLessThanOrEqual(128);
    deploysCleanly(fine);
    expect(() => new EdgeLogic("e".repeat(53), { keyValueStore: {}, functions: { f: fn } })).toThrow(
      /^EdgeLogic "e{53}": name "e{53}" makes the key value store's name "e{53}-kvs-<random suffix>" longer than CloudFront's 64 characters\. Use a component name of at most 52 letters, digits, - and _\.$/,
    );
    expect(() => new EdgeLogic("edge.v2", { keyValueStore: {}, functions: { f: fn } })).toThrow(
      /^EdgeLogic "edge\.v2": name "edge\.v2" makes the key value store's name "edge\.v2-kvs-<random suffix>" hold characters CloudFront refuses \(letters, digits, - and _ only\)\. Use a component name of letters, digits, - and _\.$/,
    );
  });

  it("takes a CloudFront Function whose \"<name>-<key>\" is 56 characters, and refuses 57 or characters CloudFront refuses", async () => {
    const key = "viewer-request";
    const plain = { ...fn, keyValueStore: false };
    const longest = "e".repeat(56 - "-viewer-request".length);
    const fine = await record(() => new EdgeLogic(longest, { functions: { [key]: plain } }));
    expect(resource(fine, "aws:cloudfront/function:Function", `${longest}-${key}`).name).toHaveLength(56);
    deploysCleanly(fine);
    expect(() => new EdgeLogic(`${longest}e`, { functions: { [key]: plain } })).toThrow(
      /^EdgeLogic "e{42}": functions "viewer-request" makes the function's name "e{42}-viewer-request-<random suffix>" longer than CloudFront's 64 characters\. Use a shorter component name or key: "<name>-<key>" may be at most 56 characters\.$/,
    );
    expect(() => new EdgeLogic("edge.v2", { functions: { [key]: plain } })).toThrow(
      /functions "viewer-request" makes the function's name "edge\.v2-viewer-request-<random suffix>" hold characters CloudFront refuses \(letters, digits, - and _ only\)/,
    );
  });

  it("refuses a Lambda@Edge whose source does not bundle, naming esbuild's file, line and error (not its \"Build failed\" heading)", () => {
    const entry = join(mkdtempSync(join(tmpdir(), "sf-edge-broken-")), "broken.ts");
    writeFileSync(entry, "export const handler = ;\n");
    expect(() => new EdgeLogic("broken", { lambdas: { a: { entry, eventType: "viewer-request" } } })).toThrow(
      /^EdgeLogic "broken": lambdas\.a\.entry ".*broken\.ts" does not bundle: .*broken\.ts:1: Unexpected ";"\. Fix the handler source/,
    );
  });

  it("rejects a viewer Lambda@Edge whose bundle is over 1 MB zipped", () => {
    // A build-time constant of incompressible data inflates the bundle past the viewer limit (but not the origin one).
    const noise = randomBytes(1_500_000).toString("base64");
    const big = { entry: "tests/fixtures/edge/noisy.ts", define: { __NOISE__: JSON.stringify(noise) } };
    expect(() => new EdgeLogic("bad", { lambdas: { a: { ...big, eventType: "viewer-request" } } })).toThrow(/lambdas\.a\.entry .* bundles to \d+ zipped bytes, over Lambda@Edge's 1 MB limit for viewer events/);
    expect(() => new EdgeLogic("fine", { lambdas: { a: { ...big, eventType: "origin-request" } } })).not.toThrow();
  });

  it("rejects the deployed bundle of a viewer Lambda@Edge once a define Output resolves past 1 MB zipped, and takes it on an origin event", async () => {
    // Construction sees null in the Output's place (a few hundred bytes); only the deploy-time build sees the value.
    const noise = pulumi.output(JSON.stringify(randomBytes(1_500_000).toString("base64")));
    const late = (eventType: "viewer-request" | "origin-request") => ({ entry: "tests/fixtures/edge/noisy.ts", eventType, define: { __NOISE__: noise } });
    await expect(record(() => new EdgeLogic("late-viewer", { lambdas: { a: late("viewer-request") } }))).rejects.toThrow(
      /: LambdaFunction "late-viewer-a": the bundle is \d+ zipped bytes once its constants resolved, over Lambda@Edge's 1 MB limit for viewer events \(viewer-request; EdgeLogic "late-viewer" lambdas\.a\.entry\)\. Trim dependencies and define values, or move the work to an origin event \(50 MB\)\.$/,
    );
    const origin = await record(() => new EdgeLogic("late-origin", { lambdas: { a: late("origin-request") } }));
    expect(resource(origin, "aws:lambda/function:Function", "late-origin-a-function").inputs.code).toBeDefined();
  }, 120_000);
});

describe("StaticSite rejects edge associations CloudFront would refuse", () => {
  const association = { pathPattern: "default", eventType: "viewer-request" as const, kind: "function" as const, edgeLogic: "edge", key: "viewer-request", arn: "arn:aws:cloudfront::123456789012:function/x" };
  const lambda = { ...association, kind: "lambda" as const, key: "auth", arn: "arn:aws:lambda:us-east-1:123456789012:function:auth:1" };
  const errorPages = { ...lambda, eventType: "origin-response" as const, key: "origin-response", servesErrorDocument: true };
  const api = { pathPattern: "/api/*", originId: "api", domainName: "abc123.execute-api.us-east-1.amazonaws.com" };
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["a viewer-request function next to the SPA fallback", { spa: true, edge: [association] },
      /StaticSite "bad": edge\[0\] "edge\.viewer-request on default viewer-request" conflicts with the SPA fallback function \(spa: true\); CloudFront runs one function per event type per behaviour\. Set spa: false and serve the fallback from your own viewer-request function/],
    ["two functions on one event type", { edge: [association, { ...association, key: "other" }] }, /edge\[1\] "edge\.other on default viewer-request" conflicts with edge\.viewer-request/],
    ["a CloudFront Function on an origin event", { edge: [{ ...association, eventType: "origin-request" }] }, /edge\[0\]\.eventType "origin-request" is not an event type CloudFront Functions run on/],
    ["a catch-all pattern", { edge: [{ ...association, pathPattern: "*" }] }, /edge\[0\]\.pathPattern "\*" is not a behaviour/],
    ["a CloudFront Function and a Lambda@Edge on one behaviour's viewer events",
      { edge: [{ ...association, pathPattern: "/account/*", eventType: "viewer-response", key: "vr" }, { ...lambda, pathPattern: "/account/*", eventType: "viewer-request", key: "auth" }] },
      /^StaticSite "bad": edge\[1\] "edge\.auth \(Lambda@Edge\) on \/account\/\* viewer-request" conflicts with edge\.vr \(CloudFront Function\) on \/account\/\* viewer-response; CloudFront does not allow CloudFront Functions and Lambda@Edge together on the viewer events of one behaviour\. /],
    ["a viewer-response Lambda@Edge next to the SPA fallback", { spa: true, edge: [{ ...lambda, eventType: "viewer-response" }] },
      /edge\[0\] "edge\.auth \(Lambda@Edge\) on default viewer-response" conflicts with the SPA fallback function \(spa: true\) \(CloudFront Function\) on default viewer-request; CloudFront does not allow/],
    ["an error-document function on a route's behaviour", { routes: [api], edge: [{ ...errorPages, pathPattern: "/api/*" }] },
      /edge\[0\] "edge\.origin-response on \/api\/\*" serves the site's error document on the behaviour of route \/api\/\*; it would replace that origin's own 404 bodies/],
    ["a site behaviour without the error-document function", { routes: [api], edge: [errorPages, { ...lambda, pathPattern: "/account/*" }] },
      /edge "\/account\/\*" is a site behaviour without edge\.origin-response, which serves the error document on default; its 404s would be S3's XML/],
  ])("%s", (_, bad, message) => {
    expect(() => new StaticSite("bad", { path: "site", ...bad })).toThrow(message);
  });
});
