"use strict";
// Preloaded by bench/stats.ts `runNode`: writes the process's CPU time and peak RSS to
// BENCH_USAGE_FILE when it exits (process.exit included), for benchmarks that compare processes.
const { writeFileSync } = require("node:fs");

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS }));
  });
}
