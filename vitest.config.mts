import { availableParallelism } from "node:os";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * Files that take longest (installs, TypeDoc, whole-program plans, browsers) start first, so the
 * other worker packs the short ones around them; the rest keep vitest's own order.
 */
const LONGEST_FIRST = ["tests/docs.test.ts", "tests/plan.test.ts", "tests/e2e/", "tests/stacks/preview.test.ts", "tests/fuzz/"];

class LongestFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = LONGEST_FIRST.findIndex((prefix) => file.moduleId.includes(`/${prefix}`));
      return at < 0 ? LONGEST_FIRST.length : at;
    };
    const sorted = await super.sort(files);
    return sorted.map((file, index) => ({ file, index })).sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index).map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The package check installs examples/consumer from the npm registry (hundreds of megabytes): `npm run test:package`, which CI runs after this suite.
    exclude: ["tests/package/**", "**/node_modules/**"],
    // Handler logs are buffered and printed only with a failing test's report.
    // lazy-modules first: it must run before anything loads the Pulumi SDK.
    setupFiles: ["tests/setup/lazy-modules.ts", "tests/setup/handler-logs.ts"],
    // The reference site is built once for all files (tests/setup/site-build.ts says why); StaticSite then publishes site/dist as it is.
    // Each stack's committed config runs once per test run; the stack tests share the result (tests/setup/shared-stack-runs.ts).
    globalSetup: ["tests/setup/site-build.ts", "tests/setup/shared-stack-runs.ts"],
    env: { STATIC_SITE_SKIP_BUILD: "1" },
    // Whole-program runs bundle every handler with esbuild, and some tests spawn ts-node processes: give them room on a loaded 2-core machine (a ceiling, not a timing assertion).
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: "forks",
    // One worker per core (vitest's default leaves one core idle: half of this 2-core machine).
    maxWorkers: availableParallelism(),
    sequence: { sequencer: LongestFirst },
  },
});
