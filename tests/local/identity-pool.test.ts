/**
 * Row-level security locally (cognito-local has no identity pools): the local identity pool
 * trades a signed-in user's id token for credentials, and DynamoDB requests signed with them
 * pass only where every partition key is that user's identity id — the deployed role's
 * `ForAllValues:StringEquals dynamodb:LeadingKeys` condition, enforced in the data path.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand, NotAuthorizedException } from "@aws-sdk/client-cognito-identity";
import { CognitoIdentityProviderClient, ConfirmSignUpCommand, InitiateAuthCommand, SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import type { LocalCognito } from "../../local/services/cognito";
import { startLocalApp, type LocalApp } from "../../local/start";

const local = { region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
const tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/prefs";
let dynalite: Server;
let app: LocalApp;
let cognito: LocalCognito;
let outputs: Record<string, unknown>;

beforeAll(async () => {
  dynalite = require("dynalite")({ createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => dynalite.listen(0, "127.0.0.1", () => resolve()));
  const dynamodbUrl = `http://127.0.0.1:${(dynalite.address() as AddressInfo).port}`;
  const admin = new DynamoDBClient({ ...local, endpoint: dynamodbUrl });
  await admin.send(
    new CreateTableCommand({
      TableName: "prefs",
      AttributeDefinitions: [{ AttributeName: "identityId", AttributeType: "S" }, { AttributeName: "key", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "identityId", KeyType: "HASH" }, { AttributeName: "key", KeyType: "RANGE" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  admin.destroy();

  const program = () => {
    const auth = new UserAuth("rls", {
      callbackUrls: ["http://localhost:3000/"],
      mfa: "OPTIONAL",
      identityPool: { rowLevelSecurity: [{ tableArn, actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"] }] },
    });
    return { userPoolId: auth.userPoolId, clientId: auth.clientId, identityPoolId: auth.identityPoolId };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: mkdtempSync(join(tmpdir(), "sf-rls-")), load: program });
  // As the data service would have done before auth started.
  app.context.environment.AWS_ENDPOINT_URL_DYNAMODB = dynamodbUrl;
  cognito = app.services.find((s) => s.name === "cognito") as LocalCognito;
  outputs = app.context.run.outputs;
});
afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => dynalite?.close(resolve));
});

/** Signs a user up and in, then gets identity-pool credentials the way the browser's fromCognitoIdentityPool does. */
async function browserSession(email: string, { signUp = true } = {}) {
  const idp = new CognitoIdentityProviderClient({ ...local, endpoint: cognito.emulator.url });
  const clientId = String(outputs.clientId);
  if (signUp) {
    await idp.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: "Correct-horse-9", UserAttributes: [{ Name: "email", Value: email }] }));
    await idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: cognito.emulator.lastCode(email) }));
  }
  const auth = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: "Correct-horse-9" } }));
  idp.destroy();

  const identity = new CognitoIdentityClient({ ...local, endpoint: cognito.identity!.url });
  const logins = { [`cognito-idp.us-east-1.amazonaws.com/${outputs.userPoolId}`]: auth.AuthenticationResult!.IdToken! };
  const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: String(outputs.identityPoolId), Logins: logins }));
  const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
  identity.destroy();
  const dynamodb = new DynamoDBClient({
    region: "us-east-1",
    endpoint: cognito.identity!.url,
    credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken },
  });
  return { identityId: IdentityId!, dynamodb };
}

describe("row-level security under npm start", () => {
  let alice: Awaited<ReturnType<typeof browserSession>>;
  let bob: Awaited<ReturnType<typeof browserSession>>;
  beforeAll(async () => {
    alice = await browserSession("alice@example.com");
    bob = await browserSession("bob@example.com");
  });
  afterAll(() => {
    alice?.dynamodb.destroy();
    bob?.dynamodb.destroy();
  });

  it("gives each user their own, stable identity id", async () => {
    expect(alice.identityId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    expect(bob.identityId).not.toBe(alice.identityId);
    const again = await browserSession("alice@example.com", { signUp: false });
    again.dynamodb.destroy();
    expect(again.identityId).toBe(alice.identityId);
  });

  it("lets a user write, read and query their own items", async () => {
    await alice.dynamodb.send(new PutItemCommand({ TableName: "prefs", Item: { identityId: { S: alice.identityId }, key: { S: "theme" }, value: { S: "dark" } } }));
    const item = await alice.dynamodb.send(new GetItemCommand({ TableName: "prefs", Key: { identityId: { S: alice.identityId }, key: { S: "theme" } } }));
    expect(item.Item?.value).toEqual({ S: "dark" });
    const query = await alice.dynamodb.send(
      new QueryCommand({ TableName: "prefs", KeyConditionExpression: "#id = :me", ExpressionAttributeNames: { "#id": "identityId" }, ExpressionAttributeValues: { ":me": { S: alice.identityId } } }),
    );
    expect(query.Items).toHaveLength(1);
  });

  it("refuses another user's items, table-wide reads and actions the role lacks", async () => {
    const others = bob.dynamodb.send(new GetItemCommand({ TableName: "prefs", Key: { identityId: { S: alice.identityId }, key: { S: "theme" } } }));
    await expect(others).rejects.toMatchObject({ name: "AccessDeniedException" });
    await expect(others).rejects.toThrow(/dynamodb:LeadingKeys must all equal \$\{cognito-identity.amazonaws.com:sub\}/);
    await expect(bob.dynamodb.send(new PutItemCommand({ TableName: "prefs", Item: { identityId: { S: alice.identityId }, key: { S: "theme" } } }))).rejects.toMatchObject({ name: "AccessDeniedException" });
    await expect(bob.dynamodb.send(new ScanCommand({ TableName: "prefs" }))).rejects.toMatchObject({ name: "AccessDeniedException" });
    const query = bob.dynamodb.send(new QueryCommand({ TableName: "prefs", KeyConditionExpression: "identityId = :them", ExpressionAttributeValues: { ":them": { S: alice.identityId } } }));
    await expect(query).rejects.toMatchObject({ name: "AccessDeniedException" });
  });

  it("gives no credentials without a valid sign-in (no unauthenticated identities)", async () => {
    const identity = new CognitoIdentityClient({ ...local, endpoint: cognito.identity!.url });
    await expect(identity.send(new GetIdCommand({ IdentityPoolId: String(outputs.identityPoolId) }))).rejects.toThrow(NotAuthorizedException);
    const forged = { [`cognito-idp.us-east-1.amazonaws.com/${outputs.userPoolId}`]: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" };
    await expect(identity.send(new GetIdCommand({ IdentityPoolId: String(outputs.identityPoolId), Logins: forged }))).rejects.toThrow(/Invalid login token/);
    identity.destroy();
  });
});
