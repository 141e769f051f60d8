/**
 * The demo user's seeding (local/services/cognito.ts seedDemoUser) confirms the user last, after its email is verified
 * and it is in its groups: the post-confirmation trigger runs once, at the first start, and sees the user seeded;
 * a later start on the same state runs it no more.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import { startLocalApp } from "../../local/start";

const dir = mkdtempSync(join(tmpdir(), "sf-cognito-demo-trigger-"));
const recordFile = join(dir, "events.jsonl");
const program = () => {
  new UserAuth("auth", {
    callbackUrls: ["http://localhost:3000/"],
    mfa: "OPTIONAL",
    groups: [{ name: "admin" }],
    triggers: { postConfirmation: { entry: "tests/fixtures/handlers/record-trigger.ts", timeout: 5, environment: { RECORD_FILE: recordFile } } },
    localDemoUser: { email: "demo@example.com", password: "Local-demo-pass-1", groups: ["admin"] },
  });
  return {};
};
const events = () => (existsSync(recordFile) ? readFileSync(recordFile, "utf8").trim().split("\n").map((line) => JSON.parse(line)) : []);

it("runs the post-confirmation trigger once for the demo user, at the first start, with its email verified", async () => {
  await (await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program })).stop();
  expect(events()).toHaveLength(1);
  expect(events()[0]).toMatchObject({ triggerSource: "PostConfirmation_ConfirmSignUp", request: { userAttributes: { email: "demo@example.com", email_verified: "true" } } });
  await (await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program })).stop();
  expect(events()).toHaveLength(1);
});
