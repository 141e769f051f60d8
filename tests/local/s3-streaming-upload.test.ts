/**
 * Uploads stream into the store as they arrive (a PUT may be 5 GiB): the file store writes a temporary file as the
 * bytes come and renames it over the object only once the whole body passed every check, so a body never sits whole in
 * memory, and one that fails part-way — the client gone, a checksum that does not match at its end, a conditional
 * write that no longer holds — leaves the previous object serving and no temporary file.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readlinkSync, renameSync } from "node:fs";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { Agent, request, type ClientRequest, type IncomingMessage, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { S3Error } from "../../local/s3-auth";
import { decodeAwsChunked, FileObjectStore, startLocalS3, type LocalS3, type NewObject } from "../../local/s3-server";
import { signS3 } from "../harness/s3-local";
import { WatchedStore } from "./s3-watched-store";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const meta = (key: string): NewObject => ({ key, contentType: "text/plain", metadata: {}, lastModified: new Date() });
const temporaryFiles = (root: string, bucket: string) => readdirSync(join(root, ".objects", bucket)).filter((name) => name.endsWith(".tmp"));

/** What the server answers a request whose body the test is still sending: status and body text. */
function answerOf(req: ClientRequest): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    req.on("response", (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () => resolve({ status: res.statusCode!, text: Buffer.concat(parts).toString() }));
    });
    req.on("error", reject);
  });
}

async function* chunks(...parts: Array<string | Error>): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if (part instanceof Error) throw part;
    yield Buffer.from(part);
  }
}

describe("FileObjectStore.putStream", () => {
  it("writes the body as it comes, with its MD5 ETag and size, readable by the next store on the folder", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const written = await new FileObjectStore(root).putStream("b", meta("k"), chunks("hel", "lo ", "wörld\n", ""));
    const body = Buffer.from("hello wörld\n");
    expect(written).toMatchObject({ key: "k", size: body.length, etag: `"${createHash("md5").update(body).digest("hex")}"` });
    const again = new FileObjectStore(root);
    expect(again.get("b", "k")?.body).toEqual(body);
    expect(again.head("b", "k")).toMatchObject({ size: body.length, etag: written.etag });
    expect(again.list("b", "")).toHaveLength(1);
    await new FileObjectStore(root).putStream("b", meta("empty"), chunks());
    expect(new FileObjectStore(root).get("b", "empty")?.body).toEqual(Buffer.alloc(0));
  });

  it("leaves the previous object and no temporary file when the body fails part-way or the commit is refused", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new FileObjectStore(root);
    await store.putStream("b", meta("k"), chunks("before"));
    await expect(store.putStream("b", meta("k"), chunks("after, part", new Error("client gone")))).rejects.toThrow("client gone");
    expect(store.get("b", "k")?.body.toString()).toBe("before");
    expect(temporaryFiles(root, "b")).toEqual([]);
    const refused = new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    await expect(store.putStream("b", meta("k"), chunks("after"), () => { throw refused; })).rejects.toBe(refused);
    expect(store.get("b", "k")?.body.toString()).toBe("before");
    expect(temporaryFiles(root, "b")).toEqual([]);
  });
});

