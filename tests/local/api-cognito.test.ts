/**
 * The reference app's API under `npm start` with real tokens from cognito-local: two users
 * sign up, confirm and sign in (USER_PASSWORD_AUTH) against the dev stack's UserAuth, then
 * drive the gallery API over HTTP through the local CloudFront at /api/*. API Gateway's
 * Cognito authorizer is emulated with the app's own verifier against the local issuer.
 */
import { CognitoIdentityProviderClient, ConfirmSignUpCommand, InitiateAuthCommand, SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalEvents } from "../../local/services/events";
import type { LocalApp } from "../../local/start";
import { startDevApp } from "../setup/dev-app";

let app: LocalApp;
let sdk: CognitoIdentityProviderClient;
let base: string;
const tokens: Record<string, string> = {};

async function signUpAndIn(email: string): Promise<string> {
  const env = app.context.environment;
  const password = "Correct-horse-9!";
  await sdk.send(new SignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }] }));
  const cognito = app.services.find((s) => s.name === "cognito") as unknown as { emulator: { lastCode(email: string): string } };
  await sdk.send(new ConfirmSignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: email, ConfirmationCode: cognito.emulator.lastCode(email) }));
  const result = await sdk.send(new InitiateAuthCommand({ ClientId: env.USER_POOL_CLIENT_ID, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: password } }));
  return result.AuthenticationResult!.IdToken!;
}

beforeAll(async () => {
  app = await startDevApp("sf-api-cognito-");
  const env = app.context.environment;
  sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  base = `${app.urls.site}/api`;
  tokens.alice = await signUpAndIn("alice@example.com");
  tokens.bob = await signUpAndIn("bob@example.com");
});
afterAll(async () => {
  sdk?.destroy();
  await app?.stop();
});

async function call(path: string, token?: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe("the gallery API locally, with cognito-local users", () => {
  it("refuses requests without a valid token (401), serves the public routes", async () => {
    expect((await call("/albums")).status).toBe(401);
    expect((await call("/albums", "not.a.token")).status).toBe(401);
    expect((await call("/health")).body).toMatchObject({ status: "ok", stage: "dev" });
    expect((await call("/config")).body).toMatchObject({ apiVersion: 1, imageTypes: expect.arrayContaining(["image/jpeg"]) });
  });

  it("keeps each user's albums to themselves", async () => {
    const created = await call("/albums", tokens.alice, { method: "POST", body: JSON.stringify({ title: "Alice only" }) });
    expect(created.status).toBe(201);
    const { albumId } = created.body;
    expect((await call("/albums", tokens.alice)).body.items.map((a: { albumId: string }) => a.albumId)).toEqual([albumId]);
    // Not `[]`: the upload test gives bob an album of his own, before or after this one (--sequence.shuffle).
    expect((await call("/albums", tokens.bob)).body.items.map((a: { albumId: string }) => a.albumId)).not.toContain(albumId);
    expect((await call(`/albums/${albumId}`, tokens.bob)).status).toBe(404);
    expect((await call(`/albums/${albumId}`, tokens.bob, { method: "DELETE" })).status).toBe(404);
    expect((await call(`/albums/${albumId}/photos`, tokens.bob, { method: "POST", body: JSON.stringify({ contentType: "image/png", size: 10 }) })).status).toBe(404);
    expect((await call(`/albums/${albumId}`, tokens.alice)).body.title).toBe("Alice only");
  });

  it("uploads a JPEG through a presigned URL; the thumbnail function makes it ready, and a client cannot mark it so itself", async () => {
    const album = (await call("/albums", tokens.bob, { method: "POST", body: JSON.stringify({ title: "Bob's" }) })).body;
    const image = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#246" } }).jpeg().toBuffer();
    const { photo, upload } = (await call(`/albums/${album.albumId}/photos`, tokens.bob, { method: "POST", body: JSON.stringify({ contentType: "image/jpeg", size: image.length }) })).body;
    const refused = await call(`/albums/${album.albumId}/photos/${photo.photoId}`, tokens.bob, { method: "PATCH", body: JSON.stringify({ status: "ready" }) });
    expect(refused.status).toBe(400);
    expect((await fetch(upload.url, { method: "PUT", headers: upload.headers, body: image })).status).toBe(200);
    await (app.services.find((s) => s.name === "events") as LocalEvents).bucketEvents.drained();
    const got = await call(`/albums/${album.albumId}/photos/${photo.photoId}`, tokens.bob);
    expect(got.body).toMatchObject({ status: "ready", width: 400, height: 300, format: "jpeg" });
    expect(Buffer.from(await (await fetch(got.body.downloadUrl)).arrayBuffer()).equals(image)).toBe(true);
    const thumb = got.body.thumbnails[0];
    expect(await sharp(Buffer.from(await (await fetch(thumb.url)).arrayBuffer())).metadata()).toMatchObject({ format: "webp", width: 320, height: 240 });
  });
});
