import { createTerminalLogSink } from "./terminal-logs";

/**
 * Where local Lambda sandboxes send their output (console, Powertools Logger JSON). A module of
 * its own, loading neither the Lambda runtime nor, through it, the Pulumi SDK, so the test setup
 * (tests/setup/handler-logs.ts) can install its buffer in every test file cheaply.
 */

/** One chunk of a handler's output, as its sandbox wrote it (not necessarily whole lines). */
export interface HandlerLogChunk {
  functionName: string;
  stream: "stdout" | "stderr";
  text: string;
}

export type HandlerLogSink = (chunk: HandlerLogChunk) => void;

/** Handler output to this process's stdout/stderr, as `npm start` shows it: one line per Powertools record, errors whole (local/terminal-logs.ts). */
export const terminalLogSink: HandlerLogSink = createTerminalLogSink();

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
