/**
 * DataTier's arguments, their validation, and the normalised spec the rest of the
 * component (and the local dynalite service) works from.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import { FUNCTION_NAME_SUFFIX } from "../lambda/function";
import { parseExpression, SCHEDULE_ROLE_SUFFIX } from "../lambda/schedule";
import { validateLogRetention } from "../log-retention";
import { checkNumberInRange } from "../ranges";
import { validateBucketName, validateKeptBucketName } from "../static-site/spec";
import { validateAutonames, type AutonamedResource } from "../autoname";
import { validateRegionArg, validateRegionName } from "../region";

export type AttributeType = "S" | "N" | "B";
export type StreamViewType = "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES" | "KEYS_ONLY";
const STREAM_VIEW_TYPES: readonly StreamViewType[] = ["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"];

/** `"ALL"`, `"KEYS_ONLY"`, or the non-key attributes to project (INCLUDE). */
export type Projection = "ALL" | "KEYS_ONLY" | string[];

/** A global secondary index: its own partition (and sort) key, over the whole table. */
export interface GlobalIndexArgs {
  /** Attribute the index is partitioned by (declared in the table's `attributes`). */
  partitionKey: string;
  /** Attribute the index sorts by within a partition. @default none (a partition-key-only index) */
  sortKey?: string;
  /**
   * Attributes copied into the index besides the keys: `"ALL"`, `"KEYS_ONLY"` or a list of names (INCLUDE): at most 20
   * names of up to 255 characters, each once, and at most 100 listed over all of the table's indexes (DynamoDB's limits).
   * @default "ALL"
   */
  projection?: Projection;
}

/** A local secondary index: the table's partition key with another sort key. */
export interface LocalIndexArgs {
  /** The alternative sort key (the partition key is the table's). */
  sortKey: string;
  /**
   * Attributes copied into the index besides the keys: `"ALL"`, `"KEYS_ONLY"` or a list of names (INCLUDE): at most 20
   * names of up to 255 characters, each once, and at most 100 listed over all of the table's indexes (DynamoDB's limits).
   * @default "ALL"
   */
  projection?: Projection;
}

/** Provisioned capacity with target-tracking autoscaling (Application Auto Scaling). */
export interface CapacityArgs {
  /** Lowest capacity units autoscaling may set. */
  min: number;
  /** Highest capacity units autoscaling may set. */
  max: number;
  /**
   * Consumed/provisioned percentage autoscaling aims for, 20–90.
   * @default 70
   */
  targetUtilization?: number;
}

/** One DynamoDB table: keys, indexes, capacity, stream, TTL, recovery and encryption. */
export interface TableArgs {
  /** Every key attribute (table and index keys) and its type; DynamoDB rejects definitions no key uses. */
  attributes: Record<string, AttributeType>;
  /** Partition (hash) key attribute. */
  partitionKey: string;
  /** Sort (range) key attribute. @default none */
  sortKey?: string;
  /**
   * Global secondary indexes by name. More than 20 (DynamoDB's default, adjustable quota) is a warning. Adding or removing one on a provisioned table takes the procedure in
   * docs/components/data-tier.md ("Capacity of a provisioned table with global indexes").
   * @default none
   */
  globalIndexes?: Record<string, GlobalIndexArgs>;
  /** Local secondary indexes by name (at most 5; the table needs a sort key). @default none */
  localIndexes?: Record<string, LocalIndexArgs>;
  /**
   * `on-demand` (PAY_PER_REQUEST) or `provisioned` with `capacity`. Switching a deployed table with global indexes to
   * `provisioned` takes the procedure in docs/components/data-tier.md.
   * @default "on-demand"
   */
  billing?: "on-demand" | "provisioned";
  /** Read and write capacity (`read`, `write`: each a CapacityArgs) with autoscaling; required with, and only with, `billing: "provisioned"`. Indexes get the same. */
  capacity?: { read: CapacityArgs; write: CapacityArgs };
  /** Turns the stream on with this view type. @default off; NEW_AND_OLD_IMAGES when there are replicas */
  stream?: StreamViewType;
  /**
   * Number attribute (epoch seconds) after which DynamoDB deletes the item. Not a key attribute. Removing it does not
   * turn TTL off (the provider takes a missing TTL setting as no change): set `ttlEnabled: false` and keep it.
   * @default none
   */
  ttlAttribute?: string;
  /**
   * `false` turns TTL off on `ttlAttribute` (DynamoDB names the attribute to turn it off). To move TTL to another
   * attribute, turn it off, wait an hour, then set the new attribute (docs/components/data-tier.md).
   * @default true when `ttlAttribute` is set
   */
  ttlEnabled?: boolean;
  /**
   * Continuous backups (point-in-time recovery, 35 days; needed for export to S3).
   * @default true
   */
  pointInTimeRecovery?: boolean;
  /**
   * Customer managed KMS key for encryption at rest, in the table's region (an ARN of another region is refused).
   * Changing it on a table with replicas re-creates them: docs/components/data-tier.md, "Re-keying a global table".
   * @default the AWS managed key `aws/dynamodb` (KMS)
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Global table (version 2019.11.21) replicas: regions other than the home region, each once.
   * @default none
   */
  replicaRegions?: string[];
  /** Customer managed KMS key per replica region, each in its region; required for every replica when `kmsKeyArn` is set. */
  replicaKmsKeyArns?: Record<string, pulumi.Input<string>>;
  /** Physical table name, 3–255 of `[A-Za-z0-9_.-]`. @default generated from the component and table key */
  tableName?: string;
  /** Storage class: `STANDARD_INFREQUENT_ACCESS` costs less to store and more to read and write. @default "STANDARD" */
  tableClass?: "STANDARD" | "STANDARD_INFREQUENT_ACCESS";
}

