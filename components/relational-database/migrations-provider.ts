/**
 * The schema-migrations dynamic provider: applies a RelationalDatabase's pending migrations through the RDS Data API,
 * from the machine running `pulumi up` (no Lambda, no VPC access: the Data API is an HTTPS endpoint), acting as the
 * stack's AWS identity (the `aws` input, ../deployer-aws).
 *
 * - check: refuses, at plan time, a change to or the removal of a migration the last deploy recorded as applied
 *   (naming the file and the fix: add a new migration instead), and adds `pending`, the migrations this deploy will
 *   apply, which `pulumi preview --diff` shows;
 * - diff: the same refusal against the state's `applied`; a change when a migration is pending, or the target or who
 *   we act as changed (never a replacement);
 * - create/update: applyMigrations, whose own check against `schema_migrations` is the last word;
 * - delete: nothing. The schema and its data belong to the database: removing this resource (or the stack) must never
 *   drop tables; the cluster's own deletion (with its final snapshot) is what removes them.
 *
 * Pulumi serialises this object's code into the state (bundled: ./migrations-resource.ts), so it imports only npm
 * packages and pure neighbours.
 */
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import type * as pulumi from "@pulumi/pulumi";
import { arnRegion } from "../arn";
import { awsChanged, checkAws, configuredCredentials, localCredentials, UNKNOWN } from "../deployer-aws/credentials";
import type { DeployerAws } from "../deployer-aws/types";
import type { DataApiTarget, Migration } from "./contract";
import { applyMigrations, MigrationError, pendingMigrations } from "./migrations";

export interface MigrationsInputs {
  target: DataApiTarget;
  /** The Data API's region; "" for the cluster ARN's. */
  region: string;
  /** JSON of migration name → SHA-256, in order (one string, so `pulumi preview --diff` lists the files that change). */
  migrations: string;
  /** JSON of migration name → SQL. */
  sql: string;
  /** The Data API endpoint, e.g. the local emulator in tests. @default AWS */
  endpoint?: string;
  /** Who to act as (a secret). */
  aws?: DeployerAws;
  /** Added by `check`: "2 to apply: 0002_add_photos.sql, 0003_index.sql" or "none to apply". */
  pending?: string;
}

/**
 * The outputs: the inputs without `sql`. The SQL is kept only in the inputs (where the next deploy's update reads
 * it: the provider gets the new inputs), not a second time in the outputs; what was applied is names and SHA-256s.
 */
export interface MigrationsState extends Omit<MigrationsInputs, "sql"> {
  /** JSON of name → SHA-256 of every migration this resource has seen applied. */
  applied: string;
  /** The migrations the last create or update applied. */
  lastApplied: string[];
}

/** Where progress goes: the dynamic-provider host's stdout, which `pulumi up` prints as info lines. */
export const migrationsLog = { write: (line: string) => console.log(line) };

/** The Data API client for `inputs` (tests pass one that talks to an emulator). */
export type DataApiClientFor = (inputs: MigrationsInputs) => RDSDataClient;

export function dataApiClientFor(inputs: MigrationsInputs): RDSDataClient {
  // The region given, else the cluster ARN's (arn:aws:rds:<region>:<account>:cluster:<id>).
  const region = inputs.region || arnRegion(inputs.target.resourceArn) || "";
  const configured = configuredCredentials(inputs.aws ?? {}, region, undefined, "schema-migrations");
  const credentials = configured ?? (inputs.endpoint ? localCredentials() : undefined);
  return new RDSDataClient({ region, ...(credentials ? { credentials } : {}), ...(inputs.endpoint ? { endpoint: inputs.endpoint } : {}) });
}

