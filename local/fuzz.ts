/**
 * A seeded, bounded fuzz run against a running local app (`startLocalApp`): hostile and
 * malformed requests to every API route the program declares (from the ServerlessApi specs, so
 * a new route is fuzzed with no edit here), to the site's files through the front door (from the
 * StaticSite specs), and to the local S3 server. Two users: the first ("owner") creates data
 * before the run and is only ever used for reads during it; the second ("intruder") and anonymous
 * callers do everything else. Invariants checked on every response:
 *   - no 5xx, and every request answered;
 *   - no internal path, stack trace or Node error text in a body;
 *   - nothing of the owner's (their album ids and a secret marker in their titles) in any
 *     response to anybody else, and no client-chosen text reflected into Set-Cookie;
 * and after the run: the app still answers, and the owner's albums and photos are unchanged.
 */
import { readdirSync, statSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { join, relative } from "node:path";
import { crc32 } from "node:zlib";
import { CognitoIdentityProviderClient, ConfirmSignUpCommand, InitiateAuthCommand, SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
import type { RouteSpec, ServerlessApiSpec } from "../components/serverless-api/spec";
import type { StaticSiteSpec } from "../components/static-site/spec";
import { PROJECT_DIR } from "./offline/program";
import { mulberry32 } from "./seeded-random.cjs";
import type { LocalApp } from "./start";

export interface FuzzOptions {
  seed: number;
  /** How many fuzz requests to send (the setup and the final checks come on top). */
  requests: number;
  /** Requests in flight at once. @default 8 */
  concurrency?: number;
  /** A request not answered within this many ms counts as a failure (the app hung). @default 30000 */
  requestTimeoutMs?: number;
}

export interface FuzzFailure {
  request: string;
  status: number | "no answer";
  problem: string;
}

export interface FuzzReport {
  requests: number;
  byStatus: Record<string, number>;
  /** Requests per target: api, site, s3. */
  byTarget: Record<string, number>;
  failures: FuzzFailure[];
}

interface Session {
  email: string;
  idToken: string;
}

interface RawRequest {
  target: "api" | "site" | "s3";
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The caller is not the owner: nothing of the owner's may come back. */
  foreign: boolean;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Seeded, so a failing run can be replayed exactly. */
function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof prng>;

// Values that have broken parsers somewhere: bad escapes, control characters, traversal, size.
const NASTY_SEGMENTS = ["%zz", "%", "%00", "%0d%0a", "%7F", "%E2%82%AC", "%2F", "%2e%2e", "..", "%252F", "a".repeat(300), "%C0%AF", "%ff%fe", "null", "-1", "{albumId}"];
// Each is sendable in a request line as it stands (a raw space is not: clients send it as %20).
const NASTY_QUERY = ["%E2%82%AC", "%0d%0a", "%00", "%7F", "%zz", "%2Fa%26b%3D1", "x".repeat(3000), "<script>", "';%20DROP%20TABLE"];
const NASTY_HEADER_VALUES = ["injected=1; Domain=example.com", "a".repeat(5000), "%zz", "=", ";;;", "\u00e9t\u00e9"];
const LEAK_PATTERNS: Array<[RegExp, string]> = [
  [/\n\s+at [^\n]+\(/, "a stack trace"],
  [/node:internal|ERR_[A-Z_]{4,}|ENOENT|ENAMETOOLONG|EISDIR|URIError|TypeError|ReferenceError/, "a Node error"],
];

export async function signUpLocalUser(app: LocalApp, email: string, password = "Fuzz-pass-123!"): Promise<Session> {
  const env = app.context.environment;
  const sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: app.context.run.config.region, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    await sdk.send(new SignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }] }));
    const cognito = app.services.find((s) => s.name === "cognito") as unknown as { emulator: { lastCode(email: string): string } };
    await sdk.send(new ConfirmSignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: email, ConfirmationCode: cognito.emulator.lastCode(email) }));
    const result = await sdk.send(new InitiateAuthCommand({ ClientId: env.USER_POOL_CLIENT_ID, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: password } }));
    return { email, idToken: result.AuthenticationResult!.IdToken! };
  } finally {
    sdk.destroy();
  }
}

/** The answer, or undefined when there was none. A request Node refuses to send is the fuzzer's own bug: it throws. */
function send(req: RawRequest, timeoutMs: number): Promise<RawResponse | undefined> {
  return new Promise((done) => {
    const url = new URL(req.url);
    const path = req.url.slice(url.origin.length) || "/";
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method: req.method, path, headers: req.headers, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => done({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", () => done(undefined));
    });
    outgoing.on("timeout", () => outgoing.destroy(new Error("timeout")));
    outgoing.on("error", () => done(undefined));
    outgoing.end(req.body);
  });
}

