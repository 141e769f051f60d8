/**
 * The site's hashes are kept across runs with each file's stat fingerprint (components/file-hashes.ts):
 * a run over an unchanged site reads no file, and none of that may ever publish a stale file.
 * Each case publishes twice against the local S3 server, editing a file in between, and checks
 * what the bucket serves.
 *
 * The clock the racy rule reads (Date) is set per case, so no case depends on how long the machine
 * takes; a filesystem whose timestamps cannot tell two writes apart (1 s on HFS+ and ext3, a jiffy on
 * Linux before multigrain timestamps) is simulated by freezing the timestamps `stat` reports for a file.
 */
import type { Stats } from "node:fs";
import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { EncodedManifest } from "../../components/static-site/publisher/encoding";
import type { PublisherInputs, PublisherState } from "../../components/static-site/publisher/types";
import { DEFAULT_PUBLISH_OPTIONS } from "../../components/static-site/publisher/types";
import { BUCKET, DISTRIBUTION, filesOf, makeSite, removeSite, startCloud, type Cloud } from "./helpers";

/** Paths whose mtime and ctime `stat` and `fstat` report as this fixed time (ms), as a coarse filesystem would. */
const frozen = new Map<string, number>();

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const pathOfFd = new Map<number, string>();
  const coarse = <S extends Stats | undefined>(path: string | undefined, stat: S): S => {
    const at = path === undefined ? undefined : frozen.get(path);
    if (at === undefined || !stat) return stat;
    return Object.assign(Object.create(Object.getPrototypeOf(stat)), stat, { mtimeMs: at, ctimeMs: at });
  };
  const patched = {
    ...fs,
    statSync: ((path: string, options?: object) => coarse(String(path), fs.statSync(path, options as never))) as typeof fs.statSync,
    fstatSync: ((fd: number, options?: object) => coarse(pathOfFd.get(fd), fs.fstatSync(fd, options as never))) as typeof fs.fstatSync,
    openSync: ((path: string, flags: import("node:fs").OpenMode = "r", mode?: number) => {
      const fd = fs.openSync(path, flags, mode);
      pathOfFd.set(fd, String(path));
      return fd;
    }) as typeof fs.openSync,
    closeSync: ((fd: number) => {
      pathOfFd.delete(fd);
      fs.closeSync(fd);
    }) as typeof fs.closeSync,
  };
  return { ...patched, default: patched };
});

let cloud: Cloud;
const roots: string[] = [];
let FileHashes: typeof import("../../components/file-hashes").FileHashes;
let RACY_MS: number;
let manifests: typeof import("../../components/static-site/publisher/manifest");
let siteHashStoreFile: typeof import("../../components/static-site/publisher/manifest").siteHashStoreFile;
let provider: typeof import("../../components/static-site/publisher/provider").publisherProvider;
let encodeManifest: typeof import("../../components/static-site/publisher/encoding").encodeManifest;
beforeAll(async () => {
  // The setup files load the bundle cache, and with it file-hashes.ts, before this file's mock of node:fs:
  // load the code under test afresh, so it reads the (simulated) filesystem.
  vi.resetModules();
  ({ FileHashes, RACY_MS } = await import("../../components/file-hashes.js"));
  manifests = await import("../../components/static-site/publisher/manifest.js");
  ({ siteHashStoreFile } = manifests);
  ({ encodeManifest } = await import("../../components/static-site/publisher/encoding.js"));
  const providerModule = await import("../../components/static-site/publisher/provider.js");
  provider = providerModule.publisherProvider;
  providerModule.publisherLog.write = () => {};
  cloud = await startCloud();
});
afterAll(() => cloud.close());
beforeEach(() => {
  cloud.reset();
  cloud.empty();
});
afterEach(() => {
  vi.useRealTimers();
  frozen.clear();
  for (const root of roots.splice(0)) removeSite(root);
});

/** The two ways a manifest is made: the manifest itself (buildManifest), and encoded as StaticSite makes it, reused whole while nothing changed. */
const builders: Record<string, (root: string) => Promise<EncodedManifest>> = {
  buildManifest: async (root) => encodeManifest(await manifests.buildManifest(root).manifest),
  buildEncodedManifest: (root) => manifests.buildEncodedManifest(root).encoded,
};

