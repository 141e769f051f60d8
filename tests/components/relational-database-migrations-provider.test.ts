/**
 * The SchemaMigrations dynamic provider, its functions called directly as Pulumi's dynamic-provider host calls them,
 * with the client it makes itself (dataApiClientFor: its inputs' `endpoint`, signed as localCredentials) against the
 * local RDS Data API emulator on PGlite (./relational-database-migrations-data-api.ts): create and update apply the
 * pending migrations, check and diff say which will apply and refuse, at plan time, a change to or the removal of an
 * applied migration; delete leaves the database alone. Then the resource as a program declares it, under the mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DataApiTarget, Migration } from "../../components/relational-database/contract";
import { makeMigrationsProvider, migrationsLog, migrationsProvider as provider, type MigrationsInputs, type MigrationsState } from "../../components/relational-database/migrations-provider";
import { encodeMigrations, loadMigrationsProvider, SCHEMA_MIGRATIONS_TYPE, SchemaMigrations } from "../../components/relational-database/migrations-resource";
import { record, resource, useMocks } from "../harness/mocks";
import { migration, TEST_TARGET as TARGET, useLocalDataApi } from "./relational-database-migrations-data-api";
const ALBUMS = migration("0001_create_albums.sql", "CREATE TABLE albums (id text PRIMARY KEY);");
const PHOTOS = migration("0002_create_photos.sql", "CREATE TABLE photos (id text PRIMARY KEY, album text REFERENCES albums (id));");

const database = useLocalDataApi();
const inputs = (migrations: Migration[], target: DataApiTarget = TARGET): MigrationsInputs => ({ target, region: "", ...encodeMigrations(migrations), endpoint: database.endpoint, aws: {} });
const lines: string[] = [];
const tables = () => database.tables();

/** The inputs after check, as the engine passes them on (check adds `pending`). */
async function checked(olds: Partial<MigrationsInputs>, news: MigrationsInputs): Promise<MigrationsInputs> {
  const result = await provider.check!(olds, news);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs as MigrationsInputs;
}

beforeAll(() => {
  migrationsLog.write = (line) => void lines.push(line);
});
beforeEach(() => {
  lines.length = 0;
});