/** A scheduled export of tables to S3 (DynamoDB export to S3, which needs point-in-time recovery). */
export interface ExportArgs {
  /** EventBridge schedule expression, e.g. `"rate(1 day)"` or `"cron(0 3 * * ? *)"`. */
  schedule: string;
  /** Keys of the tables to export. @default every table */
  tables?: string[];
  /** Days before exported objects expire. @default 30 */
  retentionDays?: number;
  /** Format of the exported items: `DYNAMODB_JSON` or `ION`. @default "DYNAMODB_JSON" */
  format?: "DYNAMODB_JSON" | "ION";
  /** Physical name of the export bucket. @default generated */
  bucketName?: string;
  /** Days to keep the export function's logs: one of CloudWatch Logs' retention settings (1, 3, 5, 7, 14, 30, 60, 90, …). @default 30 */
  logRetentionDays?: number;
}

/**
 * The persistence table of Powertools for AWS Lambda's idempotency utility (DynamoDBPersistenceLayer
 * with its default attribute names): partition key `id`, records expired by TTL on `expiration`.
 */
export interface IdempotencyArgs {
  /** Physical table name. @default generated */
  tableName?: string;
  /**
   * Point-in-time recovery. Records live for hours, but a restore should not replay work that was done.
   * @default true
   */
  pointInTimeRecovery?: boolean;
}

/** Key and TTL attributes of the idempotency table: Powertools' DynamoDBPersistenceLayer defaults (`keyAttr`, `expiryAttr`). */
export const IDEMPOTENCY_TABLE = { key: "idempotency", partitionKey: "id", ttlAttribute: "expiration" } as const;

/** Arguments of DataTier. */
export interface DataTierArgs {
  /** Tables by key (e.g. `gallery`); the key names the table's child resources and its entry in `tables`. */
  tables: Record<string, TableArgs>;
  /** Scheduled export of tables to a private, encrypted S3 bucket. @default off */
  export?: ExportArgs;
  /**
   * A table for idempotent handlers (`tables.idempotency`, on-demand, encrypted, TTL on `expiration`);
   * `idempotencyGrants()` gives a function exactly the access Powertools needs. Never exported.
   * @default off
   */
  idempotency?: IdempotencyArgs;
  /**
   * Deletion protection on every table (and replica). Prod should. Needs `retainOnDelete: true`, or the resource option
   * `protect: true` (its own, its parent's, or set on the tables by a transformation): alone, a destroy would delete
   * the tables' subscriptions, export and autoscaling and then fail on the protected tables. Under transformations or
   * transforms that may keep the tables some other way, only a warning; deploy rule DynamoDbTableDestroyable decides.
   * @default false
   */
  deletionProtection?: boolean;
  /** Keep tables and the export bucket when they leave the program. Prod should. @default false */
  retainOnDelete?: boolean;
  /** Home region of the tables (replicas go elsewhere). @default the provider's region */
  region?: string;
}

export interface IndexSpec {
  name: string;
  partitionKey: string;
  sortKey?: string;
  projection: Projection;
}

export interface CapacitySpec {
  min: number;
  max: number;
  targetUtilization: number;
}

/** One normalised table: what the component creates and what `npm start` creates in dynalite. */
export interface TableSpec {
  key: string;
  tableName?: string;
  attributes: Record<string, AttributeType>;
  partitionKey: string;
  sortKey?: string;
  globalIndexes: IndexSpec[];
  /** Local indexes share the table's partition key. */
  localIndexes: IndexSpec[];
  billing: "on-demand" | "provisioned";
  capacity?: { read: CapacitySpec; write: CapacitySpec };
  stream?: StreamViewType;
  /** The attribute TTL is on or was turned off on, as given; undefined when the table has no TTL. */
  ttlAttribute?: string;
  /** Whether DynamoDB expires items by `ttlAttribute` (what `npm start` sweeps); false when there is no `ttlAttribute`. */
  ttlEnabled: boolean;
  pointInTimeRecovery: boolean;
  kmsKeyArn?: pulumi.Input<string>;
  replicaRegions: string[];
  replicaKmsKeyArns: Record<string, pulumi.Input<string>>;
  tableClass: "STANDARD" | "STANDARD_INFREQUENT_ACCESS";
}

export interface ExportSpec {
  schedule: string;
  tables: string[];
  retentionDays: number;
  format: "DYNAMODB_JSON" | "ION";
  bucketName?: string;
  logRetentionDays: number;
}

