/**
 * After five failed password sign-ins Cognito (and the local Cognito, local/cognito-lockout.ts) refuses the user for a
 * while with NotAuthorizedException "Password attempts exceeded", the right password included: the page's sign-in
 * (site/src/auth.ts) tells the user to wait rather than showing Cognito's words, and keeps every other message as is.
 */
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

type CreateAuth = (config: typeof CONFIG) => { signInWithPassword(username: string, password: string): Promise<void> };
let createAuth: CreateAuth;

beforeAll(async () => {
  // Imported by path (so untyped here): browser code, type-checked by tsc -p site.
  ({ createAuth } = (await import(join(process.cwd(), "site/src/auth.ts"))) as { createAuth: CreateAuth });
});

const CONFIG = { imageTypes: [], maxImageBytes: 0, auth: { mode: "password", clientId: "client", cognitoEndpoint: "http://cognito.local/" } };

afterEach(() => vi.unstubAllGlobals());

/** The page's sign-in with Cognito answering 400 with this error; what it throws. */
async function refusal(type: string, message: string): Promise<{ message: string; code: string }> {
  vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ __type: `com.amazonaws.cognito#${type}`, message }), { status: 400 }));
  return createAuth(CONFIG).signInWithPassword("ann@example.com", "pw").then(
    () => expect.unreachable("signed in"),
    (error: { message: string; code: string }) => ({ message: error.message, code: error.code }),
  );
}

describe("the page's password sign-in", () => {
  it("tells a locked-out user to wait", async () => {
    expect(await refusal("NotAuthorizedException", "Password attempts exceeded")).toEqual({ message: "Too many failed sign-ins: wait a few minutes, then try again.", code: "NotAuthorizedException" });
  });

  it("shows Cognito's other messages as they are", async () => {
    expect(await refusal("NotAuthorizedException", "Incorrect username or password.")).toEqual({ message: "Incorrect username or password.", code: "NotAuthorizedException" });
    expect(await refusal("UserNotConfirmedException", "User is not confirmed.")).toEqual({ message: "User is not confirmed.", code: "UserNotConfirmedException" });
  });
});
