/**
 * The deflated sizes of native modules' files, kept in the cache folder (components/lambda/native-modules.ts,
 * native-sizes.json): by path, so a file that is gone (another folder's lambda-native/, a removed checkout sharing
 * the cache) is dropped when the sizes are written again, instead of being read by every later run (issue 15).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { argFailer } from "../../components/errors";
import { EM_AARCH64, plantFakeNativeAddon } from "../harness/fake-native";

const previous = process.env.SERVERLESS_FULLSTACK_CACHE_DIR;
afterEach(() => {
  vi.restoreAllMocks();
  if (previous === undefined) delete process.env.SERVERLESS_FULLSTACK_CACHE_DIR;
  else process.env.SERVERLESS_FULLSTACK_CACHE_DIR = previous;
});

/** A project whose lambda-native/linux-arm64 holds a package with one arm64 addon (an ELF header, EM_AARCH64). */
function projectWithAddon(): { project: string; addon: string } {
  const project = mkdtempSync(join(tmpdir(), "sf-native-sizes-"));
  return { project, addon: plantFakeNativeAddon(project, EM_AARCH64) };
}

describe("native modules' size cache", () => {
  it("drops the files that are gone when it writes the sizes, and keeps the ones that exist", async () => {
    const cache = mkdtempSync(join(tmpdir(), "sf-native-sizes-cache-"));
    process.env.SERVERLESS_FULLSTACK_CACHE_DIR = cache;
    const { project } = projectWithAddon();
    const other = projectWithAddon();
    const gone = join(tmpdir(), "sf-native-sizes-removed-checkout", "lambda-native", "linux-arm64", "node_modules", "sharp", "lib", "sharp.node");
    // Measured by earlier runs: a file of a folder since removed, and one of another project that still exists.
    writeFileSync(join(cache, "native-sizes.json"), JSON.stringify({ [gone]: { fingerprint: "1:2:3:4", size: 7 }, [other.addon]: { fingerprint: "5:6:7:8", size: 9 } }));
    // Measured more than 2 s after the files were written: not racy, so written to the cache (native-modules.ts).
    const later = Date.now() + 10_000;
    vi.spyOn(Date, "now").mockReturnValue(later);
    vi.resetModules();
    const { resolveNativeModules } = await import("../../components/lambda/native-modules.js");
    const native = resolveNativeModules(argFailer("LambdaFunction", "t"), ["fake-native"], "arm64", project);
    const measured = native.files.map((f) => f.source);
    expect(measured.some((file) => file.endsWith("addon.node"))).toBe(true);
    const saved = JSON.parse(readFileSync(join(cache, "native-sizes.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(saved).sort()).toEqual([...measured, other.addon].sort());
    expect(saved[other.addon]).toEqual({ fingerprint: "5:6:7:8", size: 9 });
  });
});