export interface DataTierSpec {
  name: string;
  tables: Record<string, TableSpec>;
  export?: ExportSpec;
  deletionProtection: boolean;
  retainOnDelete: boolean;
  region?: string;
}

/**
 * DynamoDB's limits DataTier checks.
 *
 * Projections (projectedPerIndex, projectedPerTable, attributeNameLength): Projection.NonKeyAttributes has "Array
 * Members: Minimum number of 1 item. Maximum number of 20 items. Length Constraints: Minimum length of 1. Maximum
 * length of 255.", and "For global and local secondary indexes, the total count of NonKeyAttributes summed across all
 * of the secondary indexes, must not exceed 100. If you project the same attribute into two different indexes, this
 * counts as two distinct attributes when determining the total. This
 * limit only applies when you specify the ProjectionType of INCLUDE. You still can specify the ProjectionType of ALL to
 * project all attributes from the source table, even if the table has more than 100 attributes."
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Projection.html)
 *
 * Secondary indexes (globalIndexes, localIndexes; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-secondary-indexes):
 * "There is a default quota of 20 global secondary indexes per table", a quota the same page checks and raises through
 * Service Quotas, so more GSIs are a warning (globalIndexQuotaWarnings), not a refusal: a table deployed under a raised
 * quota keeps deploying. "You can define a maximum of 5 local secondary indexes" is a limit: refused.
 */
