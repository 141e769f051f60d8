import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it, vi } from "vitest";
import { terminalLogSink } from "../../local/lambda-runtime";
import { batchedWrites, createTerminalLogSink, formatRecord, powertoolsRecord } from "../../local/terminal-logs";

/** What Powertools Logger writes for `logger.info("request", {...})` under POWERTOOLS_DEV: ≈17 lines. */
const PRETTY_INFO = `${JSON.stringify(
  {
    level: "INFO",
    message: "request",
    timestamp: "2026-12-02T04:01:41.356Z",
    service: "gallery-api",
    cold_start: false,
    function_arn: "arn:aws:lambda:us-east-1:123456789012:function:api-get-albums",
    function_memory_size: "512",
    function_name: "api-get-albums",
    function_request_id: "b3c99b73-868a-40ed-b368-dd05ccf2b43d",
    sampling_rate: 0,
    route: "listAlbums",
    statusCode: 200,
    method: "GET",
    path: "/api/albums",
  },
  null,
  4,
)}\n`;

const PRETTY_ERROR = `${JSON.stringify({ level: "ERROR", message: "unhandled error", timestamp: "t", service: "gallery-api", error: { name: "Error", message: "boom", stack: ["Error: boom", "    at x (file.js:1:1)"] } }, null, 4)}\n`;

function collect() {
  const written: Array<{ stream: string; text: string }> = [];
  const sink = createTerminalLogSink((stream, text) => void written.push({ stream, text }));
  return { written, sink, text: () => written.map((w) => w.text).join("") };
}

describe("the terminal's handler log sink (npm start)", () => {
  it("prints a pretty-printed Powertools record as one line: function, level, message and the handler's own keys", () => {
    const { sink, text } = collect();
    sink({ functionName: "api-get-albums", stream: "stdout", text: PRETTY_INFO });
    expect(PRETTY_INFO.split("\n").length).toBeGreaterThan(15);
    expect(text()).toBe('api-get-albums INFO request {"route":"listAlbums","statusCode":200,"method":"GET","path":"/api/albums"}\n');
  });

  it("is what npm start's terminal gets: one line for a request's record, not ≈17 (issue 15)", async () => {
    const written = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      terminalLogSink({ functionName: "api-get-albums", stream: "stdout", text: PRETTY_INFO });
      await new Promise((resolve) => setImmediate(resolve));
      const lines = written.mock.calls.map(([text]) => String(text)).join("").split("\n").filter(Boolean);
      expect(lines).toEqual(['api-get-albums INFO request {"route":"listAlbums","statusCode":200,"method":"GET","path":"/api/albums"}']);
    } finally {
      written.mockRestore();
    }
  });

  it("recognises each write of Powertools Logger as a record, and Node's own warnings as none (tests/setup/handler-logs.ts holds back only records)", () => {
    // Powertools writes INFO to stdout and WARN to stderr, through a Console of its own.
    const streams = [vi.spyOn(process.stdout, "write").mockImplementation(() => true), vi.spyOn(process.stderr, "write").mockImplementation(() => true)];
    try {
      const logger = new Logger({ serviceName: "gallery" });
      logger.info("export started", { table: "gallery" });
      logger.warn("slow", { ms: 1200 });
      const writes = streams.flatMap((stream) => stream.mock.calls.map(([text]) => String(text)));
      expect(writes).toHaveLength(2);
      for (const text of writes) expect(powertoolsRecord(text), text).toMatchObject({ level: expect.any(String), message: expect.any(String) });
    } finally {
      for (const stream of streams) stream.mockRestore();
    }
    expect(powertoolsRecord("(node:1) MaxListenersExceededWarning: Possible EventEmitter memory leak detected.\n")).toBeUndefined();
    expect(powertoolsRecord('{"message":"no level"}\n')).toBeUndefined();
  });

  it("prints errors whole, stack included", () => {
    const { sink, text } = collect();
    sink({ functionName: "api-get-albums", stream: "stdout", text: PRETTY_ERROR });
    expect(text()).toBe(`api-get-albums ERROR\n${PRETTY_ERROR}`);
    expect(text()).toContain("at x (file.js:1:1)");
  });

  it("passes through what is not a Powertools record, and compact records become one line too", () => {
    const { sink, text } = collect();
    sink({ functionName: "fn", stream: "stdout", text: "plain console.log line\n{ a: 1 }\n" });
    sink({ functionName: "fn", stream: "stdout", text: `${JSON.stringify({ a: 1 }, null, 2)}\n` });
    sink({ functionName: "fn", stream: "stdout", text: '{"level":"WARN","message":"slow","ms":12}\n' });
    sink({ functionName: "fn", stream: "stderr", text: "progress without a newline" });
    expect(text()).toBe('plain console.log line\n{ a: 1 }\n{\n  "a": 1\n}\nfn WARN slow {"ms":12}\nprogress without a newline');
  });

  it("holds a record split across chunks until it is complete, per function and stream", () => {
    const { sink, written } = collect();
    const half = PRETTY_INFO.length >> 1;
    sink({ functionName: "api-get-albums", stream: "stdout", text: PRETTY_INFO.slice(0, half) });
    sink({ functionName: "other", stream: "stdout", text: "interleaved\n" });
    expect(written.map((w) => w.text)).toEqual(["interleaved\n"]);
    sink({ functionName: "api-get-albums", stream: "stdout", text: PRETTY_INFO.slice(half) + PRETTY_INFO });
    expect(written.slice(1).map((w) => w.text).join("").split("\n").filter(Boolean)).toHaveLength(2);
  });

  it("writes stdout once per turn of the event loop, stderr at once", async () => {
    const written: string[] = [];
    const write = batchedWrites({ stdout: { write: (text: string) => written.push(`out:${text}`) }, stderr: { write: (text: string) => written.push(`err:${text}`) } });
    write("stdout", "a\n");
    write("stdout", "b\n");
    write("stderr", "boom\n");
    expect(written).toEqual(["err:boom\n"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual(["err:boom\n", "out:a\nb\n"]);
  });

  it("formatRecord leaves non-records alone", () => {
    expect(formatRecord("fn", "not json")).toBeUndefined();
    expect(formatRecord("fn", '{"message":"no level"}')).toBeUndefined();
    expect(formatRecord("fn", "[1,2]")).toBeUndefined();
  });
});
