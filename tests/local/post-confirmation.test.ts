/**
 * The reference app's post-confirmation trigger under npm start: a user confirming their
 * sign-up in cognito-local gets their profile item in the (local) gallery table, written by
 * the handler's real bundle in the local Lambda runtime.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient, ConfirmSignUpCommand, SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import type { LocalCognito } from "../../local/services/cognito";
import { startLocalApp, type LocalApp } from "../../local/start";

const local = { region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
let dynalite: Server;
let dynamodb: DynamoDBClient;
let app: LocalApp;
let cognito: LocalCognito;

beforeAll(async () => {
  dynalite = require("dynalite")({ createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => dynalite.listen(0, "127.0.0.1", () => resolve()));
  const endpoint = `http://127.0.0.1:${(dynalite.address() as AddressInfo).port}`;
  dynamodb = new DynamoDBClient({ ...local, endpoint });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: "gallery-local",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const program = () => {
    const auth = new UserAuth("pc", {
      callbackUrls: ["http://localhost:3000/"],
      mfa: "OPTIONAL",
      triggers: {
        postConfirmation: {
          entry: "handlers/auth/post-confirmation.ts",
          timeout: 5,
          environment: { TABLE_NAME: "gallery-local", POWERTOOLS_SERVICE_NAME: "auth" },
          permissions: [{ actions: ["dynamodb:PutItem"], resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/gallery-local"] }],
        },
      },
    });
    return { clientId: auth.clientId };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: mkdtempSync(join(tmpdir(), "sf-post-confirmation-")), load: program });
  // As the data service would have done before auth started; functions read it at their first invocation.
  app.context.environment.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  cognito = app.services.find((s) => s.name === "cognito") as LocalCognito;
});
afterAll(async () => {
  dynamodb?.destroy();
  await app?.stop();
  await new Promise((resolve) => dynalite?.close(resolve));
});

describe("post-confirmation creates the profile item locally", () => {
  it("writes USER#<sub> / PROFILE when the user confirms their code", async () => {
    const idp = new CognitoIdentityProviderClient({ ...local, endpoint: cognito.emulator.url });
    const clientId = String(app.context.run.outputs.clientId);
    const email = "dana@example.com";
    const { UserSub } = await idp.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: "Correct-horse-9", UserAttributes: [{ Name: "email", Value: email }] }));
    const key = { pk: { S: `USER#${UserSub}` }, sk: { S: "PROFILE" } };
    expect((await dynamodb.send(new GetItemCommand({ TableName: "gallery-local", Key: key }))).Item).toBeUndefined();

    await idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: cognito.emulator.lastCode(email) }));
    idp.destroy();
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: "gallery-local", Key: key }));
    expect(Item).toMatchObject({ ...key, email: { S: email }, displayName: { S: "dana" }, albumCount: { N: "0" } });
  });
});