export const DYNAMODB_LIMITS = {
  globalIndexes: 20,
  localIndexes: 5,
  tableName: { min: 3, max: 255 },
  projectedPerIndex: 20,
  projectedPerTable: 100,
  attributeNameLength: 255,
} as const;
const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * deletionProtection without retainOnDelete, judged on the tables as created: DynamoDB refuses to delete a protected
 * table ("When this feature is turned on, you must give your explicit delete confirmation before the table can be
 * deleted", https://repost.aws/knowledge-center/dynamodb-accidental-delete-protection) and the provider sends
 * DeleteTable without turning the protection off, so a destroy fails part-way: Pulumi deletes in reverse dependency
 * order, and the subscriptions, the export and the autoscaling go before the tables.
 * - Every table `protect`ed: accepted. The engine refuses to delete a protected resource before it deletes anything
 *   (https://www.pulumi.com/docs/iac/concepts/options/protect/). `tablesProtected` is read from each table once
 *   constructed, so it takes in the DataTier's own `protect`, a parent's, and a transformation's (the SDK runs
 *   `transformations`, own, inherited and the stack's, before it resolves `protect`: @pulumi/pulumi resource.js).
 * - Else, when transformations or engine-side transforms are in play (`transformed`): only a warning. A transformation
 *   may keep the tables in a way the component cannot read (retainOnDelete on the table), and a transform runs in the
 *   engine, after the program; deploy rule DynamoDbTableDestroyable judges the tables as they are registered and still
 *   reports an unkept protected one. Not visible here at all: an engine-side transform registered for the whole stack
 *   (pulumi.runtime.registerResourceTransform) or on an ancestor; such a stack gets the refusal, whose fix (protect on
 *   the DataTier) then applies.
 * - Else: refused.
 */
export function checkDeletionProtectionKept(
  fail: ArgFailure,
  name: string,
  args: DataTierArgs,
  tables: { tablesProtected: boolean; transformed: boolean },
  warn: (message: string) => void,
): void {
  if (args.deletionProtection !== true || args.retainOnDelete === true || tables.tablesProtected) return;
  const problem =
    "is set without retainOnDelete: `pulumi destroy` (or removing a table from tables) deletes the table's stream subscriptions, export and autoscaling and only then reaches the table, which DynamoDB refuses to delete while its deletion protection is on, so the destroy fails part-way";
  if (tables.transformed) {
    warn(
      `DataTier "${name}": deletionProtection true ${problem}, unless a transformation or transform keeps the tables (retainOnDelete or protect). ` +
        "Deploy rule DynamoDbTableDestroyable judges the tables as registered; set retainOnDelete: true or the resource option { protect: true } on the DataTier to settle it here.",
    );
    return;
  }
  fail(
    "deletionProtection",
    true,
    problem,
    "Set retainOnDelete: true as well (the tables then outlive a destroy), or give the DataTier the resource option { protect: true }, or protect the tables with a transformation (`pulumi destroy` then refuses before deleting anything); to delete the tables later, set deletionProtection: false and `pulumi up` first.",
  );
}

/**
 * `homeRegion` is the region the tables live in when known (args.region, else the stack's aws:region; unknown under an
 * explicit provider). deletionProtection without retainOnDelete is judged once the tables exist (checkDeletionProtectionKept).
 */
export function validateArgs(fail: ArgFailure, args: DataTierArgs, homeRegion: string | undefined, name: string): void {
  validateRegionArg(fail, "region", args.region);
  const keys = Object.keys(args.tables ?? {});
  if (keys.length === 0) fail("tables", args.tables, "declares no table", 'Declare at least one, e.g. { gallery: { attributes: { pk: "S" }, partitionKey: "pk" } }.');
  for (const key of keys) {
    if (!/^[a-z][a-zA-Z0-9]*$/.test(key)) fail("tables", key, "is not a usable table key", 'Use a camelCase identifier such as "gallery"; it names child resources.');
    validateTable(fail, `tables.${key}`, args.tables[key], homeRegion);
    validateKeptTableName(fail, `tables.${key}.tableName`, args.tables[key].tableName, args.retainOnDelete);
  }
  // A table without a tableName is named by Pulumi "<name>-<key>-<random suffix>" (table.ts), so the component's name
  // and the key must make a DynamoDB table name.
  const autonamedTables: AutonamedResource[] = keys
    .filter((key) => args.tables[key].tableName === undefined)
    .map((key) => ({ resource: `${name}-${key}`, kind: "dynamodb-table", part: { argument: "tables", value: key, text: key, what: "a table key" } }));
  if (args.idempotency && args.idempotency.tableName === undefined) autonamedTables.push({ resource: `${name}-${IDEMPOTENCY_TABLE.key}`, kind: "dynamodb-table" });
  // A provisioned table's autoscaling policies, one per side for the table and each global index, are named by Pulumi
  // "<name>-<key>[-<index>]-<read|write>-policy-<random suffix>" (table.ts): an index name near DynamoDB's 255 makes
  // them too long for pulumi-aws, and `pulumi preview` fails.
  for (const key of keys.filter((k) => args.tables[k].billing === "provisioned" && args.tables[k].capacity)) {
    autonamedTables.push({ resource: `${name}-${key}-write-policy`, kind: "scaling-policy", part: { argument: "tables", value: key, text: key, what: "a table key" } });
    for (const index of Object.keys(args.tables[key].globalIndexes ?? {})) {
      autonamedTables.push({ resource: `${name}-${key}-${index}-write-policy`, kind: "scaling-policy", part: { argument: `tables.${key}.globalIndexes`, value: index, text: index, what: "an index name" } });
    }
  }
  validateAutonames(fail, name, autonamedTables);
  if (args.export) {
    validateExport(fail, args, keys);
    // The export buckets Pulumi names from the component's name (lower-cased, "-" and a suffix): S3 takes only
    // lowercase letters, digits, "." and "-" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
    // The export runs as the LambdaFunction "<name>-export", on a schedule: its function and schedule role are named
    // from the component's name too, so a name too long for them is refused as DataTier's, not as that child's.
    validateAutonames(fail, name, [
      ...(args.export.bucketName === undefined ? [{ resource: `${name}-export`, kind: "bucket" as const }] : []),
      { resource: `${name}-export-logs`, kind: "bucket" },
      { resource: `${name}-export${FUNCTION_NAME_SUFFIX}`, kind: "lambda-function" },
      { resource: `${name}-export${SCHEDULE_ROLE_SUFFIX}`, kind: "role" },
    ]);
  }
  if (args.idempotency) {
    if (keys.includes(IDEMPOTENCY_TABLE.key)) {
      fail("tables", IDEMPOTENCY_TABLE.key, "is a table key, but idempotency creates the table of that key", "Rename your table, or remove it and use idempotency's.");
    }
    const name = args.idempotency.tableName;
    if (name !== undefined && (!NAME.test(name) || name.length < DYNAMODB_LIMITS.tableName.min || name.length > DYNAMODB_LIMITS.tableName.max)) {
      fail("idempotency.tableName", name, "is not a DynamoDB table name (3–255 of letters, digits, _ . -)", "Fix the name or leave it unset to have one generated.");
    }
    validateKeptTableName(fail, "idempotency.tableName", name, args.retainOnDelete);
  }
}

/**
 * The warnings for tables with more global secondary indexes than DynamoDB's default quota (DYNAMODB_LIMITS), one per
 * table. Not an error: the program cannot read the account's quota, and CreateTable or UpdateTable fails only if it
 * was not raised.
 */
export function globalIndexQuotaWarnings(name: string, args: DataTierArgs): string[] {
  return Object.entries(args.tables ?? {}).flatMap(([key, table]) => {
    const count = Object.keys(table.globalIndexes ?? {}).length;
    if (count <= DYNAMODB_LIMITS.globalIndexes) return [];
    return [
      `DataTier "${name}": tables.${key}.globalIndexes declares ${count} global secondary indexes, more than DynamoDB's default quota: ` +
        `"There is a default quota of ${DYNAMODB_LIMITS.globalIndexes} global secondary indexes per table" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-secondary-indexes). ` +
        `The quota is adjustable: unless your account's was raised to ${count} or more, CreateTable or UpdateTable fails. ` +
        "Raise it in Service Quotas (DynamoDB), or overload fewer indexes (single-table design).",
    ];
  });
}

/**
 * A fixed table name on a table kept on delete: `pulumi destroy` leaves the table, and the next `pulumi up` of the stack
 * asks CreateTable for the same name, which DynamoDB refuses ("ResourceInUseException ... You attempted to recreate an
 * existing table", https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html); so does a
 * replacement. As for buckets (static-site/spec.ts, validateKeptBucketName): Pulumi's name, or `protect` instead.
 */
function validateKeptTableName(fail: ArgFailure, argument: string, tableName: string | undefined, retainOnDelete: boolean | undefined): void {
  if (tableName === undefined || retainOnDelete !== true) return;
  fail(
    argument,
    tableName,
    "is a fixed name on a table kept on delete (retainOnDelete: true): after `pulumi destroy` the kept table still holds the name, so the next `pulumi up` cannot create it (DynamoDB answers ResourceInUseException), and neither can a replacement",
    `Leave ${argument} unset (Pulumi names the table "<DataTier name>-<table key>-<random suffix>", and a kept table never blocks the next deployment), or keep the name with retainOnDelete: false, deletionProtection: true (DynamoDB then refuses to delete the table) and the resource option { protect: true } on the DataTier, which its resources inherit: \`pulumi destroy\` then refuses until you unprotect them, so the name is never created twice.`,
  );
}

function validateTable(fail: ArgFailure, at: string, table: TableArgs, homeRegion: string | undefined): void {
  const attributes = table.attributes ?? {};
  for (const [attribute, type] of Object.entries(attributes)) {
    if (!["S", "N", "B"].includes(type)) fail(`${at}.attributes.${attribute}`, type, "is not a key attribute type", 'Use "S" (string), "N" (number) or "B" (binary).');
  }
  const requireAttribute = (argument: string, attribute: string | undefined) => {
    if (!attribute) fail(argument, attribute, "is required", "Name the key attribute.");
    if (!(attribute in attributes)) {
      fail(argument, attribute, `is not among the attributes (${Object.keys(attributes).join(", ") || "none"})`, `Declare it, e.g. attributes: { ${attribute}: "S" }.`);
    }
  };
  requireAttribute(`${at}.partitionKey`, table.partitionKey);
  if (table.sortKey !== undefined) requireAttribute(`${at}.sortKey`, table.sortKey);

  const used = new Set([table.partitionKey, table.sortKey].filter(Boolean) as string[]);
  const globalIndexes = Object.entries(table.globalIndexes ?? {});
  const localIndexes = Object.entries(table.localIndexes ?? {});
  if (localIndexes.length > DYNAMODB_LIMITS.localIndexes) fail(`${at}.localIndexes`, `${localIndexes.length} indexes`, `exceeds DynamoDB's ${DYNAMODB_LIMITS.localIndexes}`, "Use global indexes instead.");
  const indexNames = new Set<string>();
  /** Non-key attributes each index's projection list adds, by `globalIndexes.<name>` / `localIndexes.<name>`. */
  const projected: Array<[string, number]> = [];
  for (const [index, spec] of globalIndexes) {
    checkIndexName(fail, `${at}.globalIndexes`, index, indexNames);
    requireAttribute(`${at}.globalIndexes.${index}.partitionKey`, spec.partitionKey);
    if (spec.sortKey !== undefined) requireAttribute(`${at}.globalIndexes.${index}.sortKey`, spec.sortKey);
    projected.push([`globalIndexes.${index}`, checkProjection(fail, `${at}.globalIndexes.${index}.projection`, spec.projection)]);
    used.add(spec.partitionKey).add(spec.sortKey ?? spec.partitionKey);
  }
  if (localIndexes.length > 0 && !table.sortKey) {
    fail(`${at}.localIndexes`, localIndexes.map(([n]) => n), "needs a table with a sort key", "Add sortKey to the table, or use a global index.");
  }
  for (const [index, spec] of localIndexes) {
    checkIndexName(fail, `${at}.localIndexes`, index, indexNames);
    requireAttribute(`${at}.localIndexes.${index}.sortKey`, spec.sortKey);
    if (spec.sortKey === table.sortKey) fail(`${at}.localIndexes.${index}.sortKey`, spec.sortKey, "is the table's own sort key", "Pick another attribute as the index's sort key.");
    projected.push([`localIndexes.${index}`, checkProjection(fail, `${at}.localIndexes.${index}.projection`, spec.projection)]);
    used.add(spec.sortKey);
  }
  const totalProjected = projected.reduce((sum, [, count]) => sum + count, 0);
  if (totalProjected > DYNAMODB_LIMITS.projectedPerTable) {
    const lists = projected.filter(([, count]) => count > 0).map(([index, count]) => `${index} ${count}`).join(", ");
    fail(
      at,
      `${totalProjected} non-key attributes`,
      `is over DynamoDB's ${DYNAMODB_LIMITS.projectedPerTable} per table, summed over its indexes' projection lists (${lists}); an attribute projected into two indexes counts twice`,
      'Project fewer: "ALL" projects every attribute and does not count toward the limit, "KEYS_ONLY" projects none.',
    );
  }
  for (const attribute of Object.keys(attributes)) {
    if (!used.has(attribute)) {
      fail(`${at}.attributes.${attribute}`, attributes[attribute], "is not a table or index key; DynamoDB only accepts definitions of key attributes", `Remove ${attribute} from attributes (items can still carry it), or key an index on it.`);
    }
  }

  const billing = table.billing ?? "on-demand";
  if (billing !== "on-demand" && billing !== "provisioned") fail(`${at}.billing`, billing, "is not a billing mode", 'Use "on-demand" or "provisioned".');
  if (billing === "provisioned" && !table.capacity) {
    fail(`${at}.capacity`, table.capacity, 'is required with billing "provisioned"', "Set capacity: { read: { min: 5, max: 100 }, write: { min: 5, max: 100 } }, or use on-demand billing.");
  }
  if (billing === "on-demand" && table.capacity) fail(`${at}.capacity`, table.capacity, "is set on an on-demand table", 'Remove capacity, or set billing: "provisioned".');
  if (table.capacity) {
    for (const side of ["read", "write"] as const) checkCapacity(fail, `${at}.capacity.${side}`, table.capacity[side]);
  }

  if (table.stream !== undefined && !STREAM_VIEW_TYPES.includes(table.stream)) fail(`${at}.stream`, table.stream, "is not a stream view type", `Use one of ${STREAM_VIEW_TYPES.join(", ")}.`);
  if (table.ttlAttribute !== undefined) {
    if (!table.ttlAttribute) fail(`${at}.ttlAttribute`, table.ttlAttribute, "is empty", 'Name a number attribute holding epoch seconds, e.g. "expiresAt".');
    if (used.has(table.ttlAttribute)) {
      fail(`${at}.ttlAttribute`, table.ttlAttribute, "is a key attribute; TTL reads a number of epoch seconds that items may lack, which a key cannot", 'Use a separate attribute, e.g. "expiresAt".');
    }
  }
  if (table.ttlEnabled !== undefined) {
    if (typeof table.ttlEnabled !== "boolean") fail(`${at}.ttlEnabled`, table.ttlEnabled, "is not true or false", "Use false to turn TTL off, or leave it unset.");
    // UpdateTimeToLive takes the attribute name to turn TTL off as well as on ("AWS *requires* attribute_name to be set
    // when disabling TTL", terraform-provider-aws internal/service/dynamodb/table.go validateTTL).
    if (table.ttlAttribute === undefined) {
      const [problem, fix] = table.ttlEnabled
        ? ["needs ttlAttribute, the attribute TTL expires items by", 'Set ttlAttribute, e.g. "expiresAt", or remove ttlEnabled.']
        : ["needs ttlAttribute: DynamoDB turns TTL off on the attribute it is on", 'Set ttlAttribute to the attribute TTL is on, e.g. "expiresAt".'];
      fail(`${at}.ttlEnabled`, table.ttlEnabled, problem, fix);
    }
  }
  if (table.tableName !== undefined && (!NAME.test(table.tableName) || table.tableName.length < DYNAMODB_LIMITS.tableName.min || table.tableName.length > DYNAMODB_LIMITS.tableName.max)) {
    fail(`${at}.tableName`, table.tableName, "is not a DynamoDB table name (3–255 of letters, digits, _ . -)", "Fix the name or leave it unset to have one generated.");
  }
  if (table.tableClass !== undefined && !["STANDARD", "STANDARD_INFREQUENT_ACCESS"].includes(table.tableClass)) {
    fail(`${at}.tableClass`, table.tableClass, "is not a table class", 'Use "STANDARD" or "STANDARD_INFREQUENT_ACCESS".');
  }
  validateReplicas(fail, at, table, homeRegion);
  validateKeyRegions(fail, at, table, homeRegion);
}

/** `arn:<partition>:kms:<region>:<account>:key/<id>` (or `alias/<name>`): the region is the fourth field. */
const KMS_ARN = /^arn:[a-z-]+:kms:([a-z0-9-]+):[^:]*:(key|alias)\/.+$/;

/**
 * A customer managed key given as an ARN is in the region the ARN names, and DynamoDB encrypts a table or replica only
 * with a key of its own region: "The key must be created in the same region as the replica"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-dynamodb-globaltable-replicassespecification.html),
 * the home table being the global table's home-region replica. Keys given as Outputs, and the home table's key under an
 * explicit provider (whose region is unknown here), are checked at deploy time by AWS.
 */
function validateKeyRegions(fail: ArgFailure, at: string, table: TableArgs, homeRegion: string | undefined): void {
  const check = (argument: string, key: pulumi.Input<string> | undefined, region: string | undefined, where: string) => {
    if (typeof key !== "string") return;
    const match = KMS_ARN.exec(key);
    if (!match) {
      fail(argument, key, "is not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)", `Give the ARN of a customer managed key in ${region ?? "the table's region"}, e.g. the arn output of an aws.kms.Key.`);
    }
    if (region !== undefined && match[1] !== region) {
      fail(
        argument,
        key,
        `is a key in ${match[1]}, but the ${where} is in ${region}; KMS keys are regional, and DynamoDB encrypts a table or replica only with a key of its own region ("The key must be created in the same region as the replica")`,
        `Use a key of ${region} (for a multi-Region key, the ARN of its replica key in ${region}).`,
      );
    }
  };
  check(`${at}.kmsKeyArn`, table.kmsKeyArn, homeRegion, "table");
  for (const [region, key] of Object.entries(table.replicaKmsKeyArns ?? {})) check(`${at}.replicaKmsKeyArns["${region}"]`, key, region, "replica");
}

function validateReplicas(fail: ArgFailure, at: string, table: TableArgs, homeRegion: string | undefined): void {
  const regions = table.replicaRegions ?? [];
  const seen = new Set<string>();
  for (const region of regions) {
    validateRegionName(fail, `${at}.replicaRegions`, region);
    if (region === homeRegion) fail(`${at}.replicaRegions`, region, "is the table's home region; a global table's replicas live in other regions", "Remove it; the table itself is the home-region replica.");
    if (seen.has(region)) fail(`${at}.replicaRegions`, region, "is listed twice", "List each replica region once.");
    seen.add(region);
  }
  // DynamoDB refuses a provisioned table's replicas until its write capacity is autoscaled
  // ("Table write capacity should either be Pay-Per-Request or AutoScaled"), and the replicas are
  // created with the table, before its autoscaling policy can exist (deploy rule DynamoDbProvisionedReplicasAutoscaled).
  if (regions.length > 0 && (table.billing ?? "on-demand") === "provisioned") {
    fail(`${at}.billing`, table.billing, "cannot carry replicaRegions: the replicas are created with the table, before its write autoscaling, which DynamoDB requires first", 'Use billing: "on-demand" for a global table.');
  }
  if (regions.length > 0 && table.stream !== undefined && table.stream !== "NEW_AND_OLD_IMAGES") {
    fail(`${at}.stream`, table.stream, "is not NEW_AND_OLD_IMAGES, which global tables replicate through", 'Use stream: "NEW_AND_OLD_IMAGES" (or leave it unset) on a table with replicaRegions.');
  }
  if (table.kmsKeyArn !== undefined) {
    for (const region of regions) {
      if (!table.replicaKmsKeyArns?.[region]) {
        fail(`${at}.replicaKmsKeyArns`, region, "has no KMS key; a customer managed key is regional, so each replica needs its own", `Set replicaKmsKeyArns: { "${region}": "<key ARN in ${region}>" }.`);
      }
    }
  }
  for (const region of Object.keys(table.replicaKmsKeyArns ?? {})) {
    if (!seen.has(region)) fail(`${at}.replicaKmsKeyArns`, region, "is not one of replicaRegions", "Remove the key or add the region to replicaRegions.");
  }
}

function checkIndexName(fail: ArgFailure, argument: string, name: string, seen: Set<string>): void {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) fail(argument, name, "is not a DynamoDB index name (3–255 of letters, digits, _ . -)", 'Use e.g. "gsi1".');
  if (seen.has(name)) fail(argument, name, "is used by another index of the table", "Give each index its own name.");
  seen.add(name);
}

/** Checks one index's projection against DynamoDB's Projection limits (DYNAMODB_LIMITS); returns the non-key attributes it lists. */
function checkProjection(fail: ArgFailure, argument: string, projection: Projection | undefined): number {
  if (projection === undefined || projection === "ALL" || projection === "KEYS_ONLY") return 0;
  if (!Array.isArray(projection) || projection.length === 0 || projection.some((a) => typeof a !== "string" || !a)) {
    fail(argument, projection, "is not a projection", 'Use "ALL", "KEYS_ONLY" or a list of non-key attribute names.');
  }
  if (projection.length > DYNAMODB_LIMITS.projectedPerIndex) {
    fail(argument, `${projection.length} attributes`, `is over DynamoDB's ${DYNAMODB_LIMITS.projectedPerIndex} non-key attributes per index`, `Project at most ${DYNAMODB_LIMITS.projectedPerIndex}, or use "ALL" (every attribute, no limit).`);
  }
  const seen = new Set<string>();
  projection.forEach((attribute, i) => {
    if (attribute.length > DYNAMODB_LIMITS.attributeNameLength) {
      fail(`${argument}[${i}]`, attribute, `is longer than DynamoDB's ${DYNAMODB_LIMITS.attributeNameLength} characters for an attribute name`, "Use the attribute's name as items store it.");
    }
    // The component's choice, not a documented DynamoDB refusal: a name listed twice in one projection is a mistake.
    if (seen.has(attribute)) fail(`${argument}[${i}]`, attribute, "is listed twice", "List each attribute once.");
    seen.add(attribute);
  });
  return projection.length;
}

/** The target utilization DynamoDB auto scaling takes (checkCapacity says where it comes from). */
const TARGET_UTILIZATION_PERCENT = { min: 20, max: 90 } as const;

function checkCapacity(fail: ArgFailure, argument: string, capacity: CapacityArgs | undefined): void {
  if (!capacity) return fail(argument, capacity, "is missing", "Set { min, max } capacity units.");
  const { min, max, targetUtilization } = capacity;
  if (!Number.isInteger(min) || min < 1) fail(`${argument}.min`, min, "is not a whole number of capacity units of at least 1", "Use e.g. 5.");
  if (!Number.isInteger(max) || max < min) fail(`${argument}.max`, max, `is below min (${min})`, `Use a whole number of at least ${min}.`);
  // A target tracking policy's TargetValue is a Double ("Type: Double",
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AutoScalingTargetTrackingScalingPolicyConfigurationDescription.html),
  // so a fraction is taken: "You can set the auto scaling target utilization values between 20 and 90 percent"
  // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html).
  checkNumberInRange(fail, `${argument}.targetUtilization`, targetUtilization, TARGET_UTILIZATION_PERCENT, {
    limit: "DynamoDB auto scaling's range",
    unit: "percent",
    fix: "Use a percentage from 20 to 90, e.g. 70.",
  });
}

