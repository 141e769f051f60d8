/**
 * A bundle served from the disk cache reads its code on first use, and builds it again when the entry file no longer
 * holds it (damaged, replaced or pruned). When the source fails to build at that moment, the failure is the caller's
 * own error (LambdaFunction: "entry ... does not bundle"), as when the build fails at once, not esbuild's raw one.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { buildErrorDetail, bundleCache, bundleEntry } from "../../components/lambda/bundle";
import { BundleCache } from "../../components/lambda/bundle-cache";
import { LambdaFunction } from "../../components/lambda/function";
import { clearRegisteredSpecs } from "../../components/spec-registry";
import { record } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

/** A tiny project: entry.ts imports ./message.ts. */
function project(): { entry: string; breakSource(): void } {
  const dir = mkdtempSync(join(tmpdir(), "sf-bundle-rebuild-"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "message.ts"), 'export const message = "one";\n');
  writeFileSync(join(dir, "entry.ts"), 'import { message } from "./message";\nexport const handler = async () => message;\n');
  return { entry: join(dir, "entry.ts"), breakSource: () => writeFileSync(join(dir, "message.ts"), "export const message = ;\n") };
}

/**
 * Builds `entry` with a cache of its own on `dir` (another process), and returns the entry file it wrote: the new one
 * that names `entry` (the process's cache folder is shared with other runs, which may write meanwhile).
 */
function buildInto(dir: string, entry: string, build: (cache: BundleCache) => void): string {
  const bundles = join(dir, "bundles");
  const before = new Set(readdirSync(bundles));
  build(new BundleCache(dir));
  const written = readdirSync(bundles).filter((file) => !before.has(file) && readFileSync(join(bundles, file), "utf8").includes(JSON.stringify(entry)));
  expect(written).toHaveLength(1);
  return join(bundles, written[0]);
}

/** Keeps the entry file's first line and metadata, drops its code and map: a hit whose code can no longer be read. */
function damage(file: string): void {
  const [firstLine] = readFileSync(file, "utf8").split("\n", 1);
  truncateSync(file, Buffer.byteLength(firstLine) + 1 + Number(firstLine.split(" ")[2]));
}

class Refused extends Error {}

