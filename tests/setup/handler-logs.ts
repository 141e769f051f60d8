/**
 * Handler logs stay out of the test output unless a test fails. What local Lambda sandboxes
 * write (console, Powertools Logger JSON) is buffered from the end of one test to the end of
 * the next (so a first test also gets its beforeAll's output) and printed with a failing
 * test's report; a passing test drops it. `npm start` is unaffected: it prints to the terminal.
 */
import { beforeEach } from "vitest";
import { setDefaultHandlerLogSink, type HandlerLogChunk } from "../../local/handler-log-sink";

let buffered: HandlerLogChunk[] = [];
setDefaultHandlerLogSink((chunk) => void buffered.push(chunk));

beforeEach(({ onTestFinished }) => {
  onTestFinished(({ task }) => {
    const chunks = buffered;
    buffered = [];
    if (task.result?.state !== "fail" || chunks.length === 0) return;
    const lines = chunks.flatMap(({ functionName, stream, text }) =>
      text.replace(/\n$/, "").split("\n").map((line) => `${functionName}${stream === "stderr" ? " (stderr)" : ""} | ${line}`),
    );
    console.error(`Handler logs up to this failure:\n${lines.join("\n")}`);
  });
});
