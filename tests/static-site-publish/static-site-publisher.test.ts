/**
 * StaticSite publishes through one SitePublisher resource: the recorded graph, the
 * build step, bad publishing args, and the serialised provider running in a plain
 * Node process (as Pulumi's dynamic-provider host runs it) against the local S3 server.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { record, resource } from "../harness/mocks";
import { BUCKET, DISTRIBUTION, filesOf, keysOf, lineOf, makeSite, removeSite, SITE, startCloud, startStsStub, type Cloud, type StsStub } from "./helpers";

const PUBLISHER = "pulumi-nodejs:dynamic/serverless-fullstack:SitePublisher";
/** index.ts's build of the reference site. */
const REFERENCE_BUILD = { command: "vite build", outputDir: "dist" };

describe("StaticSite publishing", () => {
  it("publishes the folder through one SitePublisher resource, not one resource per file", async () => {
    // The reference site as index.ts builds it (built once for the suite: tests/setup/site-build.ts).
    const graph = await record(() => new StaticSite("web", { path: "site", build: REFERENCE_BUILD, retainOnDelete: true }));
    expect(graph.filter((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2")).toEqual([]);
    const publisher = resource(graph, PUBLISHER, "web-publish");
    const bucket = resource(graph, "aws:s3/bucket:Bucket", "web-bucket");
    const cdn = resource(graph, "aws:cloudfront/distribution:Distribution", "web-cdn");
    expect(publisher.inputs.bucket).toBe(bucket.state.bucket);
    expect(publisher.inputs.distributionId).toBe(cdn.id);
    // Vite's output: the pages, one script and one stylesheet with content hashes in their names, public/ as is.
    expect(keysOf(publisher.inputs as never)).toEqual([
      "about.html", "account/index.html", expect.stringMatching(/^assets\/main\.[0-9a-f]{8}\.js$/), expect.stringMatching(/^assets\/style\.[0-9a-f]{8}\.css$/),
      "error.css", "error.html", "index.html", "robots.txt", "variants/b/index.html",
    ]);
    const files = filesOf(publisher.inputs as never);
    expect(files["index.html"]).toMatchObject({ contentType: "text/html; charset=utf-8", cacheControl: "no-cache" });
    for (const [key, entry] of Object.entries(files).filter(([key]) => key.startsWith("assets/"))) {
      expect(entry, key).toMatchObject({ cacheControl: "public, max-age=31536000, immutable", fingerprinted: true });
    }
    expect(lineOf(publisher.inputs as never, "index.html")).toMatch(/^[0-9a-f]{64} \d+ \d+ \d+$/);
    expect(publisher.inputs.options).toEqual({
      concurrency: 8,
      multipartThresholdBytes: 16 * 1024 * 1024,
      partSizeBytes: 8 * 1024 * 1024,
      keepRemovedAssetsFor: 2,
      maxInvalidationPaths: 1000,
      maxInvalidationWildcards: 15,
    });
    expect(publisher.parent).toBe(resource(graph, "serverless-fullstack:index:StaticSite", "web").urn);
    expect(publisher.retainOnDelete).toBe(true);
    // Every upload is in the bucket's access logs; the public access block need not come first (components/static-site/publish.ts).
    expect(publisher.dependencies).toContain(resource(graph, "aws:s3/bucketLogging:BucketLogging", "web-bucket-logging").urn);
    expect(publisher.dependencies).not.toContain(resource(graph, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "web-bucket-access").urn);
    expect(typeof publisher.inputs.__provider).toBe("string");
  });

  it("passes publishing options through, and no distribution when invalidation is off", async () => {
    const graph = await record(
      () => new StaticSite("opts", { path: "site", publish: { concurrency: 2, keepRemovedAssetsFor: 0, maxInvalidationPaths: 50, invalidate: false, includeDotfiles: true } }),
    );
    const publisher = resource(graph, PUBLISHER, "opts-publish");
    expect(publisher.inputs.distributionId).toBe("");
    expect(publisher.inputs.options).toMatchObject({ concurrency: 2, keepRemovedAssetsFor: 0, maxInvalidationPaths: 50 });
  });

  it("reports folder problems at construction, naming the argument", () => {
    const root = makeSite({ "index.html": "x" });
    mkdirSync(join(root, "a"));
    symlinkSync(root, join(root, "a", "loop"));
    expect(() => new StaticSite("loopy", { path: root })).toThrow(/StaticSite "loopy": path ".*" has a problem: "a\/loop" is a symlink loop: it leads back to .*\. Point the link somewhere outside/);
    removeSite(root);
  });

  it.each([
    [{ publish: { concurrency: 0 } }, /StaticSite "bad": publish.concurrency 0 is outside StaticSite's range of 1–64 parallel uploads\. Use a whole number of parallel uploads, e\.g\. 8\./],
    [{ publish: { maxInvalidationPaths: 5000 } }, /publish.maxInvalidationPaths 5000 is outside CloudFront's range of 1–3000 paths\. CloudFront allows 3,000 paths in progress per distribution/],
    [{ publish: { partSizeBytes: 1024 } }, /publish.partSizeBytes 1024 is outside S3's part size range of 5242880–5368709120 bytes\. S3 parts are 5 MiB to 5 GiB/],
    [{ publish: { multipartThresholdBytes: 6 * 1024 ** 3 } }, /publish\.multipartThresholdBytes 6442450944 is outside StaticSite's range of 5242880–5368709120 bytes\. Use 5 MiB or more \(no smaller than a part\) and at most 5 GiB/],
    [{ publish: { keepRemovedAssetsFor: 1.5 } }, /publish\.keepRemovedAssetsFor 1\.5 is not a whole number\. Use a whole number of deploys/],
    [{ publish: { endpoints: { s3: "localhost:4569" } } }, /publish.endpoints.s3 "localhost:4569" is not an http\(s\) URL/],
    [{ build: { command: "", outputDir: "dist" } }, /build.command "" is empty/],
    [{ build: { command: "make", outputDir: "/tmp/dist" } }, /build.outputDir "\/tmp\/dist" is not a folder relative to path/],
    [{ build: { command: "make", outputDir: "../../elsewhere" } }, /build.outputDir "..\/..\/elsewhere" resolves to .*, outside path and the project/],
    [{ build: { command: "make", outputDir: "." } }, /build.outputDir "." is path itself, so the site's sources would be published/],
    [{ build: { command: "make", outputDir: ".." } }, /build.outputDir ".." is a folder above path/],
    [{ build: { command: "make", outputDir: "dist", environment: { "1API": "x" } } }, /build.environment.1API "1API" is not an environment variable name/],
    [{ build: { command: "make", outputDir: "dist", environment: { API: 3 as never } } }, /build.environment.API 3 is not a string or an Output of one/],
    [{ build: { command: "make", outputDir: "dist", timeoutSeconds: 0 } }, /build.timeoutSeconds 0 is outside a timer's range of 0.001–2147483 seconds/],
    [{ build: { command: "make", output: "dist" } as never }, /build.output "dist" is not an argument of StaticSite's build\. Rename it to build.outputDir/],
  ])("rejects bad publishing args: %#", (bad, message) => {
    expect(() => new StaticSite("bad", { path: "site", ...bad })).toThrow(message);
  });
});

describe("the serialised provider", () => {
  let cloud: Cloud;
  let sts: StsStub;
  beforeAll(async () => {
    cloud = await startCloud();
    sts = await startStsStub();
  });
  afterAll(async () => {
    await sts.close();
    await cloud.close();
  });

  it("runs in a plain Node process, as Pulumi's dynamic-provider host runs it, and publishes as the stack's role", async () => {
    const root = makeSite(SITE);
    const graph = await record(
      () => new StaticSite("serialised", { path: root, publish: { endpoints: { s3: cloud.s3.endpoint, cloudfront: cloud.cloudfront.endpoint } } }),
    );
    const publisher = resource(graph, PUBLISHER, "serialised-publish");
    const dir = join(tmpdir(), `publisher-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "provider.js"), publisher.inputs.__provider);
    const { __provider, aws, ...inputs } = publisher.inputs;
    expect(aws.value, "the AWS settings travel as a secret (here: nothing set)").toEqual({});
    // The host gets secrets unwrapped; here acting as a role, to load STS the way the host does.
    const role = { assumeRoles: [{ roleArn: "arn:aws:iam::222222222222:role/publisher" }], accessKey: "AKIASTATIC", secretKey: "static-secret" };
    const endpoints = { ...inputs.endpoints, sts: sts.endpoint };
    writeFileSync(join(dir, "inputs.json"), JSON.stringify({ ...inputs, endpoints, aws: role, bucket: BUCKET, distributionId: DISTRIBUTION }));
    // What the host does: requireFromString(provider).handler(), then the CRUD calls.
    const host = `
      const fs = require("fs");
      const provider = require("require-from-string")(fs.readFileSync(${JSON.stringify(join(dir, "provider.js"))}, "utf8")).handler();
      const inputs = JSON.parse(fs.readFileSync(${JSON.stringify(join(dir, "inputs.json"))}, "utf8"));
      (async () => {
        const checked = await provider.check({}, inputs);
        const created = await provider.create(checked.inputs);
        const diff = await provider.diff(created.id, created.outs, checked.inputs);
        console.log(JSON.stringify({ summary: checked.inputs.summary, id: created.id, last: created.outs.lastDeploy, changes: diff.changes }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    // Asynchronously: the child talks to the local S3 server in this process.
    const run = await promisify(execFile)(process.execPath, ["-e", host], { cwd: process.cwd(), encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    expect(run.stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?show where the warning was created\)\n?/, "")).toBe("");
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    expect(result).toMatchObject({ id: `${BUCKET}/site`, changes: false, last: { uploaded: 7, deleted: 0 } });
    expect(result.summary).toMatch(/^7 added, 0 changed, 0 deleted/);
    expect(cloud.s3.count("PutObject")).toBe(7);
    expect(cloud.s3.store.get(BUCKET, "docs/index.html")?.body.toString()).toBe(SITE["docs/index.html"]);
    expect(sts.calls.map((c) => [c.roleArn, c.signer.key])).toEqual([["arn:aws:iam::222222222222:role/publisher", "AKIASTATIC"]]);
    removeSite(root);
  });
});
