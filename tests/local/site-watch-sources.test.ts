/**
 * The rebuild watcher watches source folders only. Node 20's recursive fs.watch walked the output folder too and
 * threw an uncaught ENOENT (crashing `npm start`) when a build emptied it mid-walk; the output folder, node_modules
 * and dot-folders are now never watched, and folders created later are picked up. A folder removed and re-created
 * (a code generator's output, a `git checkout`) is watched again: on Linux the old watcher says nothing when its
 * folder goes, and it used to stay in place, deaf, so the new folder's files never rebuilt.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { watchSources } from "../../local/site-watch";

/** A ceiling for an fs event to arrive (the machine may be loaded). Not a timing assertion. */
const EVENT_WAIT_MS = 10_000;
let root: string;
let watcher: ReturnType<typeof watchSources> | undefined;
afterEach(() => {
  watcher?.close();
  rmSync(root, { recursive: true, force: true });
});

const ignored = (file: string) => file === "dist" || file.startsWith(`dist${sep}`) || file.split(sep).some((part) => part === "node_modules" || part.startsWith("."));

describe("watchSources", () => {
  it("watches the source folders, not the output folder, node_modules or dot-folders, and picks up new folders", async () => {
    root = mkdtempSync(join(tmpdir(), "sf-watch-"));
    for (const dir of ["src/a", "dist/variants/b", "node_modules/x", ".git/objects", "public"]) mkdirSync(join(root, dir), { recursive: true });
    let changes = 0;
    watcher = watchSources(root, ignored, () => (changes += 1));
    const watched = () => watcher!.watched().map((dir) => relative(root, dir).split(sep).join("/")).sort();
    expect(watched()).toEqual(["", "public", "src", "src/a"]);

    // A build empties and rewrites its output: nothing there is watched, so nothing can fail or trigger a rebuild.
    for (let i = 0; i < 20; i++) {
      rmSync(join(root, "dist"), { recursive: true, force: true });
      mkdirSync(join(root, "dist", "variants", "b"), { recursive: true });
      writeFileSync(join(root, "dist", "variants", "b", "index.html"), String(i));
    }
    expect(watched()).toEqual(["", "public", "src", "src/a"]);

    mkdirSync(join(root, "src", "new"));
    await expect.poll(watched, { timeout: EVENT_WAIT_MS }).toContain("src/new");
    const before = changes;
    writeFileSync(join(root, "src", "new", "page.ts"), "export {};\n");
    await expect.poll(() => changes, { timeout: EVENT_WAIT_MS }).toBeGreaterThan(before);
  });

  it("watches a subfolder again after it is removed and re-created (a code generator's output, a git checkout)", async () => {
    root = mkdtempSync(join(tmpdir(), "sf-watch-"));
    mkdirSync(join(root, "src", "generated"), { recursive: true });
    const file = join(root, "src", "generated", "api.ts");
    writeFileSync(file, "export const api = 1;\n");
    // What the file held at each change reported: a rebuild reads the files when it runs, so that is what it would build.
    const seen: string[] = [];
    watcher = watchSources(root, ignored, () => {
      try {
        seen.push(readFileSync(file, "utf8"));
      } catch {
        seen.push("");
      }
    });
    const watched = () => watcher!.watched().map((dir) => relative(root, dir).split(sep).join("/")).sort();
    expect(watched()).toEqual(["", "src", "src/generated"]);

    // The generator wipes its output and writes it again: the re-creation itself is a change of src/.
    rmSync(join(root, "src", "generated"), { recursive: true });
    mkdirSync(join(root, "src", "generated"));
    const before = seen.length;
    await expect.poll(() => seen.length, { timeout: EVENT_WAIT_MS }).toBeGreaterThan(before);
    // Then a file in the new folder is written: only a watcher on the new folder can see it.
    writeFileSync(file, "export const api = 2;\n");
    await expect.poll(() => seen, { timeout: EVENT_WAIT_MS }).toContain("export const api = 2;\n");
    expect(watched()).toEqual(["", "src", "src/generated"]);
  });
});
