import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Handler logs are buffered and printed only with a failing test's report.
    // lazy-modules first: it must run before anything loads the Pulumi SDK.
    setupFiles: ["tests/setup/lazy-modules.ts", "tests/setup/handler-logs.ts"],
    // The reference site is built once for all files (tests/setup/site-build.ts says why); StaticSite then publishes site/dist as it is.
    globalSetup: ["tests/setup/site-build.ts"],
    env: { STATIC_SITE_SKIP_BUILD: "1" },
    // Whole-program runs bundle every handler with esbuild, and some tests spawn ts-node processes: give them room on a loaded 2-core machine (a ceiling, not a timing assertion).
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
