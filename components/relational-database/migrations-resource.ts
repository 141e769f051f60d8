/**
 * `SchemaMigrations`: one Pulumi resource that applies a database's pending schema migrations (read with
 * readMigrations, ./migrations.ts) through the RDS Data API when the stack deploys (./migrations-provider.ts says
 * what each step does). Its inputs carry the migrations, so `pulumi preview --diff` lists the files that are new, and
 * `pending` says which will apply; it acts as the stack's AWS identity (`aws`, a secret), as SitePublisher does.
 */
import * as pulumi from "@pulumi/pulumi";
import { deployerAwsInput, secretAwsOutput } from "../deployer-aws/settings";
import type { DeployerAws } from "../deployer-aws/types";
import { DynamicProviderLoader } from "../dynamic-provider-loader";
import type { DataApiTarget, Migration } from "./contract";

export interface SchemaMigrationsArgs {
  /** The database to migrate: the cluster's ARN, its secret's ARN and the database's name. */
  target: pulumi.Input<DataApiTarget>;
  /** The migrations, in the order they apply (readMigrations). */
  migrations: Migration[];
  /** The Data API's region. @default the cluster ARN's */
  region?: pulumi.Input<string>;
  /** The Data API endpoint URL, e.g. the local emulator in tests. @default AWS */
  endpoint?: string;
  /**
   * Who to act as, sent as a secret.
   * @default the settings of the AWS provider `opts.parent` passes its AWS children: an explicit `aws.Provider`
   * (its profile, assumeRoles and keys), else the stack's `aws:*` config
   */
  aws?: pulumi.Input<DeployerAws>;
}

export const SCHEMA_MIGRATIONS_TYPE = "pulumi-nodejs:dynamic/serverless-fullstack:SchemaMigrations";

const loader = new DynamicProviderLoader({ folder: __dirname, module: "migrations-provider", exportName: "migrationsProvider", owner: "The schema migrations' provider" });

/** The provider compiled from its bundle, as the dynamic-provider host runs it. */
export function loadMigrationsProvider(): pulumi.dynamic.ResourceProvider {
  return loader.load();
}

/**
 * A dynamic resource (`pulumi-nodejs:dynamic/...`, run by Pulumi's dynamic-provider host), declared as
 * `pulumi.dynamic.Resource` declares one, with the provider's serialised code from the cache (DynamicProviderLoader).
 */
export class SchemaMigrations extends pulumi.CustomResource {
  /** What the deploy applies (or applied): "2 to apply: 0002_add_photos.sql, 0003_index.sql", or "none to apply". */
  declare readonly pending: pulumi.Output<string>;
  /** The migrations the last deploy applied. */
  declare readonly lastApplied: pulumi.Output<string[]>;

  constructor(name: string, args: SchemaMigrationsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      SCHEMA_MIGRATIONS_TYPE,
      name,
      {
        __provider: loader.serialisedText(),
        target: args.target,
        region: args.region ?? "",
        ...encodeMigrations(args.migrations),
        endpoint: args.endpoint,
        aws: deployerAwsInput(args.aws, opts),
        pending: undefined,
        applied: undefined,
        lastApplied: undefined,
      },
      secretAwsOutput(opts),
    );
  }
}

/** The migrations as the provider takes them: name → SHA-256 and name → SQL, each one JSON string. */
export function encodeMigrations(migrations: readonly Migration[]): { migrations: string; sql: string } {
  return {
    migrations: JSON.stringify(Object.fromEntries(migrations.map((m) => [m.name, m.sha256]))),
    sql: JSON.stringify(Object.fromEntries(migrations.map((m) => [m.name, m.sql]))),
  };
}
