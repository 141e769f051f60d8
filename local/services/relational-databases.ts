/**
 * The program's RelationalDatabases under `npm start`: each Aurora PostgreSQL cluster is a PGlite database kept under
 * `<stateDir>/rds/<name>` (it survives restarts; `--fresh` empties it), served by the local RDS Data API
 * (local/rds-data-server.ts) that functions reach through AWS_ENDPOINT_URL_RDS_DATA (the SDK's service id "RDS Data"),
 * with the cluster ARN, secret ARN and database name the program gives them, signed with their own credentials and
 * authorised by their roles (rds-data:* on the cluster, secretsmanager:GetSecretValue on its secret), as in AWS.
 */
import { join } from "node:path";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import type { RelationalDatabaseSpec } from "../../components/relational-database/contract";
import { applyMigrations } from "../../components/relational-database/migrations";
import { registeredSpecs } from "../../components/spec-registry";
import { ofType, type Graph } from "../offline/graph";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { resolveValue } from "../offline/program";
import { startLocalDataApi, type LocalDataApi, type LocalDatabaseDefinition } from "../rds-data-server";
import { acceptedCredentials } from "./credentials";
import type { LocalService, StartedService } from "./types";

/** The started service, with its endpoint (`dataApi.targets`, `dataApi.adminCredentials` for migrations). */
export interface LocalRelationalDatabasesService extends StartedService {
  dataApi: LocalDataApi;
}

const asString = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Each RelationalDatabase as the local Data API serves it: its cluster's ARN as the program recorded it (the
 * aws:rds/cluster:Cluster of its identifier, else the spec's, else the ARN AWS gives a cluster of that identifier,
 * `arn:aws:rds:<region>:<account>:cluster:<identifier>`), its secret's ARN, database and user, and its data directory
 * (`<stateDir>/rds/<name>`; none: in memory).
 */
export async function localDatabaseDefinitions(specs: RelationalDatabaseSpec[], defaultRegion: string, graph: Graph, stateDir?: string): Promise<LocalDatabaseDefinition[]> {
  const clusters = ofType(graph, "aws:rds/cluster:Cluster");
  const definitions: LocalDatabaseDefinition[] = [];
  for (const spec of specs) {
    const region = spec.region ?? defaultRegion;
    const identifier = asString(await resolveValue(spec.clusterIdentifier)) ?? spec.name;
    const recorded = clusters.find((c) => c.state.clusterIdentifier === identifier || c.inputs.clusterIdentifier === identifier);
    const clusterArn = asString(recorded?.state.arn) ?? asString(await resolveValue(spec.clusterArn)) ?? `arn:aws:rds:${region}:${MOCK_ACCOUNT_ID}:cluster:${identifier}`;
    // An RDS-managed master user secret is named `rds!cluster-<uuid>`, and Secrets Manager adds six characters.
    const secretArn = asString(await resolveValue(spec.secretArn)) ?? `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:rds!cluster-${identifier}-local0`;
    definitions.push({
      name: spec.name,
      clusterArn,
      secretArn,
      databaseName: spec.databaseName,
      masterUsername: spec.masterUsername,
      engineVersion: spec.engineVersion,
      region,
      dataDir: stateDir === undefined ? undefined : join(stateDir, "rds", spec.name),
    });
  }
  return definitions;
}

export const relationalDatabasesService: LocalService = {
  name: "RDS Data API (RelationalDatabases, on PGlite)",
  async start(context) {
    const registered = registeredSpecs<RelationalDatabaseSpec>("RelationalDatabase");
    if (registered.length === 0) return undefined;
    const databases = await localDatabaseDefinitions(registered.map((r) => r.spec), context.environment.AWS_REGION ?? "us-east-1", context.run.resources, context.stateDir);
    const dataApi = await startLocalDataApi({ databases, credentials: acceptedCredentials(context), authorise: context.functionRoles.authorise, log: context.log });
    // The SDK reads AWS_ENDPOINT_URL_<service id, upper case, spaces as underscores>: "RDS Data" → RDS_DATA.
    context.environment.AWS_ENDPOINT_URL_RDS_DATA = dataApi.endpoint;
    for (const database of databases) context.log(`  ${database.clusterArn} (database ${database.databaseName}) → PGlite in ${database.dataDir ?? "memory"}`);
    try {
      await applyLocalMigrations(dataApi, registered.map((r) => r.spec), context.log);
    } catch (error) {
      await dataApi.stop();
      throw error;
    }
    return { name: "rds-data", urls: { "rds-data": dataApi.endpoint }, dataApi, stop: () => dataApi.stop() } satisfies LocalRelationalDatabasesService;
  },
};

/**
 * Applies each database's pending migrations at start, with the code `pulumi up` runs (SchemaMigrations →
 * applyMigrations) through the local Data API as its internal caller: the local schema is the deployed one. A refused or
 * failing migration stops the start with applyMigrations' error (the file, the statement and the fix); the database
 * keeps every migration applied before it, as in AWS.
 */
export async function applyLocalMigrations(dataApi: LocalDataApi, specs: RelationalDatabaseSpec[], log: (line: string) => void): Promise<void> {
  for (const spec of specs) {
    if (spec.migrations.length === 0) continue;
    const target = dataApi.targets[spec.name];
    // Signed for the cluster's region (its ARN's fourth field), which the endpoint serves.
    const client = new RDSDataClient({ endpoint: dataApi.endpoint, region: target.resourceArn.split(":")[3], credentials: dataApi.adminCredentials });
    try {
      const { applied } = await applyMigrations(client, target, spec.migrations, { log: (line) => log(`  ${spec.name}: ${line}`) });
      log(`  ${spec.name}: ${applied.length === 0 ? "schema up to date" : `applied ${applied.join(", ")}`} (${spec.migrations.length} migrations)`);
    } catch (error) {
      // The start's error names the database whose migration failed (its class, e.g. MigrationError, kept).
      if (error instanceof Error) error.message = `RelationalDatabase "${spec.name}": ${error.message}`;
      throw error;
    } finally {
      client.destroy();
    }
  }
}
