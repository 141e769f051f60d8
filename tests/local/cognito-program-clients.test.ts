/**
 * `npm start` provisions what the program declares in a pool beyond UserAuth's own client: its resource servers (with
 * their scopes) and its other app clients, e.g. a machine client allowed client_credentials, under the offline run's
 * ids; such a client then gets tokens with its resource-server scopes from the local token endpoint.
 */
import { DescribeResourceServerCommand, DescribeUserPoolClientCommand, type CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CognitoEmulator } from "../../local/cognito-emulator";
import type { RecordedResource } from "../../local/offline/mocks";
import { cognitoApi, provisionOtherClients, provisionResourceServers, type CognitoApi } from "../../local/services/cognito";
import type { LocalContext } from "../../local/services/types";
import { freshCognitoDir, localCognitoClient, startQuietCognito } from "../harness/cognito-users";

const userPoolId = "us-east-1_Program01";
const ownClientId = "ownclient0000000000000000a";
const machineId = "machineclient000000000000b";
let emulator: CognitoEmulator;
let sdk: CognitoIdentityProviderClient;
/** What npm start provisions with (local/services/cognito.ts); `sdk` reads what it made, as a client would. */
let api: { send: CognitoApi; destroy(): void };
const logs: string[] = [];

/** A recorded resource as the offline run keeps it (inputs resolved, the mocks' state). */
const recorded = (type: string, name: string, id: string, inputs: Record<string, any>, state: Record<string, any> = {}) =>
  ({ type, name, urn: `urn:pulumi:dev::app::${type}::${name}`, custom: true, inputs, state: { ...inputs, ...state }, id, protect: false, retainOnDelete: false }) as unknown as RecordedResource;

const graph: RecordedResource[] = [
  recorded("aws:cognito/resourceServer:ResourceServer", "auth-resource-server-gallery", `${userPoolId}|gallery`, {
    userPoolId,
    identifier: "gallery",
    name: "Gallery API",
    scopes: [
      { scopeName: "read", scopeDescription: "Read the gallery" },
      { scopeName: "write", scopeDescription: "Change the gallery" },
    ],
  }),
  // No name of its own (optional in pulumi-aws, autonamed): the mocks' autoname, as deployed.
  recorded("aws:cognito/resourceServer:ResourceServer", "reports-server", `${userPoolId}|reports`, { userPoolId, identifier: "reports", scopes: [{ scopeName: "export", scopeDescription: "Export reports" }] }, { name: "reports-server-4f2a9c1" }),
  // Another pool's server: not this pool's.
  recorded("aws:cognito/resourceServer:ResourceServer", "other-server", "other|x", { userPoolId: "us-east-1_Other0001", identifier: "other", name: "Other", scopes: [{ scopeName: "x", scopeDescription: "x" }] }),
  recorded("aws:cognito/userPoolClient:UserPoolClient", "auth-client", ownClientId, { userPoolId, allowedOauthFlows: ["code"] }),
  recorded("aws:cognito/userPoolClient:UserPoolClient", "reports-machine", machineId, {
    userPoolId,
    generateSecret: true,
    allowedOauthFlows: ["client_credentials"],
    allowedOauthFlowsUserPoolClient: true,
    // The second is a server's from another stack: not defined locally, so left out.
    allowedOauthScopes: ["gallery/read", "billing/read"],
    accessTokenValidity: 30,
    authSessionValidity: 7,
    // What its users' ID tokens may carry, and what they may write (the emulator honours both).
    readAttributes: ["email", "name"],
    writeAttributes: ["name"],
    tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
  }),
];

beforeAll(async () => {
  emulator = await startQuietCognito(freshCognitoDir("program"));
  sdk = localCognitoClient(emulator.url);
  api = cognitoApi(emulator.url);
  await emulator.ensureUserPool({ Id: userPoolId, Name: "program" });
});
afterAll(async () => {
  sdk?.destroy();
  api?.destroy();
  await emulator?.stop();
});

