import { join } from "node:path";
import type { RegisteredDataTier } from "../../components/data-tier";
import type { StreamSubscriptionSpec } from "../../components/data-tier/stream";
import { registeredSpecs } from "../../components/spec-registry";
import { startLocalDynamo, type LocalTable, type StreamSubscriber } from "../dynamodb";
import { ofType, type Graph } from "../offline/graph";
import { resolveValue } from "../offline/program";
import type { LocalService } from "./types";

/**
 * Every DataTier's tables as the program resolved them (physical names are what handlers get as TABLE_NAME), with the
 * stream ARN `graph` recorded for each (the table's `streamArn`).
 */
export async function localTables(graph: Graph = []): Promise<LocalTable[]> {
  const tables: LocalTable[] = [];
  const recorded = ofType(graph, "aws:dynamodb/table:Table");
  for (const { name, spec } of registeredSpecs<RegisteredDataTier>("DataTier")) {
    for (const table of Object.values(spec.tables)) {
      const tableName = await resolveValue<string>(spec.tableNames[table.key]);
      const streamArn = recorded.find((r) => r.state.name === tableName)?.state.streamArn;
      tables.push({ id: `${name}.${table.key}`, tableName, spec: table, ...(typeof streamArn === "string" && streamArn ? { streamArn } : {}) });
    }
  }
  return tables;
}

/**
 * DynamoDB on embedded dynalite, persisted under `.local/<stack>/dynamodb`
 * (`npm start -- --fresh` starts empty): the program's tables with the same keys and
 * indexes, TTL expiry by a sweeper, and stream records delivered to subscribed functions.
 */
export const dynamodbService: LocalService = {
  name: "DynamoDB (dynalite, with TTL and streams)",
  async start(context) {
    const tables = await localTables(context.run.resources);
    if (tables.length === 0) return undefined;
    const byId = new Map(tables.map((t) => [t.id, t]));
    const subscribers: StreamSubscriber[] = registeredSpecs<StreamSubscriptionSpec>("StreamSubscription").map(({ spec }) => ({
      spec,
      tableName: byId.get(`${spec.dataTier}.${spec.table}`)!.tableName,
      invoke: (event) => context.lambda(spec.function).invoke(event),
    }));
    // Each function is allowed what its role's policies allow on the tables and indexes, as in AWS.
    const dynamo = await startLocalDynamo({ tables, subscribers, path: join(context.stateDir, "dynamodb"), region: context.environment.AWS_REGION ?? "us-east-1", log: context.log, roles: context.functionRoles });
    context.environment.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    for (const name of dynamo.created) context.log(`  created table ${name}`);
    return {
      name: "dynamodb",
      urls: { dynamodb: dynamo.endpoint },
      stop: () => dynamo.stop(),
    };
  },
};
