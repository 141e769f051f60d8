import { defineConfig } from "vitest/config";

/**
 * `npm run test:package`: the package as a user installs it (tests/package/). Apart from `npm test`
 * because it needs the npm registry for the consumer's own dependencies and installs hundreds of
 * megabytes; `.ci/run` and the workflow's package job run it on every change.
 */
export default defineConfig({
  test: {
    include: ["tests/package/**/*.test.ts"],
    // Two npm installs of @pulumi/aws and friends on a loaded 2-core machine: a ceiling, not a timing assertion.
    testTimeout: 300_000,
    hookTimeout: 900_000,
    pool: "forks",
  },
});
