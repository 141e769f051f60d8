/**
 * The local Kinesis endpoint's deadline for an HTTP/2 client (local/kinesis-server.ts, serveHttp1AndHttp2): armed at
 * the accept, lifted when the client's SETTINGS arrive, so a session outlives idleTimeoutMs while a connection stalled
 * in the preface is closed.
 *
 * In a process of its own (ISOLATED in vitest.config.mts): it fakes the global setTimeout and clearTimeout, and in a
 * shared worker a later file's timeouts then never fired (api-gateway-http-integration's integration timeouts ran into
 * the test's 20 s after this ran before it): timers long-lived code armed during the fake window stay on the dead clock.
 */
import { connect, type Socket } from "node:net";
import { connect as connectHttp2, type ClientHttp2Session } from "node:http2";
import { describe, expect, it, vi } from "vitest";
import { startLocalKinesis } from "../../local/kinesis-server";
import { CREDENTIALS } from "./kinesis-helpers";

describe("the local Kinesis endpoint's HTTP/2 deadline", () => {
  it("lifts the deadline once an HTTP/2 client's SETTINGS arrive: its session outlives idleTimeoutMs from the accept", async () => {
    // The accept's deadline is a global setTimeout, faked here; Node's socket and session idle timers are not (and at
    // idleTimeoutMs a minute, never due). Past the deadline a session whose SETTINGS did not clear it is destroyed.
    const idleTimeoutMs = 60_000;
    const endpoint = await startLocalKinesis({ streams: [], credentials: [CREDENTIALS], idleTimeoutMs });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    // The control: the deadlines must be armed on the fake clock (had the server's deadline escaped it, e.g. to
    // node:timers or socket.setTimeout, advancing the clock would test nothing and the session would pass vacuously),
    // and one that is not lifted, a connection stalled inside the preface ("PRI"), is closed when the clock passes it.
    const armed = vi.spyOn(globalThis, "setTimeout");
    const deadlinesArmed = () => armed.mock.calls.filter(([, ms]) => ms === idleTimeoutMs).length;
    let session: ClientHttp2Session | undefined;
    let stalled: Socket | undefined;
    try {
      // It connects before the session, so the endpoint accepts it (and arms its deadline) before the session's.
      const { port } = new URL(endpoint.endpoint);
      const socket = connect(Number(port), "127.0.0.1");
      stalled = socket;
      const stalledClosed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.on("error", () => {});
      await new Promise<void>((resolve) => socket.once("connect", () => socket.write("PRI", () => resolve())));
      session = connectHttp2(endpoint.endpoint);
      session.on("error", () => {});
      const status = (client: ClientHttp2Session) =>
        new Promise<number>((resolve, reject) => {
          const request = client.request({ ":method": "POST", ":path": "/", "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" });
          request.on("response", (headers) => resolve(Number(headers[":status"])));
          request.on("error", reject);
          request.on("close", () => reject(new Error("closed before a response")));
          request.end("{}");
        });
      const first = await status(session);
      expect(deadlinesArmed()).toBe(2); // the stalled connection's and the session's, at their accepts
      vi.advanceTimersByTime(idleTimeoutMs + 1);
      await stalledClosed;
      expect(await status(session)).toBe(first);
      expect(session.closed || session.destroyed).toBe(false);
    } finally {
      armed.mockRestore();
      vi.useRealTimers();
      stalled?.destroy();
      session?.destroy();
      await endpoint.stop();
    }
  });
});
