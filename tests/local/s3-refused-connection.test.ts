/**
 * What becomes of a connection the server stops serving: an upload declaring more than S3 takes is answered and the
 * connection closed, the rest of its body never read; an answer the client stops reading is closed once it has been
 * stalled for the idle timeout; a request expecting 100 Continue refused on its headers is answered without it and its
 * connection closed.
 */
import { createHash } from "node:crypto";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startLocalS3, type LocalS3 } from "../../local/s3-server";
import { signS3 } from "../harness/s3-local";

let server: LocalS3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Sends `head` and `body` on a connection of its own; everything the server wrote on it, once it closed the connection. */
async function exchange(endpoint: string, head: string, body: string): Promise<string> {
  const url = new URL(endpoint);
  const socket = connect(Number(url.port), url.hostname);
  const received: Buffer[] = [];
  socket.on("data", (data: Buffer) => received.push(data));
  // A reset after the answer (the client's bytes in flight when the server closed) is not what is tested.
  socket.on("error", () => {});
  const closed = new Promise((resolve) => socket.once("close", resolve));
  socket.write(head + body);
  await closed;
  return Buffer.concat(received).toString();
}

describe("local S3: an upload refused by its declared length", () => {
  it("is answered 400 EntityTooLarge with Connection: close, and the connection closed without reading the 5 GiB it declared", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    for (const [path, extra] of [
      ["/b/huge.bin", {}],
      ["/b", { "content-type": "multipart/form-data; boundary=x" }],
    ] as const) {
      const url = new URL(path, server.endpoint);
      const method = path === "/b" ? "POST" : "PUT";
      const signed = await signS3(method, url, { "content-length": String(6 * 1024 ** 3), "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...extra });
      const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(signed).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;
      // Only a few bytes of the body: before the fix the server waited for the rest, and the connection never closed.
      const answer = await exchange(server.endpoint, head, "--x\r\nonly a few bytes");
      expect([/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1], /<Code>(\w+)</.exec(answer)?.[1], /\r\nconnection: (\w+)/i.exec(answer)?.[1]], path).toEqual(["400", "EntityTooLarge", "close"]);
    }
  });
});

/** A clock the test runs itself (LocalS3Options.idleClock): no test waits on the wall clock. */
class TestClock {
  private readonly timers = new Map<() => void, number>();
  readonly every = (ms: number, check: () => void): (() => void) => {
    this.timers.set(check, ms);
    return () => void this.timers.delete(check);
  };
  get running(): number {
    return this.timers.size;
  }
  tick(): void {
    for (const check of [...this.timers.keys()]) check();
  }
}

