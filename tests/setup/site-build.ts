/**
 * vitest globalSetup: builds the reference site once (`vite build` in site/, the command index.ts gives StaticSite)
 * before any test file runs, and the config sets STATIC_SITE_SKIP_BUILD=1 for the files. Test files run index.ts
 * in parallel processes; each running `vite build` into site/dist would empty the folder while another lists it or
 * serves it. Tests of the build itself clear the variable and build their own copies.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { buildProcessOptions } from "../../components/static-site/build";

export default function setup(): void {
  const root = resolve(__dirname, "..", "..");
  // As StaticSite runs it (the project's node_modules/.bin on the PATH), without the suite's skip.
  const options = buildProcessOptions({ cwd: join(root, "site") }, {});
  delete options.env.STATIC_SITE_SKIP_BUILD;
  const result = spawnSync("vite build", { ...options, encoding: "utf8", timeout: 600_000 });
  if (result.status !== 0) throw new Error(`the site build failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
}
