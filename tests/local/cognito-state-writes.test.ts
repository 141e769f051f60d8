/**
 * cognito-local's state files (StormDB stores) are written only when what they hold changes (local/cognito-emulator.ts
 * skipUnchangedStormDBSaves), and a save is never skipped on the strength of a write that has not succeeded.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StormDBDataStoreFactory } from "cognito-local/lib/services/dataStore/stormDb";
import { afterEach, expect, it, vi } from "vitest";
// Imported for its patches of StormDB (the emulator applies them when loaded).
import "../../local/cognito-emulator";

const engine = (createRequire(require.resolve("cognito-local/lib/services/dataStore/stormDb"))("stormdb") as { localFileEngine: { prototype: { write(data: unknown): Promise<void> | null } } }).localFileEngine.prototype;
const ctx = { logger: { debug() {}, info() {}, warn() {}, error() {} } } as any;
afterEach(() => vi.restoreAllMocks());

it("writes a save of the text a failing write was carrying, though it asked while that write was under way", async () => {
  const folder = mkdtempSync(join(tmpdir(), "sf-cognito-state-writes-"));
  const store = await new StormDBDataStoreFactory(folder).create(ctx, "clients", { Clients: {} });
  // The first write fails (a full disk, a file another program holds), after the second save was asked for.
  vi.spyOn(engine, "write").mockImplementationOnce(() => new Promise((_, reject) => setImmediate(() => reject(new Error("ENOSPC: no space left on device")))));
  const saves = await Promise.allSettled([store.set(ctx, ["Clients", "a"], { ClientId: "a" }), store.set(ctx, ["Clients", "a"], { ClientId: "a" })]);
  expect(saves.map((save) => save.status)).toEqual(["rejected", "fulfilled"]);
  expect(JSON.parse(readFileSync(join(folder, "clients.json"), "utf8"))).toEqual({ Clients: { a: { ClientId: "a" } } });
  expect(vi.mocked(engine.write).mock.calls).toHaveLength(2);
});

it("writes nothing for a save of what the file holds, and writes a change", async () => {
  const folder = mkdtempSync(join(tmpdir(), "sf-cognito-state-writes-"));
  const store = await new StormDBDataStoreFactory(folder).create(ctx, "clients", { Clients: {} });
  await store.set(ctx, ["Clients", "a"], { ClientId: "a" });
  const write = vi.spyOn(engine, "write");
  await store.set(ctx, ["Clients", "a"], { ClientId: "a" });
  await new StormDBDataStoreFactory(folder).create(ctx, "clients", { Clients: {} });
  expect(write).not.toHaveBeenCalled();
  await store.set(ctx, ["Clients", "a"], { ClientId: "a", ClientName: "b" });
  expect(write).toHaveBeenCalledTimes(1);
  expect(JSON.parse(readFileSync(join(folder, "clients.json"), "utf8"))).toEqual({ Clients: { a: { ClientId: "a", ClientName: "b" } } });
});
