/**
 * `npm start [-- --stack dev|prod] [--port 3000] [--fresh] [--state-dir .local/<stack>]`: runs the stack's
 * `index.ts` under Pulumi mocks, then serves what it declares on embedded
 * emulators. Same program, same stack config as `pulumi up`.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { boundHeapGrowth } from "./heap";
import { ensureLambdaNative } from "./lambda-native";
import { LocalLambda } from "./lambda-runtime";
import { LocalQueues } from "./queues";
import { PROJECT_DIR, runProgramOffline, type OfflineRun } from "./offline/program";
import { adoptRecordedRun, cachedProgramRun } from "./offline/program-cache";
import { emptyStateDir, lockStateDir } from "./state-lock";
import { LOCAL_CREDENTIALS } from "./sigv4-verify";
import { FunctionRoles, functionCredentials } from "./function-roles";
import { LOCAL_SERVICES } from "./services";
import { recordedIdentity } from "./services/lambda";
import type { LocalContext, StartedService } from "./services/types";

export interface LocalApp {
  context: LocalContext;
  services: StartedService[];
  urls: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  stack?: string;
  port?: number;
  fresh?: boolean;
  quiet?: boolean;
  /** State folder; defaults to `.local/<stack>` in the project. */
  stateDir?: string;
  /** Loads index.ts; see runProgramOffline. Not with `recordedRun` or `programCache`. */
  load?: () => unknown;
  /** Rebuild sites when their sources change (the CLI does). @default false */
  watch?: boolean;
  /**
   * The program's folder (Pulumi.yaml, Pulumi.<stack>.yaml, index.ts). Relative paths inside the program
   * (handler entries, the site folder) resolve against the working directory, as under `pulumi up`.
   * @default the working directory
   */
  projectDir?: string;
  /**
   * Serve the program's recorded result when index.ts, its config and everything it read are unchanged since
   * the last start (local/offline/program-cache.ts); else run it and record it. Needs the program loaded
   * through `require` (the CLI), whose modules the record covers: not with `load`, with which startLocalApp fails (before
   * it touches the state folder) rather than leave programCache unused.
   * @default false (the CLI turns it on)
   */
  programCache?: boolean;
  /**
   * A run of the program made earlier, as plain data (what `toPlain` in local/offline/program-cache.ts leaves: a
   * program-cache entry's run, or the tests' one run of the dev stack shared among their files,
   * tests/setup/dev-app.ts): served as a program-cache hit is, without running index.ts. Its stack must be `stack`.
   * Not with `load` or `programCache`, which say how to run index.ts: with either, startLocalApp fails (before it
   * touches the state folder) rather than leave one of them unused.
   */
  recordedRun?: OfflineRun;
  /**
   * The clock the local SQS queues run on, in ms (a message's DelaySeconds, visibility timeouts, retention): a test
   * moves it on past a delay instead of waiting it out. @default Date.now
   */
  queueClock?: () => number;
  /** The timers local Step Functions waits on (Task timeouts, Retry intervals: TaskClock in local/sfn-server.ts), which a test fires early. @default Node's */
  stepFunctionsClock?: import("./sfn-server").TaskClock;
  /**
   * The waits before an asynchronous invocation's retries, in ms (S3 events, schedules, Event invocations, Topics,
   * EventBuses): a test gives [0] rather than wait them out. @default [1000, 2000] (local/async-invoke.ts)
   */
  asyncRetryDelaysMs?: number[];
}

export async function startLocalApp(options: StartOptions = {}): Promise<LocalApp> {
  boundHeapGrowth();
  const stack = options.stack ?? "dev";
  checkRunOptions(options, stack);
  const log = options.quiet ? () => {} : (message: string) => console.log(message);
  // Lambda runs Node 22; only this local process (Node 20+) triggers the SDK's Node-version notice, on every client.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const stateDir = options.stateDir ?? join(projectDir, ".local", stack);
  mkdirSync(stateDir, { recursive: true });
  // Locked before --fresh empties it: a second `npm start --fresh` must not delete a running one's data.
  const releaseState = lockStateDir(stateDir);
  try {
    if (options.fresh) emptyStateDir(stateDir);
    return await serveLocked(stack, stateDir, projectDir, options, log, releaseState);
  } catch (error) {
    // Whatever failed after the lock was taken (serveLocked's stop releases too; releasing twice is harmless).
    releaseState();
    throw error;
  }
}

