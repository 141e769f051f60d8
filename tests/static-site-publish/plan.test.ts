import { createHash } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheControlFor, keyProblem, listSiteKeys, walkSiteFolder } from "../../components/static-site/content";
import { collapseInvalidation, countInvalidationPaths } from "../../components/static-site/publisher/invalidation";
import { buildManifest, hashFiles } from "../../components/static-site/publisher/manifest";
import { planPublish, summarise, viewerPaths } from "../../components/static-site/publisher/plan";
import type { FileEntry } from "../../components/static-site/publisher/types";
import { makeSite, removeSite, SITE } from "./helpers";

const entry = (sha256: string, extra: Partial<FileEntry> = {}): FileEntry => ({ sha256, size: 1, contentType: "text/plain", cacheControl: "no-cache", ...extra });

describe("planPublish", () => {
  it("sorts files into added, changed (hash or headers) and deleted, HTML uploaded last", () => {
    const deployed = { files: { "a.txt": entry("1"), "b.txt": entry("2"), "c.txt": entry("3"), "gone.txt": entry("4") }, retained: {}, deploy: 3, pendingInvalidation: [] };
    const manifest = {
      "a.txt": entry("1"),
      "b.txt": entry("2", { cacheControl: "public, max-age=60" }),
      "c.txt": entry("changed"),
      "index.html": entry("5", { contentType: "text/html; charset=utf-8" }),
      "new.txt": entry("6"),
    };
    const plan = planPublish(deployed, manifest, { keepRemovedAssetsFor: 2 }, "index.html");
    expect(plan).toMatchObject({ deploy: 4, added: ["index.html", "new.txt"], changed: ["b.txt", "c.txt"], deletes: ["gone.txt"] });
    expect(plan.uploads).toEqual(["b.txt", "c.txt", "new.txt", "index.html"]);
    expect(plan.invalidate).toEqual(["/b.txt", "/c.txt", "/gone.txt"]);
    expect(summarise(plan, manifest)).toBe("2 added, 2 changed, 1 deleted (4 B to upload); 5 files in the site");
  });

  it("keeps removed fingerprinted assets for N deploys; 0 deletes them at once", () => {
    const files = { "app.3f9a12bc.js": entry("1", { fingerprinted: true }) };
    const kept = planPublish({ files, retained: {}, deploy: 1, pendingInvalidation: [] }, {}, { keepRemovedAssetsFor: 1 }, "index.html");
    expect(kept.deletes).toEqual([]);
    expect(kept.retained["app.3f9a12bc.js"].removedAt).toBe(2);
    const next = planPublish({ files: {}, retained: kept.retained, deploy: 2, pendingInvalidation: [] }, {}, { keepRemovedAssetsFor: 1 }, "index.html");
    expect(next.deletes).toEqual(["app.3f9a12bc.js"]);
    const now = planPublish({ files, retained: {}, deploy: 1, pendingInvalidation: [] }, {}, { keepRemovedAssetsFor: 0 }, "index.html");
    expect(now.deletes).toEqual(["app.3f9a12bc.js"]);
  });

  it("a retained asset that comes back unchanged needs no upload", () => {
    const retained = { "app.3f9a12bc.js": { ...entry("1", { fingerprinted: true }), removedAt: 2 } };
    const plan = planPublish({ files: {}, retained, deploy: 2, pendingInvalidation: [] }, { "app.3f9a12bc.js": entry("1", { fingerprinted: true }) }, { keepRemovedAssetsFor: 2 }, "index.html");
    expect(plan.uploads).toEqual([]);
    expect(plan.retained).toEqual({});
  });

  it("maps keys to the viewer paths CloudFront caches them under", () => {
    expect(viewerPaths("index.html", "index.html")).toEqual(["/index.html", "/"]);
    expect(viewerPaths("docs/index.html", "index.html")).toEqual(["/docs/index.html", "/docs/"]);
    expect(viewerPaths("a b/ü*.txt", "index.html")).toEqual(["/a%20b/%C3%BC%2A.txt"]);
  });
});

describe("collapseInvalidation", () => {
  const limits = { maxPaths: 5, maxWildcards: 2 };
  it("lists exact paths while within the limit", () => {
    expect(collapseInvalidation(["/b", "/a", "/a"], [], limits)).toEqual(["/a", "/b"]);
  });
  it("collapses the folder that sweeps the fewest fresh files into a wildcard", () => {
    const stale = [...Array.from({ length: 6 }, (_, i) => `/assets/${i}.js`), "/index.html"];
    const site = [...Array.from({ length: 6 }, (_, i) => `/assets/${i}.js`), "/index.html", ...Array.from({ length: 50 }, (_, i) => `/img/${i}.png`)];
    expect(collapseInvalidation(stale, site, limits)).toEqual(["/assets/*", "/index.html"]);
  });
  it("falls back to /* when the wildcard budget cannot bring it under the limit", () => {
    const stale = ["a", "b", "c"].flatMap((d) => [1, 2, 3].map((i) => `/${d}/${i}`));
    expect(collapseInvalidation(stale, stale, { maxPaths: 2, maxWildcards: 1 })).toEqual(["/*"]);
    const site = [...stale, ...Array.from({ length: 50 }, (_, i) => `/other/${i}`)];
    expect(collapseInvalidation(stale, site, { maxPaths: 3, maxWildcards: 3 })).toEqual(["/a/*", "/b/*", "/c/*"]);
    // When everything under / is stale anyway, /* sweeps nothing fresh.
    expect(collapseInvalidation(stale, stale, { maxPaths: 3, maxWildcards: 3 })).toEqual(["/*"]);
  });
});

