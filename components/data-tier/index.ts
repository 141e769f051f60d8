import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argFailer, type ArgFailure } from "../errors";
import { checkNotMonitoredYet } from "../monitoring/read-components";
import type { LambdaFunction } from "../lambda/function";
import { regionWhereCreated } from "../region";
import { sdkResolvedOptions } from "../resource-options";
import { registerSpec } from "../spec-registry";
import { createExport, type CreatedExport } from "./export";
import { tableGrants, type TableGrants } from "./grants";
import { checkDeletionProtectionKept, globalIndexQuotaWarnings, normalise, validateArgs, type DataTierArgs, type DataTierSpec } from "./spec";
import { createSubscription, normaliseSubscription, validateSubscription, type StreamSubscription, type StreamSubscriptionArgs } from "./stream";
import { IDEMPOTENCY_TABLE } from "./spec";
import { createTable } from "./table";
import type { PolicyStatement } from "../iam";

export type {
  AttributeType, CapacityArgs, DataTierArgs, DataTierSpec, ExportArgs, ExportSpec, GlobalIndexArgs, IndexSpec, LocalIndexArgs, Projection,
  StreamViewType, TableArgs, TableSpec, IdempotencyArgs,
} from "./spec";
export { IDEMPOTENCY_TABLE } from "./spec";
export type { ReadAction, TableGrants, WriteAction } from "./grants";
export type { StreamSubscription, StreamSubscriptionArgs, StreamSubscriptionSpec } from "./stream";
export { READ_ACTIONS, STREAM_ACTIONS, WRITE_ACTIONS } from "./grants";

/** One table of a DataTier: its outputs and least-privilege grants. */
export interface DataTable {
  /** Physical table name (give it to handlers as TABLE_NAME). */
  readonly name: pulumi.Output<string>;
  /** Table ARN, for IAM statements the grants do not cover. */
  readonly arn: pulumi.Output<string>;
  /** Stream ARN; undefined when the table has no stream. */
  readonly streamArn: pulumi.Output<string | undefined>;
  /** Least-privilege statements for a function's `permissions`: read, write, readWrite, stream. */
  readonly grants: TableGrants;
  /** The underlying `aws.dynamodb.Table`. */
  readonly table: aws.dynamodb.Table;
}

/** What `npm start` reads back: the normalised spec plus each table's physical name as the program resolves it. */
export interface RegisteredDataTier extends DataTierSpec {
  tableNames: Record<string, pulumi.Output<string>>;
}

/**
 * DynamoDB tables from a typed spec: keys and indexes, on-demand or
 * autoscaled provisioned capacity, global table replicas, streams, TTL,
 * point-in-time recovery, KMS encryption, deletion protection, a scheduled export
 * to S3, least-privilege grants, and stream subscriptions for LambdaFunctions.
 *
 * @example
 * const data = new DataTier("data", {
 *   tables: {
 *     gallery: {
 *       attributes: { pk: "S", sk: "S", gsi1pk: "S", gsi1sk: "S" },
 *       partitionKey: "pk",
 *       sortKey: "sk",
 *       globalIndexes: { gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk" } },
 *       stream: "NEW_AND_OLD_IMAGES",
 *       ttlAttribute: "expiresAt",
 *       replicaRegions: ["us-west-2"],
 *     },
 *   },
 *   export: { schedule: "rate(1 day)" },
 *   deletionProtection: true,
 *   retainOnDelete: true,
 * });
 * const api = new LambdaFunction("api", {
 *   entry: "handlers/api/index.ts",
 *   environment: { TABLE_NAME: data.tables.gallery.name },
 *   permissions: data.tables.gallery.grants.readWrite(),
 * });
 * data.subscribe("counters", "gallery", countersFunction, { batchSize: 50 });
 */
export class DataTier extends pulumi.ComponentResource {
  readonly spec: DataTierSpec;
  readonly tables: Readonly<Record<string, DataTable>>;
  /** Name of the export bucket; undefined when export is off. */
  readonly exportBucketName?: pulumi.Output<string>;
  /** The underlying resources, for users who need to extend them. */
  readonly nodes: {
    readonly tables: Readonly<Record<string, aws.dynamodb.Table>>;
    readonly autoscaling: readonly (aws.appautoscaling.Target | aws.appautoscaling.Policy)[];
    readonly export?: CreatedExport;
    readonly subscriptions: StreamSubscription[];
  };
  private readonly resourceName: string;
  private readonly idempotencyEnabled: boolean;

  constructor(name: string, args: DataTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:DataTier", name, {}, opts);
    this.resourceName = name;
    this.idempotencyEnabled = args.idempotency !== undefined;
    // Where the tables live: the region arg, else the stack's aws:region; under an explicit provider its region is
    // unknown here, and the checks against it are left to the deploy rules.
    const fail = argFailer("DataTier", name);
    validateArgs(fail, args, regionWhereCreated(args.region, this, "aws:dynamodb/table:Table").region, name);
    this.spec = normalise(name, args);
    for (const warning of globalIndexQuotaWarnings(name, args)) pulumi.log.warn(warning, this);

    const created = Object.fromEntries(Object.values(this.spec.tables).map((table) => [table.key, createTable(name, this.spec, table, this)]));
    const tables = Object.fromEntries(Object.entries(created).map(([key, c]) => [key, c.table]));
    // Judged on the tables as constructed: their `protect` is resolved only then, after every transformation ran.
    checkDeletionProtectionKept(fail, name, args, keptBy(this, Object.values(tables), opts), (message) => pulumi.log.warn(message, this));
    const exported = this.spec.export ? createExport(name, this.spec, tables, this) : undefined;

    this.tables = Object.fromEntries(Object.entries(tables).map(([key, table]) => [key, dataTable(key, table, fail)]));
    this.exportBucketName = exported?.bucket.bucket;
    this.nodes = {
      tables,
      autoscaling: Object.values(created).flatMap((c) => c.scaling.flatMap((s) => [s.target, s.policy])),
      export: exported,
      subscriptions: [],
    };
    const registered: RegisteredDataTier = { ...this.spec, tableNames: Object.fromEntries(Object.entries(tables).map(([k, t]) => [k, t.name])) };
    registerSpec("DataTier", name, registered);
    this.registerOutputs({
      tableNames: registered.tableNames,
      tableArns: Object.fromEntries(Object.entries(tables).map(([k, t]) => [k, t.arn])),
      exportBucketName: this.exportBucketName,
    });
  }

