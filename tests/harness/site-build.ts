/** A site build for the site watcher's tests: esbuild bundles `entry` (relative to `site`) into dist/main.js. */
import { join, resolve } from "node:path";
import type { BuiltSite } from "../../components/static-site/build";

const esbuild = JSON.stringify(resolve("node_modules", ".bin", "esbuild"));

export function esbuildSite(name: string, site: string, entry: string, buildFlags = ""): BuiltSite {
  return {
    site: name,
    command: `${esbuild} ${entry} --bundle --format=esm --outfile=dist/main.js --log-level=error ${buildFlags}`.trimEnd(),
    cwd: site,
    outputDir: join(site, "dist"),
    environment: {},
    environmentNames: [],
    timeoutSeconds: 60,
    stopGraceSeconds: 5,
  };
}