async function apiJson(app: LocalApp, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.urls.site}${path}`, { method, headers: { authorization: token, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    throw new Error(`${method} ${path} answered ${response.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
  }
}

/** What the owner has before the run; compared with what they have after it. */
async function ownerSnapshot(app: LocalApp, apiBase: string, owner: Session): Promise<string> {
  const albums = await apiJson(app, "GET", `${apiBase}/albums?limit=50`, owner.idToken);
  const rows: unknown[] = [];
  for (const album of albums.body.items ?? []) {
    const photos = await apiJson(app, "GET", `${apiBase}/albums/${album.albumId}/photos`, owner.idToken);
    rows.push({ album, photos: photos.body.items });
  }
  // Thumbnail URLs are presigned per request: compare where they point, not their signatures.
  return JSON.stringify(rows, (key, value) => (key === "url" && typeof value === "string" ? value.split("?")[0] : value));
}

/**
 * A real 1×1 PNG with `marker` in a tEXt chunk: the thumbnail function makes the photo ready, and
 * the marker's bytes are there to find if the original leaks.
 */
function markedPng(marker: string): Buffer {
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADUlEQVQImWNgYGBgAAAABQABh6FO1AAAAABJRU5ErkJggg==", "base64");
  const data = Buffer.concat([Buffer.from("tEXt"), Buffer.from(`Comment\0${marker}`, "latin1")]);
  const chunk = Buffer.alloc(data.length + 8);
  chunk.writeUInt32BE(data.length - 4, 0);
  data.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(data), data.length + 4);
  const afterHeader = 8 + 25; // signature, then the IHDR chunk
  return Buffer.concat([png.subarray(0, afterHeader), chunk, png.subarray(afterHeader)]);
}

/** Photos become ready when the thumbnail function is done with the upload's S3 event: ask until it is (bounded). */
async function waitUntilReady(app: LocalApp, path: string, owner: Session): Promise<void> {
  let status = "";
  for (let attempt = 0; attempt < 240; attempt++) {
    status = (await apiJson(app, "GET", path, owner.idToken)).body?.status;
    if (status === "ready") return;
    if (status === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`fuzz setup: the owner's photo is ${status || "missing"}, not ready, after its upload`);
}

function siteFiles(spec: StaticSiteSpec): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.push(`/${relative(spec.path, full).split("\\").join("/")}`);
    }
  };
  walk(spec.path);
  return files;
}

function fillPath(route: RouteSpec, random: Random, ownerIds: Record<string, string[]>): string {
  return route.fullPath
    .split("/")
    .map((segment) => {
      const parameter = /^\{([^}+]+)\+?\}$/.exec(segment)?.[1];
      if (!parameter) return segment;
      const known = ownerIds[parameter] ?? [];
      const roll = random.next();
      if (roll < 0.4 && known.length > 0) return random.pick(known);
      if (roll < 0.6) return "01ARZ3NDEKTSV4RRFFQ69G5FAV";
      return random.pick(NASTY_SEGMENTS);
    })
    .join("/");
}

function fuzzBody(random: Random): Buffer | undefined {
  switch (random.int(7)) {
    case 0: return undefined;
    case 1: return Buffer.from("{not json");
    case 2: return Buffer.from(JSON.stringify({ title: random.pick(["", "x", "t".repeat(500), "\u0000", "fuzz"]), description: "d" })); 
    case 3: return Buffer.from(JSON.stringify({ contentType: random.pick(["image/png", "text/html", ""]), size: random.pick([1, 0, -1, 1e12, "big"]) }));
    case 4: return Buffer.from(JSON.stringify({ status: random.pick(["ready", "pending", "failed", 1]) }));
    case 5: return Buffer.from(JSON.stringify([1, 2, 3]));
    default: return Buffer.alloc(random.pick([1, 1024, 20_000]), 0x7b);
  }
}

/** Everything the run needs from the program and the owner's data, made once. */
interface Targets {
  apis: Array<{ spec: ServerlessApiSpec; routes: RouteSpec[] }>;
  files: string[];
  ownerIds: Record<string, string[]>;
  ownerObject?: { bucketUrl: string; key: string; presigned: string; content: string };
}

