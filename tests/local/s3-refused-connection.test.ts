/**
 * What becomes of a connection whose request the server refused on its headers: an upload declaring more than S3 takes
 * is answered and the connection closed, the rest of its body never read.
 */
import { connect } from "node:net";
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
