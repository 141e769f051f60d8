/**
 * UserAuth's sign-up and sign-in triggers under npm start: cognito-local runs preSignUp, postAuthentication and
 * preTokenGeneration, and the embedded emulator adds preAuthentication (which cognito-local lacks), each in the local
 * Lambda runtime. A failing trigger refuses the request as Cognito does: UserLambdaValidationException,
 * "<Trigger> failed with error <the function's message>.".
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
  UserLambdaValidationException,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import type { LocalCognito } from "../../local/services/cognito";
import { startLocalApp, type LocalApp } from "../../local/start";

const dir = mkdtempSync(join(tmpdir(), "sf-cognito-sign-in-"));
const recordFile = join(dir, "events.jsonl");
const password = "Correct-horse-9";
let app: LocalApp;
let cognito: LocalCognito;
let sdk: CognitoIdentityProviderClient;
let clientId: string;
let userPoolId: string;

beforeAll(async () => {
  const trigger = { entry: "tests/fixtures/handlers/sign-in-trigger.ts", timeout: 5, environment: { RECORD_FILE: recordFile } };
  const program = () => {
    const auth = new UserAuth("signin", {
      callbackUrls: ["http://localhost:3000/"],
      mfa: "OPTIONAL",
      triggers: { preSignUp: trigger, preAuthentication: trigger, postAuthentication: trigger, preTokenGeneration: trigger },
    });
    return { userPoolId: auth.userPoolId, clientId: auth.clientId };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
  cognito = app.services.find((s) => s.name === "cognito") as LocalCognito;
  sdk = new CognitoIdentityProviderClient({ endpoint: cognito.emulator.url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  clientId = String(app.context.run.outputs.clientId);
  userPoolId = String(app.context.run.outputs.userPoolId);
});
afterAll(async () => {
  sdk?.destroy();
  await app?.stop();
});
beforeEach(() => writeFileSync(recordFile, ""));

const events = () => readFileSync(recordFile, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as { triggerSource: string; userPoolId: string; request: any });
const signUp = (email: string) => sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }] }));
async function confirmedUser(email: string): Promise<void> {
  await signUp(email);
  await sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }));
  writeFileSync(recordFile, "");
}
const signIn = (email: string) => sdk.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: password } }));
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as Record<string, unknown>;

describe("sign-up and sign-in triggers under npm start", () => {
  it("runs preSignUp with the new user's attributes, and refuses the sign-up when it throws", async () => {
    await signUp("ann@example.com");
    expect(events()).toMatchObject([{ triggerSource: "PreSignUp_SignUp", userPoolId, request: { userAttributes: { email: "ann@example.com" } } }]);
    const refused = await signUp("refuse-presignup@example.com").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserLambdaValidationException);
    expect((refused as Error).message).toBe("PreSignUp failed with error presignup refuses this user.");
  });

  it("runs preAuthentication first, then postAuthentication and preTokenGeneration on a sign-in, and puts the trigger's claim in the ID token", async () => {
    await confirmedUser("bea@example.com");
    const result = await signIn("bea@example.com");
    const sources = events().map((e) => e.triggerSource);
    expect(sources[0]).toBe("PreAuthentication_Authentication");
    expect(sources.slice(1).sort()).toEqual(["PostAuthentication_Authentication", "TokenGeneration_Authentication"]);
    expect(events()[0]).toMatchObject({ userPoolId, request: { userAttributes: { email: "bea@example.com" } } });
    expect(claims(result.AuthenticationResult!.IdToken!)).toMatchObject({ email: "bea@example.com", plan: "gallery-pro" });
  });

  it("refuses the sign-in when preAuthentication throws, before the password is checked", async () => {
    await confirmedUser("refuse-preauthentication@example.com");
    const wrongPassword = () => sdk.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "refuse-preauthentication@example.com", PASSWORD: "Wrong-horse-9" } }));
    for (const attempt of [() => signIn("refuse-preauthentication@example.com"), wrongPassword]) {
      const refused = await attempt().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(UserLambdaValidationException);
      expect((refused as Error).message).toBe("PreAuthentication failed with error preauthentication refuses this user.");
    }
    expect(events().map((e) => e.triggerSource)).toEqual(["PreAuthentication_Authentication", "PreAuthentication_Authentication"]);
  });

  it("refuses the tokens when postAuthentication throws (cognito-local alone would ignore the failure)", async () => {
    await confirmedUser("refuse-postauthentication@example.com");
    const refused = await signIn("refuse-postauthentication@example.com").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserLambdaValidationException);
    expect((refused as Error).message).toBe("PostAuthentication failed with error postauthentication refuses this user.");
  });

  it("refuses the tokens when preTokenGeneration throws", async () => {
    await confirmedUser("refuse-tokengeneration@example.com");
    const refused = await signIn("refuse-tokengeneration@example.com").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserLambdaValidationException);
    expect((refused as Error).message).toBe("PreTokenGeneration failed with error tokengeneration refuses this user.");
  });
});
