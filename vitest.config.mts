import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Whole-program runs bundle every handler with esbuild, and some tests spawn ts-node processes: give them room on a loaded 2-core machine (a ceiling, not a timing assertion).
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
