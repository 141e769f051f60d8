/**
 * Where RelationalDatabase meets its schema migrations: the folder reader (components/relational-database/migrations.ts)
 * and the SchemaMigrations dynamic resource (migrations-resource.ts) are written on another branch. Until that branch
 * is merged these throw; the merge replaces both bodies with calls to the real module, and nothing else changes.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import type { DataApiTarget, Migration } from "./contract";

/** What SchemaMigrations takes (migrations-resource.ts). */
export interface SchemaMigrationsArgs {
  target: pulumi.Input<DataApiTarget>;
  migrations: Migration[];
  region?: string;
}

/** The folder's migrations in the order they apply: `readMigrations(fail, argument, directory)` of migrations.ts. */
export function readMigrationsFolder(_fail: ArgFailure, _argument: string, _directory: string): Migration[] {
  throw new Error("RelationalDatabase migrations: not merged yet (components/relational-database/migrations.ts)");
}

/** `new SchemaMigrations(name, args, opts)` of migrations-resource.ts. */
export function createSchemaMigrations(_name: string, _args: SchemaMigrationsArgs, _opts: pulumi.CustomResourceOptions): pulumi.Resource {
  throw new Error("RelationalDatabase migrations: not merged yet (components/relational-database/migrations-resource.ts)");
}
