/**
 * What the embedded Cognito emulator's tests each did by hand: an SDK client on the emulator, a user signed up and
 * confirmed by the admin (email as its username and its `email` attribute), a user an administrator created with a
 * temporary password, a USER_PASSWORD_AUTH sign-in, an app client that signs in through the hosted UI.
 */
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
  UpdateUserPoolClientCommand,
  type UpdateUserPoolClientCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "cognito-local/lib/services";
import { afterAll, beforeAll } from "vitest";
import { startCognitoEmulator, type CognitoEmulator } from "../../local/cognito-emulator";

/** The emulator as the tests start it: no triggers, no log, on `clock` (the wall clock when none), in `dataDir`. */
export const startQuietCognito = (dataDir: string, clock?: Clock) =>
  startCognitoEmulator({ dataDir, triggers: [], invokeTrigger: async () => undefined, log: () => {}, clock });

/** A new, empty data directory for an emulator, named after the test (`sf-cognito-<name>-...` in the OS's temp dir). */
export const freshCognitoDir = (name: string) => mkdtempSync(join(tmpdir(), `sf-cognito-${name}-`));

/** An SDK client on a local Cognito endpoint (the emulator takes any credentials). */
export const localCognitoClient = (endpoint: string) =>
  new CognitoIdentityProviderClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });

/**
 * A quiet emulator in a fresh data directory (named after `name`, made now: `dataDir`) on `clock` (the wall clock when
 * none), and an SDK client on it, for a test file: started in a beforeAll registered now (so before the file's own,
 * which sets up its pools), stopped in an afterAll. Read `emulator` and `sdk` in hooks and tests, once started.
 */
export function quietCognitoForFile(name: string, clock?: Clock): { emulator: CognitoEmulator; sdk: CognitoIdentityProviderClient; dataDir: string } {
  const local = { dataDir: freshCognitoDir(name) } as { emulator: CognitoEmulator; sdk: CognitoIdentityProviderClient; dataDir: string };
  beforeAll(async () => {
    local.emulator = await startQuietCognito(local.dataDir, clock);
    local.sdk = localCognitoClient(local.emulator.url);
  });
  afterAll(async () => {
    local.sdk?.destroy();
    await local.emulator?.stop();
  });
  return local;
}

/** Signs `email` up through `clientId` and confirms it (AdminConfirmSignUp), so it can sign in at once. */
export async function confirmedUser(sdk: CognitoIdentityProviderClient, userPoolId: string, clientId: string, email: string, password: string): Promise<void> {
  await sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }] }));
  await sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }));
}

/** An answer's outcome: "ok", or its error as `name: message` (what the tests compare with Cognito's answers). */
export const outcome = (answer: Promise<unknown>): Promise<string> =>
  answer.then(
    () => "ok",
    (error: Error) => `${error.name}: ${error.message}`,
  );

/** `record` as a request's UserAttributes (AttributeType list): `{ email: "a@b" }` → `[{ Name: "email", Value: "a@b" }]`. */
export const attributeList = (record: Record<string, string>) => Object.entries(record).map(([Name, Value]) => ({ Name, Value }));

/** `username`'s attributes in `userPoolId` (AdminGetUser) by name. */
export const attributesOf = async (sdk: CognitoIdentityProviderClient, userPoolId: string, username: string): Promise<Record<string, string | undefined>> =>
  Object.fromEntries(((await sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }))).UserAttributes ?? []).map((a) => [a.Name, a.Value]));

/**
 * Creates `username` in `userPoolId` as an administrator does (AdminCreateUser, no invitation sent) with
 * `temporaryPassword`, so it is FORCE_CHANGE_PASSWORD, and `attributes` (by default its `email`, the username); answers
 * the username.
 */
export async function temporaryUser(
  sdk: CognitoIdentityProviderClient,
  userPoolId: string,
  username: string,
  temporaryPassword: string,
  attributes: Record<string, string> = { email: username },
): Promise<string> {
  await sdk.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: username, TemporaryPassword: temporaryPassword, MessageAction: "SUPPRESS", UserAttributes: attributeList(attributes) }));
  return username;
}

/** InitiateAuth with USER_PASSWORD_AUTH (the SDK's answer, or its error). */
export const passwordSignIn = (sdk: CognitoIdentityProviderClient, clientId: string, username: string, password: string) =>
  sdk.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: username, PASSWORD: password } }));

/**
 * Makes `clientId` (named after itself) an app client of `userPoolId` that signs in through the hosted UI: the
 * authorization-code flow to `callbackUrls`, scopes openid and email, and USER_PASSWORD_AUTH; `more` adds or overrides.
 */
export async function hostedUiClient(
  emulator: CognitoEmulator,
  sdk: CognitoIdentityProviderClient,
  userPoolId: string,
  clientId: string,
  callbackUrls: string[],
  more: Partial<UpdateUserPoolClientCommandInput> = {},
): Promise<void> {
  await emulator.ensureClient(userPoolId, clientId, clientId);
  await sdk.send(
    new UpdateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientId: clientId,
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"],
      CallbackURLs: callbackUrls,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email"],
      AllowedOAuthFlowsUserPoolClient: true,
      ...more,
    }),
  );
}