describe("the schema-migrations provider", () => {
  it("create applies every migration and records them in its state", async () => {
    const news = await checked({}, inputs([ALBUMS, PHOTOS]));
    expect(news.pending).toBe(`2 to apply: ${ALBUMS.name}, ${PHOTOS.name}`);
    const { id, outs } = await provider.create(news);
    expect(id).toBe(`${TARGET.resourceArn}/gallery/schema_migrations`);
    expect((outs as MigrationsState).lastApplied).toEqual([ALBUMS.name, PHOTOS.name]);
    expect(JSON.parse((outs as MigrationsState).applied)).toEqual({ [ALBUMS.name]: ALBUMS.sha256, [PHOTOS.name]: PHOTOS.sha256 });
    expect(await tables()).toEqual(["albums", "photos", "schema_migrations"]);
    expect(lines).toContain(`schema migrations: apply ${PHOTOS.name} (1 statement)`);
  });

  it("check and diff show which migrations a deploy applies; update applies only those", async () => {
    const { id, outs } = await provider.create(await checked({}, inputs([ALBUMS])));
    const olds = outs as MigrationsState;
    const same = await checked(olds, inputs([ALBUMS]));
    expect(same.pending).toBe("none to apply");
    expect((await provider.diff!(id, olds, same)).changes).toBe(false);

    const news = await checked(olds, inputs([ALBUMS, PHOTOS]));
    expect(news.pending).toBe(`1 to apply: ${PHOTOS.name}`);
    const diff = await provider.diff!(id, olds, news);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });

    const updated = (await provider.update!(id, olds, news)).outs as MigrationsState;
    expect(updated.lastApplied).toEqual([PHOTOS.name]);
    expect(await tables()).toEqual(["albums", "photos", "schema_migrations"]);
  });

  it("refuses at plan time a change to, or the removal of, a migration the last deploy applied, naming the file and the fix", async () => {
    const { id, outs } = await provider.create(inputs([ALBUMS, PHOTOS]));
    const olds = outs as MigrationsState;
    const edited = migration(ALBUMS.name, "CREATE TABLE albums (id text PRIMARY KEY, title text);");

    const changed = await provider.check!(olds, inputs([edited, PHOTOS]));
    expect(changed.failures).toHaveLength(1);
    expect(changed.failures![0].property).toBe("migrations");
    expect(changed.failures![0].reason).toContain(`Migration ${ALBUMS.name} changed after it was applied`);
    expect(changed.failures![0].reason).toContain("add a new migration instead");
    await expect(provider.diff!(id, olds, inputs([edited, PHOTOS]))).rejects.toThrow(`Migration ${ALBUMS.name} changed after it was applied`);

    const removed = await provider.check!(olds, inputs([ALBUMS]));
    expect(removed.failures?.[0].reason).toContain(`Migration ${PHOTOS.name} was applied to the database but is no longer in the migrations folder`);
    await expect(provider.diff!(id, olds, inputs([ALBUMS]))).rejects.toThrow("add a new migration instead");
  });

  it("applies everything to another database (a new cluster) without refusing what the old one had applied", async () => {
    const { id, outs } = await provider.create(inputs([ALBUMS, PHOTOS]));
    await database.reset();
    const other = { ...TARGET, resourceArn: "arn:aws:rds:eu-west-1:123456789012:cluster:gallery-2" };
    const news = await checked(outs as MigrationsInputs, inputs([PHOTOS], other));
    expect(news.pending).toBe(`1 to apply: ${PHOTOS.name}`);
    expect(await provider.diff!(id, outs as MigrationsState, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("keeps the SQL out of its outputs (names and SHA-256s only), and a second deploy's check, diff and update still work", async () => {
    const first = await checked({}, inputs([ALBUMS]));
    const { id, outs } = await provider.create(first);
    const olds = outs as MigrationsState;
    expect(Object.keys(olds)).not.toContain("sql");
    expect(JSON.stringify(olds)).not.toContain("CREATE TABLE");
    // The engine passes check the old inputs and diff/update the old outputs.
    const news = await checked(first, inputs([ALBUMS, PHOTOS]));
    expect(news.pending).toBe(`1 to apply: ${PHOTOS.name}`);
    expect((await provider.diff!(id, olds, news)).changes).toBe(true);
    const updated = (await provider.update!(id, olds, news)).outs as MigrationsState;
    expect(updated.lastApplied).toEqual([PHOTOS.name]);
    expect(Object.keys(updated)).not.toContain("sql");
    expect(await tables()).toEqual(["albums", "photos", "schema_migrations"]);
  });

  it("updates for new credentials (a session token) with nothing pending without calling the database", async () => {
    const { id, outs } = await provider.create(inputs([ALBUMS]));
    const offline = makeMigrationsProvider(() => {
      throw new Error("the database was called");
    });
    const news = { ...inputs([ALBUMS]), aws: { accessKey: "AKIAEXAMPLE", secretKey: "secret", token: "a-new-session-token" } };
    expect((await offline.diff!(id, outs as MigrationsState, news)).changes).toBe(true);
    const updated = (await offline.update!(id, outs as MigrationsState, news)).outs as MigrationsState;
    expect(updated.lastApplied).toEqual([]);
    expect(updated.applied).toBe((outs as MigrationsState).applied);
    expect(updated.aws).toEqual(news.aws);
    expect(lines.at(-1)).toBe("schema migrations: 1 applied, none pending (the database was not called)");
    // Something pending, or another database: it calls.
    await expect(offline.update!(id, outs as MigrationsState, { ...news, ...encodeMigrations([ALBUMS, PHOTOS]) })).rejects.toThrow("the database was called");
    const other = { ...TARGET, resourceArn: "arn:aws:rds:eu-west-1:123456789012:cluster:gallery-2" };
    await expect(offline.update!(id, outs as MigrationsState, inputs([ALBUMS], other))).rejects.toThrow("the database was called");
  });

  it("refuses targets that are not a cluster ARN, a secret ARN and a database name", async () => {
    const result = await provider.check!({}, inputs([ALBUMS], { resourceArn: "gallery", secretArn: "arn:aws:s3:::x", database: "" }));
    expect(result.failures?.map((f) => f.property)).toEqual(["target.resourceArn", "target.secretArn", "target.database"]);
  });

  it("delete leaves the schema and its data in the database", async () => {
    const { id, outs } = await provider.create(inputs([ALBUMS]));
    await provider.delete!(id, outs);
    expect(await tables()).toEqual(["albums", "schema_migrations"]);
    expect(lines.at(-1)).toContain("never drops tables or data");
  });

  it("loads from its bundle, as the dynamic-provider host runs it", () => {
    const bundled = loadMigrationsProvider();
    expect(Object.keys(bundled).sort()).toEqual(["check", "create", "delete", "diff", "update"]);
  });
});

describe("SchemaMigrations", () => {
  beforeAll(async () => {
    await useMocks();
    pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1", "aws:profile": "deploy" }, []);
  });

  it("sends the migrations as name → SHA-256 and name → SQL, and acts as the stack's AWS identity, as a secret", async () => {
    const graph = await record(() => new SchemaMigrations("gallery-migrations", { target: TARGET, migrations: [ALBUMS, PHOTOS] }));
    const declared = resource(graph, SCHEMA_MIGRATIONS_TYPE, "gallery-migrations");
    expect(JSON.parse(declared.inputs.migrations as string)).toEqual({ [ALBUMS.name]: ALBUMS.sha256, [PHOTOS.name]: PHOTOS.sha256 });
    expect(JSON.parse(declared.inputs.sql as string)).toEqual({ [ALBUMS.name]: ALBUMS.sql, [PHOTOS.name]: PHOTOS.sql });
    expect(declared.inputs.target).toEqual(TARGET);
    const aws = declared.inputs.aws as Record<string, unknown>;
    expect(aws.value).toEqual({ profile: "deploy" });
    expect(aws["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
  });

  it("runs, serialised as the program sends it, as Pulumi's dynamic-provider host loads it, against the local Data API", async () => {
    const graph = await record(() => new SchemaMigrations("gallery-migrations", { target: TARGET, migrations: [ALBUMS] }));
    const declared = resource(graph, SCHEMA_MIGRATIONS_TYPE, "gallery-migrations");
    // What @pulumi/pulumi/cmd/dynamic-provider does with the `__provider` input: requireFromString(text).handler().
    const requireFromString = require("require-from-string") as (code: string) => { handler(): pulumi.dynamic.ResourceProvider };
    const host = requireFromString(declared.inputs.__provider as string).handler();
    const first = (await host.check!({}, inputs([ALBUMS]))).inputs as MigrationsInputs;
    expect(first.pending).toBe(`1 to apply: ${ALBUMS.name}`);
    const { id, outs } = await host.create(first);
    expect(outs.lastApplied).toEqual([ALBUMS.name]);
    expect(Object.keys(outs)).not.toContain("sql");
    const check = await host.check!(first, inputs([ALBUMS, PHOTOS]));
    expect(check.failures ?? []).toEqual([]);
    expect((await host.diff!(id, outs, check.inputs)).changes).toBe(true);
    expect((await host.update!(id, outs, check.inputs)).outs.lastApplied).toEqual([PHOTOS.name]);
    expect(await tables()).toEqual(["albums", "photos", "schema_migrations"]);
    await host.delete!(id, outs);
    expect(await tables()).toEqual(["albums", "photos", "schema_migrations"]);
  });
});