/** The publisher's inputs for the folder, its manifest made by `build` as if the clock read `now`. */
async function inputsAt(now: number, root: string, build: (root: string) => Promise<EncodedManifest> = builders.buildManifest): Promise<PublisherInputs> {
  vi.useFakeTimers({ toFake: ["Date"], now });
  try {
    const encoded = await build(root);
    return {
      bucket: BUCKET,
      region: "us-east-1",
      distributionId: DISTRIBUTION,
      root,
      ...encoded,
      indexDocument: "index.html",
      options: DEFAULT_PUBLISH_OPTIONS,
      endpoints: { s3: cloud.s3.endpoint, cloudfront: cloud.cloudfront.endpoint },
    };
  } finally {
    vi.useRealTimers();
  }
}

const served = (key: string) => cloud.s3.store.get(BUCKET, key)?.body.toString("utf8");

describe("hashes kept across runs", () => {
  it("an unchanged site is not read again: the next run (another process) trusts the stored hashes", async () => {
    const root = makeSite({ "index.html": "<html>one</html>", "app.js": "1" });
    roots.push(root);
    // A minute after the files were written: nothing is racy, so every hash is kept with its fingerprint.
    await inputsAt(Date.now() + 60_000, root);
    const later = new FileHashes().load(siteHashStoreFile(root)!, root);
    for (const key of ["index.html", "app.js"]) expect(later.current(join(root, key)).hash).not.toBeNull();
    expect(later.stats).toEqual({ hashed: 0, reused: 2 });
  });

  it.each(Object.keys(builders))("%s: re-hashes and publishes a file changed to the same size", async (builder) => {
    const build = builders[builder];
    const root = makeSite({ "index.html": "<html>one</html>", "about.html": "<html>aaaa</html>" });
    roots.push(root);
    const page = join(root, "about.html");
    const first = (await provider.create(await inputsAt(Date.now() + 60_000, root, build))).outs as PublisherState;
    expect(served("about.html")).toBe("<html>aaaa</html>");
    // A run with nothing changed: the same manifest.
    expect((await inputsAt(Date.now() + 90_000, root, build)).files).toBe(first.files);

    // An edit some seconds later (an editor's save): same size, new content, later mtime.
    writeFileSync(page, "<html>bbbb</html>");
    const edited = Date.now() + 5_000;
    utimesSync(page, edited / 1000, edited / 1000);
    cloud.reset();
    const news = await inputsAt(Date.now() + 120_000, root, build);
    expect(filesOf(news)["about.html"].sha256).not.toBe(filesOf(first)["about.html"].sha256);
    await provider.update!(`${BUCKET}/site`, first, news);
    expect(cloud.s3.uploadedKeys()).toEqual(["about.html"]);
    expect(served("about.html")).toBe("<html>bbbb</html>");
  });

  it.each(Object.keys(builders))("%s: re-hashes and publishes a file written again within the racy window, even where its timestamps cannot show it", async (builder) => {
    const build = builders[builder];
    const root = makeSite({ "index.html": "<html>one</html>", "about.html": "<html>aaaa</html>" });
    roots.push(root);
    const page = join(root, "about.html");
    // Written half a second before the run hashes it; the filesystem keeps that time for every later write in its tick.
    const written = Date.now() - 10_000;
    frozen.set(page, written);
    const first = (await provider.create(await inputsAt(written + 500, root, build))).outs as PublisherState;
    expect(served("about.html")).toBe("<html>aaaa</html>");

    // Written again in the same tick: same size, same inode, same reported timestamps — the same fingerprint.
    writeFileSync(page, "<html>bbbb</html>");
    cloud.reset();
    const news = await inputsAt(written + 500 + RACY_MS * 5, root, build);
    expect(filesOf(news)["about.html"].sha256).not.toBe(filesOf(first)["about.html"].sha256);
    await provider.update!(`${BUCKET}/site`, first, news);
    expect(cloud.s3.uploadedKeys()).toEqual(["about.html"]);
    expect(served("about.html")).toBe("<html>bbbb</html>");
  });

  it("buildEncodedManifest: new cache rules on an unchanged site make a new manifest, not the saved one", async () => {
    const root = makeSite({ "index.html": "<html>one</html>", "app.js": "1" });
    roots.push(root);
    const at = Date.now() + 60_000;
    vi.useFakeTimers({ toFake: ["Date"], now: at });
    const plain = await manifests.buildEncodedManifest(root).encoded;
    const ruled = await manifests.buildEncodedManifest(root, { cacheRules: [{ pattern: "*.js", cacheControl: "public, max-age=60" }] }).encoded;
    expect(filesOf(plain)["app.js"].cacheControl).toBe("no-cache");
    expect(filesOf(ruled)["app.js"].cacheControl).toBe("public, max-age=60");
    expect(filesOf(await manifests.buildEncodedManifest(root).encoded)["app.js"].cacheControl).toBe("no-cache");
  });
});
