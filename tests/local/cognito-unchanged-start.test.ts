/**
 * An `npm start` whose program has not changed writes none of auth's state files: start updates a pool, app client or
 * resource server only where it differs from the program (cognito-local rewrote the pool's file, clients.json and
 * resource-servers.json at every update, changed or not), and the emulator saves only what its files do not hold
 * (cognito-local rewrote every store it opened).
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expect, it, vi } from "vitest";
import { UserAuth } from "../../components/user-auth";
import { startLocalApp } from "../../local/start";

const stateDir = mkdtempSync(join(tmpdir(), "sf-cognito-unchanged-"));
// A program function (not index.ts, which a test file can only import once) so each start runs it again.
const program = () => {
  new UserAuth("auth", {
    callbackUrls: ["http://localhost:3000/"],
    mfa: "OPTIONAL",
    groups: [{ name: "admin" }],
    resourceServers: [{ identifier: "gallery", name: "Gallery API", scopes: [{ name: "read", description: "Read the gallery" }] }],
    oauthScopes: ["openid", "email", "gallery/read"],
    localDemoUser: { email: "demo@example.com", password: "Local-demo-pass-1", groups: ["admin"] },
  });
  return {};
};
const start = async () => (await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir, load: program })).stop();

/** Every file of auth's state (relative path → text). */
function stateFiles(dir = join(stateDir, "cognito"), files: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) stateFiles(path, files);
    else files[relative(stateDir, path)] = readFileSync(path, "utf8");
  }
  return files;
}

it("writes nothing when started again with the same program", async () => {
  await start();
  const before = stateFiles();
  expect(Object.keys(before)).toEqual(expect.arrayContaining(["cognito/clients.json", "cognito/emulator/resource-servers.json"]));
  // Every write of cognito-local's stores goes through StormDB's file engine (atomicStormDBWrites).
  const engine = (createRequire(require.resolve("cognito-local/lib/services/dataStore/stormDb"))("stormdb") as { localFileEngine: { prototype: { write(data: unknown): unknown } } }).localFileEngine.prototype;
  const write = vi.spyOn(engine, "write");
  try {
    await start();
    expect(write.mock.contexts.map((e) => relative(stateDir, (e as { path: string }).path))).toEqual([]);
  } finally {
    write.mockRestore();
  }
  expect(stateFiles()).toEqual(before);
});
