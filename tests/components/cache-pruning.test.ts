/**
 * The disk caches (Lambda bundles, site hash stores, the compiled ASL schema check) keep their newest entries by
 * modification time: pruneOldest drops the least recently used, and markUsed is what makes a read count as a use.
 */
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { markUsed, pruneOldest } from "../../components/file-hashes";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cache-pruning-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `name` last modified `secondsAgo` seconds ago. */
const entry = (name: string, secondsAgo: number) => {
  writeFileSync(join(dir, name), name);
  const at = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(join(dir, name), at, at);
};
const left = () => readdirSync(dir).sort();

describe("pruneOldest and markUsed", () => {
  it("keeps the `keep` most recently modified files of the extension, and leaves other files alone", () => {
    entry("a.json", 40);
    entry("b.json", 10);
    entry("c.json", 30);
    entry("d.json", 20);
    entry("old.js", 100);
    pruneOldest(dir, ".json", 2);
    expect(left()).toEqual(["b.json", "d.json", "old.js"]);
  });

  it("removes nothing at or under `keep`, and never throws for a folder that is not there", () => {
    entry("a.json", 20);
    entry("b.json", 10);
    pruneOldest(dir, ".json", 2);
    expect(left()).toEqual(["a.json", "b.json"]);
    expect(() => pruneOldest(join(dir, "missing"), ".json", 0)).not.toThrow();
  });

  it("keeps an old entry that was read (markUsed) over newer ones that were not", () => {
    entry("read.json", 60);
    entry("b.json", 20);
    entry("c.json", 10);
    markUsed(join(dir, "read.json"));
    pruneOldest(dir, ".json", 2);
    expect(left()).toEqual(["c.json", "read.json"]);
    expect(() => markUsed(join(dir, "pruned.json"))).not.toThrow();
  });
});
