/**
 * The emulator's own state files (`<state>/cognito/emulator/lockout.json`, `resource-servers.json`) and cognito-local's
 * (`<state>/cognito/<pool id>.json`, `clients.json`) cut short or edited by hand must not stop `npm start`: the emulator
 * starts without what they held, and says so in the log (a pool's users lost, loudly).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CognitoIdentityProviderClient, CreateResourceServerCommand, DescribeUserPoolClientCommand, DescribeUserPoolCommand, ListResourceServersCommand, ListUsersCommand, UpdateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
import { expect, it } from "vitest";
import { StormDBDataStoreFactory } from "cognito-local/lib/services/dataStore/stormDb";
import { type CognitoEmulator, startCognitoEmulator } from "../../local/cognito-emulator";
import { confirmedUser, localCognitoClient, passwordSignIn } from "../harness/cognito-users";

/**
 * A state folder whose `file` holds `text`: one of the emulator's own (in `emulator/`), or with `folder` "" one of
 * cognito-local's (a pool's `<id>.json`, or `clients.json`).
 */
function stateWith(file: string, text: string, folder = "emulator"): string {
  const dataDir = mkdtempSync(join(tmpdir(), "sf-cognito-corrupt-"));
  mkdirSync(join(dataDir, folder), { recursive: true });
  writeFileSync(join(dataDir, folder, file), text);
  return dataDir;
}

/** The program's pool `userPoolId` ("corrupt", with `pool`'s options) and its client `clientId`, taking USER_PASSWORD_AUTH. */
async function passwordPool(emulator: CognitoEmulator, sdk: CognitoIdentityProviderClient, userPoolId: string, clientId: string, pool: { UsernameAttributes?: string[] } = {}): Promise<void> {
  await emulator.ensureUserPool({ Id: userPoolId, Name: "corrupt", ...pool });
  await emulator.ensureClient(userPoolId, clientId, "corrupt");
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] }));
}

const start = (dataDir: string, logs: string[]) => startCognitoEmulator({ dataDir, triggers: [], invokeTrigger: async () => undefined, log: (line) => logs.push(line), clock: { get: () => new Date() } });

for (const [what, text] of [
  ["not JSON", '[["us-east-1_Corrupt01/ann@example.com", {"count": 4'],
  ["a list of something else", "[1, 2]"],
  ["records with missing numbers", '[["us-east-1_Corrupt01/ann@example.com", {"count": 4}]]'],
] as const) {
  it(`starts with no sign-in failures, saying so, when lockout.json is ${what}`, async () => {
    const logs: string[] = [];
    const emulator = await start(stateWith("lockout.json", text), logs);
    const sdk = localCognitoClient(emulator.url);
    try {
      expect(emulator.signInFailuresInMemory()).toBe(0);
      expect(logs.join("\n")).toMatch(/lockout\.json is not a list of sign-in failure records; starting with none/);
      const userPoolId = "us-east-1_Corrupt01";
      const clientId = "corruptclient000000000000a";
      await passwordPool(emulator, sdk, userPoolId, clientId);
      await confirmedUser(sdk, userPoolId, clientId, "ann@example.com", "Correct-horse-9");
      // Failures are counted, and written, again.
      await expect(passwordSignIn(sdk, clientId, "ann@example.com", "Wrong-horse-9")).rejects.toThrow("Incorrect username or password.");
      expect(emulator.signInFailuresInMemory()).toBe(1);
      await passwordSignIn(sdk, clientId, "ann@example.com", "Correct-horse-9");
    } finally {
      sdk.destroy();
      await emulator.stop();
    }
  });
}

it("starts without resource servers, saying so and keeping the unreadable file aside, when resource-servers.json is not JSON", async () => {
  const logs: string[] = [];
  const dataDir = stateWith("resource-servers.json", '{"ResourceServers": {"us-east-1_Corrupt02": [{"Identifier": "gal');
  const emulator = await start(dataDir, logs);
  const sdk = localCognitoClient(emulator.url);
  try {
    expect(logs.join("\n")).toMatch(/resource-servers\.json could not be read .*; moved to .*resource-servers\.json\.unreadable-\d+, starting without resource servers/);
    expect(readdirSync(join(dataDir, "emulator")).filter((f) => f.startsWith("resource-servers.json.unreadable-"))).toHaveLength(1);
    const userPoolId = "us-east-1_Corrupt02";
    await emulator.ensureUserPool({ Id: userPoolId, Name: "corrupt" });
    expect((await sdk.send(new ListResourceServersCommand({ UserPoolId: userPoolId, MaxResults: 50 }))).ResourceServers).toEqual([]);
    await sdk.send(new CreateResourceServerCommand({ UserPoolId: userPoolId, Identifier: "gallery", Name: "Gallery", Scopes: [{ ScopeName: "read", ScopeDescription: "Read" }] }));
    expect(existsSync(join(dataDir, "emulator", "resource-servers.json"))).toBe(true);
  } finally {
    sdk.destroy();
    await emulator.stop();
  }
});

