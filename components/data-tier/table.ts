/** One DynamoDB table from its normalised spec, plus autoscaling when it is provisioned. */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CapacitySpec, DataTierSpec, IndexSpec, Projection, TableSpec } from "./spec";

export interface CreatedTable {
  table: aws.dynamodb.Table;
  scaling: Array<{ target: aws.appautoscaling.Target; policy: aws.appautoscaling.Policy }>;
}

const STREAM_OFF = { streamEnabled: false };

export function createTable(name: string, tier: DataTierSpec, spec: TableSpec, parent: pulumi.Resource): CreatedTable {
  const provisioned = spec.billing === "provisioned";
  const region = tier.region;
  const table = new aws.dynamodb.Table(
    `${name}-${spec.key}`,
    {
      name: spec.tableName,
      attributes: Object.entries(spec.attributes).map(([attributeName, type]) => ({ name: attributeName, type })),
      hashKey: spec.partitionKey,
      rangeKey: spec.sortKey,
      billingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
      readCapacity: provisioned ? spec.capacity!.read.min : undefined,
      writeCapacity: provisioned ? spec.capacity!.write.min : undefined,
      globalSecondaryIndexes: spec.globalIndexes.length
        ? spec.globalIndexes.map((index) => ({
            name: index.name,
            hashKey: index.partitionKey,
            rangeKey: index.sortKey,
            ...projection(index.projection),
            readCapacity: provisioned ? spec.capacity!.read.min : undefined,
            writeCapacity: provisioned ? spec.capacity!.write.min : undefined,
          }))
        : undefined,
      localSecondaryIndexes: spec.localIndexes.length
        ? spec.localIndexes.map((index) => ({ name: index.name, rangeKey: index.sortKey!, ...projection(index.projection) }))
        : undefined,
      ...(spec.stream ? { streamEnabled: true, streamViewType: spec.stream } : STREAM_OFF),
      ttl: timeToLive(spec),
      pointInTimeRecovery: { enabled: spec.pointInTimeRecovery },
      // KMS encryption at rest: the customer key when given, else the AWS managed key (aws/dynamodb), whose use CloudTrail records.
      serverSideEncryption: { enabled: true, kmsKeyArn: spec.kmsKeyArn },
      deletionProtectionEnabled: tier.deletionProtection,
      tableClass: spec.tableClass,
      replicas: spec.replicaRegions.length
        ? spec.replicaRegions.map((regionName) => ({
            regionName,
            pointInTimeRecovery: spec.pointInTimeRecovery,
            deletionProtectionEnabled: tier.deletionProtection,
            kmsKeyArn: spec.replicaKmsKeyArns[regionName],
            propagateTags: true,
          }))
        : undefined,
      region,
    },
    {
      parent,
      retainOnDelete: tier.retainOnDelete,
      // Autoscaling owns provisioned capacity once the table exists. ignoreChanges cannot follow an index list that grows
      // or shrinks, nor capacities the deployed (on-demand) table never had: docs/components/data-tier.md gives the
      // procedure (one update with a transformation) for switching an indexed table to provisioned and for adding or
      // removing an index.
      ignoreChanges: provisioned ? ["readCapacity", "writeCapacity", "globalSecondaryIndexes[*].readCapacity", "globalSecondaryIndexes[*].writeCapacity"] : undefined,
    },
  );
  const scaling = provisioned ? createAutoscaling(name, spec, table, region, parent, tier.retainOnDelete) : [];
  return { table, scaling };
}

/**
 * The table's TTL setting. Off is said explicitly, on the attribute TTL was on: the provider takes a missing `ttl` block
 * as no change (terraform-provider-aws internal/service/dynamodb/table.go, `"ttl"`: `DiffSuppressFunc:
 * verify.SuppressMissingOptionalConfigurationBlock`), and DynamoDB needs the attribute name to turn TTL off. No block
 * at all when the table never had TTL, as before `ttlEnabled` existed, so deployed tables see no change.
 */
function timeToLive(spec: TableSpec): { enabled: boolean; attributeName: string } | undefined {
  if (spec.ttlAttribute === undefined) return undefined;
  return { enabled: spec.ttlEnabled, attributeName: spec.ttlAttribute };
}

function projection(projection: Projection): { projectionType: string; nonKeyAttributes?: string[] } {
  if (projection === "ALL" || projection === "KEYS_ONLY") return { projectionType: projection };
  return { projectionType: "INCLUDE", nonKeyAttributes: projection };
}

/**
 * Target-tracking autoscaling of the table and each global index, read and write. On a table kept on delete, each
 * target and policy is `deletedWith` the table: a destroy that keeps the table would otherwise deregister them
 * ("Deregistering a scalable target deletes the scaling policies and the scheduled actions that are associated with it",
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeregisterScalableTarget.html), freezing the kept
 * table's capacity. Pulumi skips the delete of a resource whose deletedWith target is deleted in the same operation, a
 * retained one included (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply); removing the scaling alone
 * (billing back to on-demand) still deregisters it. Deploy rule DynamoDbRetainedTableScaling checks it.
 */
function createAutoscaling(name: string, spec: TableSpec, table: aws.dynamodb.Table, region: string | undefined, parent: pulumi.Resource, keptWithTable: boolean) {
  const deletedWith = keptWithTable ? table : undefined;
  const targets: Array<{ suffix: string; resourceId: pulumi.Input<string>; dimension: "table" | "index" }> = [
    { suffix: "", resourceId: table.name.apply((n) => `table/${n}`), dimension: "table" },
    ...spec.globalIndexes.map((index: IndexSpec) => ({
      suffix: `-${index.name}`,
      resourceId: table.name.apply((n) => `table/${n}/index/${index.name}`),
      dimension: "index" as const,
    })),
  ];
  return targets.flatMap(({ suffix, resourceId, dimension }) =>
    (["read", "write"] as const).map((side) => {
      const capacity: CapacitySpec = spec.capacity![side];
      const unit = side === "read" ? "Read" : "Write";
      const scalableDimension = `dynamodb:${dimension}:${unit}CapacityUnits`;
      const target = new aws.appautoscaling.Target(
        `${name}-${spec.key}${suffix}-${side}-target`,
        { serviceNamespace: "dynamodb", resourceId, scalableDimension, minCapacity: capacity.min, maxCapacity: capacity.max, region },
        { parent, deletedWith },
      );
      const policy = new aws.appautoscaling.Policy(
        `${name}-${spec.key}${suffix}-${side}-policy`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          resourceId: target.resourceId,
          scalableDimension: target.scalableDimension,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: capacity.targetUtilization,
            predefinedMetricSpecification: { predefinedMetricType: `DynamoDB${unit}CapacityUtilization` },
          },
          region,
        },
        { parent, deletedWith },
      );
      return { target, policy };
    }),
  );
}
