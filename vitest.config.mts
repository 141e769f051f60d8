import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { mulberry32 } from "./local/seeded-random.cjs";
import { transformCacheFolder, transformCacheWanted } from "./tests/setup/transform-cache.mjs";

/**
 * The isolated files, then the shared ones: a reused worker takes the next file only while the queue's next file is
 * shared too, so a shared file between isolated ones started a shared process of its own, which loads the Pulumi and
 * AWS SDKs again (≈2 CPU-seconds each; issue 15: a run of fuzz/, stacks/ and three isolated files started 5 processes
 * instead of 7, 4–5 CPU-seconds less). Within each, the files that take longest (the type check, browsers,
 * whole-program runs) start first, so the other worker packs the short ones around them; the rest in vitest's own
 * order, or shuffled with `--sequence.shuffle` (and `--sequence.seed`), which shuffles within each group but never
 * puts a shared file before an isolated one. So tests/fuzz/, tests/stacks/preview.test.ts,
 * tests/offline-program-cache.test.ts and tests/plan.test.ts (shared) lead only the shared group and start after every
 * isolated file (a possible longer tail on 2 cores, not a flake; let their rank override the grouping if it grows), and
 * in a whole run the e2e file (isolated) makes the shared dev records: the paths where a shared file makes them run in
 * CI's e2e-excluded job and in targeted runs. The local RDS Data API's
 * files and the ASL schema check's are listed too: without vitest's cache of durations (CI's clean clone) its order is
 * the larger file first, and these short files cost 7–13 CPU-seconds each (each opens PGlite databases, or compiles
 * asl-validator's schema over and over), so rds-data-program.test.ts (79 lines) started among the last files and ran
 * on one core while the other had nothing left.
 */
const LONGEST_FIRST = [
  "tests/typecheck.test.ts",
  "tests/e2e/",
  "tests/offline-program-cache.test.ts",
  "tests/fuzz/",
  "tests/plan.test.ts",
  "tests/stacks/preview.test.ts",
  "tests/local/rds-data-open.test.ts",
  "tests/local/rds-data.test.ts",
  "tests/local/rds-data-migrations.test.ts",
  "tests/local/rds-data-program.test.ts",
  "tests/components/workflow-asl-schema-check.test.ts",
];

class LongestFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = LONGEST_FIRST.findIndex((prefix) => file.moduleId.includes(`/${prefix}`));
      return at < 0 ? LONGEST_FIRST.length : at;
    };
    const { shuffle, seed } = this.ctx.config.sequence;
    const ordered = shuffle ? shuffled(files, seed) : await super.sort(files);
    const shared = (file: TestSpecification) => (file.project.config.isolate ? 0 : 1);
    return ordered
      .map((file, index) => ({ file, index }))
      .sort((a, b) => shared(a.file) - shared(b.file) || rank(a.file) - rank(b.file) || a.index - b.index)
      .map(({ file }) => file);
  }
}

/** A seeded Fisher–Yates shuffle: the same seed gives the same order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = mulberry32(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * Folders and files whose test files run one after another in a reused worker process
 * (isolate: false), so the packages they load (the Pulumi SDK, the AWS SDK clients, vitest's
 * runtime) load once per worker instead of once per file. tests/setup/shared-process.ts gives each
 * file fresh modules of this repository, the worker's initial process.env, no registered specs, new
 * Pulumi mocks and no Pulumi config, and settles its Pulumi registrations after it. A file belongs
 * here only if it leaves nothing else behind that a later file could see (restore what you stub on
 * a package: aws-sdk-client-mock's stubs sit on the SDK's client classes), and needs nothing else
 * fresh. Check with `--sequence.shuffle --sequence.seed <n>` (docs/testing.md).
 */
const SHARED = [
  "tests/handlers",
  "tests/static-site-publish",
  "tests/security",
  "tests/deploy-rules",
  "tests/scripts",
  "tests/site",
  "tests/operations",
  "tests/data",
  "tests/local",
  "tests/components",
  "tests/stacks",
  "tests/offline-config.test.ts",
  "tests/offline-mock-lookups.test.ts",
  "tests/ci-workflow.test.ts",
  "tests/docs-exports.test.ts",
  "tests/fuzz",
  // These load little of their own (they spawn the program, the plan or a vitest, or read files and run the stacks the
  // stack tests share): a process of their own cost each its start, the setup files and vitest's runtime again.
  "tests/offline-program-cache.test.ts",
  "tests/plan.test.ts",
  "tests/docs.test.ts",
  "tests/offline-kms-mocks.test.ts",
  "tests/setup/cache-folders.test.ts",
  "tests/setup/handler-logs.test.ts",
  // The setup file it checks runs first for every file of a shared worker too.
  "tests/setup/worker-young-generation.test.ts",
  // Its spy on setTimeout is restored before withHeldTimer returns, and its unhandledRejection listener after each
  // test: a process of its own cost it a worker's start and the setup files (issue 15: ≈0.4 CPU-seconds).
  "tests/harness/held-timer.test.ts",
];

