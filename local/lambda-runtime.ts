/**
 * Runs a LambdaFunction's real bundle locally, the way Lambda would: one worker
 * thread per function is its sandbox (own `process.env`, module loaded once and
 * kept warm), the configured timeout is enforced by terminating the sandbox, and
 * handler errors come back as Lambda's `{ errorType, errorMessage }`. What the handler
 * writes (console, Powertools Logger: Lambda's CloudWatch log stream) goes to a log sink:
 * the terminal for `npm start`, a per-test buffer in the test suite.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { bundleEntry, BUNDLE_FILE, resolvedOptions } from "../components/lambda/bundle";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { defaultHandlerLogSink, type HandlerLogSink } from "./handler-log-sink";
import { lambdaFunctionArn } from "./offline/mocks";
import { PROJECT_DIR, resolveValue } from "./offline/program";
import type { SigV4Credentials } from "./sigv4-verify";
import { workerModuleUrl } from "./worker-module-url";

/** `dir/node_modules` → the project's, so a bundle built outside the project (a test's temporary state) finds its external packages. */
function linkProjectModules(dir: string): void {
  const link = join(dir, "node_modules");
  if (!existsSync(link)) symlinkSync(join(PROJECT_DIR, "node_modules"), link, "dir");
}

/**
 * The LambdaInvokeErrors that are Lambda refusing the invocation, not the function failing, with the HTTP status
 * Lambda's Invoke API answers them with (API_Invoke errors: RequestTooLargeException 413, as the service names it
 * RequestEntityTooLargeException; TooManyRequestsException 429). API Gateway answers either with 500.
 */
export const LAMBDA_REFUSAL_STATUS: Readonly<Record<string, number>> = { RequestEntityTooLargeException: 413, TooManyRequestsException: 429 };

export class LambdaInvokeError extends Error {
  constructor(readonly functionName: string, readonly errorType: string, message: string, readonly errorStack?: string) {
    super(`${functionName}: ${errorType}: ${message}`);
    this.name = "LambdaInvokeError";
  }
}

export { setDefaultHandlerLogSink, terminalLogSink, type HandlerLogChunk, type HandlerLogSink } from "./handler-log-sink";

export interface LocalLambdaOptions {
  /** Folder to write the bundle into (under the git-ignored .local/). */
  buildDir: string;
  /** Variables every local function gets on top of its own (AWS endpoints, region, fake credentials). */
  sharedEnvironment: Record<string, string>;
  /** Deployed addresses in the function's own variables and their local stand-ins (LocalContext.localAddresses). */
  localAddresses?: ReadonlyMap<string, string>;
  /**
   * The deployed function name, as `fn.functionName` resolves in this run (the recorded function's physical name):
   * AWS_LAMBDA_FUNCTION_NAME, `context.functionName`, the log group's name and the function named in its ARN.
   * @default the spec's name (a sandbox started outside a program run, as unit tests do)
   */
  functionName?: string;
  /**
   * The function's region, the one its ARN (`fn.arn`) names.
   * @default sharedEnvironment.AWS_REGION, else us-east-1
   */
  region?: string;
  /**
   * The credentials the function signs its AWS requests with, as Lambda hands a function its role's
   * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): the local services authorise them by the role (local/function-roles.ts).
   * @default sharedEnvironment's
   */
  credentials?: SigV4Credentials;
  /**
   * Where the handler's stdout and stderr go.
   * @default the process-wide default (setDefaultHandlerLogSink): the terminal unless a test setup changed it
   */
  logs?: HandlerLogSink;
}

/**
 * Lambda's synchronous payload limits: "6 MB each for request and response (synchronous)"
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html; API_Invoke: "For synchronous invocations,
 * the maximum payload size is 6 MB."). The bytes are Lambda's own refusals, which count MiB: "Request must be
 * smaller than 6291456 bytes for the InvokeFunction operation" (RequestEntityTooLargeException, e.g.
 * https://github.com/awslabs/aws-athena-query-federation/issues/793) and "Response payload size exceeded maximum
 * allowed payload size (6291556 bytes)" (Function.ResponseSizeTooLarge, e.g.
 * https://github.com/DataBiosphere/azul/issues/7466). The event and the result are measured as the JSON that
 * crosses to and from the sandbox: the event in invoke(), before a sandbox starts; the result in lambda-worker.mjs.
 */
