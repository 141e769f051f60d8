/**
 * The cursor key's read path: handlers/shared/cursor.ts fetches the secret named by CURSOR_SECRET_ID with
 * Powertools parameters (GetSecretValue), once per warm function thanks to its cache, and never reads a value
 * from the environment.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-cursor-secret-AbCdEf";
const secrets = mockClient(SecretsManagerClient);
let cursor: typeof import("../../handlers/shared/cursor.js");

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", CURSOR_SECRET_ID: SECRET_ID, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: "key-one" });
  cursor = await import("../../handlers/shared/cursor.js");
});
afterAll(() => secrets.restore());

const shape = { list: "albums", owner: "alice", attributes: { pk: "USER#alice", sk: "ALBUM#" } };

describe("the cursor key", () => {
  it("is read from Secrets Manager by the id in CURSOR_SECRET_ID, once for many cursors (Powertools' cache)", async () => {
    const sealed = await cursor.sealCursor({ pk: "USER#alice", sk: "ALBUM#1" }, shape);
    expect(await cursor.openCursor(sealed, shape)).toEqual({ pk: "USER#alice", sk: "ALBUM#1" });
    await cursor.sealCursor({ pk: "USER#alice", sk: "ALBUM#2" }, shape);
    const calls = secrets.commandCalls(GetSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ SecretId: SECRET_ID });
  });

  it("signs with the secret's value: a cursor sealed under another key is refused", async () => {
    const { createHmac } = await import("node:crypto");
    const payload = Buffer.from(JSON.stringify({ pk: "USER#alice", sk: "ALBUM#1" })).toString("base64url");
    const forged = `${payload}.${createHmac("sha256", "another-key").update(`albums\nalice\n${payload}`).digest("base64url")}`;
    await expect(cursor.openCursor(forged, shape)).rejects.toMatchObject({ statusCode: 400 });
    const genuine = `${payload}.${createHmac("sha256", "key-one").update(`albums\nalice\n${payload}`).digest("base64url")}`;
    expect(await cursor.openCursor(genuine, shape)).toEqual({ pk: "USER#alice", sk: "ALBUM#1" });
  });
});
