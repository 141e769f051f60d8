/**
 * Handler logs (and the components' Pulumi warnings) stay out of the test output unless a test fails. What local Lambda sandboxes
 * write (console, Powertools Logger JSON) is buffered from the end of one test to the end of
 * the next (so a first test also gets its beforeAll's output) and printed with a failing
 * test's report; a passing test drops it. `npm start` is unaffected: it prints to the terminal.
 *
 * Handlers a test calls in-process (not in a sandbox) log through Powertools Logger, which writes
 * to the process's stdout through a Console of its own, past vitest's capture of `console`: such
 * records (what local/terminal-logs.ts powertoolsRecord recognises, as `npm start`'s terminal does) join the same buffer. Every
 * other write goes through as before: Node's warnings, and `console` when vitest does not capture it.
 */
import { beforeEach } from "vitest";
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

beforeEach(({ onTestFinished }) => {
  onTestFinished(({ task }) => {
    const chunks = buffered;
    buffered = [];
    if (task.result?.state !== "fail" || chunks.length === 0) return;
    const lines = chunks.flatMap(({ functionName, stream, text }) =>
      text.replace(/\n$/, "").split("\n").map((line) => `${functionName}${stream === "stderr" ? " (stderr)" : ""} | ${line}`),
    );
    console.error(`Handler logs and Pulumi warnings up to this failure:\n${lines.join("\n")}`);
  });
});
