/**
 * A small filesystem-backed S3 stand-in for what the app's functions and browsers do
 * with objects: path-style PUT / GET / HEAD / DELETE of `/<bucket>/<key>`, including
 * presigned URLs (the signature is not checked locally, the expiry is). Objects live
 * under the stack's `.local/` state, so uploads survive restarts like the data does.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve, sep } from "node:path";

export interface LocalS3 {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

export async function startLocalS3(dataDir: string): Promise<LocalS3> {
  mkdirSync(dataDir, { recursive: true });
  const server = createServer((request, response) => {
    handle(dataDir, request, response).catch(() => reply(response, 500, "InternalError", "local S3 failed"));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server, stop: () => new Promise((done) => server.close(() => done())) };
}

async function handle(dataDir: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  // Browsers PUT originals straight to the presigned URL: answer their preflight.
  response.setHeader("access-control-allow-origin", "*");
  response.setHeader("access-control-allow-methods", "GET,PUT,HEAD,DELETE");
  response.setHeader("access-control-allow-headers", "*");
  response.setHeader("access-control-expose-headers", "etag");
  if (request.method === "OPTIONS") return reply(response, 204);
  const [bucket, ...keyParts] = url.pathname.slice(1).split("/").map(decodeURIComponent);
  const key = keyParts.join("/");
  if (!bucket || !key) return reply(response, 400, "InvalidRequest", "path-style /<bucket>/<key> only");
  const file = resolve(dataDir, bucket, key);
  if (!file.startsWith(resolve(dataDir) + sep)) return reply(response, 400, "InvalidRequest", "bad key");
  if (presignedExpired(url)) return reply(response, 403, "AccessDenied", "Request has expired");

  switch (request.method) {
    case "PUT": {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, body);
      writeFileSync(`${file}.__meta.json`, JSON.stringify({ contentType: request.headers["content-type"] ?? "application/octet-stream" }));
      response.setHeader("etag", `"${createHash("md5").update(body).digest("hex")}"`);
      return reply(response, 200);
    }
    case "GET":
    case "HEAD": {
      if (!existsSync(file) || file.endsWith(".__meta.json")) return reply(response, 404, "NoSuchKey", "The specified key does not exist.", request.method === "HEAD");
      const meta = existsSync(`${file}.__meta.json`) ? (JSON.parse(readFileSync(`${file}.__meta.json`, "utf8")) as { contentType: string }) : { contentType: "application/octet-stream" };
      const body = readFileSync(file);
      response.statusCode = 200;
      response.setHeader("content-type", meta.contentType);
      response.setHeader("content-length", String(statSync(file).size));
      response.setHeader("etag", `"${createHash("md5").update(body).digest("hex")}"`);
      response.end(request.method === "HEAD" ? undefined : body);
      return;
    }
    case "DELETE":
      rmSync(file, { force: true });
      rmSync(`${file}.__meta.json`, { force: true });
      return reply(response, 204);
    default:
      return reply(response, 405, "MethodNotAllowed", `${request.method} is not supported locally`);
  }
}

function presignedExpired(url: URL): boolean {
  const date = url.searchParams.get("X-Amz-Date");
  const expires = Number(url.searchParams.get("X-Amz-Expires"));
  if (!date || !expires) return false;
  const signedAt = Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
  return Date.now() > signedAt + expires * 1000;
}

function reply(response: ServerResponse, status: number, code?: string, message?: string, head = false): void {
  response.statusCode = status;
  if (!code) return void response.end();
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  response.setHeader("content-type", "application/xml");
  response.end(head ? undefined : body);
}
