/**
 * Where local Lambda sandboxes send their output (console, Powertools Logger JSON). A module of
 * its own, importing nothing, so the test setup (tests/setup/handler-logs.ts) can install its
 * buffer in every test file without loading the Lambda runtime and, through it, the Pulumi SDK.
 */

/** One chunk of a handler's output, as its sandbox wrote it (not necessarily whole lines). */
export interface HandlerLogChunk {
  functionName: string;
  stream: "stdout" | "stderr";
  text: string;
}

export type HandlerLogSink = (chunk: HandlerLogChunk) => void;

/** Handler output straight to this process's stdout/stderr, as `npm start` shows it. */
export const terminalLogSink: HandlerLogSink = ({ stream, text }) => void (stream === "stderr" ? process.stderr : process.stdout).write(text);

let defaultLogSink: HandlerLogSink = terminalLogSink;

/**
 * Sets where handler output goes for every LocalLambda given no `logs` option (the process-wide
 * default, as the terminal is; looked up per chunk, so it applies to sandboxes already running).
 * The test suite installs a buffer here (tests/setup/handler-logs.ts); undefined restores the
 * terminal. Returns the sink it replaced.
 */
export function setDefaultHandlerLogSink(sink: HandlerLogSink | undefined): HandlerLogSink {
  const previous = defaultLogSink;
  defaultLogSink = sink ?? terminalLogSink;
  return previous;
}

/** The sink in force now (LocalLambda looks it up per chunk). */
export function defaultHandlerLogSink(): HandlerLogSink {
  return defaultLogSink;
}
