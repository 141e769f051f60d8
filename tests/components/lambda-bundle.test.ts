/**
 * The bundle cache (components/lambda/bundle-cache.ts): each distinct build runs once, in
 * memory and across processes, and a hit is served only while every file the build read
 * hashes the same.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildAsync, bundleEntry, bundleEntryAsync } from "../../components/lambda/bundle";
import { BundleCache, type BuildOutput } from "../../components/lambda/bundle-cache";
import { buildOptions } from "../../components/lambda/bundle";

/** A tiny project: entry.ts imports ./message.ts and the package "dep" from its own node_modules. */
function project(): { dir: string; entry: string; write(file: string, text: string): void } {
  const dir = mkdtempSync(join(tmpdir(), "sf-bundle-"));
  const write = (file: string, text: string) => {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  write("message.ts", 'export const message = "one";\n');
  write("node_modules/dep/package.json", JSON.stringify({ name: "dep", version: "1.0.0", main: "a.js" }));
  write("node_modules/dep/a.js", 'exports.dep = "from a";\n');
  write("node_modules/dep/b.js", 'exports.dep = "from b";\n');
  write("entry.ts", 'import { message } from "./message";\nimport { dep } from "dep";\nexport const handler = async () => `${message} ${dep}`;\n');
  return { dir, entry: join(dir, "entry.ts"), write };
}

const cacheDir = () => mkdtempSync(join(tmpdir(), "sf-bundle-cache-"));

describe("bundle cache", () => {
  it("rebuilds when a file the entry imports changes, even to the same size", () => {
    const p = project();
    expect(bundleEntry(p.entry).code).toContain('"one"');
    p.write("message.ts", 'export const message = "two";\n');
    expect(bundleEntry(p.entry).code).toContain('"two"');
  });

  it("serves a later process from disk, without building", () => {
    const p = project();
    const dir = cacheDir();
    const first = new BundleCache(dir);
    const built = bundleEntry(p.entry, {}, first);
    expect(first.stats).toMatchObject({ builds: 1, diskHits: 0 });

    const second = new BundleCache(dir);
    const cached = bundleEntry(p.entry, {}, second);
    expect(second.stats).toMatchObject({ builds: 0, diskHits: 1 });
    expect(cached).toEqual(built);
    expect(cached.exports).toEqual(["handler"]);
    expect(cached.zippedBytes).toBeGreaterThan(0);
  });

  it("rebuilds when a dependency's package.json points somewhere else (a new version)", () => {
    const p = project();
    const dir = cacheDir();
    expect(bundleEntry(p.entry, {}, new BundleCache(dir)).code).toContain("from a");
    p.write("node_modules/dep/package.json", JSON.stringify({ name: "dep", version: "2.0.0", main: "b.js" }));
    const later = new BundleCache(dir);
    expect(bundleEntry(p.entry, {}, later).code).toContain("from b");
    expect(later.stats.builds).toBe(1);
  });

  it("rebuilds when a package.json appears where there was none", () => {
    const p = project();
    const dir = cacheDir();
    bundleEntry(p.entry, {}, new BundleCache(dir));
    // A package.json next to the sources can change module types and side effects.
    p.write("package.json", JSON.stringify({ name: "app", sideEffects: false }));
    const later = new BundleCache(dir);
    bundleEntry(p.entry, {}, later);
    expect(later.stats.builds).toBe(1);
  });

  it("rebuilds over a torn or foreign cache entry", () => {
    const p = project();
    const dir = cacheDir();
    bundleEntry(p.entry, {}, new BundleCache(dir));
    for (const file of readdirSync(join(dir, "bundles"))) writeFileSync(join(dir, "bundles", file), "{not json");
    const later = new BundleCache(dir);
    expect(bundleEntry(p.entry, {}, later).code).toContain('"one"');
    expect(later.stats.builds).toBe(1);
  });

  /** The one entry file of a cache folder. */
  const entryFile = (dir: string) => {
    const files = readdirSync(join(dir, "bundles"));
    expect(files).toHaveLength(1);
    return join(dir, "bundles", files[0]);
  };

  it("decides a hit from the entry's metadata alone, and rebuilds when the code then cannot be read", () => {
    const p = project();
    const dir = cacheDir();
    const built = bundleEntry(p.entry, {}, new BundleCache(dir));
    const file = entryFile(dir);
    // Keep the first line and the metadata; drop the code and the map after them.
    const [firstLine] = readFileSync(file, "utf8").split("\n", 1);
    const metadataBytes = Number(firstLine.split(" ")[2]);
    truncateSync(file, Buffer.byteLength(firstLine) + 1 + metadataBytes);

    const later = new BundleCache(dir);
    const cached = bundleEntry(p.entry, {}, later);
    expect(later.stats).toMatchObject({ builds: 0, diskHits: 1 });
    expect(cached.exports).toEqual(["handler"]);
    expect(cached.zippedBytes).toBe(built.zippedBytes);
    expect(cached.hash).toBe(built.hash);
    // The code is read on first use: gone, so built again, byte for byte, and written back whole.
    expect(cached.code).toBe(built.code);
    expect(cached.sourceMap).toBe(built.sourceMap);
    expect(later.stats.builds).toBe(1);
    const third = new BundleCache(dir);
    expect(bundleEntry(p.entry, {}, third).code).toBe(built.code);
    expect(third.stats).toMatchObject({ builds: 0, diskHits: 1 });
  });

  it("notices an edit in a long-lived process that read the entry from disk (npm start)", () => {
    const p = project();
    const dir = cacheDir();
    bundleEntry(p.entry, {}, new BundleCache(dir));
    const running = new BundleCache(dir);
    expect(bundleEntry(p.entry, {}, running).code).toContain('"one"');
    p.write("message.ts", 'export const message = "two";\n');
    expect(bundleEntry(p.entry, {}, running).code).toContain('"two"');
    expect(running.stats).toMatchObject({ builds: 1, diskHits: 1 });
  });

  it("does not serve code another process's build put in the entry after the lookup", () => {
    const p = project();
    const dir = cacheDir();
    bundleEntry(p.entry, {}, new BundleCache(dir));
    const reader = new BundleCache(dir);
    const looked = bundleEntry(p.entry, {}, reader);
    p.write("message.ts", 'export const message = "two";\n');
    bundleEntry(p.entry, {}, new BundleCache(dir)); // replaces the entry file
    // The file no longer holds the body the lookup saw: the reader builds, and its facts follow its code.
    expect(looked.code).toContain('"two"');
    expect(looked.hash).toBe(createHash("sha256").update(looked.code).digest("hex"));
    expect(reader.stats.builds).toBe(1);
  });

  it("reads the code of an asynchronous hit at once, and builds when it cannot", async () => {
    const p = project();
    const dir = cacheDir();
    const built = bundleEntry(p.entry, {}, new BundleCache(dir));
    const whole = new BundleCache(dir);
    expect((await bundleEntryAsync(p.entry, {}, whole)).code).toBe(built.code);
    expect(whole.stats).toMatchObject({ builds: 0, diskHits: 1 });
    truncateSync(entryFile(dir), readFileSync(entryFile(dir)).length - 10);
    const damaged = new BundleCache(dir);
    expect((await bundleEntryAsync(p.entry, {}, damaged)).sourceMap).toBe(built.sourceMap);
    expect(damaged.stats).toMatchObject({ builds: 1, diskHits: 1 });
  });

  it("ignores entries of another format, and keeps at most 128 entries", () => {
    const dir = cacheDir();
    const first = new BundleCache(dir);
    const output: BuildOutput = { code: "export const x = 1;", sourceMap: "{}", exports: ["x"], zippedBytes: 20, inputs: [] };
    const request = (n: number) => ({ options: { entryPoints: [join(dir, "entry.ts")], absWorkingDir: dir, define: { N: String(n) } } });
    first.get(request(0), () => output);
    const file = entryFile(dir);
    // The same entry as format 1 wrote it (the code inside the JSON), and a format-1 entry file beside it.
    writeFileSync(file, readFileSync(file, "utf8").replace(/^serverless-fullstack-bundle 2 /, "serverless-fullstack-bundle 1 "));
    writeFileSync(join(dir, "bundles", "0".repeat(64) + ".json"), JSON.stringify({ format: 1 }));
    const later = new BundleCache(dir);
    later.get(request(0), () => output);
    expect(later.stats).toMatchObject({ builds: 1, diskHits: 0 });

    for (let n = 1; n <= 130; n++) later.get(request(n), () => output);
    const files = readdirSync(join(dir, "bundles"));
    expect(files.filter((name) => name.endsWith(".bundle"))).toHaveLength(128);
    // Pruning counts entries of format 2 only (nor is this a format-1 entry the first cache of a process deletes: no key).
    expect(files).toContain("0".repeat(64) + ".json");
  });

  it("deletes the entries format 1 left when a process first opens the folder, and no other file", () => {
    const dir = cacheDir();
    const bundles = join(dir, "bundles");
    mkdirSync(bundles);
    const key = (c: string) => c.repeat(64);
    // Format 1's entry file: JSON.stringify of its entry, format and key first, the code inside.
    const format1 = (k: string) => JSON.stringify({ format: 1, key: k, options: {}, inputs: [], bundle: { code: "x" } });
    writeFileSync(join(bundles, `${key("a")}.json`), format1(key("a")));
    writeFileSync(join(bundles, `${key("b")}.json`), format1(key("b")));
    // What a format-1 write left when its process stopped before the rename (writeAtomically: `<file>.<pid>.<random>.tmp`).
    writeFileSync(join(bundles, `${key("a")}.json.123.k3x9q.tmp`), format1(key("a")));
    const kept = {
      // Not ours, or not format 1's: another key inside, another format, another name, another extension (a format-2
      // write's temporary file may be another process's, being written now).
      [`${key("c")}.json`]: format1(key("d")),
      [`${key("e")}.json`]: JSON.stringify({ format: 3, key: key("e") }),
      "notes.json": format1(key("f")),
      [`${key("b")}.json.123.abc.tmp`]: format1(key("a")),
      [`${key("a")}.bundle.123.abc.tmp`]: format1(key("a")),
      [`${key("a")}.bundle`]: "serverless-fullstack-bundle 2 …",
    };
    for (const [name, text] of Object.entries(kept)) writeFileSync(join(bundles, name), text);

    new BundleCache(dir);
    expect(readdirSync(bundles).sort()).toEqual(Object.keys(kept).sort());
    // Once per process: a format-1 file appearing later is left for the next process.
    writeFileSync(join(bundles, `${key("a")}.json`), format1(key("a")));
    new BundleCache(dir);
    expect(readdirSync(bundles)).toContain(`${key("a")}.json`);
  });

  it("keys builds by their options, in any order", () => {
    const p = project();
    const cache = new BundleCache(undefined);
    bundleEntry(p.entry, { external: ["a", "b"], define: { X: "1", Y: "2" } }, cache);
    bundleEntry(p.entry, { external: ["b", "a"], define: { Y: "2", X: "1" } }, cache);
    expect(cache.stats).toMatchObject({ builds: 1, memoryHits: 1 });
    bundleEntry(p.entry, { define: { X: "3" } }, cache);
    expect(cache.stats.builds).toBe(2);
  });

  it("builds asynchronously once per key for concurrent callers, byte for byte as the synchronous build", async () => {
    const p = project();
    const cache = new BundleCache(undefined);
    const [a, b] = await Promise.all([bundleEntryAsync(p.entry, {}, cache), bundleEntryAsync(p.entry, {}, cache)]);
    expect(cache.stats.builds).toBe(1);
    expect(a).toBe(b);
    expect(bundleEntry(p.entry, {}, new BundleCache(undefined))).toEqual(a);
  });

  it("prewarms, in a later process, the builds a run used that have gone stale", async () => {
    const p = project();
    const dir = cacheDir();
    const run = new BundleCache(dir);
    bundleEntry(p.entry, {}, run);
    run.remember("stack");
    p.write("message.ts", 'export const message = "three";\n');

    const next = new BundleCache(dir);
    await next.prewarm("stack", buildAsync);
    expect(next.stats.builds).toBe(1);
    expect(bundleEntry(p.entry, {}, next).code).toContain('"three"');
    expect(next.stats.builds).toBe(1);
  });

  it("leaves the SDK's unused credential providers out of every bundle", () => {
    expect(buildOptions("x.ts").external).toEqual(expect.arrayContaining(["@aws-sdk/credential-provider-sso", "@aws-sdk/credential-provider-ini"]));
    expect(buildOptions("x.ts", { external: ["sharp"] }).external).toContain("sharp");
  });
});

describe("function bundles", () => {
  // albums and photos were over it with the Powertools Tracer's X-Ray SDK and photos' S3 client (issue 15; docs/performance.md).
  it.each(["handlers/auth/post-confirmation.ts", "handlers/data/export.ts", "handlers/data/counters.ts", "handlers/api/health.ts", "handlers/api/authorizer.ts", "handlers/api/albums.ts", "handlers/api/photos.ts", "handlers/photo-removal/index.ts"])(
    "%s stays under 350 KB minified (zod/mini, the shared externals)",
    (entry) => {
      const bundle = bundleEntry(entry);
      expect(Buffer.byteLength(bundle.code)).toBeLessThan(350 * 1024);
      expect(bundle.code).not.toMatch(/credential-provider-sso\/dist/);
    },
  );
});
