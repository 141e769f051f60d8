import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { byUrn, incrementalArgs, recordFirst, withoutBuildInfoErrors, writableFolder } from "./cache-folders";
import { foldersToRemove, moduleFiles, transformCacheFolder, transformCacheKey, transformCacheWanted } from "./transform-cache.mjs";

const scratch = () => mkdtempSync(join(tmpdir(), "cache-folders-"));

describe("the incremental type check's arguments", () => {
  it("use a build info in a writable cache folder, and none where tsc could not write one (TS5033 would fail the check)", () => {
    const cache = scratch();
    expect(incrementalArgs(cache, "/repo")).toEqual(["--incremental", "--tsBuildInfoFile", expect.stringMatching(/[/\\]tsc[/\\][0-9a-f]{16}\.tsbuildinfo$/)]);
    expect(incrementalArgs(cache, "/repo", () => false)).toEqual([]);
    expect(incrementalArgs(undefined, "/repo")).toEqual([]);
    // `…/tsc` being a file: the folder cannot be made, whoever runs the test (root included).
    const blocked = scratch();
    writeFileSync(join(blocked, "tsc"), "");
    expect(writableFolder(join(blocked, "tsc"))).toBe(false);
    expect(incrementalArgs(blocked, "/repo")).toEqual([]);
  });

  it("a build info tsc could not write is not a type error; a type error stays", () => {
    const unwritable = "error TS5033: Could not write file '/x/tsc/ab.tsbuildinfo': EROFS: read-only file system.";
    expect(withoutBuildInfoErrors(unwritable)).toBe("");
    expect(withoutBuildInfoErrors(`a.ts(1,7): error TS2322: Type 'string' is not assignable to type 'number'.\n${unwritable}`)).toBe("a.ts(1,7): error TS2322: Type 'string' is not assignable to type 'number'.");
  });
});

describe("the transform cache", () => {
  it("is on for `vitest run` and CI, off in watch mode and with SERVERLESS_FULLSTACK_CACHE_DIR=off", () => {
    const argv = (...args: string[]) => ["node", "vitest.mjs", ...args];
    expect(transformCacheWanted(argv("run", "tests/a.test.ts"), {})).toBe(true);
    expect(transformCacheWanted(argv("--run"), {})).toBe(true);
    expect(transformCacheWanted(argv("--watch=false"), {})).toBe(true);
    expect(transformCacheWanted(argv(), { CI: "true" })).toBe(true);
    expect(transformCacheWanted(argv(), {})).toBe(false);
    expect(transformCacheWanted(argv("watch"), {})).toBe(false);
    expect(transformCacheWanted(argv("run"), { SERVERLESS_FULLSTACK_CACHE_DIR: "off" })).toBe(false);
    expect(transformCacheWanted(argv("run"), { CI: "true", SERVERLESS_FULLSTACK_CACHE_DIR: "off" })).toBe(false);
  });

  it("lists module files skipping build outputs by path from the root, not by folder name at any depth", () => {
    const root = scratch();
    const files = ["index.ts", "components/results/x.ts", "components/dist/y.ts", "results/old.json", "site/dist/app.js", "lambda-native/a.js", "site/node_modules/p/i.js", "README.md"];
    for (const file of files) {
      mkdirSync(join(root, file, ".."), { recursive: true });
      writeFileSync(join(root, file), "");
    }
    expect(moduleFiles(root)).toEqual(["components/dist/y.ts", "components/results/x.ts", "index.ts"]);
  });

  it("starts a new folder when a module file is renamed or a tsconfig's contents change", () => {
    const root = scratch();
    writeFileSync(join(root, "a.ts"), "");
    writeFileSync(join(root, "tsconfig.json"), '{"compilerOptions":{"useDefineForClassFields":true}}');
    const first = transformCacheKey(root);
    expect(transformCacheKey(root)).toBe(first);
    writeFileSync(join(root, "tsconfig.json"), '{"compilerOptions":{"useDefineForClassFields":false}}');
    const edited = transformCacheKey(root);
    expect(edited).not.toBe(first);
    expect(transformCacheKey(root, ["b.ts", "tsconfig.json"])).not.toBe(edited);
  });

  it("keeps the 4 most recently used folders (this run's among them), none unused for longer than the limit, and every one used within the last hour", () => {
    const hour = 3600_000;
    const now = 100 * hour;
    const folders = [
      { name: "current", usedAt: 1 },
      { name: "a", usedAt: now - 2 * hour },
      { name: "b", usedAt: now - 3 * hour },
      { name: "c", usedAt: now - 4 * hour },
      { name: "d", usedAt: now - 5 * hour },
      { name: "e", usedAt: now - 6 * hour },
    ];
    expect(foldersToRemove(folders, "current", now, 4, 48 * hour).sort()).toEqual(["d", "e"]);
    expect(foldersToRemove(folders, "current", now, 4, 3.5 * hour).sort()).toEqual(["c", "d", "e"]);
    expect(foldersToRemove(folders.slice(0, 3), "current", now, 4, 48 * hour)).toEqual([]);
    // Another worktree's run may be reading a folder it started with a few minutes ago.
    const minute = 60_000;
    const busy = ["current", "a", "b", "c", "d", "e"].map((name, index) => ({ name, usedAt: index < 5 ? now - index * 10 * minute : now - 2 * hour }));
    expect(foldersToRemove(busy, "current", now, 4, 48 * hour)).toEqual(["e"]);
  });
});

