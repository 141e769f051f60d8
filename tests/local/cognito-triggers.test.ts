/**
 * A UserAuth's post-confirmation trigger runs locally in the local Lambda runtime when a
 * user confirms their sign-up in cognito-local. (A failing trigger is printed; cognito-local
 * swallows the failure, where AWS fails the ConfirmSignUp call — see README.)
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient, ConfirmSignUpCommand, SignUpCommand, UserLambdaValidationException } from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import type { LocalCognito } from "../../local/services/cognito";
import { startLocalApp, type LocalApp } from "../../local/start";

const dir = mkdtempSync(join(tmpdir(), "sf-cognito-trigger-"));
const recordFile = join(dir, "events.jsonl");
let app: LocalApp;
let cognito: LocalCognito;
let sdk: CognitoIdentityProviderClient;

beforeAll(async () => {
  const program = () => {
    const auth = new UserAuth("trig", {
      callbackUrls: ["http://localhost:3000/"],
      mfa: "OPTIONAL",
      triggers: { postConfirmation: { entry: "tests/fixtures/handlers/record-trigger.ts", timeout: 5, environment: { RECORD_FILE: recordFile } } },
    });
    return { userPoolId: auth.userPoolId, clientId: auth.clientId };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
  cognito = app.services.find((s) => s.name === "cognito") as LocalCognito;
  sdk = new CognitoIdentityProviderClient({ endpoint: cognito.emulator.url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
});
afterAll(async () => {
  sdk?.destroy();
  await app?.stop();
});

async function signUpAndConfirm(email: string) {
  const clientId = String(app.context.run.outputs.clientId);
  const signUp = await sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: "Correct-horse-9", UserAttributes: [{ Name: "email", Value: email }] }));
  await sdk.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: cognito.emulator.lastCode(email) }));
  return signUp.UserSub!;
}

// In this order, also with --sequence.shuffle: the second test counts the record file the first one started.
describe("post-confirmation trigger under npm start", { shuffle: false }, () => {
  it("runs the trigger's bundle with the confirmed user's pool, sub and email", async () => {
    expect(existsSync(recordFile)).toBe(false);
    const sub = await signUpAndConfirm("bob@example.com");
    const events = readFileSync(recordFile, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      triggerSource: "PostConfirmation_ConfirmSignUp",
      // The pool's region, as Cognito names it (cognito-local alone says "local").
      region: "us-east-1",
      userPoolId: app.context.run.outputs.userPoolId,
      request: { userAttributes: { sub, email: "bob@example.com" } },
    });
  });

  it("reports a failing trigger, which cognito-local swallows (the user stays confirmed, as in AWS)", async () => {
    const logged: string[] = [];
    const log = app.context.log;
    app.context.log = (message) => logged.push(message);
    try {
      await signUpAndConfirm("refuse@example.com");
    } finally {
      app.context.log = log;
    }
    expect(readFileSync(recordFile, "utf8").trim().split("\n")).toHaveLength(2);
    expect(logged.join("\n")).toMatch(/PostConfirmation trigger failed: .*this user may not join/);
  });
});
