/**
 * The site publisher's provider against the local S3 server and the recording
 * CloudFront stub: request counts per deploy, ordering, retention of fingerprinted
 * assets, multipart, and failure part-way through an update.
 */
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { publisherLog, publisherProvider as provider } from "../../components/static-site/publisher/provider";
import type { PublisherInputs, PublisherState } from "../../components/static-site/publisher/types";
import { BUCKET, DISTRIBUTION, filesOf, inputsFor, keysOf, makeSite, removeSite, SITE, startCloud, writeFiles, type Cloud } from "./helpers";

let cloud: Cloud;
const logs: string[] = [];
beforeAll(async () => {
  cloud = await startCloud();
  publisherLog.write = (line) => void logs.push(line);
});
afterAll(() => cloud.close());
beforeEach(() => {
  cloud.reset();
  cloud.empty();
  logs.length = 0;
});

async function create(inputs: PublisherInputs): Promise<PublisherState> {
  const { outs } = await provider.create(inputs);
  return outs as PublisherState;
}

async function update(olds: PublisherState, news: PublisherInputs): Promise<PublisherState> {
  const result = await provider.update!(`${BUCKET}/site`, olds, news);
  return result.outs as PublisherState;
}

/** The partial state a failed update hands Pulumi, which keeps it for the next update. */
async function failedUpdate(olds: PublisherState, news: PublisherInputs): Promise<{ message: string; state: PublisherState }> {
  const error = (await provider.update!(`${BUCKET}/site`, olds, news).then(
    () => undefined,
    (e) => e,
  )) as (Error & { id: string; properties: PublisherState }) | undefined;
  expect(error, "the update should fail").toBeDefined();
  expect(error!.id).toBe(`${BUCKET}/site`);
  return { message: error!.message, state: error!.properties };
}

const body = (key: string) => cloud.s3.store.get(BUCKET, key)?.body.toString("utf8");