/**
 * Files in SHARED's folders that run in a process of their own, and why.
 * - tests/local/dynamodb.test.ts counts the parses local/dynamodb/dynalite-expressions.ts remembers: the count is
 *   that module's state, while the patch of dynalite that fills it is made once per process (by the first evaluation).
 * - tests/stacks/api-canary-unknown-stage.test.ts stops index.ts half-way on purpose: what it registered before the
 *   error never settles (UserAuth waits for callback URLs the program never sets), so the end-of-file settle would wait.
 * - tests/static-site-publish/hash-store.test.ts, tests/local/api-gateway.test.ts and tests/local/site-watch-reads.test.ts
 *   mock modules (`vi.mock`): vitest resets its module mocks between files only in isolated processes, so a later file
 *   would get the mock.
 * - tests/offline-register.test.ts checks that a test worker has not loaded TypeScript: a shared worker keeps what
 *   earlier files loaded from node_modules (serialising StaticSite's publisher provider, on a cache miss, loads it).
 * - tests/local/kinesis-http2-deadline.test.ts fakes the global setTimeout and clearTimeout: in a shared worker, a later
 *   file's timeouts never fired (timers long-lived code armed during the fake window stay on the dead clock).
 * - tests/components/private-network-zones-refused.test.ts and private-network-local-zones-refused.test.ts refuse a VPC
 *   at its dependsOn: the VPC's outputs never settle, nor what waits on them, so the end-of-file settle would wait.
 */
const ISOLATED = [
  "tests/local/dynamodb.test.ts",
  "tests/stacks/api-canary-unknown-stage.test.ts",
  "tests/static-site-publish/hash-store.test.ts",
  "tests/local/api-gateway.test.ts",
  "tests/offline-register.test.ts",
  "tests/local/kinesis-http2-deadline.test.ts",
  "tests/components/private-network-zones-refused.test.ts",
  "tests/components/private-network-local-zones-refused.test.ts",
  "tests/local/site-watch-reads.test.ts",
];

/** SHARED's test files, listed (a project's exclude cannot take a file back out of a folder it excludes). */
const ROOT = fileURLToPath(new URL(".", import.meta.url));
const SHARED_FILES = SHARED.flatMap((path) =>
  path.endsWith(".test.ts")
    ? [path]
    : readdirSync(join(ROOT, path), { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".test.ts"))
        .map((file) => `${path}/${file.split(sep).join("/")}`),
).filter((file) => !ISOLATED.includes(file));