export const LAMBDA_SYNC_PAYLOAD_LIMITS = { largestRequestBytes: 6_291_456 - 1, largestResponseBytes: 6_291_556 } as const;

/**
 * How an invocation named the function: the qualifier it gave (a version or alias) and the version that runs. Lambda's
 * context then has `invokedFunctionArn` "the ARN that's used to invoke the function. Indicates if the invoker
 * specified a version number or alias", and `functionVersion` the version an alias points to
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-prog-model-context.html). Every version runs the current code.
 */
export interface InvocationTarget {
  qualifier?: string;
  /** @default "$LATEST" */
  version?: string;
}

/** The young generation of each function's worker (see sandbox()). */
const WORKER_YOUNG_GENERATION_MB = 8;

export class LocalLambda {
  private worker?: Worker;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly file: string;
  private environment?: Promise<Record<string, string>>;
  private built?: Promise<void>;
  private sandboxesStarted = 0;
  readonly functionName: string;
  private readonly region: string;

  constructor(readonly spec: LambdaFunctionSpec, private readonly options: LocalLambdaOptions) {
    this.functionName = options.functionName ?? spec.name;
    this.region = options.region ?? options.sharedEnvironment.AWS_REGION ?? "us-east-1";
    this.file = join(options.buildDir, spec.name, BUNDLE_FILE);
  }

  /** Writes the bundle, with build-time constants that are Outputs resolved (as the deploy builds it). */
  private async build(): Promise<void> {
    const bundle = bundleEntry(this.spec.entry, await resolveValue(resolvedOptions(this.spec.bundle)));
    mkdirSync(join(this.options.buildDir, this.spec.name), { recursive: true });
    writeFileSync(this.file, bundle.code);
    writeFileSync(`${this.file}.map`, bundle.sourceMap);
    // Native packages (nativeModules) are external to the bundle: resolve them from the project, as the zip's node_modules would.
    if (this.spec.nativeModules?.length) linkProjectModules(join(this.options.buildDir, this.spec.name));
  }

  /**
   * Invokes the handler with `event`; resolves with its result or rejects with a LambdaInvokeError (errorType
   * RequestEntityTooLargeException or, for a function that reserves no concurrency, TooManyRequestsException when Lambda
   * would refuse the invocation, Function.ResponseSizeTooLarge for a
   * result over its limit). Both cross as JSON, as Lambda serialises them: one serialisation each way, in place of
   * the structured clone postMessage would otherwise make.
   */
  async invoke<T = unknown>(event: unknown, target: InvocationTarget = {}): Promise<T> {
    const eventJson = JSON.stringify(event) ?? "null";
    // Lambda refuses the invocation itself: no sandbox starts (nor does a cold one for it), no event is copied to one.
    const { largestRequestBytes } = LAMBDA_SYNC_PAYLOAD_LIMITS;
    if (Buffer.byteLength(eventJson) > largestRequestBytes) {
      throw new LambdaInvokeError(this.functionName, "RequestEntityTooLargeException", `Request must be smaller than ${largestRequestBytes + 1} bytes for the InvokeFunction operation`);
    }
    // A reservation of 0 throttles every invocation ("To throttle a function, set the reserved concurrency to zero. This
    // stops any events from being processed", https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html); Invoke then fails with
    // TooManyRequestsException (HTTP 429, https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html), whose message
    // callers see as "Rate Exceeded." (e.g. alexcasalboni/aws-lambda-power-tuning#133). Other reservations are not
    // emulated: one warm sandbox runs every invocation (docs/local-vs-aws.md).
    if (this.spec.reservedConcurrency === 0) throw new LambdaInvokeError(this.functionName, "TooManyRequestsException", "Rate Exceeded.");
    const worker = await this.sandbox();
    const id = randomUUID();
    const timeoutMs = this.spec.timeout * 1000;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        // Lambda discards a sandbox whose invocation timed out; so do we.
        void this.reset();
        reject(new LambdaInvokeError(this.functionName, "Sandbox.Timedout", `Task timed out after ${this.spec.timeout}.00 seconds`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      worker.postMessage({
        id,
        event: eventJson,
        context: {
          awsRequestId: id,
          functionName: this.functionName,
          functionVersion: target.version ?? "$LATEST",
          invokedFunctionArn: this.arn(target.qualifier),
          memoryLimitInMB: String(this.spec.memorySize),
          logGroupName: `/aws/lambda/${this.functionName}`,
          logStreamName: "local",
          timeoutMs,
        },
      });
    });
  }

