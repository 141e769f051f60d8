/**
 * RelationalDatabase's migrations: the folder is read at construction (its migrations go into the spec, which
 * `npm start` applies) and applied at deploy by a SchemaMigrations resource created after the writer instance (the
 * Data API runs only on a writer), aimed at the cluster, its managed secret and the database.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrivateNetwork } from "../../components/private-network";
import { RelationalDatabase } from "../../components/relational-database";
import { dependencyClosure, record, resource, useMocks } from "../harness/mocks";

const folder = mkdtempSync(join(tmpdir(), "rds-migrations-"));
const SQL = "create table albums (id text primary key);\n";

beforeAll(() => {
  useMocks();
  writeFileSync(join(folder, "0001_albums.sql"), SQL);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("RelationalDatabase migrations", () => {
  it("reads the folder at construction and applies it after the writer instance, through the Data API", async () => {
    let db: RelationalDatabase | undefined;
    const graph = await record(() => {
      db = new RelationalDatabase("mig", { network: new PrivateNetwork("mig-net"), migrations: folder, databaseName: "gallery", region: "us-east-1" });
    });
    expect(db!.spec.migrations).toEqual([{ name: "0001_albums.sql", sha256: expect.stringMatching(/^[0-9a-f]{64}$/), sql: SQL }]);
    expect(db!.spec.migrationsDirectory).toBe(folder);
    const cluster = resource(graph, "aws:rds/cluster:Cluster", "mig-cluster");
    const applied = graph.find((r) => r.name === "mig-migrations");
    expect(applied).toBeDefined();
    expect(applied!.inputs.target).toEqual({ resourceArn: cluster.state.arn, secretArn: cluster.state.masterUserSecrets[0].secretArn, database: "gallery" });
    expect(JSON.parse(applied!.inputs.migrations as string)).toEqual({ "0001_albums.sql": db!.spec.migrations[0].sha256 });
    expect(dependencyClosure(graph, applied!).has(resource(graph, "aws:rds/clusterInstance:ClusterInstance", "mig-instance").urn)).toBe(true);
  });

  it("makes no migrations resource without a folder", async () => {
    const graph = await record(() => new RelationalDatabase("nomig", { network: new PrivateNetwork("nomig-net") }));
    expect(graph.filter((r) => r.name.endsWith("-migrations"))).toEqual([]);
  });

  it("refuses a folder that does not exist, naming the argument", async () => {
    await expect(record(() => new RelationalDatabase("gone", { network: new PrivateNetwork("gone-net"), migrations: join(folder, "missing") }))).rejects.toThrow(/RelationalDatabase "gone": migrations ".*missing" does not exist.*Point it at the folder of \.sql migration files/s);
  });
});
