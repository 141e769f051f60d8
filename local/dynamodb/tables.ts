/**
 * DataTier table specs → dynalite tables: the same key schema and indexes, under the
 * physical names the program resolves (what handlers get as TABLE_NAME). Billing is
 * on-demand locally; capacity means nothing to an emulator.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeySchemaElement,
  type Projection as DynamoProjection,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import type { Projection, TableSpec } from "../../components/data-tier/spec";

/** A table the local service serves: its spec and the physical name handlers use. */
export interface LocalTable {
  /** `<DataTier name>.<table key>`, for messages. */
  id: string;
  tableName: string;
  spec: TableSpec;
  /**
   * The table's stream ARN as the program recorded it (the table's `streamArn`), which its stream records name as
   * `eventSourceARN`. @default tableStreamArn(region, tableName) (local/offline/mocks.ts), for a table outside a program run
   */
  streamArn?: string;
}

export function createTableInput(table: LocalTable): CreateTableCommandInput {
  const { spec } = table;
  return {
    TableName: table.tableName,
    AttributeDefinitions: Object.entries(spec.attributes).map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: keySchema(spec.partitionKey, spec.sortKey),
    BillingMode: "PAY_PER_REQUEST",
    GlobalSecondaryIndexes: spec.globalIndexes.length
      ? spec.globalIndexes.map((index) => ({ IndexName: index.name, KeySchema: keySchema(index.partitionKey, index.sortKey), Projection: projection(index.projection) }))
      : undefined,
    LocalSecondaryIndexes: spec.localIndexes.length
      ? spec.localIndexes.map((index) => ({ IndexName: index.name, KeySchema: keySchema(spec.partitionKey, index.sortKey), Projection: projection(index.projection) }))
      : undefined,
  };
}

function keySchema(partitionKey: string, sortKey: string | undefined): KeySchemaElement[] {
  return [{ AttributeName: partitionKey, KeyType: "HASH" }, ...(sortKey ? [{ AttributeName: sortKey, KeyType: "RANGE" as const }] : [])];
}

function projection(projection: Projection): DynamoProjection {
  if (projection === "ALL" || projection === "KEYS_ONLY") return { ProjectionType: projection };
  return { ProjectionType: "INCLUDE", NonKeyAttributes: projection };
}

/**
 * How ensureTables reads and creates tables. `describe` answers DescribeTable's `Table`, or undefined when there is no
 * such table.
 */
export interface TableCatalog {
  describe(tableName: string): Promise<TableDescription | undefined>;
  create(input: CreateTableCommandInput): Promise<void>;
}

/** Tables read and created through DynamoDB's API (DescribeTable, CreateTable) with `client`. */
export function apiTableCatalog(client: DynamoDBClient): TableCatalog {
  return {
    describe: (tableName) => describe(client, tableName),
    create: async (input) => void (await client.send(new CreateTableCommand(input))),
  };
}

/**
 * Creates each table that does not exist yet. A persisted table whose key schema or
 * indexes no longer match the program is an error: the fix (`--fresh`) drops local data,
 * so we say so rather than do it.
 */
export async function ensureTables(catalog: TableCatalog, tables: LocalTable[]): Promise<{ created: string[]; existing: string[] }> {
  const created: string[] = [];
  const existing: string[] = [];
  for (const table of tables) {
    const wanted = createTableInput(table);
    const current = await catalog.describe(table.tableName);
    if (!current) {
      await catalog.create(wanted);
      await untilActive(catalog, table.tableName);
      created.push(table.tableName);
      continue;
    }
    const drift = schemaDrift(wanted, current);
    if (drift) {
      throw new Error(
        `local DynamoDB: table ${table.id} (${table.tableName}) in the persisted data has ${drift}, unlike index.ts. Run \`npm start -- --fresh\` to recreate local tables (this deletes local data).`,
      );
    }
    existing.push(table.tableName);
  }
  return { created, existing };
}

/** dynalite answers writes to a CREATING table with ResourceNotFound; wait until it is ACTIVE. */
async function untilActive(catalog: TableCatalog, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if ((await catalog.describe(tableName))?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`local DynamoDB: table ${tableName} did not become ACTIVE`);
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

function schemaDrift(wanted: CreateTableCommandInput, current: TableDescription): string | undefined {
  const keys = (schema: KeySchemaElement[] | undefined) => JSON.stringify((schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`));
  if (keys(wanted.KeySchema) !== keys(current.KeySchema)) return `key schema ${keys(current.KeySchema)} instead of ${keys(wanted.KeySchema)}`;
  const indexes = (list: Array<{ IndexName?: string; KeySchema?: KeySchemaElement[] }> | undefined) =>
    JSON.stringify((list ?? []).map((i) => `${i.IndexName}=${keys(i.KeySchema)}`).sort());
  if (indexes(wanted.GlobalSecondaryIndexes) !== indexes(current.GlobalSecondaryIndexes)) return "different global secondary indexes";
  if (indexes(wanted.LocalSecondaryIndexes) !== indexes(current.LocalSecondaryIndexes)) return "different local secondary indexes";
  return undefined;
}
