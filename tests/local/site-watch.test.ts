/**
 * `npm start` rebuilds a StaticSite that has a `build` when its sources change: a copy of the reference site
 * (site/, built by Vite as index.ts builds it) is served by the local front door; editing a page and the
 * stylesheet in the copy makes the next requests get the new page and a stylesheet under a new content hash, and
 * editing the API's request schemas the page imports from handlers/shared (outside site/) gets a new script.
 */
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { siteService } from "../../local/services/site";
import type { LocalContext, StartedService } from "../../local/services/types";
import type { SiteWatcher } from "../../local/site-watch";
import { record } from "../harness/mocks";

/** A ceiling for a rebuild to show up (Vite takes well under a second here; the machine may be loaded). Not a timing assertion. */
const REBUILD_WAIT_MS = 60_000;
const skip = process.env.STATIC_SITE_SKIP_BUILD;
let project: string;
let copy: string;
let started: StartedService & { watchers: SiteWatcher[] };
let base: string;
const logged: string[] = [];

beforeAll(async () => {
  // This test builds its own copy; the suite's STATIC_SITE_SKIP_BUILD=1 is for the shared site/dist.
  delete process.env.STATIC_SITE_SKIP_BUILD;
  // The project's layout in miniature: the site imports the API's request schemas from handlers/shared.
  project = realpathSync(mkdtempSync(join(tmpdir(), "sf-site-watch-")));
  copy = join(project, "site");
  cpSync("site", copy, { recursive: true, filter: (source) => !source.startsWith(resolve("site", "dist")) });
  cpSync(join("handlers", "shared"), join(project, "handlers", "shared"), { recursive: true });
  // Vite, its config and the shared schemas resolve packages from the copy's folders: give them the project's.
  symlinkSync(resolve("node_modules"), join(project, "node_modules"), "dir");
  await record(() => new StaticSite("watched", { path: copy, build: { command: "npx --no vite build", outputDir: "dist" } }));
  const context = {
    port: 0,
    watch: true,
    environment: {},
    origins: new Map(),
    siteUrls: new Map(),
    log: (message: string) => logged.push(message),
  } as unknown as LocalContext;
  started = (await siteService.start(context)) as typeof started;
  base = started.urls!.watched;
});
afterAll(async () => {
  await started?.stop();
  process.env.STATIC_SITE_SKIP_BUILD = skip;
  rmSync(project, { recursive: true, force: true });
});

const text = async (path: string) => (await fetch(`${base}${path}`)).text();
const stylesheetOf = (html: string) => /href="(\/assets\/style\.[0-9a-f]{8}\.css)"/.exec(html)?.[1];
const scriptOf = (html: string) => /src="(\/assets\/main\.[0-9a-f]{8}\.js)"/.exec(html)?.[1];

describe("npm start rebuilds the site on change", () => {
  it("serves the new page and the new content-hashed stylesheet after a source edit", async () => {
    const before = await text("/about.html");
    expect(before).toContain("<h1>About</h1>");
    const oldStylesheet = stylesheetOf(before)!;
    expect(oldStylesheet).toBeDefined();

    const page = join(copy, "about.html");
    writeFileSync(page, readFileSync(page, "utf8").replace("<h1>About</h1>", "<h1>About this gallery</h1>"));
    writeFileSync(join(copy, "src", "style.css"), `${readFileSync(join(copy, "src", "style.css"), "utf8")}\nh1 { letter-spacing: 0.01em; }\n`);

    // Each read is one consistent look: a request that lands while Vite rewrites dist/ just reads again.
    await expect.poll(() => text("/about.html"), { timeout: REBUILD_WAIT_MS }).toContain("<h1>About this gallery</h1>");
    const newStylesheet = async () => {
      const stylesheet = stylesheetOf(await text("/about.html"));
      return stylesheet && stylesheet !== oldStylesheet ? text(stylesheet) : "";
    };
    await expect.poll(newStylesheet, { timeout: REBUILD_WAIT_MS }).toContain("letter-spacing");
    await expect.poll(() => logged.join("\n"), { timeout: REBUILD_WAIT_MS }).toMatch(/site "watched": rebuilt dist in \d+ ms/);
  });

  it("serves a new script after an edit to the schemas the page imports from outside site/", async () => {
    const oldScript = scriptOf(await text("/"))!;
    expect(oldScript).toBeDefined();
    expect(await text(oldScript)).toContain("must not be empty");

    // The watcher finds the outside imports with esbuild once it starts: wait for that, not for a time.
    await expect.poll(() => started.watchers[0].watched(), { timeout: REBUILD_WAIT_MS }).toContain(join(project, "handlers", "shared"));
    const schemas = join(project, "handlers", "shared", "gallery-schemas.ts");
    writeFileSync(schemas, readFileSync(schemas, "utf8").replace('"must not be empty"', '"must not be left empty"'));

    const newScript = async () => {
      const script = scriptOf(await text("/"));
      return script && script !== oldScript ? text(script) : "";
    };
    await expect.poll(newScript, { timeout: REBUILD_WAIT_MS }).toContain("must not be left empty");
  });
});