describe("local S3: an answer the client stops reading", () => {
  it("is closed once no byte of it has gone out for the idle timeout, as S3 closes a connection not written to; a small one starts no timer", async () => {
    const clock = new TestClock();
    server = await startLocalS3({ buckets: ["b"], idleTimeoutMs: 20_000, idleClock: clock.every });
    // Larger than what the sockets' buffers hold on both sides, so that the answer stalls when the client stops reading.
    const size = 64 * 1024 ** 2;
    await server.store.putStream("b", { key: "big", contentType: "binary/octet-stream", metadata: {}, lastModified: new Date() }, (async function* () {
      for (let sent = 0; sent < size; sent += 1024 ** 2) yield Buffer.alloc(1024 ** 2, "b");
    })());
    await server.store.putStream("b", { key: "small", contentType: "binary/octet-stream", metadata: {}, lastModified: new Date() }, (async function* () {
      yield Buffer.from("small");
    })());
    const signedGet = async (key: string) => signS3("GET", new URL(`/b/${key}`, server!.endpoint), { "x-amz-content-sha256": createHash("sha256").update("").digest("hex") });
    // A small answer is handed to the socket whole at once: no timer.
    const { host: _host, ...smallHeaders } = await signedGet("small");
    const small = await fetch(new URL("/b/small", server.endpoint), { headers: smallHeaders });
    expect([small.status, await small.text(), clock.running]).toEqual([200, "small", 0]);

    const url = new URL(server.endpoint);
    const socket = connect(Number(url.port), url.hostname);
    socket.on("error", () => {});
    const firstBytes = new Promise<Buffer>((resolve) => socket.once("data", resolve));
    socket.write(`GET /b/big HTTP/1.1\r\n${Object.entries(await signedGet("big")).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`);
    // The answer has begun; the client then reads no more of it.
    const first = await firstBytes;
    expect(first.toString("latin1")).toMatch(/^HTTP\/1\.1 200 /);
    socket.pause();
    // Each check finds bytes gone out while the sockets' buffers fill, then none: IDLE_CHECKS (4) checks in a row
    // without one close the connection, and the timer stops. Bounded, so that a server that never does fails here.
    for (let turn = 0; turn < 20_000 && clock.running > 0; turn++) {
      clock.tick();
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The client reads what reached it: the connection ends short of the whole answer (before the fix it all came).
    let received = first.length;
    const ended = await new Promise<string>((resolve) => {
      socket.on("data", (data: Buffer) => {
        received += data.length;
        if (received > size) resolve("whole answer");
      });
      socket.once("close", () => resolve("closed"));
      socket.resume();
    });
    socket.destroy();
    expect([ended, received < size]).toEqual(["closed", true]);
  });

  it("is not closed while the client reads it, however the checks fall: each 64 KiB piece written shows progress", async () => {
    const clock = new TestClock();
    server = await startLocalS3({ buckets: ["b"], idleTimeoutMs: 20_000, idleClock: clock.every });
    const size = 64 * 1024 ** 2;
    await server.store.putStream("b", { key: "big", contentType: "binary/octet-stream", metadata: {}, lastModified: new Date() }, (async function* () {
      for (let sent = 0; sent < size; sent += 1024 ** 2) yield Buffer.alloc(1024 ** 2, "b");
    })());
    const url = new URL(server.endpoint);
    const socket = connect(Number(url.port), url.hostname);
    socket.on("error", () => {});
    const signed = await signS3("GET", new URL("/b/big", server.endpoint), { "x-amz-content-sha256": createHash("sha256").update("").digest("hex") });
    // The client reads all the time, and the clock ticks after each 4 MiB it reads: IDLE_CHECKS (4) ticks in a row
    // without progress would take 16 MiB read meanwhile, more than the sockets' buffers and a piece in flight hold, so
    // some piece must have been written between two of them. Served as one 64 MiB write, none was done until all of it
    // was, and the connection was closed under a client reading as fast as it could.
    const TICK_EVERY = 4 * 1024 ** 2;
    let received = 0;
    let ticked = 0;
    const ended = await new Promise<string>((resolve) => {
      socket.on("data", (data: Buffer) => {
        received += data.length;
        if (received > size) resolve("whole answer");
        while (received - ticked >= TICK_EVERY) {
          ticked += TICK_EVERY;
          setImmediate(() => clock.tick());
        }
      });
      socket.once("close", () => resolve("closed"));
      socket.write(`GET /b/big HTTP/1.1\r\n${Object.entries(signed).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`);
    });
    socket.destroy();
    expect([ended, ticked >= 15 * TICK_EVERY]).toEqual(["whole answer", true]);
  });
});

describe("local S3: an answer queued behind another on its connection (pipelined requests)", () => {
  it("is watched once it has the connection: the client that stops reading it is closed too", async () => {
    const clock = new TestClock();
    // Each GetObject authorised, in order: the second's answer is queued once this has been called for it (what follows
    // up to its body is synchronous).
    let authorised = 0;
    let secondAuthorised!: () => void;
    const second = new Promise<void>((resolve) => (secondAuthorised = resolve));
    server = await startLocalS3({ buckets: ["b"], idleTimeoutMs: 20_000, idleClock: clock.every, authorise: () => void (++authorised === 2 && secondAuthorised()) });
    const size = 64 * 1024 ** 2;
    await server.store.putStream("b", { key: "big", contentType: "binary/octet-stream", metadata: {}, lastModified: new Date() }, (async function* () {
      for (let sent = 0; sent < size; sent += 1024 ** 2) yield Buffer.alloc(1024 ** 2, "b");
    })());
    const signed = await signS3("GET", new URL("/b/big", server.endpoint), { "x-amz-content-sha256": createHash("sha256").update("").digest("hex") });
    const get = `GET /b/big HTTP/1.1\r\n${Object.entries(signed).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;
    const url = new URL(server.endpoint);
    const socket = connect(Number(url.port), url.hostname);
    socket.on("error", () => {});
    socket.pause();
    // Both at once: the second's answer is queued while the first, larger than the sockets' buffers, waits for the client.
    socket.write(get + get);
    await second;
    // The client reads the first answer whole and the start of the second, then no more.
    let received = 0;
    await new Promise<void>((resolve) => {
      socket.on("data", (data: Buffer) => {
        received += data.length;
        if (received <= size + 1024) return;
        socket.pause();
        resolve();
      });
      socket.resume();
    });
    socket.removeAllListeners("data");
    // As in the test above: the checks run until the watch closes the connection (bounded).
    for (let turn = 0; turn < 20_000 && clock.running > 0; turn++) {
      clock.tick();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const ended = await new Promise<string>((resolve) => {
      socket.on("data", (data: Buffer) => {
        received += data.length;
        if (received > 2 * size) resolve("whole answers");
      });
      socket.once("close", () => resolve("closed"));
      socket.resume();
    });
    socket.destroy();
    // Before the fix the queued answer, which had no connection when it began, was never watched: it all came.
    expect([ended, received < 2 * size]).toEqual(["closed", true]);
  });
});

/**
 * Reads a connection's answers until a final one (not 1xx) has arrived whole (its Content-Length); everything read, as
 * latin1 text, and whether the server then closed the connection.
 */
function finalAnswer(socket: Socket): Promise<{ text: string; closed: Promise<void> }> {
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  let text = "";
  return new Promise((resolve, reject) => {
    socket.on("error", () => {});
    socket.on("data", (data: Buffer) => {
      text += data.toString("latin1");
      const final = /(?:^|\r\n\r\n)(HTTP\/1\.1 [2-5]\d\d [^]*?\r\n\r\n)/.exec(text);
      if (!final) return;
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(final[1])?.[1] ?? 0);
      if (text.length >= final.index + final[0].length + length) resolve({ text, closed });
    });
    socket.once("close", () => reject(new Error(`closed before a final answer: ${JSON.stringify(text)}`)));
  });
}

describe("local S3: a request with Expect: 100-continue", () => {
  const headOf = (method: string, path: string, headers: Record<string, string>) =>
    `${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("")}expect: 100-continue\r\n\r\n`;

  it("refused on its headers is answered without 100 Continue, with Connection: close, its body never sent (a missing bucket, a declared 6 GiB)", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    for (const [path, length, status, code] of [
      ["/missing/key", "5", "404", "NoSuchBucket"],
      ["/b/huge.bin", String(6 * 1024 ** 3), "400", "EntityTooLarge"],
    ] as const) {
      const url = new URL(path, server.endpoint);
      const signed = await signS3("PUT", url, { "content-length": length, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" });
      const socket = connect(Number(url.port), url.hostname);
      const answer = finalAnswer(socket);
      // Headers only: the client waits for 100 Continue before its body.
      socket.write(headOf("PUT", path, signed));
      const { text, closed } = await answer;
      // Before the fix Node wrote "HTTP/1.1 100 Continue" at once, ahead of the checks.
      expect([text.slice(0, 12), /<Code>(\w+)</.exec(text)?.[1], /\r\nconnection: (\w+)/i.exec(text)?.[1]], path).toEqual([`HTTP/1.1 ${status}`, code, "close"]);
      // The server closes the connection: a body the client sent after all is not read as the next request.
      await closed;
    }
  });

  it("accepted on its headers gets 100 Continue before it sends its body, then the answer to it", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const url = new URL("/b/continued.txt", server.endpoint);
    const signed = await signS3("PUT", url, { "content-length": "5", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" });
    const socket = connect(Number(url.port), url.hostname);
    socket.on("error", () => {});
    const interim = new Promise<string>((resolve) => socket.once("data", (data: Buffer) => resolve(data.toString("latin1"))));
    socket.write(headOf("PUT", url.pathname, { ...signed, connection: "close" }));
    expect(await interim).toBe("HTTP/1.1 100 Continue\r\n\r\n");
    const answer = finalAnswer(socket);
    socket.write("hello");
    const { text, closed } = await answer;
    await closed;
    expect([text.slice(0, 12), server.store.get("b", "continued.txt")?.body.toString()]).toEqual(["HTTP/1.1 200", "hello"]);
  });

  it("is not timed out as idle while the server checks it before its 100 Continue: its body is watched from then", async () => {
    const clock = new TestClock();
    // The idle timeout's checks all run while the server is still checking the upload (IAM, before the body is read):
    // the client, waiting for 100 Continue, has sent nothing, and the wait is the server's.
    const ticked: number[] = [];
    server = await startLocalS3({
      buckets: ["b"],
      idleTimeoutMs: 20_000,
      idleClock: clock.every,
      authorise: () => {
        ticked.push(clock.running);
        for (let check = 0; check < 8; check++) clock.tick();
        return undefined;
      },
    });
    const url = new URL("/b/checked.txt", server.endpoint);
    const signed = await signS3("PUT", url, { "content-length": "5", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" });
    const socket = connect(Number(url.port), url.hostname);
    socket.on("error", () => {});
    const interim = new Promise<string>((resolve) => socket.once("data", (data: Buffer) => resolve(data.toString("latin1"))));
    socket.write(headOf("PUT", url.pathname, { ...signed, connection: "close" }));
    // Before the fix the body's watch ran from the request's arrival: the checks timed it out, 400 RequestTimeout.
    expect([await interim, ticked]).toEqual(["HTTP/1.1 100 Continue\r\n\r\n", [0]]);
    // Watched once its body is asked for.
    expect(clock.running).toBe(1);
    const answer = finalAnswer(socket);
    socket.write("hello");
    const { text, closed } = await answer;
    await closed;
    expect([text.slice(0, 12), server.store.get("b", "checked.txt")?.body.toString(), clock.running]).toEqual(["HTTP/1.1 200", "hello", 0]);
  });
});
