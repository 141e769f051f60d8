/**
 * `npm start`'s API over HTTP, through the local CloudFront front door at /api/*: the
 * gallery routes of a ServerlessApi (tests/fixtures/api-program.ts) against dynalite,
 * with tokens a test issuer signs and serves the JWKS of — the same verification path
 * (handlers/shared/jwt.ts) cognito-local's tokens take in tests/local/api-cognito.test.ts.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalApp, type LocalApp } from "../../local/start";
// Same id as tests/fixtures/api-program.ts (importing it here would run the program before the offline run does).
const FIXTURE_POOL_ID = "us-east-1_fixture";
import { startGalleryTable } from "../handlers/gallery-table";
import { withHeldTimer } from "../harness/held-timer";
import { startTestIssuer, type TestIssuer } from "../harness/test-issuer";

let app: LocalApp;
let table: Awaited<ReturnType<typeof startGalleryTable>>;
let issuer: TestIssuer;
let base: string;
let alice: string;
let bob: string;

beforeAll(async () => {
  table = await startGalleryTable();
  issuer = await startTestIssuer();
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: mkdtempSync(join(tmpdir(), "sf-api-")), load: () => import("../fixtures/api-program.js") });
  Object.assign(app.context.environment, {
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: issuer.origin,
    JWT_ISSUER: issuer.issuer(FIXTURE_POOL_ID),
    POWERTOOLS_LOG_LEVEL: "ERROR",
    POWERTOOLS_METRICS_DISABLED: "true",
  });
  base = `${app.urls.site}/api`;
  alice = issuer.token({ sub: "alice", poolId: FIXTURE_POOL_ID, clientId: "fixture-client" });
  bob = issuer.token({ sub: "bob", poolId: FIXTURE_POOL_ID, clientId: "fixture-client" });
});
afterAll(async () => {
  await app?.stop();
  await table?.stop();
  await issuer?.stop();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
async function api(path: string, init: RequestInit & { token?: string } = {}) {
  const response = await fetch(`${base}${path}`, { ...init, headers: { ...(init.token ? auth(init.token) : {}), ...(init.headers ?? {}) } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

describe("the local API behind the local CloudFront at /api/*", () => {
  it("serves public routes: a Lambda health check with the canary's alias override, and a mock integration", async () => {
    const health = await api("/health");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "ok", stage: "dev", alias: "dev-canary" });
    expect(health.headers.get("x-local-canary")).toBe("true");
    expect(health.headers.get("strict-transport-security")).toMatch(/max-age=/); // through the front door
    expect(await api("/config")).toMatchObject({ status: 200, body: { apiVersion: 1 } });
  });

  it("answers 401 without a token, with a garbage token and with another issuer's token", async () => {
    expect((await api("/albums")).status).toBe(401);
    expect((await api("/albums", { token: "a.b.c" })).status).toBe(401);
    const foreign = issuer.token({ sub: "mallory", poolId: "us-east-1_other", clientId: "fixture-client" });
    expect((await api("/albums", { token: foreign })).status).toBe(401);
  });

  it("accepts only id tokens on a Cognito route without scopes, as API Gateway does (an access token is 401)", async () => {
    const access = issuer.token({ sub: "alice", poolId: FIXTURE_POOL_ID, clientId: "fixture-client", tokenUse: "access" });
    expect((await api("/albums", { token: access })).status).toBe(401);
    expect((await api("/albums", { token: alice })).status).toBe(200);
  });

  it("answers a malformed percent-encoding in a path parameter with 400 and a body over 10 MiB with 413, and keeps serving", async () => {
    expect(await api("/albums/%zz", { token: alice })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/percent-encoding/) } });
    const huge = await api("/albums", { method: "POST", token: alice, body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61) });
    expect(huge).toMatchObject({ status: 413, body: { message: "Request Too Long" } });
    expect((await api("/health")).status).toBe(200);
  });

  it("creates, lists and reads a user's albums with a verified token; a second user sees none of them", async () => {
    const created = await api("/albums", { method: "POST", token: alice, body: JSON.stringify({ title: "Alice's trip" }) });
    expect(created.status).toBe(201);
    const albumId = created.body.albumId;
    expect(created.headers.get("location")).toBe(`/api/albums/${albumId}`);
    expect((await api(`/albums/${albumId}`, { token: alice })).body.title).toBe("Alice's trip");
    expect((await api("/albums", { token: alice })).body.items.map((a: { albumId: string }) => a.albumId)).toContain(albumId);

    expect((await api("/albums", { token: bob })).body.items).toEqual([]);
    expect((await api(`/albums/${albumId}`, { token: bob })).status).toBe(404);
    expect((await api(`/albums/${albumId}`, { method: "PATCH", token: bob, body: JSON.stringify({ title: "mine now" }) })).status).toBe(404);
    expect((await api(`/albums/${albumId}`, { method: "DELETE", token: bob })).status).toBe(404);
    expect((await api(`/albums/${albumId}`, { token: alice })).body.title).toBe("Alice's trip");
  });

  it("answers a body the route's request model refuses with the gateway's 400, and passes the handlers' 409 and 413 through", async () => {
    // The gateway's request validator runs before the handler, as in AWS (the component's BAD_REQUEST_BODY response).
    const bad = await api("/albums", { method: "POST", token: alice, body: JSON.stringify({ title: "" }) });
    expect(bad).toMatchObject({ status: 400, body: { message: "Request body is invalid", errors: { "(body)": ['[string "" is too short (length: 0, required minimum: 1)]'] } } });
    const album = (await api("/albums", { method: "POST", token: alice, body: JSON.stringify({ title: "x" }) })).body;
    const stale = await api(`/albums/${album.albumId}`, { method: "PATCH", token: alice, body: JSON.stringify({ title: "y", expectedUpdatedAt: "1999-01-01T00:00:00Z" }) });
    expect(stale.status).toBe(409);
    // Valid for the model (white space is not a field), too large for the handler.
    expect((await api("/albums", { method: "POST", token: alice, body: `{"title": "x"${" ".repeat(20_000)}}` })).status).toBe(413);
  });

  it("presigns an upload to the local S3 stand-in; a client cannot mark the photo ready (the thumbnail function does)", async () => {
    const album = (await api("/albums", { method: "POST", token: alice, body: JSON.stringify({ title: "Photos" }) })).body;
    const image = Buffer.from("not really a png");
    const created = await api(`/albums/${album.albumId}/photos`, { method: "POST", token: alice, body: JSON.stringify({ contentType: "image/png", size: image.length }) });
    expect(created.status).toBe(201);
    const { photo, upload } = created.body;
    const put = await fetch(upload.url, { method: "PUT", headers: upload.headers, body: image });
    expect(put.status).toBe(200);
    // The gateway's request model (UpdatePhoto: title only) refuses a status before the handler runs.
    const refused = await api(`/albums/${album.albumId}/photos/${photo.photoId}`, { method: "PATCH", token: alice, body: JSON.stringify({ status: "ready" }) });
    expect(refused.status).toBe(400);
  });

  it("runs a Lambda REQUEST authorizer (aws-jwt-verify) and hands its context to the handler", async () => {
    expect((await api("/me/albums")).status).toBe(401);
    // An album of alice's own, whichever tests ran before.
    expect((await api("/albums", { method: "POST", token: alice, body: JSON.stringify({ title: "Mine" }) })).status).toBe(201);
    const mine = await api("/me/albums", { token: alice });
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect((await api("/me/albums", { token: bob })).body.items).toEqual([]);
  });

  it("answers API Gateway's 403 for unknown routes and for IAM routes without a SigV4 signature, even with a Cognito token", async () => {
    expect(await api("/nope")).toMatchObject({ status: 403, body: { message: "Missing Authentication Token" } });
    expect((await api("/admin")).status).toBe(403);
    // A valid Cognito token is not a SigV4 signature.
    expect((await api("/admin", { token: alice })).status).toBe(403);
  });

  it("enforces the function's timeout: its own 1 s ends before the integration's 2 s, so API Gateway's 502 function error (not 504)", async () => {
    expect((await api("/slow?ms=10")).status).toBe(200);
    // The function's 1 s timer fired once set, not waited out; the integration's 2 s one runs as it is. A function
    // timer of another length is not held: one past the integration's would let that one answer (504).
    expect(await withHeldTimer(1000, "LocalLambda.invoke", () => api("/slow?ms=3000"))).toMatchObject({ status: 502, body: { message: "Internal server error" } });
    expect((await api("/slow?ms=10")).status).toBe(200);
  });
});