describe("decodeAwsChunked (streaming)", () => {
  const body = "5;chunk-signature=ab\r\nhello\r\n7\r\n wörld\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  async function* arriving(pieces: Buffer[]): AsyncGenerator<Buffer> {
    yield* pieces;
  }
  const decode = async (pieces: Buffer[]) => {
    const trailers: Record<string, string> = {};
    const out: Buffer[] = [];
    for await (const data of decodeAwsChunked(arriving(pieces), trailers)) out.push(data);
    return { body: Buffer.concat(out).toString("utf8"), trailers };
  };

  it("decodes the same however the bytes are split, and passes data on before the body ends", async () => {
    const raw = Buffer.from(body, "utf8");
    for (let cut = 0; cut <= raw.length; cut++) {
      expect(await decode([raw.subarray(0, cut), raw.subarray(cut)]), `cut at ${cut}`).toEqual({ body: "hello wörld", trailers: { "x-amz-checksum-crc32": "AAAAAA==" } });
    }
    const bytes = [...raw].map((byte) => Buffer.from([byte]));
    expect(await decode(bytes)).toEqual({ body: "hello wörld", trailers: { "x-amz-checksum-crc32": "AAAAAA==" } });
    // The first chunk's data comes out before the rest of the body has arrived.
    const first = await decodeAwsChunked(arriving([Buffer.from("5\r\nhello\r\n")]), {}).next();
    expect(first.value?.toString()).toBe("hello");
  });

  it("answers a body cut short or not aws-chunked 400 IncompleteBody", async () => {
    // A chunk's data not followed by CRLF (more data than its size says, or less) does not parse either.
    for (const raw of ["5\r\nhel", "5\r\nhello\r\n", "zz\r\nhello\r\n0\r\n\r\n", "5", "x".repeat(5000), "5\r\nhelloXX0\r\n\r\n", "5\r\nhello!\r\n0\r\n\r\n", "5\r\nhello\n0\r\n\r\n"]) {
      await expect(decode([Buffer.from(raw)]), JSON.stringify(raw.slice(0, 20))).rejects.toMatchObject({ status: 400, code: "IncompleteBody" });
    }
  });
});

/**
 * The HTTP server that accepts the next connection, given to `onAccept` as it accepts it, before any of the connection's
 * bytes are read (Node's "net.server.socket" diagnostics channel: https://nodejs.org/api/diagnostics_channel.html#net).
 */
function serverOfNextConnection(onAccept: (server: Server) => void = () => {}): Promise<Server> {
  return new Promise((resolve) => {
    const accepted = (message: unknown) => {
      unsubscribe("net.server.socket", accepted);
      const { server } = (message as { socket: Socket & { server: Server } }).socket;
      onAccept(server);
      resolve(server);
    };
    subscribe("net.server.socket", accepted);
  });
}

/** A file store whose streaming writes take no byte of their source until the test calls `release` (a slow disk). */
class HeldStore extends FileObjectStore {
  private entered!: () => void;
  /** Resolves once a streaming write has begun and is holding. */
  readonly holding = new Promise<void>((resolve) => (this.entered = resolve));
  release!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));
  override putStream(...[bucket, object, source, beforeCommit]: Parameters<FileObjectStore["putStream"]>): ReturnType<FileObjectStore["putStream"]> {
    const { entered, released } = this;
    async function* held(): AsyncGenerator<Uint8Array> {
      entered();
      await released;
      yield* source;
    }
    return super.putStream(bucket, object, held(), beforeCommit);
  }
}

/** An idle clock (LocalS3Options.idleClock) the test runs: `tick` makes each running timer's check once, in no time. */
class TestClock {
  private readonly timers = new Map<() => void, number>();
  readonly every = (ms: number, check: () => void): (() => void) => {
    this.timers.set(check, ms);
    return () => void this.timers.delete(check);
  };
  /** The periods of the timers running. */
  get periods(): number[] {
    return [...this.timers.values()];
  }
  tick(times = 1): void {
    for (let i = 0; i < times; i++) for (const check of [...this.timers.keys()]) check();
  }
}

