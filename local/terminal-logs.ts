/**
 * Handler output as `npm start` prints it: what a developer reads, one line per log record.
 *
 * Under `npm start` (POWERTOOLS_DEV) Powertools Logger pretty-prints every record over ≈17 lines, most
 * of them the Lambda context it adds to each (function ARN, memory size, request id, cold start,
 * sampling rate...). Printed as is, a load run of the local API wrote ≈17 lines per request through
 * the terminal's pipe: 2.3 million lines in the memory bench, and CPU on the path every request
 * takes (issue 15). Here each Powertools record becomes one line — the function, the level, the
 * message and the keys the handler added — and a record at ERROR or above is printed whole (its
 * stack included). Everything else a handler writes (console.log, partial lines, anything that is
 * not a Powertools record) passes through unchanged. The handler's own output is not changed: the
 * test suite's sink, and `logs` sinks, still get it as the sandbox wrote it.
 */
import type { HandlerLogChunk, HandlerLogSink } from "./handler-log-sink";

/** Keys Powertools Logger adds to every record (the Lambda context, the service): left out of the one-line form. */
const CONTEXT_KEYS = new Set([
  "level",
  "message",
  "timestamp",
  "service",
  "cold_start",
  "function_arn",
  "function_memory_size",
  "function_name",
  "function_request_id",
  "sampling_rate",
  "xray_trace_id",
]);

/** Levels printed whole: Powertools Logger's ERROR and CRITICAL (its LogLevel constants: TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT). */
const FULL_LEVELS = new Set(["ERROR", "CRITICAL"]);

/** A pretty-printed record longer than this without its closing brace is not one: it is printed as it came. */
const MAX_RECORD_CHARS = 256 * 1024;

type Write = (stream: HandlerLogChunk["stream"], text: string) => void;

/**
 * Writes to this process's stdout what arrives in one turn of the event loop in one write: under load many
 * sandboxes log in the same turn, and each write to a pipe is a system call that wakes its reader. stderr
 * (where Powertools and console.error write errors) is written at once, so an error is never held back
 * from a process about to exit.
 */
export function batchedWrites(streams: Record<HandlerLogChunk["stream"], { write(text: string): unknown }> = process): Write {
  let pending = "";
  const flush = () => {
    const text = pending;
    pending = "";
    streams.stdout.write(text);
  };
  return (stream, text) => {
    if (stream === "stderr") {
      streams.stderr.write(text);
      return;
    }
    if (pending === "") setImmediate(flush);
    pending += text;
  };
}

/** The Powertools Logger record `text` holds (a JSON object with a string `level` and a `message`), or undefined. */
export function powertoolsRecord(text: string): Record<string, unknown> | undefined {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!record || typeof record !== "object" || Array.isArray(record)) return undefined;
  const { level } = record as { level?: unknown };
  return typeof level === "string" && "message" in record ? (record as Record<string, unknown>) : undefined;
}

/** The record's one-line form, or its whole text at ERROR and above; undefined when `text` is not a Powertools record. */
export function formatRecord(functionName: string, text: string): string | undefined {
  const record = powertoolsRecord(text);
  if (!record) return undefined;
  const { level, message } = record as { level: string; message: unknown };
  if (FULL_LEVELS.has(level)) return `${functionName} ${level}\n${text.trimEnd()}\n`;
  const rest: Record<string, unknown> = {};
  let extra = false;
  for (const [key, value] of Object.entries(record)) {
    if (CONTEXT_KEYS.has(key)) continue;
    rest[key] = value;
    extra = true;
  }
  return `${functionName} ${level} ${typeof message === "string" ? message : JSON.stringify(message)}${extra ? ` ${JSON.stringify(rest)}` : ""}\n`;
}

/**
 * A sink that writes each complete Powertools record as formatRecord has it and everything else as it
 * came. A record split over several chunks (a pretty-printed one is `{` … `}` on lines of their own)
 * is held, per function and stream, until its closing line arrives.
 */
export function createTerminalLogSink(write: Write = batchedWrites()): HandlerLogSink {
  const held = new Map<string, string>();
  return ({ functionName, stream, text }) => {
    const key = `${stream}\u0000${functionName}`;
    let pending = (held.get(key) ?? "") + text;
    held.delete(key);
    let out = "";
    while (pending !== "") {
      if (pending[0] !== "{") {
        // Not a record: up to the next line that opens one, as it came (partial lines too).
        const next = pending.indexOf("\n{");
        const cut = next === -1 ? pending.length : next + 1;
        out += pending.slice(0, cut);
        pending = pending.slice(cut);
        continue;
      }
      // One-line (compact) record, or a pretty-printed one ending with a `}` line.
      const newline = pending.indexOf("\n");
      if (newline === -1) break;
      let end = newline + 1;
      if (pending.slice(0, newline).trimEnd() === "{") {
        const close = pending.indexOf("\n}\n", newline - 1);
        if (close === -1) break;
        end = close + 3;
      }
      out += formatRecord(functionName, pending.slice(0, end)) ?? pending.slice(0, end);
      pending = pending.slice(end);
    }
    if (pending !== "") {
      if (pending.length > MAX_RECORD_CHARS) out += pending;
      else held.set(key, pending);
    }
    if (out !== "") write(stream, out);
  };
}