// A module mock would outlive its file in a shared worker (see ISOLATED): such a file must be listed there.
for (const file of SHARED_FILES) {
  if (/\bvi\.(do)?[mM]ock\(/.test(readFileSync(join(ROOT, file), "utf8"))) {
    throw new Error(`${file} mocks a module (vi.mock), which would stay mocked for the next files of a shared worker: add it to ISOLATED in vitest.config.mts`);
  }
}

// The package check installs examples/consumer from the npm registry (hundreds of megabytes): `npm run test:package`, which CI runs after this suite.
const EXCLUDE = ["tests/package/**", "**/node_modules/**"];

/**
 * Vitest's transforms of this repository's TypeScript (esbuild, then its import and mock rewrites), kept on disk between
 * runs (experimental.fsModuleCache, below): re-transforming every module cost ≈0.1 CPU-second per test file of a warm
 * run (issue 15). Vitest keys an entry on the module's path, its content and this config, while the transformed code
 * names the files its imports resolved to: after a rename (`b.ts` to `b/index.ts`, or a branch switch that moves a
 * module) an unchanged importer would still import the old path (vitest-dev/vitest#11246), and the TypeScript
 * transform follows tsconfig options vitest's key leaves out. So the cache is a folder per list of the repository's
 * module files and contents of its tsconfig*.json (tests/setup/transform-cache.mts). Only the 4 most
 * recently used folders are kept, none unused for two days. Not in watch mode (a session outlives renames) and not
 * with SERVERLESS_FULLSTACK_CACHE_DIR=off. Vitest clears it itself when package-lock.json changes; `npx vitest
 * --clearCache` empties the current folder.
 */
const transformCache = transformCacheWanted(process.argv, process.env) ? transformCacheFolder(ROOT, join(ROOT, "node_modules", ".cache", "vitest-transforms")) : undefined;

/**
 * The test workers' semi-space size in MB (V8's default: 16), see execArgv below. tests/fuzz and tests/stacks in one
 * shared worker, user+sys CPU on the loaded 2-core machine: 46–48 s with 16, 48 s with 32, 42–45 s with 64, 42 s with 128.
 * Also their starting size (V8 starts at 1 MB and doubles it only after scavenges that find most of it alive, as loading
 * the SDKs and the program does): tests/stacks in one worker, 109 → 76 scavenges, user+sys 25.3 → 24.7 s (medians of
 * 7 and 6 runs on the loaded machine, 22.3–26.1 s against 23.2–29.9 s).
 */
const SEMI_SPACE_MB = 64;

/** What every file gets, shared or not. */
const perFile = {
  pool: "forks",
  // Handler logs are buffered and printed only with a failing test's report.
  // worker-young-generation first: before any test code can start a worker thread (see execArgv);
  // then lazy-modules: it must run before anything loads the Pulumi SDK.
  setupFiles: ["tests/setup/worker-young-generation.ts", "tests/setup/lazy-modules.ts", "tests/setup/handler-logs.ts"],
  // The SDK's notice that its 2027 releases need Node 22 concerns this machine's Node 20, not the code under test
  // (Lambda runs nodejs22.x; npm start sets the same switch for its sandboxes): it stays out of the test output.
  env: { STATIC_SITE_SKIP_BUILD: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  // Whole-program runs bundle every handler with esbuild, and some tests spawn ts-node processes: give them room on a loaded 2-core machine (a ceiling, not a timing assertion).
  testTimeout: 180_000,
  hookTimeout: 120_000,
  // V8 collects garbage on the worker's own thread only: its parallel helper threads found no idle core while both
  // workers run (the suite keeps this 2-core machine busy) and cost the shared workers 4–8 % more CPU, measured.
  // Larger semi-spaces: the programs and fuzz runs keep most of what they allocate, so with V8's 16 MB each the
  // scavenges (copying what survives, ≈16 ms each) and the old-generation collections after them were about a third of
  // a shared worker's CPU (issue 15, measured with --trace-gc). V8's flag reaches every worker thread and overrides
  // its resourceLimits (a Lambda sandbox's 8 MB young generation became 384 MB at 128 MB semi-spaces; with the minimum
  // a thread starts at the most its limits allow): the first setup file sets both back for the threads the tests start,
  // and leaves the test worker's own heap as it started (tests/setup/worker-young-generation.ts), so npm start's Lambda
  // and database workers keep npm start's limits.
  // WebAssembly (only PGlite's pglite.wasm, 9 MB, in the local Data API's worker threads) runs on V8's baseline
  // compiler alone: the optimising compiler recompiled its hot functions on background threads, CPU a test file's few
  // dozen statements never earned back (issue 15: the rds-data and schema-migrations files, 70 tests, 40.1 → 37.7
  // CPU-seconds, medians of 3). What the SQL does is the same; npm start keeps V8's default.
  execArgv: ["--single-threaded-gc", `--max-semi-space-size=${SEMI_SPACE_MB}`, `--min-semi-space-size=${SEMI_SPACE_MB}`, "--liftoff-only"],
} satisfies TestProjectInlineConfiguration["test"];

export default defineConfig({
  test: {
    projects: [
      { test: { ...perFile, name: "isolated", include: ["tests/**/*.test.ts"], exclude: [...EXCLUDE, ...SHARED_FILES] } },
      {
        test: {
          ...perFile,
          name: "shared",
          include: SHARED_FILES,
          exclude: EXCLUDE,
          isolate: false,
          // Powertools parameters keeps its providers (each with an SDK client built from the environment of the
          // first call, and a cache of values) in module state: evaluated per file like this repository's modules.
          server: { deps: { inline: [/@aws-lambda-powertools\/parameters/] } },
          // shared-process before handler-logs: it re-evaluates the modules handler-logs installs its sink in.
          setupFiles: ["tests/setup/worker-young-generation.ts", "tests/setup/lazy-modules.ts", "tests/setup/shared-process.ts", "tests/setup/handler-logs.ts"],
        },
      },
    ],
    // One temporary folder for the run, removed at its end: every test's mkdtemp lands in it (tests/setup/temporary-folder.ts).
    // PGlite's templates are made in the background when the cache has none (a clean clone), while the first files run (tests/setup/pglite-templates.ts).
    // lambda-native/ is installed once when missing or stale, before any worker runs the program (tests/setup/lambda-native.ts).
    // The reference site is built once for all files (tests/setup/site-build.ts says why); StaticSite then publishes site/dist as it is.
    // Each stack's committed config runs once per test run; the stack tests share the result (tests/setup/shared-stack-runs.ts).
    // Run once for the whole run (the root's globalSetup), whichever projects' files run; the projects see what it provides.
    globalSetup: ["tests/setup/temporary-folder.ts", "tests/setup/pglite-templates.ts", "tests/setup/lambda-native.ts", "tests/setup/site-build.ts", "tests/setup/shared-stack-runs.ts"],
    // One worker per core (vitest's default leaves one core idle: half of this 2-core machine).
    maxWorkers: availableParallelism(),
    sequence: { sequencer: LongestFirst },
    // Vitest's transforms, kept between runs (see transformCacheFolder).
    experimental: transformCache ? { fsModuleCache: true, fsModuleCachePath: transformCache } : {},
  },
});