function validateExport(fail: ArgFailure, args: DataTierArgs, keys: string[]): void {
  const spec = args.export!;
  // EventBridge rules take the same rate()/cron() expressions as Scheduler, checked by the same parser.
  parseExpression(fail, spec.schedule, "export.schedule");
  for (const table of spec.tables ?? keys) {
    if (!keys.includes(table)) fail("export.tables", table, "is not a table of this DataTier", `Use one of ${keys.join(", ")}.`);
    if (args.tables[table].pointInTimeRecovery === false) {
      fail(`tables.${table}.pointInTimeRecovery`, false, "is off, but the table is exported; ExportTableToPointInTime needs point-in-time recovery", "Turn pointInTimeRecovery on, or leave the table out of export.tables.");
    }
  }
  validateLogRetention(fail, "export.logRetentionDays", spec.logRetentionDays);
  if (spec.retentionDays !== undefined && (!Number.isInteger(spec.retentionDays) || spec.retentionDays < 1)) {
    fail("export.retentionDays", spec.retentionDays, "is not a whole number of days", "Use 1 or more, e.g. 30.");
  }
  if (spec.bucketName !== undefined) validateBucketName(fail, "export.bucketName", spec.bucketName);
  validateKeptBucketName(
    fail,
    "DataTier",
    "export.bucketName",
    spec.bucketName,
    args.retainOnDelete,
    "<DataTier name>-export",
    "retainOnDelete: false also stops keeping the tables: protect guards them while it is set, and deletionProtection: true makes DynamoDB refuse their deletion after.",
  );
  if (spec.format !== undefined && spec.format !== "DYNAMODB_JSON" && spec.format !== "ION") fail("export.format", spec.format, "is not an export format", 'Use "DYNAMODB_JSON" or "ION".');
}