describe("a bundle's lazy rebuild that fails", () => {
  it("throws the caller's error, as a failed build at once does", () => {
    const p = project();
    const dir = mkdtempSync(join(tmpdir(), "sf-bundle-rebuild-cache-"));
    mkdirSync(join(dir, "bundles"));
    const failed = (error: unknown): never => {
      throw new Refused(`does not bundle: ${buildErrorDetail(error)}`);
    };
    damage(buildInto(dir, p.entry, (cache) => bundleEntry(p.entry, {}, cache)));

    const later = new BundleCache(dir);
    const bundle = bundleEntry(p.entry, {}, later, failed);
    expect(later.stats).toMatchObject({ builds: 0, diskHits: 1 });
    const another = new BundleCache(dir);
    const shared = bundleEntry(p.entry, {}, another, failed);
    expect(bundleEntry(p.entry, {}, another)).toBe(shared);
    p.breakSource();
    expect(() => bundle.code).toThrow(Refused);
    expect(() => bundle.code).toThrow(/^does not bundle: .*message\.ts:1: Unexpected ";"$/);
    // A later caller without an error of its own (EdgeLogic's size check) did not take the first caller's away.
    expect(() => shared.code).toThrow(Refused);
    // A build that fails at once (the source is broken now, so no hit) gives the same error.
    expect(() => bundleEntry(p.entry, {}, new BundleCache(dir), failed)).toThrow(/^does not bundle: .*message\.ts:1: Unexpected ";"$/);
  });

  // LambdaFunction's bundle comes from the process's cache; on disk unless SERVERLESS_FULLSTACK_CACHE_DIR=off.
  it.skipIf(bundleCache().dir === undefined)("LambdaFunction: reading this.bundle.code refuses with its 'entry ... does not bundle' error, naming the component", async () => {
    const p = project();
    const dir = bundleCache().dir!;
    mkdirSync(join(dir, "bundles"), { recursive: true });
    // A constant known at deploy time: the plan-time bundle (constant null) is checked at construction, its code not read.
    const define = { "process.env.STAGE": pulumi.output('"prod"') };
    damage(buildInto(dir, p.entry, (cache) => bundleEntry(p.entry, { define: { "process.env.STAGE": "null" } }, cache)));
    let fn: LambdaFunction | undefined;
    await record(() => {
      fn = new LambdaFunction("lazy", { entry: p.entry, bundle: { define } });
    });
    p.breakSource();
    const lazy = refusalOf(() => fn!.bundle.code, "read a damaged bundle's code whose source no longer builds");
    expect(lazy).toMatchObject({
      component: "LambdaFunction",
      resourceName: "lazy",
      argument: "entry",
      value: p.entry,
      fix: "Fix the error in the handler source (npm run typecheck shows it too).",
      message: expect.stringMatching(/^LambdaFunction "lazy": entry ".*entry\.ts" does not bundle: .*message\.ts:1: Unexpected ";"\. Fix the error in the handler source/),
    });
    // Word for word the refusal of a construction whose build fails at once.
    expect(refusalOf(() => new LambdaFunction("lazy", { entry: p.entry, bundle: { define } }), "constructed over a source that does not build").message).toBe(lazy.message);
  });

  // Functions with one entry and equal plan-time options share one cache key, so one bundle: its later build is theirs.
  it.skipIf(bundleCache().dir === undefined)("LambdaFunction: the refusal of a shared bundle's rebuild names every function sharing it", async () => {
    const p = project();
    const dir = bundleCache().dir!;
    mkdirSync(join(dir, "bundles"), { recursive: true });
    // Deploy-time constants that differ: both plan-time bundles have the constant null, one key.
    const define = (stage: string) => ({ "process.env.STAGE": pulumi.output(JSON.stringify(stage)) });
    damage(buildInto(dir, p.entry, (cache) => bundleEntry(p.entry, { define: { "process.env.STAGE": "null" } }, cache)));
    let first: LambdaFunction | undefined;
    let second: LambdaFunction | undefined;
    await record(() => {
      first = new LambdaFunction("first", { entry: p.entry, bundle: { define: define("dev") } });
      second = new LambdaFunction("second", { entry: p.entry, bundle: { define: define("prod") } });
    });
    expect(first!.bundle).toBe(second!.bundle);
    p.breakSource();
    const refusal = refusalOf(() => first!.bundle.code, "read a shared damaged bundle's code whose source no longer builds");
    expect(refusal).toMatchObject({ component: "LambdaFunction", argument: "entry", value: p.entry });
    expect(refusal.message).toMatch(/does not bundle: .*message\.ts:1: Unexpected ";"; the bundle is shared by LambdaFunction "first", "second"\. Fix the error in the handler source/);
  });

  // The list is the program's functions: not one a later check refused, nor one of an earlier run of the program in this
  // process (a test file's earlier test, npm start running the program again), whose bundle is still this process's.
  it.skipIf(bundleCache().dir === undefined)("LambdaFunction: a shared bundle's refusal names only the functions the running program constructed", async () => {
    const p = project();
    const dir = bundleCache().dir!;
    mkdirSync(join(dir, "bundles"), { recursive: true });
    const define = (stage: string) => ({ "process.env.STAGE": pulumi.output(JSON.stringify(stage)) });
    damage(buildInto(dir, p.entry, (cache) => bundleEntry(p.entry, { define: { "process.env.STAGE": "null" } }, cache)));
    let first: LambdaFunction | undefined;
    let second: LambdaFunction | undefined;
    await record(() => {
      new LambdaFunction("earlier", { entry: p.entry, bundle: { define: define("dev") } });
    });
    // What runProgramOffline does before each run of the program.
    clearRegisteredSpecs();
    await record(() => {
      first = new LambdaFunction("first", { entry: p.entry, bundle: { define: define("dev") } });
      // Refused after its bundle was checked (its log key is an alias), so never part of the program.
      refusalOf(() => new LambdaFunction("refused", { entry: p.entry, bundle: { define: define("dev") }, logKmsKeyArn: "alias/logs" }), "log key given as an alias");
      second = new LambdaFunction("second", { entry: p.entry, bundle: { define: define("prod") } });
    });
    expect(first!.bundle).toBe(second!.bundle);
    p.breakSource();
    const refusal = refusalOf(() => first!.bundle.code, "read a shared damaged bundle's code whose source no longer builds");
    expect(refusal.message).toMatch(/Unexpected ";"; the bundle is shared by LambdaFunction "first", "second"\. Fix the error in the handler source/);
  });

  it.skipIf(bundleCache().dir === undefined)("LambdaFunction: a bundle shared only with an earlier run of the program names no other function", async () => {
    const p = project();
    const dir = bundleCache().dir!;
    mkdirSync(join(dir, "bundles"), { recursive: true });
    const define = { "process.env.STAGE": pulumi.output('"dev"') };
    damage(buildInto(dir, p.entry, (cache) => bundleEntry(p.entry, { define: { "process.env.STAGE": "null" } }, cache)));
    await record(() => {
      new LambdaFunction("api", { entry: p.entry, bundle: { define } });
    });
    clearRegisteredSpecs();
    let renamed: LambdaFunction | undefined;
    await record(() => {
      renamed = new LambdaFunction("renamed", { entry: p.entry, bundle: { define } });
    });
    p.breakSource();
    const refusal = refusalOf(() => renamed!.bundle.code, "read a damaged bundle's code whose source no longer builds");
    expect(refusal.message).toMatch(/^LambdaFunction "renamed": entry ".*entry\.ts" does not bundle: .*message\.ts:1: Unexpected ";"\. Fix the error in the handler source/);
  });
});