export function makeMigrationsProvider(clientFor: DataApiClientFor = dataApiClientFor): pulumi.dynamic.ResourceProvider {
  const apply = async (inputs: MigrationsInputs): Promise<MigrationsState> => {
    const migrations = decode(inputs);
    const { applied } = await applyMigrations(clientFor(inputs), inputs.target, migrations, { log: (line) => migrationsLog.write(line) });
    return outputs(inputs, applied);
  };
  return {
    async check(olds: Partial<MigrationsInputs>, news: MigrationsInputs) {
      const failures = checkInputs(news);
      if (failures.length > 0) return { inputs: news, failures };
      const migrations = decode(news);
      // The old inputs' migrations were all applied when the last deploy succeeded (a failed one keeps the old inputs).
      const recorded = sameDatabase(olds.target, news.target) && typeof olds.migrations === "string" ? namesToSha(olds.migrations) : new Map<string, string>();
      try {
        return { inputs: { ...news, pending: describePending(pendingMigrations(migrations, recorded).map((m) => m.name)) } };
      } catch (error) {
        if (!(error instanceof MigrationError)) throw error;
        return { inputs: news, failures: [{ property: "migrations", reason: error.message }] };
      }
    },

    async diff(_id: string, olds: MigrationsState, news: MigrationsInputs) {
      const targetChanged = !sameDatabase(olds.target, news.target);
      if (!targetChanged && typeof news.migrations === "string" && typeof olds.applied === "string") {
        // Throws MigrationError (the preview fails with it) when an applied migration changed or is gone.
        const pending = pendingMigrations(decode(news), namesToSha(olds.applied));
        if (pending.length > 0) return { changes: true, replaces: [], deleteBeforeReplace: false };
      }
      const changes = targetChanged || olds.region !== news.region || (olds.endpoint ?? "") !== (news.endpoint ?? "") || awsChanged(olds.aws, news.aws) || olds.migrations !== news.migrations;
      return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs: MigrationsInputs) {
      const outs = await apply(inputs);
      return { id: `${inputs.target.resourceArn}/${inputs.target.database}/schema_migrations`, outs };
    },

    async update(_id: string, olds: MigrationsState, news: MigrationsInputs) {
      // Nothing pending against what this resource applied to the same database (an update for new credentials, a
      // session token, an endpoint or a region): no Data API call, which would wake a paused cluster, or fail on a
      // stopped one, for nothing. The database's own check runs whenever something is pending.
      if (sameDatabase(olds.target, news.target) && typeof olds.applied === "string" && pendingMigrations(decode(news), namesToSha(olds.applied)).length === 0) {
        migrationsLog.write(`schema migrations: ${Object.keys(JSON.parse(news.migrations) as object).length} applied, none pending (the database was not called)`);
        return { outs: outputs(news, []) };
      }
      return { outs: await apply(news) };
    },

    async delete(_id: string, props: MigrationsState) {
      migrationsLog.write(`schema migrations of ${props.target?.database ?? "the database"}: left in the database (removing this resource never drops tables or data)`);
    },
  };
}

export const migrationsProvider = makeMigrationsProvider();

/** Whether two targets are the same database (unknown at preview: maybe not). */
function sameDatabase(olds: DataApiTarget | undefined, news: DataApiTarget | undefined): boolean {
  if (!olds || !news || (news as unknown) === UNKNOWN) return false;
  return olds.resourceArn === news.resourceArn && olds.database === news.database;
}

/** The state after a create or update that applied `applied`: the inputs without the SQL (MigrationsState). */
function outputs(inputs: MigrationsInputs, applied: string[]): MigrationsState {
  const { sql: _sql, ...rest } = inputs;
  return { ...rest, applied: inputs.migrations, lastApplied: applied };
}

/** What `pending` says: the migrations to apply. */
function describePending(names: string[]): string {
  return names.length === 0 ? "none to apply" : `${names.length} to apply: ${names.join(", ")}`;
}

function decode(inputs: Pick<MigrationsInputs, "migrations" | "sql">): Migration[] {
  const shas = JSON.parse(inputs.migrations) as Record<string, string>;
  const sql = JSON.parse(inputs.sql) as Record<string, string>;
  return Object.entries(shas).map(([name, sha256]) => ({ name, sha256, sql: sql[name] ?? "" }));
}

function namesToSha(encoded: string): Map<string, string> {
  return new Map(Object.entries(JSON.parse(encoded) as Record<string, string>));
}

function checkInputs(news: MigrationsInputs): Array<{ property: string; reason: string }> {
  const failures: Array<{ property: string; reason: string }> = [];
  const target = news.target as unknown;
  if (target !== UNKNOWN) {
    if (!target || typeof target !== "object") failures.push({ property: "target", reason: "needs the database's resourceArn, secretArn and database" });
    else {
      const t = target as Partial<Record<keyof DataApiTarget, unknown>>;
      // arn:<partition>:rds:<region>:<account>:cluster:<id>: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Tagging.ARN.html
      if (t.resourceArn !== UNKNOWN && (typeof t.resourceArn !== "string" || !/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster:.+$/.test(t.resourceArn))) {
        failures.push({ property: "target.resourceArn", reason: `${JSON.stringify(t.resourceArn)} is not an Aurora cluster ARN (arn:aws:rds:<region>:<account>:cluster:<id>)` });
      }
      if (t.secretArn !== UNKNOWN && (typeof t.secretArn !== "string" || !/^arn:aws[a-z-]*:secretsmanager:/.test(t.secretArn))) {
        failures.push({ property: "target.secretArn", reason: `${JSON.stringify(t.secretArn)} is not a Secrets Manager secret ARN` });
      }
      if (t.database !== UNKNOWN && (typeof t.database !== "string" || t.database === "")) failures.push({ property: "target.database", reason: "needs the database's name" });
    }
  }
  for (const key of ["migrations", "sql"] as const) {
    try {
      const parsed = JSON.parse(news[key]) as unknown;
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    } catch {
      failures.push({ property: key, reason: "needs the migrations as SchemaMigrations sends them (JSON of name to value)" });
    }
  }
  if (news.aws && typeof news.aws === "object") failures.push(...checkAws(news.aws));
  return failures;
}
