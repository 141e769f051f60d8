/**
 * What RelationalDatabase (components/relational-database/index.ts) registers for the local runtime (kind
 * "RelationalDatabase") and what its schema migrations take: one contract for `pulumi up` and `npm start`.
 */
import type * as pulumi from "@pulumi/pulumi";

/** One migration file: applied once, in name order, inside a transaction. */
export interface Migration {
  /** The file's name, e.g. "0001_create_albums.sql": its sort key and its id in the schema_migrations table. */
  name: string;
  /** Hex SHA-256 of the file's bytes: an applied migration whose file changed is refused, never re-run. */
  sha256: string;
  /** The file's SQL (one or more statements). */
  sql: string;
}

/** Where migrations and queries go through the RDS Data API. */
export interface DataApiTarget {
  /** The Aurora cluster's ARN (Data API's resourceArn). */
  resourceArn: string;
  /** The ARN of the Secrets Manager secret holding the database user's credentials (Data API's secretArn). */
  secretArn: string;
  /** The database to run in. */
  database: string;
}

/** What the local runtime needs of an Aurora PostgreSQL Serverless v2 cluster reached through the Data API. */
export interface RelationalDatabaseSpec {
  name: string;
  engine: "aurora-postgresql";
  engineVersion: string;
  /** The database created with the cluster (what `database` names in Data API calls). */
  databaseName: string;
  masterUsername: string;
  /** The cluster's identifier (autonamed), what its ARN ends with. */
  clusterIdentifier: pulumi.Input<string>;
  /** The cluster's ARN, Data API's resourceArn. */
  clusterArn: pulumi.Input<string>;
  /** The RDS-managed master user secret's ARN, Data API's secretArn. */
  secretArn: pulumi.Input<string>;
  /** Migrations read from `migrations` at construction, in the order they apply; empty without a folder. */
  migrations: Migration[];
  /** Absolute path of the migrations folder, when given. */
  migrationsDirectory?: string;
  minCapacity: number;
  maxCapacity: number;
  region?: string;
}
