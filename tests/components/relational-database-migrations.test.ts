/**
 * RelationalDatabase's migrations: the folder is read at construction (its migrations go into the spec) and applied by
 * a SchemaMigrations resource created after the writer instance, aimed at the cluster through the Data API. The reader
 * and the resource come from another branch, through components/relational-database/migrations-hook.ts: stand-ins here.
 */
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { PrivateNetwork } from "../../components/private-network";
import { RelationalDatabase } from "../../components/relational-database";
import type { Migration } from "../../components/relational-database/contract";
import { dependencyClosure, record, resource, useMocks } from "../harness/mocks";

const MIGRATIONS: Migration[] = [{ name: "0001_albums.sql", sha256: "ab".repeat(32), sql: "create table albums (id text primary key);" }];
const read = vi.fn((_fail: unknown, _argument: string, _directory: string) => MIGRATIONS);

vi.mock("../../components/relational-database/migrations-hook", () => {
  class SchemaMigrations extends pulumi.CustomResource {
    constructor(name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
      super("test:index:SchemaMigrations", name, args, opts);
    }
  }
  return {
    readMigrationsFolder: (fail: unknown, argument: string, directory: string) => read(fail, argument, directory),
    createSchemaMigrations: (name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) => new SchemaMigrations(name, args, opts),
  };
});

beforeAll(() => useMocks());

describe("RelationalDatabase migrations", () => {
  it("reads the folder at construction and applies it after the writer instance, through the Data API", async () => {
    let db: RelationalDatabase | undefined;
    const graph = await record(() => {
      db = new RelationalDatabase("mig", { network: new PrivateNetwork("mig-net"), migrations: "db/migrations", databaseName: "gallery", region: "us-east-1" });
    });
    expect(read).toHaveBeenCalledWith(expect.any(Function), "migrations", "db/migrations");
    expect(db!.spec.migrations).toBe(MIGRATIONS);
    expect(db!.spec.migrationsDirectory).toBe(resolve("db/migrations"));
    const cluster = resource(graph, "aws:rds/cluster:Cluster", "mig-cluster");
    const applied = resource(graph, "test:index:SchemaMigrations", "mig-migrations");
    expect(applied.inputs).toEqual({
      target: { resourceArn: cluster.state.arn, secretArn: cluster.state.masterUserSecrets[0].secretArn, database: "gallery" },
      migrations: MIGRATIONS,
      region: "us-east-1",
    });
    expect(dependencyClosure(graph, applied).has(resource(graph, "aws:rds/clusterInstance:ClusterInstance", "mig-instance").urn)).toBe(true);
  });

  it("makes no migrations resource without a folder", async () => {
    read.mockClear();
    const graph = await record(() => new RelationalDatabase("nomig", { network: new PrivateNetwork("nomig-net") }));
    expect(read).not.toHaveBeenCalled();
    expect(graph.filter((r) => r.type === "test:index:SchemaMigrations")).toEqual([]);
  });
});