it("creates the pool's resource servers and other clients from the program, and the machine client gets scoped tokens", async () => {
  const context = { log: (line: string) => logs.push(line), run: { resources: graph } } as unknown as LocalContext;
  const defined = await provisionResourceServers(graph, api.send, userPoolId);
  expect([...defined]).toEqual(["gallery/read", "gallery/write", "reports/export"]);
  expect((await sdk.send(new DescribeResourceServerCommand({ UserPoolId: userPoolId, Identifier: "reports" }))).ResourceServer?.Name).toBe("reports-server-4f2a9c1");
  expect((await sdk.send(new DescribeResourceServerCommand({ UserPoolId: userPoolId, Identifier: "gallery" }))).ResourceServer?.Scopes?.map((s) => s.ScopeName)).toEqual(["read", "write"]);
  // A later start finds them there and brings them up to date in place (here a scope the program no longer has).
  const fewer = graph.map((r) => (r.name === "auth-resource-server-gallery" ? { ...r, inputs: { ...r.inputs, scopes: r.inputs.scopes.slice(0, 1) } } : r));
  expect([...(await provisionResourceServers(fewer, api.send, userPoolId))]).toEqual(["gallery/read", "reports/export"]);
  expect((await sdk.send(new DescribeResourceServerCommand({ UserPoolId: userPoolId, Identifier: "gallery" }))).ResourceServer?.Scopes?.map((s) => s.ScopeName)).toEqual(["read"]);
  await provisionResourceServers(graph, api.send, userPoolId);
  expect((await sdk.send(new DescribeResourceServerCommand({ UserPoolId: userPoolId, Identifier: "gallery" }))).ResourceServer?.Scopes?.map((s) => s.ScopeName)).toEqual(["read", "write"]);

  const clients = await provisionOtherClients(context, emulator, api.send, userPoolId, ownClientId, defined);
  expect(clients).toEqual([{ name: "reports-machine", clientId: machineId, secret: expect.any(String) }]);
  const described = (await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: machineId }))).UserPoolClient;
  expect(described).toMatchObject({ AllowedOAuthFlows: ["client_credentials"], AllowedOAuthScopes: ["gallery/read"], AccessTokenValidity: 30, AuthSessionValidity: 7, ReadAttributes: ["email", "name"], WriteAttributes: ["name"] });
  expect(logs.some((line) => line.includes("billing/read belong to a resource server outside this program"))).toBe(true);
  // The same secret on a restart (derived from the client id).
  expect((await provisionOtherClients(context, emulator, api.send, userPoolId, ownClientId, defined))[0].secret).toBe(clients[0].secret);

  const response = await fetch(`${emulator.url}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${machineId}:${clients[0].secret}`).toString("base64")}` },
    body: "grant_type=client_credentials",
  });
  const body = (await response.json()) as { access_token: string; expires_in: number };
  expect(response.status).toBe(200);
  expect(body.expires_in).toBe(1800);
  expect(JSON.parse(Buffer.from(body.access_token.split(".")[1], "base64url").toString("utf8"))).toMatchObject({ client_id: machineId, scope: "gallery/read" });
});

/** `cognitoApi` against a server answering every request with `status` and `body` (what an emulator in trouble may send). */
async function answeredWith(status: number, body: string): Promise<unknown> {
  const server = createServer((_req, res) => res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client = cognitoApi(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    return await client.send("ListGroups", { UserPoolId: userPoolId }).then(
      (answer) => ({ answer }),
      (error: Error) => ({ name: error.name, message: error.message }),
    );
  } finally {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("cognitoApi's answers the emulator should not give", () => {
  it("refuses a 200 whose body is not JSON (an SDK client fails to read it), rather than taking it as an empty answer", async () => {
    // Taken as ListGroups' answer, it would read as no groups, and start-up would re-create (empty) every group.
    expect(await answeredWith(200, "<html>Bad Gateway</html>")).toEqual({ name: "Error", message: expect.stringMatching(/^ListGroups answered HTTP 200 with a body that is not a JSON object: <html>Bad Gateway<\/html>$/) });
    expect(await answeredWith(200, "[]")).toEqual({ name: "Error", message: expect.stringMatching(/^ListGroups answered HTTP 200 with a body that is not a JSON object: \[\]$/) });
  });

  it("rejects an error answer whose JSON is not an object (null) with its status, rather than throwing in the response's handler", async () => {
    expect(await answeredWith(500, "null")).toEqual({ name: "HTTP 500", message: "ListGroups answered HTTP 500: null" });
    expect(await answeredWith(502, "")).toEqual({ name: "HTTP 502", message: "ListGroups answered HTTP 502" });
    expect(await answeredWith(400, JSON.stringify({ __type: "ResourceNotFoundException", message: "User pool not found" }))).toEqual({ name: "ResourceNotFoundException", message: "User pool not found" });
  });
});

/**
 * `cognitoApi` against a server that answers its requests, in order, as `script` says: "reset" closes the connection
 * unanswered (ECONNRESET), [status, body] answers; past the script, 200 with `{}`. Answers the outcome and the targets
 * the server received.
 */
async function scripted(action: "ListGroups" | "UpdateUserPool" | "CreateGroup" | "SignUp" | "AdminConfirmSignUp", script: Array<"reset" | [number, string]>) {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(String(req.headers["x-amz-target"]).replace("AWSCognitoIdentityProviderService.", ""));
    const step = script.shift() ?? [200, "{}"];
    req.resume();
    if (step === "reset") req.socket.destroy();
    else res.writeHead(step[0], { "content-type": "application/x-amz-json-1.1" }).end(step[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client = cognitoApi(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const inputs = {
    ListGroups: { UserPoolId: userPoolId },
    UpdateUserPool: { UserPoolId: userPoolId, MfaConfiguration: "OFF" },
    CreateGroup: { UserPoolId: userPoolId, GroupName: "admin" },
    SignUp: { ClientId: ownClientId, Username: "demo@example.com", Password: "Local-demo-pass-1" },
    AdminConfirmSignUp: { UserPoolId: userPoolId, Username: "demo@example.com" },
  } as const;
  try {
    const outcome = await (client.send as (action: string, input: object) => Promise<object>)(action, inputs[action]).then(
      (answer) => ({ answer }),
      (error: Error & { code?: string }) => ({ name: error.name, ...(error.code ? { code: error.code } : {}) }),
    );
    return { outcome, received };
  } finally {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("cognitoApi's retries (an SDK client retried a 5xx and a reset connection)", () => {
  it("sends a request that is safe to repeat again after a reset connection or a 5xx, and takes the answer that comes", async () => {
    expect(await scripted("ListGroups", ["reset", [200, JSON.stringify({ Groups: [{ GroupName: "admin" }] })]])).toEqual({ outcome: { answer: { Groups: [{ GroupName: "admin" }] } }, received: ["ListGroups", "ListGroups"] });
    expect(await scripted("UpdateUserPool", [[503, ""], [500, JSON.stringify({ __type: "InternalErrorException", message: "try again" })]])).toEqual({ outcome: { answer: {} }, received: ["UpdateUserPool", "UpdateUserPool", "UpdateUserPool"] });
  });

  it("sends it three times at most, and rejects with the last failure", async () => {
    expect(await scripted("ListGroups", [[502, ""], "reset", [500, "null"], [200, "{}"]])).toEqual({ outcome: { name: "HTTP 500" }, received: ["ListGroups", "ListGroups", "ListGroups"] });
    expect(await scripted("ListGroups", ["reset", "reset", "reset"])).toEqual({ outcome: { name: "Error", code: "ECONNRESET" }, received: ["ListGroups", "ListGroups", "ListGroups"] });
  });

  it("does not send again an error Cognito answers (4xx), nor an action a second sending would change (SignUp, Create*, AdminConfirmSignUp)", async () => {
    expect(await scripted("ListGroups", [[400, JSON.stringify({ __type: "ResourceNotFoundException", message: "User pool not found" })]])).toEqual({ outcome: { name: "ResourceNotFoundException" }, received: ["ListGroups"] });
    for (const action of ["CreateGroup", "SignUp", "AdminConfirmSignUp"] as const) {
      expect(await scripted(action, ["reset"])).toEqual({ outcome: { name: "Error", code: "ECONNRESET" }, received: [action] });
      expect(await scripted(action, [[500, ""]])).toEqual({ outcome: { name: "HTTP 500" }, received: [action] });
    }
  });
});