/** A state folder whose cognito-local file `file` (a pool's `<id>.json`, or `clients.json`) holds `text`. */
const stateWithPoolFile = (file: string, text: string) => stateWith(file, text, "");

it("starts with the pool empty, saying its users are lost and keeping the unreadable file aside, when a pool's file is not JSON", async () => {
  const logs: string[] = [];
  const userPoolId = "us-east-1_Corrupt03";
  const dataDir = stateWithPoolFile(`${userPoolId}.json`, '{"Users": {"ann@example.com": {"Username": "ann@exa');
  const emulator = await start(dataDir, logs);
  const sdk = localCognitoClient(emulator.url);
  try {
    const log = logs.join("\n");
    expect(log).toMatch(new RegExp(`${userPoolId}\\.json could not be read .*; moved to .*${userPoolId}\\.json\\.unreadable-\\d+`));
    expect(log).toMatch(new RegExp(`USERS LOST: user pool ${userPoolId} starts empty, every user of it is lost`));
    expect(readdirSync(dataDir).filter((f) => f.startsWith(`${userPoolId}.json.unreadable-`))).toHaveLength(1);
    // The pool is the program's again (its name, its options), with no users, and takes new ones.
    const clientId = "corruptclient000000000000c";
    await passwordPool(emulator, sdk, userPoolId, clientId, { UsernameAttributes: ["email"] });
    const described = (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool;
    expect(described?.Name).toBe("corrupt");
    expect(described?.UsernameAttributes).toEqual(["email"]);
    expect((await sdk.send(new ListUsersCommand({ UserPoolId: userPoolId }))).Users).toEqual([]);
    await confirmedUser(sdk, userPoolId, clientId, "ann@example.com", "Correct-horse-9");
    await passwordSignIn(sdk, clientId, "ann@example.com", "Correct-horse-9");
  } finally {
    sdk.destroy();
    await emulator.stop();
  }
});

it("starts without app clients, saying so and keeping the unreadable file aside, when clients.json is not JSON", async () => {
  const logs: string[] = [];
  const dataDir = stateWithPoolFile("clients.json", '{"Clients": {"corruptclient0');
  const emulator = await start(dataDir, logs);
  try {
    expect(logs.join("\n")).toMatch(/clients\.json could not be read .*; moved to .*clients\.json\.unreadable-\d+.*app clients/);
    expect(readdirSync(dataDir).filter((f) => f.startsWith("clients.json.unreadable-"))).toHaveLength(1);
  } finally {
    await emulator.stop();
  }
});

it("starts without refresh token scopes, saying so, when refresh-token-scopes.json is not JSON", async () => {
  const logs: string[] = [];
  const emulator = await start(stateWith("refresh-token-scopes.json", '[["ab12", {"scope": "gallery/re'), logs);
  try {
    expect(logs.join("\n")).toMatch(/refresh-token-scopes\.json is not a list of refresh token scopes; starting with none/);
  } finally {
    await emulator.stop();
  }
});

it("says a pool's users are lost and gives it the program's options again when its file is empty (a write cut short after StormDB truncated it)", async () => {
  const logs: string[] = [];
  const userPoolId = "us-east-1_Corrupt04";
  const dataDir = stateWithPoolFile(`${userPoolId}.json`, "");
  const emulator = await start(dataDir, logs);
  const sdk = localCognitoClient(emulator.url);
  try {
    expect(logs.join("\n")).toMatch(new RegExp(`USERS LOST: user pool ${userPoolId} starts empty`));
    expect(readdirSync(dataDir).filter((f) => f.startsWith(`${userPoolId}.json.unreadable-`))).toHaveLength(1);
    await emulator.ensureUserPool({ Id: userPoolId, Name: "corrupt", UsernameAttributes: ["email"], Schema: [{ Name: "email", AttributeDataType: "String", Required: true, Mutable: true }] });
    const described = (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool;
    expect(described?.Name).toBe("corrupt");
    expect(described?.UsernameAttributes).toEqual(["email"]);
    // The program's schema on the standard attributes, as a new pool has them.
    expect(described?.SchemaAttributes?.filter((a) => a.Required).map((a) => a.Name)).toEqual(["sub", "email"]);
  } finally {
    sdk.destroy();
    await emulator.stop();
  }
});

it("leaves cognito-local's files readable when saves overlap: a shorter save after a longer one does not keep the longer one's tail", async () => {
  // StormDB's own write (fs.writeFile: truncate, then write) lets overlapping saves interleave, so a store whose last
  // save is shorter than one still in flight is left as the short JSON followed by the long one's tail: unreadable at
  // the next start, the pool's users lost. The emulator makes these writes one at a time, each through a rename.
  const logs: string[] = [];
  const emulator = await start(mkdtempSync(join(tmpdir(), "sf-cognito-corrupt-")), logs);
  try {
    const dataDir = mkdtempSync(join(tmpdir(), "sf-cognito-overlap-"));
    const ctx = { logger: { debug() {}, info() {}, warn() {}, error() {} } } as any;
    const store = await new StormDBDataStoreFactory(dataDir).create(ctx, "us-east-1_Overlap01", { Users: {} });
    for (let round = 0; round < 5; round++) {
      const saves: Array<Promise<void>> = [];
      for (let i = 0; i < 8; i++) saves.push(store.set(ctx, ["Users", `user${i}`], "x".repeat(100_000)));
      for (let i = 0; i < 8; i++) saves.push(store.delete(ctx, ["Users", `user${i}`]));
      await Promise.all(saves);
      expect(JSON.parse(readFileSync(join(dataDir, "us-east-1_Overlap01.json"), "utf8"))).toEqual({ Users: {} });
    }
    expect(readdirSync(dataDir)).toEqual(["us-east-1_Overlap01.json"]);
  } finally {
    await emulator.stop();
  }
});

it("removes at start the temporary files a crashed process left between writing a state file and renaming it, not those of a running one", async () => {
  // A process killed between writeFileSync and renameSync leaves `<file>.json.<pid>.tmp`: no rename will ever come,
  // and one more would pile up in the state folder at each such crash. Names with no pid (parsePid: 0, leading zeros)
  // are no process's: the emulator never writes them, and leaves them alone.
  const dataDir = stateWith("lockout.json", "[]");
  const stopped = spawnSync(process.execPath, ["-e", ""]).pid; // a process that has ended
  const abandoned = [join(dataDir, `us-east-1_Leftover1.json.${stopped}.tmp`), join(dataDir, "emulator", `lockout.json.${stopped}.tmp`)];
  const kept = [join(dataDir, `clients.json.${process.ppid}.tmp`), join(dataDir, "emulator", `lockout.json.${process.pid}.tmp`), join(dataDir, "notes.9.tmp.txt"), join(dataDir, "clients.json.0.tmp"), join(dataDir, `clients.json.0${stopped}.tmp`)];
  for (const file of [...abandoned, ...kept]) writeFileSync(file, "{");
  const emulator = await start(dataDir, []);
  try {
    expect(abandoned.filter(existsSync)).toEqual([]);
    expect(kept.filter(existsSync)).toEqual(kept);
  } finally {
    await emulator.stop();
  }
});

it("takes out at start an app client's TokenValidityUnits outside Cognito's units (an older emulator stored them), saying so: its sign-ins work again, with the default unit", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "sf-cognito-corrupt-"));
  const userPoolId = "us-east-1_Weeks01";
  const clientId = "weeksclient00000000000000a";
  const first = await start(dataDir, []);
  let sdk = localCognitoClient(first.url);
  try {
    await passwordPool(first, sdk, userPoolId, clientId);
    await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], AccessTokenValidity: 2, TokenValidityUnits: { AccessToken: "minutes", IdToken: "hours" } }));
    await confirmedUser(sdk, userPoolId, clientId, "ann@example.com", "Correct-horse-9");
  } finally {
    sdk.destroy();
    await first.stop();
  }
  // What CreateUserPoolClient/UpdateUserPoolClient stored before the model validation refused such a unit.
  const clients = JSON.parse(readFileSync(join(dataDir, "clients.json"), "utf8"));
  clients.Clients[clientId].TokenValidityUnits.AccessToken = "weeks";
  writeFileSync(join(dataDir, "clients.json"), JSON.stringify(clients));

  const logs: string[] = [];
  const again = await start(dataDir, logs);
  sdk = localCognitoClient(again.url);
  try {
    expect(logs.join("\n")).toContain(`app client ${clientId} of ${userPoolId} had TokenValidityUnits.AccessToken "weeks", not a unit Cognito takes`);
    const accessToken = (await passwordSignIn(sdk, clientId, "ann@example.com", "Correct-horse-9")).AuthenticationResult!.AccessToken!;
    const { exp, iat } = JSON.parse(Buffer.from(accessToken.split(".")[1], "base64url").toString("utf8"));
    expect(exp - iat).toBe(2 * 3600); // 2 in the API's default unit for access tokens, hours
    expect((await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }))).UserPoolClient?.TokenValidityUnits).not.toHaveProperty("AccessToken");
  } finally {
    sdk.destroy();
    await again.stop();
  }
});