/** startLocalApp once the state folder is locked: its app's stop releases the lock. */
async function serveLocked(
  stack: string,
  stateDir: string,
  projectDir: string,
  options: StartOptions,
  log: (message: string) => void,
  releaseState: () => void,
): Promise<LocalApp> {
  const run = await runProgram(stack, projectDir, options, log);
  for (const warning of run.config.warnings) log(`  warning: ${warning}`);

  const lambdas = new Map<string, LocalLambda>();
  let queues: LocalQueues | undefined;
  const environment: Record<string, string> = {
    AWS_REGION: run.config.region,
    AWS_DEFAULT_REGION: run.config.region,
    // What every local endpoint checks signatures against (LOCAL_CREDENTIALS, and each function's own, which its
    // sandbox gets instead: local/function-roles.ts; local/services/credentials.ts).
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_DEV: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    POWERTOOLS_TRACE_ENABLED: "false",
  };
  const localAddresses = new Map<string, string>();
  const buildDir = join(stateDir, "build");
  const functionRoles = FunctionRoles.fromGraph(run.resources, run.config.region);
  const context: LocalContext = {
    stack,
    run,
    stateDir,
    buildDir,
    port: options.port ?? 3000,
    watch: options.watch ?? false,
    ...(options.queueClock ? { queueClock: options.queueClock } : {}),
    ...(options.stepFunctionsClock ? { stepFunctionsClock: options.stepFunctionsClock } : {}),
    ...(options.asyncRetryDelaysMs ? { asyncRetryDelaysMs: options.asyncRetryDelaysMs } : {}),
    environment,
    localAddresses,
    functionRoles,
    origins: new Map(),
    siteUrls: new Map(),
    queues() {
      return (queues ??= new LocalQueues(join(stateDir, "queues")));
    },
    lambda(spec: LambdaFunctionSpec) {
      let lambda = lambdas.get(spec.name);
      if (!lambda) {
        // Named as the program resolved it (fn.functionName, fn.arn), as the local Invoke API names it.
        const identity = recordedIdentity(run.resources, spec.name);
        // Signing as itself: the local S3 server authorises the function by its role, as AWS does.
        const credentials = identity ? functionCredentials(identity.functionName) : undefined;
        lambda = new LocalLambda(spec, { buildDir, sharedEnvironment: environment, functionName: identity?.functionName, region: identity?.region, localAddresses, credentials });
        lambdas.set(spec.name, lambda);
      }
      return lambda;
    },
    log,
  };

  const services: StartedService[] = [];
  const stop = async () => {
    try {
      for (const service of [...services].reverse()) await service.stop();
      for (const lambda of lambdas.values()) await lambda.stop();
    } finally {
      releaseState();
    }
  };
  try {
    for (const service of LOCAL_SERVICES) {
      log(`Starting ${service.name}...`);
      const started = await service.start(context);
      if (started) services.push(started);
    }
    for (const service of services) service.afterStart?.();
  } catch (error) {
    await stop();
    throw error;
  }
  const urls = Object.assign({}, ...services.map((s) => s.urls ?? {})) as Record<string, string>;
  return { context, services, urls, stop };
}

/**
 * How to get the program's run, given one way only, so that no option is silently left unused. A recorded run must be of
 * the stack started, and comes alone: `load` and `programCache` say how to run index.ts, which a recorded run is served
 * without. `programCache` records only index.ts loaded through `require`, not a program given as `load`. Checked before
 * `fresh` empties the state folder.
 */
function checkRunOptions(options: StartOptions, stack: string): void {
  if (!options.recordedRun) {
    if (options.programCache && options.load !== undefined) {
      throw new Error(
        "startLocalApp: programCache records index.ts as require loads it, not a program given as load, so programCache would be ignored: drop programCache to run load, or drop load to run index.ts through the cache.",
      );
    }
    return;
  }
  const recorded = options.recordedRun.config.stack;
  if (recorded !== stack) throw new Error(`startLocalApp: recordedRun is a run of stack "${recorded}", not of stack "${stack}": pass stack "${recorded}", or a run of "${stack}".`);
  const runOptions = [options.load !== undefined && "load", options.programCache && "programCache"].filter((name): name is string => typeof name === "string");
  if (runOptions.length > 0) {
    const named = runOptions.join(" and ");
    throw new Error(
      `startLocalApp: recordedRun is served without running index.ts, so ${named} (how to run it) would be ignored: drop ${named} to serve the recorded run, or drop recordedRun to run the program.`,
    );
  }
}

async function runProgram(stack: string, projectDir: string, options: StartOptions, log: (message: string) => void): Promise<OfflineRun> {
  if (options.recordedRun) return adoptRecordedRun(options.recordedRun);
  const program = () => runProgramOffline({ stack, load: options.load, projectDir });
  if (options.programCache) return (await cachedProgramRun({ stack, projectDir }, program, log)).run;
  log(`Running index.ts for stack "${stack}" under mocks...`);
  return program();
}

/** `npm start` here, `serverless-fullstack start` in a consumer's project (the package's bin). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string", default: "dev" },
      port: { type: "string", default: process.env.PORT ?? "3000" },
      fresh: { type: "boolean", default: false },
      "state-dir": { type: "string" },
    },
  });
  // This project's, or a consumer's own lambda-native/ folders (docs/events.md): npm start works right after npm ci.
  ensureLambdaNative(PROJECT_DIR);
  // Ctrl+C (or SIGTERM) while starting: exit, which releases the state folder's lock (state-lock.ts's exit hook); the
  // signal's default action would end the process without, leaving a stale lock for the next start to take over.
  const abortStart = (signal: NodeJS.Signals) => process.exit(signal === "SIGINT" ? 130 : 143);
  process.once("SIGINT", abortStart);
  process.once("SIGTERM", abortStart);
  const app = await startLocalApp({ stack: values.stack, port: Number(values.port), fresh: values.fresh, stateDir: values["state-dir"], watch: true, programCache: true }).finally(() => {
    process.off("SIGINT", abortStart);
    process.off("SIGTERM", abortStart);
  });
  console.log(`\nserverless-fullstack is running locally (stack "${values.stack}"):`);
  for (const [name, url] of Object.entries(app.urls)) console.log(`  ${name.padEnd(10)} ${url}`);
  console.log("\nPress Ctrl+C to stop.");
  const shutdown = () => {
    console.log("\nStopping...");
    app.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
