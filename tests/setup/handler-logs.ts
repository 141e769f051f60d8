/**
 * Handler logs (and the components' Pulumi warnings) stay out of the test output unless a test or a hook fails. What local
 * Lambda sandboxes write (console, Powertools Logger JSON) is buffered from the end of one test to the end of
 * the next (so a first test also gets its beforeAll's output) and printed with a failing
 * test's report; a passing test drops its own. An afterEach hook's output is the test's (vitest runs afterEach before
 * onTestFinished, and a failing afterEach fails the test). What a beforeAll or afterAll hook writes lies between two
 * tests (or before the first, after the last): it is printed with the next test when that one fails, and at the end of
 * the file when one of the hooks that ran there failed, since a failing hook of a `describe` may be followed by passing
 * tests only, and after the file's last test none follows. `npm start` is unaffected: it prints to the terminal.
 *
 * Handlers a test calls in-process (not in a sandbox) log through Powertools Logger, which writes
 * to the process's stdout through a Console of its own, past vitest's capture of `console`: such
 * records (what local/terminal-logs.ts powertoolsRecord recognises, as `npm start`'s terminal does) join the same buffer. Every
 * other write goes through as before: Node's warnings, and `console` when vitest does not capture it.
 */
import { aroundAll, beforeEach, type RunnerTestCase, type RunnerTestFile, type RunnerTestSuite } from "vitest";
import { setDefaultHandlerLogSink, type HandlerLogChunk, type HandlerLogSink } from "../../local/handler-log-sink";
import { powertoolsRecord } from "../../local/terminal-logs";

let buffered: HandlerLogChunk[] = [];
const bufferChunk: HandlerLogSink = (chunk) => void buffered.push(chunk);
setDefaultHandlerLogSink(bufferChunk);

// A shared worker evaluates this file once per test file: the streams are wrapped once, and write to the newest buffer.
const CURRENT_SINK = Symbol.for("serverless-fullstack.tests.process-output-sink");
const holder = globalThis as { [CURRENT_SINK]?: HandlerLogSink };
if (!holder[CURRENT_SINK]) {
  for (const stream of ["stdout", "stderr"] as const) {
    const write = process[stream].write.bind(process[stream]) as (...args: unknown[]) => boolean;
    process[stream].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      // Only a JSON object can be a record: anything else goes straight through, unparsed.
      if (!text.startsWith("{") || !powertoolsRecord(text)) return write(chunk, ...rest);
      holder[CURRENT_SINK]!({ functionName: "in-process", stream, text });
      const callback = rest.find((arg): arg is (error?: Error | null) => void => typeof arg === "function");
      if (callback) queueMicrotask(() => callback());
      return true;
    }) as typeof process.stdout.write;
  }
}
holder[CURRENT_SINK] = bufferChunk;

// Pulumi's log.warn without an engine (the mocks) writes `warning: [runtime] …` with console.warn: a component's
// warnings join the same buffer (the fuzz files alone print over a hundred for the arguments they draw). A test that
// checks warnings spies on pulumi.log.warn, or on console.warn over this.
const PULUMI_WARNING = "warning: [runtime] ";
const WRAPPED_WARN = Symbol.for("serverless-fullstack.tests.console-warn");
const consoleHolder = console as Console & { [WRAPPED_WARN]?: true };
if (!consoleHolder[WRAPPED_WARN]) {
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith(PULUMI_WARNING)) return holder[CURRENT_SINK]!({ functionName: "pulumi", stream: "stderr", text: args.map(String).join(" ") });
    warn(...args);
  };
  consoleHolder[WRAPPED_WARN] = true;
}

/** What was written between two tests' runs (beforeAll and afterAll hooks): `after` the one, `before` the other. */
interface Gap {
  chunks: HandlerLogChunk[];
  after?: RunnerTestCase;
  before?: RunnerTestCase;
  /** The suites that failed during it (a beforeAll or afterAll hook, mostly), named. */
  failed: string[];
}

/** The gaps not printed with a failing test, kept for the end of the file: only those that hold something. */
const gaps: Gap[] = [];
let lastTest: RunnerTestCase | undefined;
/** Suites already found failed. */
const failedSuites = new Set<RunnerTestSuite | RunnerTestFile>();

/**
 * Ends the gap before `before` (or after the last test): its output, and the suites that failed during it. A failed
 * beforeAll or afterAll leaves an error on its suite (a test's failure is the test's), as do a describe without tests
 * and a failed aroundAll, and the suites found so at a gap's end but not at the previous one's failed during it: the
 * hooks between two tests all run in that gap, before the next test's first beforeEach. A describe is named by its path
 * from the file, as nested ones of one name may sit in different parents.
 */
function closeGap(file: RunnerTestFile, before: RunnerTestCase | undefined): Gap {
  const failed: string[] = [];
  const visit = (suite: RunnerTestSuite | RunnerTestFile, path: string[]) => {
    if (suite.result?.errors?.length && !failedSuites.has(suite)) {
      failedSuites.add(suite);
      failed.push(suite === file ? "the file" : `describe "${path.join(" > ")}"`);
    }
    for (const child of suite.tasks) if (child.type === "suite") visit(child, [...path, child.name]);
  };
  visit(file, []);
  const gap = { chunks: buffered, after: lastTest, before, failed };
  buffered = [];
  return gap;
}

function print(heading: string, chunks: HandlerLogChunk[]): void {
  const lines = chunks.flatMap(({ functionName, stream, text }) =>
    text.replace(/\n$/, "").split("\n").map((line) => `${functionName}${stream === "stderr" ? " (stderr)" : ""} | ${line}`),
  );
  console.error(`${heading}:\n${lines.join("\n")}`);
}

// The file's setup hooks come first: this beforeEach runs before every other hook of a test, so what the buffer holds
// then is the gap's.
beforeEach(({ task, onTestFinished }) => {
  const gap = closeGap(task.file, task);
  onTestFinished(() => {
    const chunks = buffered;
    buffered = [];
    lastTest = task;
    if (task.result?.state === "fail" && gap.chunks.length + chunks.length > 0) print("Handler logs and Pulumi warnings up to this failure", [...gap.chunks, ...chunks]);
    else if (gap.chunks.length > 0 && gap.failed.length > 0) gaps.push(gap);
  });
});

// Outermost around the file's suite: after it, every hook has run and a failing one is in its suite's errors (vitest
// reports it, and carries on), including the file's own afterAll hooks, which an afterAll registered here would not
// outlive (the first to throw ends the file's afterAll hooks). The fixtures argument, unused, must be destructured
// (vitest parses it).
aroundAll(async (runSuite, {}, file) => {
  await runSuite();
  const last = closeGap(file as RunnerTestFile, undefined);
  if (last.chunks.length > 0 && last.failed.length > 0) gaps.push(last);
  for (const gap of gaps.splice(0)) print(`Handler logs and Pulumi warnings ${where(gap)}, where ${gap.failed.join(" and ")} failed`, gap.chunks);
});

function where({ after, before }: Gap): string {
  if (after && before) return `between test "${after.name}" and test "${before.name}"`;
  if (after) return `after the last test, "${after.name}"`;
  if (before) return `before the first test, "${before.name}"`;
  return "of a file whose tests did not run";
}