  /**
   * What a function needs to keep Powertools idempotency records in `tables.idempotency`: get, put,
   * update and delete on that table, nothing else (Powertools idempotency docs, "IAM Permissions").
   * Give the function the table's name as `IDEMPOTENCY_TABLE_NAME`.
   */
  idempotencyGrants(): PolicyStatement[] {
    const table = this.tables[IDEMPOTENCY_TABLE.key];
    if (!this.idempotencyEnabled) {
      return argFailer("DataTier", this.resourceName)("idempotency", undefined, "is off, but idempotencyGrants() was called", "Set idempotency: {} on the DataTier.");
    }
    return [...table.grants.read(["dynamodb:GetItem"]), ...table.grants.write(["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"])];
  }

  /**
   * Subscribes `fn` to `table`'s stream: an event source mapping with partial batch
   * responses (the handler returns `{ batchItemFailures }`), bisect on error, bounded
   * retries and an encrypted SQS dead-letter queue; the function's role gets the
   * stream read and queue send. The table must have `stream` set. A function subscribes to a table once (Lambda keeps
   * one mapping per stream and function). The mapping is replaced delete-first, so changing `startingPosition` on a
   * deployed stack re-creates it; renaming the subscription is a new mapping created before the old one is deleted,
   * which Lambda refuses: rename in two updates (docs/components/data-tier.md, deploy rule TransitionNameTaken).
   */
  subscribe(subscription: string, table: string, fn: LambdaFunction, args: StreamSubscriptionArgs = {}): StreamSubscription {
    const fail = argFailer("DataTier", this.resourceName);
    checkNotMonitoredYet(fail, "subscribe name", subscription, this);
    validateSubscription(fail, subscription, table, this.spec.tables[table], Object.keys(this.spec.tables), args);
    if (this.nodes.subscriptions.some((s) => s.spec.name === subscription)) {
      fail("subscribe name", subscription, "is already used by another subscription", "Give each subscription its own name.");
    }
    // Lambda keeps one event source mapping per event source and function: a second CreateEventSourceMapping for the
    // same stream and function is refused with ResourceConflictException ("The event source arn (…) and function (…)
    // provided mapping already exists", hashicorp/terraform-provider-aws#33352; localstack/localstack#9996).
    const twin = this.nodes.subscriptions.find((s) => s.spec.table === table && s.spec.function.name === fn.spec.name);
    if (twin) {
      fail(
        `subscribe("${subscription}").fn`,
        fn.spec.name,
        `is already subscribed to table ${table} by subscription "${twin.spec.name}", and Lambda refuses a second event source mapping of one stream and one function (ResourceConflictException "provided mapping already exists")`,
        `Handle both in the one subscription "${twin.spec.name}" (one handler can do both jobs), or subscribe another LambdaFunction.`,
      );
    }
    const spec = normaliseSubscription(this.resourceName, subscription, table, fn, args);
    const target = this.tables[table];
    const created = createSubscription(this.resourceName, spec, target.table, target.grants.stream(), fn, this.spec.region, this);
    const result: StreamSubscription = { spec, ...created };
    this.nodes.subscriptions.push(result);
    registerSpec("StreamSubscription", `${this.resourceName}-${subscription}`, spec);
    return result;
  }
}

function dataTable(key: string, table: aws.dynamodb.Table, fail: ArgFailure): DataTable {
  return {
    name: table.name,
    arn: table.arn,
    streamArn: table.streamArn.apply((s) => (s ? s : undefined)),
    grants: tableGrants(key.charAt(0).toUpperCase() + key.slice(1), table.arn, { fail, argument: `tables.${key}.grants` }),
    table,
  };
}

/**
 * What may keep the tables for checkDeletionProtectionKept: whether every table is protected, and whether this
 * component's children go through transformations (its own, inherited or the stack's) or engine-side `transforms`
 * given to it (an ancestor's or the stack's engine-side transforms are not visible to the program). Where the SDK's
 * fields cannot be read (sdkResolvedOptions), the tables are counted as possibly transformed: the judgement then only
 * warns and leaves the verdict to the deploy rule DynamoDbTableDestroyable, rather than refusing a program that
 * protect may keep.
 */
export function keptBy(component: pulumi.Resource, tables: readonly pulumi.Resource[], opts: pulumi.ComponentResourceOptions | undefined): { tablesProtected: boolean; transformed: boolean } {
  const own = sdkResolvedOptions(component);
  const protects = tables.map((table) => sdkResolvedOptions(table)?.protect);
  if (own === undefined || protects.includes(undefined)) return { tablesProtected: false, transformed: true };
  return { tablesProtected: protects.every(Boolean), transformed: own.transformations > 0 || (opts?.transforms?.length ?? 0) > 0 };
}
