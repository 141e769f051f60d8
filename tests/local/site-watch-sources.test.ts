/**
 * The rebuild watcher watches source folders only. Node 20's recursive fs.watch walked the output folder too and
 * threw an uncaught ENOENT (crashing `npm start`) when a build emptied it mid-walk; the output folder, node_modules
 * and dot-folders are now never watched, and folders created later are picked up.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { watchSources } from "../../local/site-watch";

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
    await expect.poll(watched).toContain("src/new");
    const before = changes;
    writeFileSync(join(root, "src", "new", "page.ts"), "export {};\n");
    await expect.poll(() => changes).toBeGreaterThan(before);
  });
});