function nextRequest(app: LocalApp, targets: Targets, random: Random, owner: Session, intruder: Session): RawRequest {
  const site = app.urls.site;
  const roll = random.next();
  // API routes: mostly as the intruder, reads sometimes as the owner.
  if (roll < 0.55 && targets.apis.length > 0) {
    const api = random.pick(targets.apis);
    const route = random.pick(api.routes);
    const method = random.chance(0.85) ? (route.method === "ANY" ? "GET" : route.method) : random.pick(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
    const asOwner = method === "GET" && random.chance(0.2);
    const token = asOwner ? owner.idToken : random.pick([intruder.idToken, `Bearer ${intruder.idToken}`, "", "garbage", "a.b.c", intruder.idToken.slice(0, -4) + "AAAA"]);
    const query = random.chance(0.4) ? `?${random.pick(["limit", "cursor", "x"])}=${random.pick([...NASTY_QUERY, "5", "0", "abc", "eyJnc2kxcGsiOiJVU0VSIyJ9"])}` : "";
    const body = ["POST", "PUT", "PATCH"].includes(method) ? fuzzBody(random) : undefined;
    const headers: Record<string, string> = { "content-type": random.pick(["application/json", "text/plain", "application/octet-stream"]) };
    if (token) headers.authorization = token;
    return { target: "api", method, url: `${site}${fillPath(route, random, targets.ownerIds)}${query}`, headers, body, foreign: !asOwner };
  }
  // The site through the front door: real files, mangled paths, odd headers.
  if (roll < 0.85) {
    const file = targets.files.length > 0 ? random.pick(targets.files) : "/";
    const mangled = random.pick([
      file,
      `${file}?q=${random.pick(NASTY_QUERY)}`,
      `/${random.pick(NASTY_SEGMENTS)}`,
      `/account/${random.pick(["", "index.html", "%2e%2e/index.html"])}`,
      `/account%2findex.html`,
      `/%61ccount/index.html`,
      `/about-us?next=${random.pick(NASTY_QUERY)}`,
      `/index.htm?q=${random.pick(NASTY_QUERY)}`,
      `/${"a".repeat(random.pick([300, 9000]))}`,
      `${file.replace(/\/[^/]*$/, "")}/${random.pick(NASTY_SEGMENTS)}`,
    ]);
    const headers: Record<string, string> = {};
    if (random.chance(0.3)) headers.range = random.pick(["bytes=0-10", "bytes=100000-", "bytes=abc", "bytes=5-1", "bytes=-5"]);
    if (random.chance(0.2)) headers["if-modified-since"] = random.pick(["Wed, 21 Oct 2015 07:28:00 GMT", "garbage", new Date(Date.now() + 864e5).toUTCString()]);
    if (random.chance(0.3)) headers.cookie = random.pick(["gallery-id-token=%zz", `gallery-id-token=${intruder.idToken}`, "gallery-ab-home=zzz", "a=b; ; =c"]);
    if (random.chance(0.2)) headers["x-experiment-assigned"] = random.pick(NASTY_HEADER_VALUES);
    return { target: "site", method: random.pick(["GET", "GET", "GET", "HEAD", "POST", "OPTIONS"]), url: `${site}${mangled}`, headers, foreign: true };
  }
  // The local S3 server: unsigned reads, lists and deletes of the owner's original, and tampered presigned URLs.
  const object = targets.ownerObject;
  if (!object) return { target: "s3", method: "GET", url: `${app.urls.s3}/`, headers: {}, foreign: true };
  const presigned = new URL(object.presigned);
  if (random.chance(0.5)) presigned.searchParams.set(random.pick(["X-Amz-Expires", "X-Amz-Signature", "X-Amz-Date", "X-Amz-Credential"]), random.pick(["1", "0", "zz", "99999999"]));
  return random.pick<RawRequest>([
    { target: "s3", method: "GET", url: `${object.bucketUrl}?list-type=2&prefix=originals/`, headers: {}, foreign: true },
    { target: "s3", method: "GET", url: `${object.bucketUrl}/${object.key}`, headers: {}, foreign: true },
    { target: "s3", method: "DELETE", url: `${object.bucketUrl}/${object.key}`, headers: {}, foreign: true },
    { target: "s3", method: "PUT", url: presigned.toString(), headers: { "content-type": "image/png" }, body: Buffer.from("overwritten by an intruder"), foreign: true },
    { target: "s3", method: "OPTIONS", url: `${object.bucketUrl}/${object.key}`, headers: { origin: "https://evil.example", "access-control-request-method": "PUT" }, foreign: true },
  ]);
}

function check(req: RawRequest, res: RawResponse | undefined, secrets: string[]): string | undefined {
  if (!res) return "no answer (the app hung or dropped the connection)";
  if (res.status >= 500) return `answered ${res.status}`;
  if (res.body.includes(PROJECT_DIR)) return "leaked an internal path";
  for (const [pattern, what] of LEAK_PATTERNS) if (pattern.test(res.body)) return `leaked ${what}`;
  // An error that echoes the caller's own request (S3's <Key>/<Resource>) tells them nothing new.
  if (req.foreign) for (const secret of secrets) if (res.body.includes(secret) && !req.url.includes(secret)) return `served the owner's ${secret} to someone else`;
  const cookies = ([] as string[]).concat(res.headers["set-cookie"] ?? []);
  if (cookies.some((c) => /injected|example\.com/i.test(c))) return `reflected client input into Set-Cookie: ${cookies.join(" | ")}`;
  if (req.target === "s3" && req.method === "GET" && res.status === 200 && /originals\//.test(res.body)) return "listed originals without a signature";
  return undefined;
}

export async function runFuzz(app: LocalApp, options: FuzzOptions): Promise<FuzzReport> {
  const random = prng(options.seed);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const specs = app.context.run.specs;
  const apis = specs.filter((s) => s.kind === "ServerlessApi").map((s) => s.spec as ServerlessApiSpec).map((spec) => ({ spec, routes: spec.routes }));
  const siteSpecs = specs.filter((s) => s.kind === "StaticSite").map((s) => s.spec as StaticSiteSpec);
  const files = siteSpecs.flatMap(siteFiles);
  const apiBase = apis[0] ? `/${apis[0].spec.basePath}`.replace(/\/+$/, "") : "";

  // The owner's data: albums with a secret marker in their titles, a photo whose original is uploaded.
  const marker = `owner-secret-${options.seed}`;
  const owner = await signUpLocalUser(app, `owner-${options.seed}@example.com`);
  const intruder = await signUpLocalUser(app, `intruder-${options.seed}@example.com`);
  const ownerIds: Record<string, string[]> = { albumId: [], photoId: [] };
  let ownerObject: Targets["ownerObject"];
  if (apis.length > 0) {
    for (let i = 0; i < 2; i++) {
      const album = await apiJson(app, "POST", `${apiBase}/albums`, owner.idToken, { title: `${marker} album ${i}` });
      if (album.status !== 201) throw new Error(`fuzz setup: creating the owner's album answered ${album.status}`);
      ownerIds.albumId.push(album.body.albumId);
    }
    const image = markedPng(`${marker} original`);
    const photo = await apiJson(app, "POST", `${apiBase}/albums/${ownerIds.albumId[0]}/photos`, owner.idToken, { contentType: "image/png", size: image.length, title: marker });
    if (photo.status !== 201) throw new Error(`fuzz setup: creating the owner's photo answered ${photo.status}`);
    const photoId: string = photo.body.photo.photoId;
    ownerIds.photoId.push(photoId);
    const uploaded = await fetch(photo.body.upload.url, { method: "PUT", headers: photo.body.upload.headers, body: image });
    if (uploaded.status !== 200) throw new Error(`fuzz setup: uploading the owner's original answered ${uploaded.status}`);
    await waitUntilReady(app, `${apiBase}/albums/${ownerIds.albumId[0]}/photos/${photoId}`, owner);
    const url = new URL(photo.body.upload.url);
    const [bucket, ...key] = url.pathname.slice(1).split("/");
    ownerObject = { bucketUrl: `${url.origin}/${bucket}`, key: key.join("/"), presigned: photo.body.upload.url, content: image.toString("latin1") };
  }
  const before = apis.length > 0 ? await ownerSnapshot(app, apiBase, owner) : "";
  const secrets = [marker, ...ownerIds.albumId, ...ownerIds.photoId];
  const targets: Targets = { apis, files, ownerIds, ownerObject };

  const report: FuzzReport = { requests: 0, byStatus: {}, byTarget: {}, failures: [] };
  const queue = Array.from({ length: options.requests }, () => nextRequest(app, targets, random, owner, intruder));
  const worker = async () => {
    for (let req = queue.shift(); req; req = queue.shift()) {
      const res = await send(req, timeoutMs);
      report.requests++;
      const status = res ? String(res.status) : "no answer";
      report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
      report.byTarget[req.target] = (report.byTarget[req.target] ?? 0) + 1;
      const problem = check(req, res, secrets);
      if (problem) report.failures.push({ request: `${req.method} ${req.url.slice(0, 200)}`, status: res?.status ?? "no answer", problem });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));

  // Still alive, and the owner's data as it was.
  const health = await send({ target: "site", method: "GET", url: `${app.urls.site}/`, headers: {}, foreign: true }, timeoutMs);
  if (!health || health.status !== 200) report.failures.push({ request: "GET / after the run", status: health?.status ?? "no answer", problem: "the app no longer serves its home page" });
  if (apis.length > 0) {
    const after = await ownerSnapshot(app, apiBase, owner);
    if (after !== before) report.failures.push({ request: "owner's albums and photos after the run", status: 200, problem: `changed during the run:\n  before ${before}\n  after  ${after}` });
    if (ownerObject) {
      const photo = await apiJson(app, "GET", `${apiBase}/albums/${ownerIds.albumId[0]}/photos/${ownerIds.photoId[0]}`, owner.idToken);
      const original = photo.body?.downloadUrl ? Buffer.from(await (await fetch(photo.body.downloadUrl)).arrayBuffer()).toString("latin1") : undefined;
      if (original !== ownerObject.content) report.failures.push({ request: "owner's original after the run", status: photo.status, problem: `is ${JSON.stringify(original)}, not what the owner uploaded` });
    }
  }
  return report;
}