export function normalise(name: string, args: DataTierArgs): DataTierSpec {
  const tables: Record<string, TableSpec> = {};
  for (const [key, table] of Object.entries(args.tables)) tables[key] = normaliseTable(key, table);
  if (args.idempotency) {
    tables[IDEMPOTENCY_TABLE.key] = normaliseTable(IDEMPOTENCY_TABLE.key, {
      tableName: args.idempotency.tableName,
      attributes: { [IDEMPOTENCY_TABLE.partitionKey]: "S" },
      partitionKey: IDEMPOTENCY_TABLE.partitionKey,
      ttlAttribute: IDEMPOTENCY_TABLE.ttlAttribute,
      pointInTimeRecovery: args.idempotency.pointInTimeRecovery ?? true,
    });
  }
  return {
    name,
    tables,
    export: args.export && {
      schedule: args.export.schedule.trim(),
      tables: args.export.tables ?? Object.keys(args.tables),
      retentionDays: args.export.retentionDays ?? 30,
      format: args.export.format ?? "DYNAMODB_JSON",
      bucketName: args.export.bucketName,
      logRetentionDays: args.export.logRetentionDays ?? 30,
    },
    deletionProtection: args.deletionProtection ?? false,
    retainOnDelete: args.retainOnDelete ?? false,
    region: args.region,
  };
}