describe("SitePublisher provider", () => {
  it("creates: uploads every file once with its headers, no deletes, no invalidation", async () => {
    const root = makeSite(SITE);
    const state = await create(await inputsFor(root, cloud));
    expect(cloud.s3.count("PutObject")).toBe(Object.keys(SITE).length);
    expect(cloud.s3.count("DeleteObjects")).toBe(0);
    expect(cloud.cloudfront.invalidations).toEqual([]);
    const html = cloud.s3.store.get(BUCKET, "index.html")!;
    expect(html).toMatchObject({ contentType: "text/html; charset=utf-8", cacheControl: "no-cache" });
    expect(html.metadata.sha256).toBe(filesOf(state)["index.html"].sha256);
    expect(cloud.s3.store.get(BUCKET, "assets/app.3f9a12bc.js")!.cacheControl).toBe("public, max-age=31536000, immutable");
    // HTML goes last, so pages never reference assets that are not there yet.
    const order = cloud.s3.uploadedKeys();
    expect(order.slice(-4).every((k) => k.endsWith(".html"))).toBe(true);
    expect(state.lastDeploy).toMatchObject({ uploaded: 7, deleted: 0, invalidationPaths: [] });
    expect(state.deploy).toBe(1);
    removeSite(root);
  });

  it("a one-file change: exactly 1 upload, 0 deletes, 1 invalidation path", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    cloud.reset();
    writeFiles(root, { "about.html": "<html>about us</html>" });
    const news = await inputsFor(root, cloud);
    expect(await provider.diff!(`${BUCKET}/site`, first, news)).toMatchObject({ changes: true, replaces: [] });
    const state = await update(first, news);
    expect(cloud.s3.count("PutObject")).toBe(1);
    expect(cloud.s3.uploadedKeys()).toEqual(["about.html"]);
    expect(cloud.s3.count("DeleteObjects") + cloud.s3.count("DeleteObject")).toBe(0);
    expect(cloud.cloudfront.invalidations).toHaveLength(1);
    expect(cloud.cloudfront.invalidations[0]).toMatchObject({ distributionId: DISTRIBUTION, paths: ["/about.html"] });
    expect(state.lastDeploy.invalidationPaths).toEqual(["/about.html"]);
    expect(body("about.html")).toBe("<html>about us</html>");
    removeSite(root);
  });

  it("a no-change deploy: diff reports no changes, and an update makes no requests", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    cloud.reset();
    const news = await inputsFor(root, cloud);
    expect((await provider.diff!(`${BUCKET}/site`, first, news)).changes).toBe(false);
    await update(first, news);
    expect(cloud.s3.requests).toEqual([]);
    expect(cloud.cloudfront.invalidations).toEqual([]);
    removeSite(root);
  });

  it("uploads before it deletes, and invalidates changed and deleted paths (index documents with their folder URL)", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    cloud.reset();
    rmSync(join(root, "robots.txt"));
    writeFiles(root, { "docs/index.html": "<html>new docs</html>", "new.html": "<html>new</html>" });
    const state = await update(first, await inputsFor(root, cloud));
    const ops = cloud.s3.requests.map((r) => r.operation);
    expect(ops).toEqual(["PutObject", "PutObject", "DeleteObjects"]);
    expect(cloud.s3.deletedKeys()).toEqual(["robots.txt"]);
    expect(cloud.cloudfront.paths().sort()).toEqual(["/docs/", "/docs/index.html", "/robots.txt"]);
    expect(state.lastDeploy).toMatchObject({ uploaded: 2, deleted: 1 });
    expect(keysOf(state)).not.toContain("robots.txt");
    removeSite(root);
  });

  it("keeps a removed fingerprinted asset for keepRemovedAssetsFor deploys, then deletes it", async () => {
    const root = makeSite(SITE);
    let state = await create(await inputsFor(root, cloud, { keepRemovedAssetsFor: 2 }));
    rmSync(join(root, "assets/app.3f9a12bc.js"));
    writeFiles(root, { "assets/app.77aa11bb.js": "console.log(2)", "index.html": '<script src="/assets/app.77aa11bb.js"></script>' });
    cloud.reset();
    state = await update(state, await inputsFor(root, cloud, { keepRemovedAssetsFor: 2 }));
    expect(cloud.s3.deletedKeys()).toEqual([]);
    expect(body("assets/app.3f9a12bc.js")).toBe("console.log(1)");
    expect(state.retained["assets/app.3f9a12bc.js"]).toMatchObject({ removedAt: 2 });
    expect(state.summary).toMatch(/1 removed but kept for open sessions/);

    writeFiles(root, { "about.html": "v2" });
    state = await update(state, await inputsFor(root, cloud, { keepRemovedAssetsFor: 2 }));
    expect(body("assets/app.3f9a12bc.js")).toBe("console.log(1)");

    cloud.reset();
    writeFiles(root, { "about.html": "v3" });
    state = await update(state, await inputsFor(root, cloud, { keepRemovedAssetsFor: 2 }));
    expect(cloud.s3.deletedKeys()).toEqual(["assets/app.3f9a12bc.js"]);
    expect(state.retained).toEqual({});
    expect(cloud.cloudfront.paths()).toContain("/assets/app.3f9a12bc.js");
    removeSite(root);
  });

  it("a failure part-way leaves the previous site serving, and the next update finishes the job", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    cloud.reset();
    // New release: new asset, new pages, one page removed.
    rmSync(join(root, "robots.txt"));
    writeFiles(root, {
      "assets/app.99ff00ee.js": "console.log(3)",
      "assets/vendor.12ab34cd.js": "vendor",
      "index.html": '<script src="/assets/app.99ff00ee.js"></script>',
      "about.html": "<html>about v2</html>",
    });
    const news = await inputsFor(root, cloud, { concurrency: 1 });
    cloud.s3.fail((r) => r.operation === "PutObject" && r.key === "assets/vendor.12ab34cd.js");

    const { message, state: partial } = await failedUpdate(first, news);
    expect(message).toMatch(/1 uploads failed \(assets\/vendor\.12ab34cd\.js: .*The previous site is still served; run the update again/);
    // Assets go first and the failure stops the HTML phase: the old pages (and the assets they use) still serve.
    expect(body("index.html")).toBe(SITE["index.html"]);
    expect(body("assets/app.3f9a12bc.js")).toBe(SITE["assets/app.3f9a12bc.js"]);
    expect(body("robots.txt")).toBe(SITE["robots.txt"]);
    expect(cloud.s3.count("DeleteObjects")).toBe(0);
    expect(cloud.cloudfront.invalidations).toEqual([]);
    // The state records exactly what S3 confirmed.
    expect(filesOf(partial)["assets/app.99ff00ee.js"]).toEqual(filesOf(news)["assets/app.99ff00ee.js"]);
    expect(filesOf(partial)["assets/vendor.12ab34cd.js"]).toBeUndefined();
    expect(filesOf(partial)["index.html"]).toEqual(filesOf(first)["index.html"]);
    expect(filesOf(partial)["robots.txt"]).toEqual(filesOf(first)["robots.txt"]);
    expect(partial.deploy).toBe(first.deploy);

    cloud.reset();
    expect((await provider.diff!(`${BUCKET}/site`, partial, news)).changes).toBe(true);
    const done = await update(partial, news);
    expect(cloud.s3.uploadedKeys()).toEqual(["assets/vendor.12ab34cd.js", "about.html", "index.html"]);
    expect(cloud.s3.deletedKeys()).toEqual(["robots.txt"]);
    expect(cloud.cloudfront.invalidations).toHaveLength(1);
    expect(cloud.cloudfront.paths().sort()).toEqual(["/", "/about.html", "/index.html", "/robots.txt"]);
    expect(body("index.html")).toBe('<script src="/assets/app.99ff00ee.js"></script>');
    expect(filesOf(done)).toEqual(filesOf(news));
    expect(done.pendingInvalidation).toEqual([]);
    removeSite(root);
  });

  it("a failed invalidation is retried by the next update, with no uploads", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    writeFiles(root, { "about.html": "changed" });
    const news = await inputsFor(root, cloud);
    cloud.reset();
    cloud.cloudfront.failing = true;
    const { state: partial } = await failedUpdate(first, news);
    expect(partial.pendingInvalidation).toEqual(["/about.html"]);
    expect(filesOf(partial)).toEqual(filesOf(news));

    cloud.reset();
    expect((await provider.diff!(`${BUCKET}/site`, partial, news)).changes).toBe(true);
    await update(partial, news);
    expect(cloud.s3.requests).toEqual([]);
    expect(cloud.cloudfront.paths()).toEqual(["/about.html"]);
    removeSite(root);
  });

  it("a failed delete keeps the key in the state, and the next update deletes it", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    rmSync(join(root, "robots.txt"));
    const news = await inputsFor(root, cloud);
    cloud.reset();
    cloud.s3.fail((r) => r.operation === "DeleteObjects");
    const { state: partial } = await failedUpdate(first, news);
    expect(keysOf(partial)).toContain("robots.txt");
    cloud.reset();
    await update(partial, news);
    expect(cloud.s3.deletedKeys()).toEqual(["robots.txt"]);
    expect(cloud.s3.store.get(BUCKET, "robots.txt")).toBeUndefined();
    removeSite(root);
  });

  it("collapses many stale paths into folder wildcards within the invalidation limit", async () => {
    const pages = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`blog/post-${i}.html`, `post ${i}`]));
    const root = makeSite({ ...SITE, ...pages });
    const first = await create(await inputsFor(root, cloud, { maxInvalidationPaths: 3 }));
    writeFiles(root, { ...Object.fromEntries(Object.keys(pages).map((k) => [k, `${k} v2`])), "about.html": "about v2" });
    cloud.reset();
    await update(first, await inputsFor(root, cloud, { maxInvalidationPaths: 3 }));
    expect(cloud.s3.uploadedKeys()).toHaveLength(7);
    expect(cloud.cloudfront.invalidations).toHaveLength(1);
    expect(cloud.cloudfront.paths()).toEqual(["/about.html", "/blog/*"]);
    removeSite(root);
  });

  it("uploads big files in parts above the multipart threshold", async () => {
    const big = randomBytes(11 * 1024 * 1024);
    const root = makeSite({ "index.html": "hi", "video/big.bin": big });
    await create(await inputsFor(root, cloud, { multipartThresholdBytes: 5 * 1024 * 1024, partSizeBytes: 5 * 1024 * 1024 }));
    expect(cloud.s3.count("CreateMultipartUpload")).toBe(1);
    expect(cloud.s3.count("UploadPart")).toBe(3);
    expect(cloud.s3.count("CompleteMultipartUpload")).toBe(1);
    expect(cloud.s3.count("PutObject")).toBe(1);
    const stored = cloud.s3.store.get(BUCKET, "video/big.bin")!;
    expect(stored.body.equals(big)).toBe(true);
    expect(stored.contentType).toBe("application/octet-stream");
    removeSite(root);
  });

  it("refuses to upload a file that changed after the manifest was made", async () => {
    const root = makeSite(SITE);
    const inputs = await inputsFor(root, cloud);
    writeFileSync(join(root, "about.html"), "edited meanwhile");
    await expect(provider.create(inputs)).rejects.toThrow(/about\.html changed after the manifest was made/);
    removeSite(root);
  });

  it("logs progress while uploading", async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`page-${i}.txt`, `page ${i}`]));
    const root = makeSite(files);
    await create(await inputsFor(root, cloud));
    expect(logs[0]).toMatch(/^publish s3:\/\/site-bucket: 40 added, 0 changed, 0 deleted \(.* to upload\); 40 files in the site$/);
    expect(logs.filter((l) => /uploaded \d+\/40 files/.test(l)).length).toBeGreaterThanOrEqual(5);
    expect(logs.at(-1)).toMatch(/done in .* 40 uploaded/);
    removeSite(root);
  });

  it("read (pulumi refresh) notices an object deleted out of band; the next update uploads exactly that file", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    cloud.s3.store.delete(BUCKET, "about.html");
    cloud.reset();
    const { id, props } = (await provider.read!(`${BUCKET}/site`, first)) as { id: string; props: PublisherState };
    expect(id).toBe(`${BUCKET}/site`);
    expect(cloud.s3.requests.map((r) => r.operation)).toEqual(["ListObjectsV2"]);
    expect(Object.keys(filesOf(props)).sort()).toEqual(Object.keys(SITE).filter((k) => k !== "about.html").sort());
    expect(props).toMatchObject({ bucket: BUCKET, deploy: first.deploy, retained: first.retained });

    const news = await inputsFor(root, cloud);
    expect((await provider.diff!(id, props, news)).changes).toBe(true);
    cloud.reset();
    const after = await update(props, news);
    expect(cloud.s3.uploadedKeys()).toEqual(["about.html"]);
    expect(cloud.s3.deletedKeys()).toEqual([]);
    expect(body("about.html")).toBe(SITE["about.html"]);
    expect(filesOf(after)).toEqual(filesOf(news));
    // Nothing stale was served: CloudFront had the same bytes (or a short-lived error) cached.
    expect(cloud.cloudfront.invalidations).toEqual([]);
    removeSite(root);
  });

  it("read with nothing changed out of band returns the state as it was, and the next deploy has nothing to do", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    const { props } = (await provider.read!(`${BUCKET}/site`, first)) as { id: string; props: PublisherState };
    expect(filesOf(props)).toEqual(filesOf(first));
    expect((await provider.diff!(`${BUCKET}/site`, props, await inputsFor(root, cloud))).changes).toBe(false);
    removeSite(root);
  });

  it("read treats an object overwritten out of band (another size) as changed: the next update replaces and invalidates it", async () => {
    const root = makeSite(SITE);
    const first = await create(await inputsFor(root, cloud));
    const tampered = cloud.s3.store.get(BUCKET, "robots.txt")!;
    cloud.s3.store.put(BUCKET, { ...tampered, body: Buffer.from("User-agent: *\nDisallow: /"), lastModified: new Date() });
    const { props } = (await provider.read!(`${BUCKET}/site`, first)) as { id: string; props: PublisherState };
    cloud.reset();
    await update(props, await inputsFor(root, cloud));
    expect(cloud.s3.uploadedKeys()).toEqual(["robots.txt"]);
    expect(body("robots.txt")).toBe(SITE["robots.txt"]);
    expect(cloud.cloudfront.paths()).toEqual(["/robots.txt"]);
    removeSite(root);
  });

  it("read forgets kept assets deleted out of band, and a bucket that is gone holds nothing", async () => {
    const root = makeSite(SITE);
    let state = await create(await inputsFor(root, cloud, { keepRemovedAssetsFor: 2 }));
    rmSync(join(root, "assets/app.3f9a12bc.js"));
    state = await update(state, await inputsFor(root, cloud, { keepRemovedAssetsFor: 2 }));
    expect(Object.keys(state.retained)).toEqual(["assets/app.3f9a12bc.js"]);
    cloud.s3.store.delete(BUCKET, "assets/app.3f9a12bc.js");
    const { props } = (await provider.read!(`${BUCKET}/site`, state)) as { id: string; props: PublisherState };
    expect(props.retained).toEqual({});

    const gone = (await provider.read!("gone-bucket/site", { ...state, bucket: "gone-bucket" })) as { id: string; props: PublisherState };
    expect(gone.id).toBe("gone-bucket/site");
    expect(gone.props).toMatchObject({ files: {}, retained: {} });
    removeSite(root);
  });

  it("check adds the preview summary; diff replaces on a new bucket; delete empties the bucket", async () => {
    const root = makeSite(SITE);
    const inputs = await inputsFor(root, cloud);
    const checked = await provider.check!({}, inputs);
    expect(checked.inputs.summary).toMatch(/^7 added, 0 changed, 0 deleted \(.* to upload\); 7 files in the site$/);
    const state = await create(inputs);
    expect((await provider.diff!(`${BUCKET}/site`, state, { ...inputs, bucket: "other" })).replaces).toEqual(["bucket"]);
    rmSync(join(root, "about.html"));
    const after = await provider.check!(inputs, await inputsFor(root, cloud));
    expect(after.inputs.summary).toMatch(/^0 added, 0 changed, 1 deleted; 6 files in the site$/);
    cloud.reset();
    await provider.delete!(`${BUCKET}/site`, state);
    expect(cloud.s3.store.list(BUCKET, "").map((o) => o.key)).toEqual([]);
    expect(cloud.s3.count("DeleteObjects")).toBe(1);
    removeSite(root);
  });
});