describe("the transform cache's folders on disk", () => {
  it("marks this run's folder used and removes a stale one, not one whose mark is old but that vitest wrote into lately, nor one just made without a mark", () => {
    const root = scratch();
    writeFileSync(join(root, "a.ts"), "");
    const caches = scratch();
    const threeDaysAgo = (Date.now() - 3 * 24 * 3600_000) / 1000;
    const made = (name: string, marked: boolean) => {
      mkdirSync(join(caches, name));
      if (marked) {
        writeFileSync(join(caches, name, ".used"), "");
        utimesSync(join(caches, name, ".used"), threeDaysAgo, threeDaysAgo);
      }
      return join(caches, name);
    };
    utimesSync(made("stale", true), threeDaysAgo, threeDaysAgo);
    made("written-lately", true);
    made("just-made", false);
    const folder = transformCacheFolder(root, caches);
    expect(folder).toBe(join(caches, transformCacheKey(root)));
    expect(existsSync(join(folder!, ".used"))).toBe(true);
    expect(readdirSync(caches).sort()).toEqual([transformCacheKey(root), "just-made", "written-lately"].sort());
  });

  it("is none where its folder cannot be made", () => {
    const root = scratch();
    const blocked = join(scratch(), "caches");
    writeFileSync(blocked, "");
    expect(transformCacheFolder(root, blocked)).toBeUndefined();
  });
});

describe("a shared record", () => {
  it("is the first writer's: a later writer gets that record back, not its own text", () => {
    const folder = scratch();
    const file = join(folder, "dev.json");
    expect(recordFirst(file, "first")).toBe("first");
    expect(recordFirst(file, "second")).toBe("first");
    expect(readFileSync(file, "utf8")).toBe("first");
    expect(readdirSync(folder)).toEqual(["dev.json"]);
  });

  it("is the writer's own text where it cannot be written", () => {
    expect(recordFirst(join(scratch(), "missing", "dev.json"), "text")).toBe("text");
  });

  it("lists resources in URN order, whatever order the run registered them in", () => {
    const urns = ["urn:b", "urn:a$c", "urn:a"];
    expect(byUrn(urns.map((urn) => ({ urn }))).map((r) => r.urn)).toEqual(["urn:a", "urn:a$c", "urn:b"]);
  });
});