  /** The function's ARN (lambdaFunctionArn: the one `fn.arn` resolves to), qualified with a version or alias when given one. */
  arn(qualifier?: string): string {
    return lambdaFunctionArn(this.region, this.functionName, qualifier);
  }

  /** Sandboxes (worker threads) started so far: the first invocation's, and one after each timeout. Each is a cold start. */
  get coldStarts(): number {
    return this.sandboxesStarted;
  }

  async stop(): Promise<void> {
    await this.reset();
  }

  private async reset(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private async sandbox(): Promise<Worker> {
    if (this.worker) return this.worker;
    this.built ??= this.build();
    await this.built;
    if (this.worker) return this.worker;
    this.environment ??= this.resolveEnvironment();
    const env = await this.environment;
    // Concurrent first invocations all waited above: only the first to get here starts the worker (each used
    // to start its own, and all but the last were never used nor ended).
    if (this.worker) return this.worker;
    this.sandboxesStarted++;
    const worker = new Worker(workerModuleUrl(__dirname, "lambda-worker.mjs"), {
      workerData: { file: this.file, handler: this.spec.handler, largestResponseBytes: LAMBDA_SYNC_PAYLOAD_LIMITS.largestResponseBytes },
      env,
      // The young generation capped at 8 MB (V8 defaults to up to 48 MB, three 16 MB semi-spaces): every warm
      // function is a worker in this one process, and their young generations grown under load were the rest of
      // npm start's RSS growth after local/heap.ts (issue 15). Short-lived garbage still dies there.
      resourceLimits: { maxOldGenerationSizeMb: this.spec.memorySize, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      // Piped to us instead of straight to process.stdout, so the output can go to the log sink.
      stdout: true,
      stderr: true,
    });
    for (const stream of ["stdout", "stderr"] as const) {
      worker[stream].setEncoding("utf8");
      worker[stream].on("data", (text: string) => (this.options.logs ?? defaultHandlerLogSink())({ functionName: this.functionName, stream, text }));
    }
    worker.on("message", (message: { id: string; ok: boolean; json?: string; error?: { errorType: string; errorMessage: string; stack?: string } }) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(JSON.parse(message.json!));
      else waiter.reject(new LambdaInvokeError(this.functionName, message.error!.errorType, message.error!.errorMessage, message.error!.stack));
    });
    worker.on("error", (error) => {
      for (const [id, waiter] of this.pending) {
        this.pending.delete(id);
        waiter.reject(new LambdaInvokeError(this.functionName, "Runtime.ExitError", error.message));
      }
      this.worker = undefined;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private async resolveEnvironment(): Promise<Record<string, string>> {
    const own: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.spec.environment)) {
      const resolved = String(await resolveValue(value));
      own[key] = this.options.localAddresses?.get(resolved) ?? resolved;
    }
    return {
      PATH: process.env.PATH ?? "",
      TZ: "UTC",
      AWS_LAMBDA_FUNCTION_NAME: this.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.spec.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      ...this.options.sharedEnvironment,
      // Lambda sets AWS_REGION to the function's own region (a RegionalApis function in us-west-2 gets us-west-2, and
      // its SDK signs for it), not the stack's: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
      ...(this.options.region ? { AWS_REGION: this.options.region, AWS_DEFAULT_REGION: this.options.region } : {}),
      ...own,
      ...(this.options.credentials ? { AWS_ACCESS_KEY_ID: this.options.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: this.options.credentials.secretAccessKey } : {}),
    };
  }
}