describe("countInvalidationPaths", () => {
  it("counts wildcard paths (ending in *) apart from file paths, as CloudFront's in-progress quotas do, duplicates included", () => {
    expect(countInvalidationPaths(["/a.html", "/docs/", "/blog/*", "/*", "/a.html"])).toEqual({ files: 3, wildcards: 2 });
    expect(countInvalidationPaths([])).toEqual({ files: 0, wildcards: 0 });
  });
});

describe("the site folder and its manifest", () => {
  it("hashes every file with the content.ts rules, skipping dotfiles unless asked", async () => {
    const root = makeSite({ ...SITE, ".env": "SECRET=1", ".well-known/security.txt": "x" });
    const { manifest } = buildManifest(root, { cacheRules: [{ pattern: "**/*.txt", cacheControl: "public, max-age=60" }] });
    const files = await manifest;
    expect(Object.keys(files)).toEqual(Object.keys(SITE).sort());
    expect(files["index.html"]).toEqual({
      sha256: createHash("sha256").update(SITE["index.html"]).digest("hex"),
      size: Buffer.byteLength(SITE["index.html"]),
      contentType: "text/html; charset=utf-8",
      cacheControl: "no-cache",
    });
    expect(files["index.html"].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(files["robots.txt"].cacheControl).toBe("public, max-age=60");
    expect(files["assets/app.3f9a12bc.js"]).toMatchObject({ cacheControl: "public, max-age=31536000, immutable", fingerprinted: true, contentType: "text/javascript; charset=utf-8" });
    expect(listSiteKeys(root, { includeDotfiles: true })).toEqual(expect.arrayContaining([".env", ".well-known/security.txt"]));
    removeSite(root);
  });

  it("a file a cache rule serves immutable counts as fingerprinted (kept for open pages once removed)", async () => {
    // Vite's default names put a base64url hash after "-": this one has a "-" in it and no digit, so the name heuristic misses it.
    const root = makeSite({ "assets/index-Bx-kQaZe.js": "x", "index.html": "y" });
    const plain = await buildManifest(root).manifest;
    expect(plain["assets/index-Bx-kQaZe.js"]).toMatchObject({ cacheControl: "no-cache" });
    expect(plain["assets/index-Bx-kQaZe.js"].fingerprinted).toBeUndefined();
    const ruled = await buildManifest(root, { cacheRules: [{ pattern: "assets/**", cacheControl: "public, max-age=31536000, immutable" }] }).manifest;
    expect(ruled["assets/index-Bx-kQaZe.js"]).toMatchObject({ cacheControl: "public, max-age=31536000, immutable", fingerprinted: true });
    expect(ruled["index.html"].fingerprinted).toBeUndefined();
    removeSite(root);
  });

  it("user cache rules come first; the defaults follow fingerprints", () => {
    expect(cacheControlFor("index.html", [])).toBe("no-cache");
    expect(cacheControlFor("assets/app.3f9a12bc.js", [])).toBe("public, max-age=31536000, immutable");
    expect(cacheControlFor("assets/app.3f9a12bc.js", [{ pattern: "assets/**", cacheControl: "no-store" }])).toBe("no-store");
  });

  it("names symlink loops, dangling links, non-files and keys S3 cannot store", () => {
    const loop = makeSite({ "index.html": "x" });
    mkdirSync(join(loop, "a"));
    symlinkSync(loop, join(loop, "a", "back"));
    expect(() => walkSiteFolder(loop)).toThrow(/"a\/back" is a symlink loop: it leads back to/);
    removeSite(loop);

    const self = makeSite({ "index.html": "x" });
    symlinkSync(join(self, "me"), join(self, "me"));
    expect(() => walkSiteFolder(self)).toThrow(/"me" is a symlink loop/);
    removeSite(self);

    const dangling = makeSite({ "index.html": "x" });
    symlinkSync(join(dangling, "nowhere.css"), join(dangling, "style.css"));
    expect(() => walkSiteFolder(dangling)).toThrow(/"style.css" is a symlink to nothing/);
    removeSite(dangling);

    const control = makeSite({ "index.html": "x" });
    writeFileSync(join(control, "bad\u0001name.txt"), "x");
    expect(() => walkSiteFolder(control)).toThrow(/file "bad\u0001name.txt" contains a control character/);
    removeSite(control);

    expect(keyProblem(`${"a/".repeat(600)}x`)).toMatch(/is 1201 bytes long; S3 keys are at most 1024 bytes/);
    expect(() => walkSiteFolder("/no/such/folder")).toThrow(/\/no\/such\/folder is not a folder/);
  });

  it.skipIf(process.getuid?.() === 0)("names unreadable files (root reads everything, so skipped as root)", async () => {
    const root = makeSite({ "index.html": "x", "secret.txt": "x" });
    chmodSync(join(root, "secret.txt"), 0o000);
    await expect(buildManifest(root).manifest).rejects.toThrow(/Site file "secret.txt" .* cannot be read: EACCES/);
    removeSite(root);
  });

  it("a file that vanishes before it is hashed rejects the manifest, naming the file", async () => {
    const root = makeSite({ "index.html": "x" });
    const site = buildManifest(root);
    await expect(hashFiles([{ key: "gone.txt", path: join(root, "gone.txt") }])).rejects.toThrow(/Site file "gone.txt" .* cannot be read: ENOENT/);
    await site.manifest;
    removeSite(root);
  });
});