function normaliseTable(key: string, table: TableArgs): TableSpec {
  const replicaRegions = table.replicaRegions ?? [];
  const capacity = (c: CapacityArgs): CapacitySpec => ({ min: c.min, max: c.max, targetUtilization: c.targetUtilization ?? 70 });
  return {
    key,
    tableName: table.tableName,
    attributes: { ...table.attributes },
    partitionKey: table.partitionKey,
    sortKey: table.sortKey,
    globalIndexes: Object.entries(table.globalIndexes ?? {}).map(([name, i]) => ({ name, partitionKey: i.partitionKey, sortKey: i.sortKey, projection: i.projection ?? "ALL" })),
    localIndexes: Object.entries(table.localIndexes ?? {}).map(([name, i]) => ({ name, partitionKey: table.partitionKey, sortKey: i.sortKey, projection: i.projection ?? "ALL" })),
    billing: table.billing ?? "on-demand",
    capacity: table.capacity && { read: capacity(table.capacity.read), write: capacity(table.capacity.write) },
    // Global tables replicate through the stream, with both images.
    stream: replicaRegions.length > 0 ? "NEW_AND_OLD_IMAGES" : table.stream,
    ttlAttribute: table.ttlAttribute,
    ttlEnabled: table.ttlAttribute !== undefined && (table.ttlEnabled ?? true),
    pointInTimeRecovery: table.pointInTimeRecovery ?? true,
    kmsKeyArn: table.kmsKeyArn,
    replicaRegions,
    replicaKmsKeyArns: table.replicaKmsKeyArns ?? {},
    tableClass: table.tableClass ?? "STANDARD",
  };
}