describe("local S3 server: PutObject streams its body to the file store", () => {
  let server: LocalS3 | undefined;
  afterEach(() => server?.close());
  const half = 256 * 1024;
  const whole = Buffer.alloc(2 * half, "ab");

  /** A signed PUT whose first half is sent, and the rest left to the test: what the server answers, and the request. */
  async function startPut(endpoint: string, path: string, headers: Record<string, string>, first: Buffer, length: number): Promise<{ req: ClientRequest; answer: Promise<{ status: number; text: string }> }> {
    const url = new URL(path, endpoint);
    const signed = await signS3("PUT", url, { "content-length": String(length), ...headers });
    const req = request(url, { method: "PUT", headers: signed });
    const answer = answerOf(req);
    req.write(first);
    return { req, answer };
  }

  it("stores bytes before the body has all arrived (never holding it whole), then serves the whole object", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new WatchedStore(root);
    server = await startLocalS3({ store, buckets: ["b"] });
    const { req, answer } = await startPut(server.endpoint, "/b/big", { "x-amz-content-sha256": sha256(whole) }, whole.subarray(0, half), whole.length);
    await store.firstBytes;
    // The store has part of the body while the client has not sent the rest.
    expect(store.received).toBeGreaterThan(0);
    expect(store.received).toBeLessThanOrEqual(half);
    req.end(whole.subarray(half));
    expect((await answer).status).toBe(200);
    expect(store.get("b", "big")?.body.equals(whole)).toBe(true);
    expect(temporaryFiles(root, "b")).toEqual([]);
  });

  it("streams an aws-chunked body too, decoded as it comes, checked against its trailing checksum", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new WatchedStore(root);
    server = await startLocalS3({ store, buckets: ["b"] });
    const { Crc32 } = await import("@aws-sdk/checksums/crc");
    const crc = new Crc32();
    crc.update(whole);
    const checksum = Buffer.from(await crc.digest()).toString("base64");
    const head = Buffer.from(`${half.toString(16)}\r\n`);
    const rest = Buffer.concat([whole.subarray(half), Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${checksum}\r\n\r\n`)]);
    const first = Buffer.concat([head, whole.subarray(0, half), Buffer.from(`\r\n${half.toString(16)}\r\n`)]);
    const headers = { "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(whole.length), "x-amz-trailer": "x-amz-checksum-crc32" };
    const { req, answer } = await startPut(server.endpoint, "/b/chunked", headers, first, first.length + rest.length);
    await store.firstBytes;
    expect(store.received).toBeLessThanOrEqual(half);
    req.end(rest);
    expect((await answer).status).toBe(200);
    expect(store.get("b", "chunked")?.body.equals(whole)).toBe(true);
  });

  it("keeps the previous object and no temporary file when the checksum at the body's end does not match (400 BadDigest)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new WatchedStore(root);
    server = await startLocalS3({ store, buckets: ["b"] });
    await store.putStream("b", meta("k"), chunks("previous"));
    const md5 = createHash("md5").update("something else").digest("base64");
    const { req, answer } = await startPut(server.endpoint, "/b/k", { "x-amz-content-sha256": sha256(whole), "content-md5": md5 }, whole.subarray(0, half), whole.length);
    req.end(whole.subarray(half));
    const { status, text } = await answer;
    expect([status, /<Code>(\w+)</.exec(text)?.[1]]).toEqual([400, "BadDigest"]);
    expect(store.get("b", "k")?.body.toString()).toBe("previous");
    expect(temporaryFiles(root, "b")).toEqual([]);
    expect(server.count("PutObject")).toBe(0);
  });

  it("keeps the previous object and no temporary file when the client goes part-way", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new WatchedStore(root);
    server = await startLocalS3({ store, buckets: ["b"] });
    await store.putStream("b", meta("k"), chunks("previous"));
    store.reset();
    const { req, answer } = await startPut(server.endpoint, "/b/k", { "x-amz-content-sha256": sha256(whole) }, whole.subarray(0, half), whole.length);
    answer.catch(() => {}); // the socket is destroyed: no answer comes
    await store.firstBytes;
    req.destroy();
    expect(await store.settled).toBeInstanceOf(Error);
    expect(store.get("b", "k")?.body.toString()).toBe("previous");
    expect(temporaryFiles(root, "b")).toEqual([]);
    // Nor is the temporary file left open (Linux: /proc/self/fd).
    if (process.platform === "linux") {
      const open = readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(root);
        } catch {
          return false;
        }
      });
      expect(open).toEqual([]);
    }
  });

  it("removes the temporary file when a body that stopped arriving times out (400 RequestTimeout, as S3; was 408), not when its client closes the connection", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new WatchedStore(root);
    const clock = new TestClock();
    server = await startLocalS3({ store, buckets: ["b"], idleTimeoutMs: 20_000, idleClock: clock.every });
    await store.putStream("b", meta("k"), chunks("previous"));
    store.reset();
    // A client that sends half its body, then neither the rest nor a close (a Node client closes once answered).
    const url = new URL("/b/k", server.endpoint);
    const signed = await signS3("PUT", url, { "content-length": String(whole.length), "x-amz-content-sha256": sha256(whole) });
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    socket.on("data", (data: Buffer) => received.push(data));
    socket.on("error", () => {});
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.write(`PUT /b/k HTTP/1.1\r\n${Object.entries(signed).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`);
    socket.write(whole.subarray(0, half));
    // All it sent is in the store's temporary file: nothing more is read from the connection.
    await store.reached(half);
    expect(temporaryFiles(root, "b")).toHaveLength(1);
    // Checked a quarter of the timeout at a time: the first check finds the bytes read since the request began, three
    // more without a byte are not yet the timeout (the check still runs), the fourth is (the check stops).
    expect(clock.periods).toEqual([5_000]);
    clock.tick(4);
    expect(clock.periods).toEqual([5_000]);
    clock.tick(1);
    expect(clock.periods).toEqual([]);
    expect(await store.settled).toBeInstanceOf(Error);
    expect(temporaryFiles(root, "b")).toEqual([]);
    expect(store.get("b", "k")?.body.toString()).toBe("previous");
    await closed;
    // S3's answer to a body that stops arriving: 400 RequestTimeout, not 408 (ErrorResponses.html).
    const answer = Buffer.concat(received).toString();
    expect([answer.split("\r\n")[0], /<Code>(\w+)</.exec(answer)?.[1]]).toEqual(["HTTP/1.1 400 Bad Request", "RequestTimeout"]);
    expect(clock.periods).toEqual([]);
  });

  it("takes a slow but steady upload however long it takes: its timeout is an idle one, as S3's (was the whole request's, 300 s)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new WatchedStore(root);
    const clock = new TestClock();
    server = await startLocalS3({ store, buckets: ["b"], idleTimeoutMs: 20_000, idleClock: clock.every });
    const pieces = 16;
    const piece = whole.length / pieces;
    const { req, answer } = await startPut(server.endpoint, "/b/slow", { "x-amz-content-sha256": sha256(whole) }, whole.subarray(0, piece), whole.length);
    // Three checks after each piece is read, none finding a new byte (15 s of the 20; the first piece may have been read
    // with the headers, before the request's first check): the whole body takes 16 times that, 4 minutes.
    for (let at = 1; at <= pieces; at++) {
      await store.reached(at * piece);
      clock.tick(3);
      if (at === pieces) break;
      expect(clock.periods, `after piece ${at}`).toEqual([5_000]);
      req.write(whole.subarray(at * piece, (at + 1) * piece));
    }
    req.end();
    expect((await answer).status).toBe(200);
    expect(store.get("b", "slow")?.body.equals(whole)).toBe(true);
    // Its body all arrived, its check stopped.
    expect(clock.periods).toEqual([]);
  });

  it("does not time out a body the server is not reading (its store slow to take the bytes), however long that takes: the wait is the server's (was 400 RequestTimeout)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new HeldStore(root);
    const clock = new TestClock();
    server = await startLocalS3({ store, buckets: ["b"], idleTimeoutMs: 20_000, idleClock: clock.every });
    const requested = new Promise<IncomingMessage>((resolve) => void serverOfNextConnection((accepting) => accepting.prependOnceListener("request", resolve)));
    const { req, answer } = await startPut(server.endpoint, "/b/held", { "x-amz-content-sha256": sha256(whole) }, Buffer.alloc(0), whole.length);
    req.flushHeaders();
    const incoming = await requested;
    await store.holding;
    // The client sends bytes the store does not take: they wait in the request's buffer, unread by the server.
    req.write(whole.subarray(0, 1000));
    await new Promise((resolve) => incoming.once("readable", resolve));
    clock.tick(8);
    expect(clock.periods).toEqual([5_000]);
    store.release();
    req.end(whole.subarray(1000));
    expect((await answer).status).toBe(200);
    expect(store.get("b", "held")?.body.equals(whole)).toBe(true);
    expect(clock.periods).toEqual([]);
  });

  it("checks an idle timeout longer than Node's longest timer (Infinity, days) at that longest, not every 1 ms (a body timed out after 4 ms)", async () => {
    const periods: number[] = [];
    const setIntervalSpy = vi.spyOn(globalThis, "setInterval").mockImplementation(((check: () => void, ms: number) => {
      periods.push(ms);
      return { unref: () => {} } as unknown as NodeJS.Timeout;
    }) as typeof setInterval);
    try {
      for (const idleTimeoutMs of [Infinity, 100 * 86_400_000]) {
        const s3 = await startLocalS3({ buckets: ["b"], idleTimeoutMs });
        const url = new URL("/b/k", s3.endpoint);
        const { req, answer } = await startPut(s3.endpoint, "/b/k", { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, Buffer.from("x"), 2);
        req.end(Buffer.from("y"));
        expect((await answer).status, String(url)).toBe(200);
        await s3.close();
      }
    } finally {
      setIntervalSpy.mockRestore();
    }
    expect(periods.filter((ms) => ms > 2 ** 31 - 1)).toEqual([]);
    expect(periods.filter((ms) => ms === 2 ** 31 - 1).length).toBeGreaterThanOrEqual(2);
  });

  it("closes, without a second answer, a connection whose body stalls after it was answered (refused on its headers, the rest drained)", async () => {
    const clock = new TestClock();
    server = await startLocalS3({ buckets: ["b"], idleTimeoutMs: 20_000, idleClock: clock.every });
    const url = new URL("/missing/k", server.endpoint);
    const body = Buffer.alloc(1000, "x");
    const signed = await signS3("PUT", url, { "content-length": String(body.length), "x-amz-content-sha256": sha256(body) });
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    const answered = new Promise<void>((resolve) =>
      socket.on("data", (data: Buffer) => {
        received.push(data);
        if (Buffer.concat(received).includes("</Error>")) resolve();
      }),
    );
    socket.on("error", () => {});
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.write(`PUT /missing/k HTTP/1.1\r\n${Object.entries(signed).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`);
    socket.write(body.subarray(0, 10));
    await answered;
    clock.tick(5);
    await closed;
    const text = Buffer.concat(received).toString();
    expect([text.match(/HTTP\/1\.1 /g)?.length, /<Code>(\w+)</.exec(text)?.[1]]).toEqual([1, "NoSuchBucket"]);
  });

  it("starts no idle timer for a request without a body (a GET), one for a PUT's", async () => {
    const started: number[] = [];
    const clock = new TestClock();
    server = await startLocalS3({ buckets: ["b"], idleTimeoutMs: 20_000, idleClock: (ms, check) => (started.push(ms), clock.every(ms, check)) });
    const url = new URL("/b/k", server.endpoint);
    const body = Buffer.from("x");
    expect((await fetch(url, { method: "PUT", body, headers: await signS3("PUT", url, { "x-amz-content-sha256": sha256(body) }) })).status).toBe(200);
    expect(started.length).toBe(1);
    expect((await fetch(url, { headers: await signS3("GET", url, { "x-amz-content-sha256": sha256(Buffer.alloc(0)) }) })).status).toBe(200);
    expect(started.length).toBe(1);
  });

  it("keeps a headers timeout, 60 s or the idle timeout if shorter, also when bodies may idle for any time (idleTimeoutMs: 0); no whole-request timeout", async () => {
    for (const [idleTimeoutMs, timeouts] of [[undefined, [0, 20_000]], [0, [0, 60_000]], [50, [0, 50]]] as const) {
      const s3 = await startLocalS3({ idleTimeoutMs });
      const accepted = serverOfNextConnection();
      const socket = connect(Number(new URL(s3.endpoint).port), "127.0.0.1");
      const { requestTimeout, headersTimeout } = await accepted;
      socket.destroy();
      await s3.close();
      expect([requestTimeout, headersTimeout], `idleTimeoutMs ${idleTimeoutMs}`).toEqual(timeouts);
    }
  });

  it("decides a conditional write (If-None-Match: *) once the body is in, just before the object replaces the previous one", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new WatchedStore(root);
    const events: string[] = [];
    server = await startLocalS3({ store, buckets: ["b"], onObjectEvent: (event) => events.push(`${event.eventName} ${event.key} ${event.size}`) });
    const { req, answer } = await startPut(server.endpoint, "/b/new", { "x-amz-content-sha256": sha256(whole), "if-none-match": "*" }, whole.subarray(0, half), whole.length);
    await store.firstBytes;
    // Another writer creates the key while this body is still arriving.
    await store.putStream("b", meta("new"), chunks("first writer"));
    req.end(whole.subarray(half));
    const { status, text } = await answer;
    expect([status, /<Code>(\w+)</.exec(text)?.[1]]).toEqual([412, "PreconditionFailed"]);
    expect(store.get("b", "new")?.body.toString()).toBe("first writer");
    expect(temporaryFiles(root, "b")).toEqual([]);
    expect(events).toEqual([]);
    // Without the condition the same upload replaces it, and is told as ObjectCreated:Put with its size.
    const put = await startPut(server.endpoint, "/b/new", { "x-amz-content-sha256": sha256(whole) }, whole.subarray(0, half), whole.length);
    put.req.end(whole.subarray(half));
    expect((await put.answer).status).toBe(200);
    expect(events).toEqual([`ObjectCreated:Put new ${whole.length}`]);
  });
});

describe("local S3 server: a body refused part-way is answered, not cut off", () => {
  it("answers 400 IncompleteBody to an aws-chunked body that stops parsing part-way, or brings more than it declared", async () => {
    const server = await startLocalS3({ buckets: ["b"] });
    try {
      const url = new URL("/b/bad", server.endpoint);
      const put = async (body: string, declared: number) => {
        const { host: _host, ...sent } = await signS3("PUT", url, { "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(declared) });
        const response = await fetch(url, { method: "PUT", headers: sent, body });
        return [response.status, /<Code>(\w+)</.exec(await response.text())?.[1]];
      };
      // Refused at its second size line, with megabytes still to come.
      expect(await put(`5\r\nhello\r\nzz\r\n${"x".repeat(5_000_000)}\r\n0\r\n\r\n`, 5_000_005)).toEqual([400, "IncompleteBody"]);
      // Refused once past the 5 bytes it declared, not stored to its end.
      expect(await put(`${(3_000_000).toString(16)}\r\n${"y".repeat(3_000_000)}\r\n0\r\n\r\n`, 5)).toEqual([400, "IncompleteBody"]);
      expect(server.store.get("b", "bad")).toBeUndefined();
      // The connection stays usable after such an answer (the rest of the body drained, as a body read whole was).
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const send = async (path: string, body: string, headers: Record<string, string>) => {
        const target = new URL(path, server.endpoint);
        const req = request(target, { method: "PUT", agent, headers: await signS3("PUT", target, { "x-amz-content-sha256": sha256(Buffer.from(body)), ...headers }) });
        const answer = new Promise<number>((resolve, reject) => {
          req.on("response", (res: IncomingMessage) => res.resume().on("end", () => resolve(res.statusCode!)));
          req.on("error", reject);
        });
        req.end(body);
        return { status: await answer, reused: req.reusedSocket };
      };
      const bad = `5\r\nhello\r\nzz\r\n${"x".repeat(2_000_000)}\r\n0\r\n\r\n`;
      const chunkedHeaders = { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "2000005", "content-length": String(bad.length) };
      expect(await send("/b/bad", bad, { ...chunkedHeaders, "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER" })).toMatchObject({ status: 400 });
      expect(await send("/b/next", "next", { "content-length": "4" })).toEqual({ status: 200, reused: true });
      agent.destroy();
    } finally {
      await server.close();
    }
  });
});

describe("local S3 review: a streamed upload's file on disk, and a length that is no number", () => {
  it("a temporary file as it stands before its metadata line is written (what a power cut may leave renamed) is never served, whatever its body", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    // A body whose first line is an object file's metadata line (key `k`, no size), as an NDJSON export might be.
    const forged = `${JSON.stringify({ key: "k", etag: '"x"', contentType: "text/plain", metadata: {}, lastModified: new Date(0).toISOString() })}\nrest`;
    const folder = join(root, ".objects", "b");
    const torn = join(root, "torn");
    async function* body(): AsyncGenerator<Buffer> {
      yield Buffer.from(forged);
      // Resumed once that chunk is on disk, before the metadata line is written over its room: the file as it is now
      // is what a power cut may leave under the object's name (its first page flushed while the body was arriving).
      copyFileSync(join(folder, readdirSync(folder).find((name) => name.endsWith(".tmp"))!), torn);
    }
    await new FileObjectStore(root).putStream("b", meta("k"), body());
    const [objectFile] = readdirSync(folder);
    renameSync(torn, join(folder, objectFile));
    const logged: string[] = [];
    const reopened = new FileObjectStore(root, { log: (message) => logged.push(message) });
    expect(reopened.head("b", "k")).toBeUndefined();
    expect(reopened.get("b", "k")).toBeUndefined();
    expect(reopened.list("b", "")).toEqual([]);
    expect(logged).toHaveLength(1);
  });

  it("answers an aws-chunked PUT whose x-amz-decoded-content-length is no number IncompleteBody at its first byte, never writing its body to disk", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new WatchedStore(root);
    const server = await startLocalS3({ store, buckets: ["b"] });
    try {
      const url = new URL("/b/k", server.endpoint);
      const body = `${(1_000_000).toString(16)}\r\n${"z".repeat(1_000_000)}\r\n0\r\n\r\n`;
      const { host: _host, ...sent } = await signS3("PUT", url, { "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "lots" });
      const response = await fetch(url, { method: "PUT", headers: sent, body });
      expect([response.status, /<Code>(\w+)</.exec(await response.text())?.[1]]).toEqual([400, "IncompleteBody"]);
      expect(store.received).toBe(0);
      expect(store.get("b", "k")).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe("local S3 review: user metadata over S3's 2 KB", () => {
  it("answers a PutObject or CreateMultipartUpload whose x-amz-meta-* names and values pass 2,048 bytes 400 MetadataTooLarge before its body, storing nothing", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new WatchedStore(root);
    const server = await startLocalS3({ store, buckets: ["b"] });
    try {
      const put = async (path: string, metadata: Record<string, string>, method = "PUT") => {
        const url = new URL(path, server.endpoint);
        const { host: _host, ...sent } = await signS3(method, url, { "x-amz-content-sha256": sha256(Buffer.from("body")), ...metadata });
        const response = await fetch(url, { method, headers: sent, body: method === "PUT" ? "body" : undefined });
        return [response.status, /<Code>(\w+)</.exec(await response.text())?.[1]];
      };
      // "é" is two bytes in UTF-8: 1 + 2 × 1,024 = 2,049 bytes of name and value. fetch writes a header's characters as
      // bytes (latin1), so the UTF-8 goes as its bytes, one character each (a plain "é" went as the one byte E9).
      expect(await put("/b/k", { "x-amz-meta-a": Buffer.from("é".repeat(1024), "utf8").toString("latin1") })).toEqual([400, "MetadataTooLarge"]);
      expect(await put("/b/k", { "x-amz-meta-aa": "v".repeat(1024), "x-amz-meta-b": "v".repeat(1022) })).toEqual([400, "MetadataTooLarge"]);
      expect(await put("/b/k?uploads", { "x-amz-meta-a": "v".repeat(2048) }, "POST")).toEqual([400, "MetadataTooLarge"]);
      expect(store.received).toBe(0);
      expect(store.get("b", "k")).toBeUndefined();
      expect(await put("/b/k", { "x-amz-meta-a": "v".repeat(2047) })).toEqual([200, undefined]);
    } finally {
      await server.close();
    }
  });
});

describe("local S3 review: streamed writes racing each other and a read", () => {
  it("a read opened before a streamed write commits serves the old object whole; two interleaved writes of one key leave one of them whole", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-stream-"));
    const store = new FileObjectStore(root);
    const old = Buffer.alloc(300_000, "o");
    await store.putStream("b", meta("k"), chunks(old.toString()));
    const opened = store.open("b", "k")!;
    // Two writers of `k`, their chunks interleaved: A's first, B's first, B ends (commits), then A ends (commits).
    let letA!: () => void;
    const aWaits = new Promise<void>((resolve) => (letA = resolve));
    async function* a(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(200_000, "a");
      await aWaits;
      yield Buffer.alloc(200_000, "A");
    }
    const writingA = store.putStream("b", meta("k"), a());
    const b = await store.putStream("b", meta("k"), chunks("b".repeat(100_000), "B".repeat(100_000)));
    expect(b.size).toBe(200_000);
    expect(store.get("b", "k")?.body.toString()).toBe("b".repeat(100_000) + "B".repeat(100_000));
    letA();
    expect((await writingA).size).toBe(400_000);
    expect(store.get("b", "k")?.body.equals(Buffer.concat([Buffer.alloc(200_000, "a"), Buffer.alloc(200_000, "A")]))).toBe(true);
    // The read opened first still serves the old object, whole.
    const read: Buffer[] = [];
    for await (const part of opened.read(0, opened.size - 1)) read.push(part as Buffer);
    expect(Buffer.concat(read).equals(old)).toBe(true);
    expect(temporaryFiles(root, "b")).toEqual([]);
  });
});

describe("local S3 re-read: an aws-chunked UploadPart past its declared length", () => {
  it("is answered 400 IncompleteBody as soon as it passes x-amz-decoded-content-length, not held in memory to its end", async () => {
    const server = await startLocalS3({ buckets: ["b"] });
    try {
      const created = await fetch(new URL("/b/k?uploads", server.endpoint), { method: "POST", headers: await signS3("POST", new URL("/b/k?uploads", server.endpoint), { "x-amz-content-sha256": sha256(Buffer.alloc(0)) }) });
      const uploadId = /<UploadId>([^<]+)</.exec(await created.text())![1];
      const url = new URL(`/b/k?partNumber=1&uploadId=${uploadId}`, server.endpoint);
      // Sent with HTTP's chunked transfer coding (no Content-Length), so only the declared length bounds the body; the
      // request is never ended: the answer can only come from a refusal made while the body is still arriving.
      const headers = await signS3("PUT", url, { "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "5", "transfer-encoding": "chunked" });
      const req = request(url, { method: "PUT", headers });
      const answer = answerOf(req);
      req.write(`${(1_000_000).toString(16)}\r\n${"p".repeat(64 * 1024)}`);
      const { status, text } = await answer;
      req.destroy();
      expect([status, /<Code>(\w+)</.exec(text)?.[1]]).toEqual([400, "IncompleteBody"]);
    } finally {
      await server.close();
    }
  });
});
