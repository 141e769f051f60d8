/** DynamoDB deploy rules: global table (version 2019.11.21) streams and replica regions, provisioned capacity, retained tables, one resource policy per table, protected tables the stack deletes. */
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { byReference, onePolicyRule } from "./one-policy";
import { compactPolicyBytes } from "./policy-bytes";
import { finding, MIN_RANDOM_CHARACTERS, nameHasRandomPart, referenced, regionOf, type DeployFinding, type DeployRule } from "./rule";

const TABLE = "aws:dynamodb/table:Table";
const TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica";
const TABLE_POLICY = "aws:dynamodb/resourcePolicy:ResourcePolicy";

export interface GlobalTable {
  table: RecordedResource;
  /** Replicas declared on the table itself (`replicas`). */
  inline: Array<{ regionName: string }>;
  /** aws.dynamodb.TableReplica resources pointing at the table. */
  separate: RecordedResource[];
}

/** The plan's tables with replicas, inline or as TableReplica resources (read by PhysicalNameUnique too: a replica takes the table's name in its region). */
export function globalTables(graph: Graph): GlobalTable[] {
  return ofType(graph, TABLE)
    .map((table) => ({
      table,
      inline: (table.inputs.replicas ?? []) as Array<{ regionName: string }>,
      separate: ofType(graph, TABLE_REPLICA).filter((r) => referenced(graph, TABLE, r.inputs.globalTableArn) === table),
    }))
    .filter((g) => g.inline.length > 0 || g.separate.length > 0);
}

/**
 * Replicas replicate through the table's stream: "The table must have DynamoDB Streams enabled, with
 * the stream containing both the new and the old images of the item." Version 2019.11.21 switches
 * such a stream on by itself, so a program that declares the stream off (or another view type)
 * fights DynamoDB on every update ("Disabling Stream is not allowed for a Global Table replica").
 */
export const DYNAMODB_REPLICA_STREAMS: DeployRule = {
  id: "DynamoDbReplicaStreams",
  title: "Tables with replicas stream NEW_AND_OLD_IMAGES",
  source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateGlobalTable.html",
  check(graph) {
    return globalTables(graph)
      .filter(({ table }) => table.inputs.streamEnabled !== true || table.inputs.streamViewType !== "NEW_AND_OLD_IMAGES")
      .map(({ table }) =>
        finding(
          "DynamoDbReplicaStreams",
          table,
          `has replicas but its stream is ${table.inputs.streamEnabled ? `${table.inputs.streamViewType ?? "(no view type)"}` : "off"}; global tables replicate through a NEW_AND_OLD_IMAGES stream`,
          'set streamEnabled: true and streamViewType: "NEW_AND_OLD_IMAGES"',
        ),
      );
  },
};

/** "Each global table can have only one replica per AWS Region" — the table itself is the home region's replica. */
export const DYNAMODB_REPLICA_REGIONS: DeployRule = {
  id: "DynamoDbReplicaRegions",
  title: "Replicas are in regions other than the home region, one per region",
  source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables-CoreConcepts.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const { table, inline, separate } of globalTables(graph)) {
      const home = regionOf(graph, table, context);
      const regions = [...inline.map((r) => r.regionName), ...separate.map((r) => regionOf(graph, r, context))];
      const seen = new Set<string>();
      for (const region of regions) {
        if (region === home) findings.push(finding("DynamoDbReplicaRegions", table, `has a replica in ${region}, its home region`, `remove the ${region} replica; the table itself serves ${region}`));
        else if (seen.has(region)) findings.push(finding("DynamoDbReplicaRegions", table, `has two replicas in ${region}`, `keep one replica in ${region}`));
        seen.add(region);
      }
    }
    return findings;
  },
};

/** Scalable targets (dynamodb namespace) on the table's or an index's write capacity. */
function writeScaling(graph: Graph, tableName: string, index?: string): { targets: RecordedResource[]; policies: RecordedResource[] } {
  const resourceId = index ? `table/${tableName}/index/${index}` : `table/${tableName}`;
  const dimension = index ? "dynamodb:index:WriteCapacityUnits" : "dynamodb:table:WriteCapacityUnits";
  const matches = (r: RecordedResource) => r.inputs.resourceId === resourceId && r.inputs.scalableDimension === dimension;
  return { targets: ofType(graph, "aws:appautoscaling/target:Target").filter(matches), policies: ofType(graph, "aws:appautoscaling/policy:Policy").filter(matches) };
}

/**
 * Adding a replica to a provisioned table fails with "ValidationException: Table write capacity
 * should either be Pay-Per-Request or AutoScaled" unless write auto scaling (table and every global
 * secondary index) is already in place. A table declared with `replicas` creates them in the same
 * call as the table — before any scaling target can exist — so a provisioned global table needs its
 * replicas as aws.dynamodb.TableReplica resources that depend on the scaling policies
 * (hashicorp/terraform-provider-aws#13097, #25331).
 */
export const DYNAMODB_PROVISIONED_REPLICAS: DeployRule = {
  id: "DynamoDbProvisionedReplicasAutoscaled",
  title: "Provisioned tables get replicas only after write auto scaling exists",
  source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_reqs_bestpractices.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const { table, inline, separate } of globalTables(graph)) {
      // PROVISIONED is the table default when billingMode is unset.
      if ((table.inputs.billingMode ?? "PROVISIONED") !== "PROVISIONED") continue;
      if (inline.length > 0) {
        findings.push(
          finding(
            "DynamoDbProvisionedReplicasAutoscaled",
            table,
            `is provisioned and declares replicas (${inline.map((r) => r.regionName).join(", ")}) on the table, which DynamoDB refuses until write capacity is auto scaled — and the scaling target can only be created after the table`,
            'use billingMode "PAY_PER_REQUEST", or create the replicas as aws.dynamodb.TableReplica resources that depend on the table\'s (and every index\'s) write scaling policy',
          ),
        );
      }
      const indexes: Array<string | undefined> = [undefined, ...(table.inputs.globalSecondaryIndexes ?? []).map((i: any) => String(i.name))];
      for (const replica of separate) {
        const before = dependencyClosure(graph, replica);
        for (const index of indexes) {
          const { targets, policies } = writeScaling(graph, table.state.name, index);
          const what = index ? `index ${index}'s write capacity` : "write capacity";
          if (targets.length === 0 || policies.length === 0) {
            findings.push(finding("DynamoDbProvisionedReplicasAutoscaled", replica, `replicates provisioned table ${table.name}, whose ${what} has no auto scaling target and policy`, `add an aws.appautoscaling.Target and Policy for ${what}`));
          } else if (!policies.some((p) => before.has(p.urn))) {
            findings.push(finding("DynamoDbProvisionedReplicasAutoscaled", replica, `can be created before the auto scaling policy on ${table.name}'s ${what}`, `add ${policies[0].name} to the replica's dependsOn`));
          }
        }
      }
    }
    return findings;
  },
};

/**
 * A `retainOnDelete` table stays, name and all, after `pulumi destroy`; if the program sets the same `name` on the next
 * deployment, CreateTable refuses it: "ResourceInUseException ... You attempted to recreate an existing table". A
 * replacement fails the same way (the delete it waits for is skipped). So a kept table is autonamed (`name` unset) or its
 * name carries a random value the table depends on, judged as BackupRetainedVaultName judges vault names.
 */
export const DYNAMODB_RETAINED_TABLE_NAME: DeployRule = {
  id: "DynamoDbRetainedTableName",
  title: "A table kept on delete has a name the next deployment will not create again",
  source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const table of ofType(graph, TABLE).filter((t) => t.retainOnDelete && typeof t.inputs.name === "string")) {
      const name: string = table.inputs.name;
      if (nameHasRandomPart(graph, table, name)) continue;
      findings.push(
        finding(
          "DynamoDbRetainedTableName",
          table,
          `is kept on delete with the fixed name "${name}", which has no random part (of at least ${MIN_RANDOM_CHARACTERS} characters): after a destroy the kept table still holds the name, and the next deployment's CreateTable fails with ResourceInUseException, as does a replacement`,
          "leave name unset for Pulumi's autonaming (<name>-<random suffix>); or, to keep the fixed name, drop retainOnDelete, set deletionProtectionEnabled and protect: true, so pulumi destroy refuses instead of leaving the name taken",
        ),
      );
    }
    return findings;
  },
};

const SCALING_TYPES = ["aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy"];

/** Whether `resource`'s deletedWith chain reaches `urn` (a policy deletedWith its target, deletedWith the table). */
function deletedWithReaches(graph: Graph, resource: RecordedResource, urn: string): boolean {
  const seen = new Set<string>();
  for (let at: RecordedResource | undefined = resource; at?.deletedWith && !seen.has(at.urn); at = graph.find((r) => r.urn === at!.deletedWith)) {
    if (at.deletedWith === urn) return true;
    seen.add(at.urn);
  }
  return false;
}

/**
 * A retained table keeps its autoscaling. Deleting an aws.appautoscaling.Target deregisters it ("Deregistering a scalable
 * target deletes the scaling policies and the scheduled actions that are associated with it"), deleting a Policy
 * deletes the policy, and Pulumi calls those deletes unless the resource is retainOnDelete or deletedWith a resource
 * deleted in the same operation, which a retained table's delete step is (pulumi/pulumi pkg/resource/deploy/step.go
 * DeleteStep.Apply). A destroy would otherwise keep the provisioned table and freeze its capacity where it was. As for
 * S3RetainedBucketSettings, deletedWith is the better of the two: a retained target also stays when it alone is removed
 * (billing back to on-demand). Scaling is matched to its table by the resource id, `table/<name>` or
 * `table/<name>/index/<index>`.
 */
export const DYNAMODB_RETAINED_TABLE_SCALING: DeployRule = {
  id: "DynamoDbRetainedTableScaling",
  title: "The autoscaling of a retained table stays with it on delete",
  source: "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeregisterScalableTarget.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const scaling = graph.filter((r) => SCALING_TYPES.includes(r.type) && r.inputs.serviceNamespace === "dynamodb" && typeof r.inputs.resourceId === "string");
    for (const table of ofType(graph, TABLE).filter((t) => t.retainOnDelete)) {
      const name = table.state.name ?? table.inputs.name;
      if (typeof name !== "string") continue;
      const ofTable = scaling.filter((r) => r.inputs.resourceId === `table/${name}` || r.inputs.resourceId.startsWith(`table/${name}/index/`));
      for (const r of ofTable.filter((s) => !s.retainOnDelete && !deletedWithReaches(graph, s, table.urn))) {
        findings.push(
          finding(
            "DynamoDbRetainedTableScaling",
            r,
            `scales retained table ${table.name} but is neither retained nor deletedWith it: a destroy keeps the table and deletes this (DeregisterScalableTarget, DeleteScalingPolicy), so its capacity stays where it was, with nothing to scale it`,
            "create it with deletedWith: the table (kept when the table is kept, deleted when the scaling alone is removed)",
          ),
        );
      }
    }
    return findings;
  },
};

/**
 * A table or stream has one resource-based policy: GetResourcePolicy "Returns the resource-based policy document
 * attached to the resource", and each aws.dynamodb.ResourcePolicy writes it whole (terraform-provider-aws
 * resource_policy.go: PutResourcePolicy on create and update, the resource ARN as the id, DeleteResourcePolicy of that
 * ARN on delete). Two on one ARN replace each other on every deploy, the last applied decides what is allowed, and
 * destroying either removes the policy. The deploy rule StatesServiceTasks reads a table's policies together, which
 * holds only for one writer. Policies whose resourceArn is not known at plan time are not compared.
 */
export const DYNAMODB_ONE_RESOURCE_POLICY: DeployRule = onePolicyRule({
  id: "DynamoDbOneResourcePolicy",
  title: "A table's or stream's resource-based policy is written by one resource only",
  source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetResourcePolicy.html",
  targets: (graph, context) => byReference(graph, context, ofType(graph, TABLE_POLICY), (policy) => policy.inputs.resourceArn),
  wording: { on: "writer", of: (arn) => `resource-based policy of ${arn}`, removes: "the policy", fix: (arn) => `write every statement for ${arn} into one aws.dynamodb.ResourcePolicy` },
});

/** DynamoDB's "20 KB" for a resource-based policy, read as 20 × 1,024 bytes (DYNAMODB_RESOURCE_POLICY_SIZE). */
const DYNAMODB_RESOURCE_POLICY_BYTES = 20_480;

/**
 * The bytes of an aws.dynamodb.ResourcePolicy's `policy` as PutResourcePolicy receives it: a string as written, white
 * space and all (pulumi-aws 7.48 types `policy` as a string; terraform-provider-aws's framework resource holds it as
 * fwtypes.IAMPolicy, whose only check is json.Valid, and fwflex.Expand hands its ValueString to PutResourcePolicyInput
 * unchanged, so nothing compacts it); anything else as compact JSON. Undefined when unset or not JSON.
 */
function sentPolicyBytes(policy: unknown): number | undefined {
  const compact = compactPolicyBytes(policy);
  return compact !== undefined && typeof policy === "string" ? Buffer.byteLength(policy) : compact;
}

/**
 * "The maximum size supported for a resource-based policy document is 20 KB. DynamoDB counts whitespaces when
 * calculating the size of a policy against this limit" (DynamoDB resource-based policy considerations; PutResourcePolicy's
 * `Policy` says the same). Read on aws.dynamodb.ResourcePolicy's `policy` (pulumi-aws 7.48's Table has no policy input
 * of its own), measured as sent (sentPolicyBytes: the program's text, white space counted) against 20 × 1,024 bytes.
 * Not judged, so never refused here: a policy of 20,001–20,480 bytes (whether DynamoDB's "20 KB" is 20,000 or 20,480
 * bytes is not confirmed).
 */
export const DYNAMODB_RESOURCE_POLICY_SIZE: DeployRule = {
  id: "DynamoDbResourcePolicySize",
  title: "A DynamoDB resource-based policy is at most 20 KB",
  source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-considerations.html",
  check(graph) {
    return ofType(graph, TABLE_POLICY).flatMap((policy) => {
      const bytes = sentPolicyBytes(policy.inputs.policy);
      if (bytes === undefined || bytes <= DYNAMODB_RESOURCE_POLICY_BYTES) return [];
      return [
        finding(
          this.id,
          policy,
          `has a policy of ${bytes} bytes as sent; DynamoDB takes a resource-based policy of at most 20 KB (${DYNAMODB_RESOURCE_POLICY_BYTES} bytes), white space counted, so PutResourcePolicy refuses it at \`pulumi up\``,
          "send it as compact JSON (JSON.stringify without indentation), grant fewer, broader statements (several principals or actions in one statement), or grant through the callers' IAM policies",
        ),
      ];
    });
  },
};

/**
 * Table deletion protection: "When this feature is turned on, you must give your explicit delete confirmation before
 * the table can be deleted" (https://repost.aws/knowledge-center/dynamodb-accidental-delete-protection; the Developer
 * Guide's "Using deletion protection", WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection). The
 * provider sends DeleteTable as it is and never turns the protection off first, so a protected table Pulumi deletes
 * fails `pulumi destroy`, the table's removal from the program, or its replacement, and late: Pulumi deletes in reverse
 * dependency order, so the table's stream subscriptions (event source mappings), export schedule, autoscaling and
 * grants' policies are gone first. A protected replica (`replicas[].deletionProtectionEnabled`, each replica is
 * protected on its own: "You must enable deletion protection on each replica", global tables best practices) is
 * deleted with the table by the same delete, and judged the same way (its refusal is inferred, as for
 * TransitionProtectedReplicaRemoved); so is an aws.dynamodb.TableReplica. As CognitoUserPoolDestroyable: a table that
 * is retainOnDelete is never deleted, and a `protect`ed one makes the engine refuse the destroy before it deletes
 * anything. DataTier refuses the combination itself (spec.ts); this rule sees every table, a DataTier's given
 * protection by a transformation included. The exact AWS error text is not confirmed (moto's emulation answers "Table
 * '<name>' can't be deleted while DeletionProtectionEnabled is set to True", getmoto/moto#7619).
 */
export const DYNAMODB_TABLE_DESTROYABLE: DeployRule = {
  id: "DynamoDbTableDestroyable",
  title: "A table (or replica) the stack deletes has no deletion protection (or is kept on delete)",
  source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection",
  check(graph, context) {
    const protectedParts = (r: RecordedResource): string[] => {
      if (r.type === TABLE_REPLICA) return r.inputs.deletionProtectionEnabled === true ? ["the replica"] : [];
      const replicas = ((r.inputs.replicas ?? []) as Array<{ regionName?: string; deletionProtectionEnabled?: boolean }>).filter((replica) => replica.deletionProtectionEnabled === true);
      return [...(r.inputs.deletionProtectionEnabled === true ? ["the table"] : []), ...replicas.map((replica) => `its ${replica.regionName} replica`)];
    };
    return graph
      .filter((r) => (r.type === TABLE || r.type === TABLE_REPLICA) && !r.retainOnDelete && !r.protect)
      .flatMap((r) => {
        const parts = protectedParts(r);
        if (parts.length === 0) return [];
        const owner = graph.find((c) => c.urn === r.parent && !c.custom && c.type !== "pulumi:pulumi:Stack");
        const dataTier = owner?.type.endsWith(":DataTier") ? owner : undefined;
        const noun = r.type === TABLE_REPLICA ? "the replica" : "the table";
        const keep = dataTier
          ? `set retainOnDelete: true on DataTier ${dataTier.name}, or give it the resource option { protect: true }`
          : `set retainOnDelete: true (or protect: true) on ${owner ? `${noun} (built by ${owner.name})` : noun}`;
        // DataTier refuses deletionProtection without retainOnDelete or protect unless transformations (or transforms)
        // are in play, and then only warns and leaves the verdict here (components/data-tier/spec.ts
        // checkDeletionProtectionKept): so its table got here through one that set the protection, or one the
        // component could not see through, which neither kept nor protected the table.
        const unprotect = dataTier
          ? "set deletionProtection: false on the DataTier, or remove deletionProtectionEnabled from the transformation that sets it, on a table this stack may delete (DataTier's deletionProtection with transformations is left to this rule)"
          : r.type === TABLE_REPLICA
            ? "deletionProtectionEnabled: false on a replica this stack may delete"
            : "deletionProtectionEnabled: false (table and replicas) on a table this stack may delete";
        return [
          finding(
            "DynamoDbTableDestroyable",
            r,
            `has deletion protection (${parts.join(", ")}) but is neither retainOnDelete nor protect: DynamoDB refuses to delete a protected table ("you must give your explicit delete confirmation before the table can be deleted") and the AWS provider does not turn the protection off first, so \`pulumi destroy\` (or removing or replacing the table) fails part-way, after its dependents (stream subscriptions, export, autoscaling, policies) are deleted`,
            context.production ? `${keep}, so the table and its items outlive a destroy` : `${keep}, or ${unprotect}`,
          ),
        ];
      });
  },
};

const KMS_KEY_TYPES = ["aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"];

/** What a store keeps after `pulumi destroy`, and the keys it names, or undefined when it keeps nothing. */
function keptData(r: RecordedResource): { kept: string; keys: unknown[] } | undefined {
  if (r.type === TABLE && r.retainOnDelete) {
    return { kept: "the table (retainOnDelete)", keys: [r.inputs.serverSideEncryption?.kmsKeyArn, ...((r.inputs.replicas ?? []) as Array<{ kmsKeyArn?: unknown }>).map((replica) => replica.kmsKeyArn)] };
  }
  if (r.type === "aws:rds/cluster:Cluster" && (r.retainOnDelete || r.inputs.skipFinalSnapshot !== true)) {
    // skip_final_snapshot defaults to false (terraform-provider-aws rds/cluster.go): a destroy writes the final snapshot.
    return { kept: r.retainOnDelete ? "the cluster (retainOnDelete)" : "the cluster's final snapshot (skipFinalSnapshot is not true)", keys: [r.inputs.kmsKeyId] };
  }
  if (r.type === "aws:kinesis/stream:Stream" && r.retainOnDelete) return { kept: "the stream (retainOnDelete)", keys: [r.inputs.kmsKeyId] };
  return undefined;
}

/**
 * Data a destroy keeps must stay readable: a kept table (retainOnDelete), Aurora cluster (retainOnDelete, or its final
 * snapshot, taken unless skipFinalSnapshot) or Kinesis stream encrypted with a KMS key this plan creates needs that key
 * kept too (retainOnDelete or protect). Deleting an aws.kms.Key schedules its deletion: "the key state of the KMS key
 * changes to PendingDeletion and the key can't be used in any cryptographic operations. … When a KMS key is deleted, all
 * data that was encrypted under the KMS key is unrecoverable"
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html). So `pulumi destroy` succeeds and
 * the data it was meant to keep becomes unreadable, for good after the waiting period (7–30 days). What DynamoDB,
 * Aurora and Kinesis each do with a store whose key is pending deletion is not re-read here. Keys outside the plan (an
 * ARN the program was given) are not judged; BackupPlan's own vault keys are kept with the vaults and pass.
 */
export const KEPT_DATA_KEY_KEPT: DeployRule = {
  id: "KeptDataKeyKept",
  title: "A KMS key that encrypts data a destroy keeps is kept too",
  source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const store of graph) {
      const kept = keptData(store);
      if (!kept) continue;
      const keys = new Set(kept.keys.flatMap((reference) => KMS_KEY_TYPES.map((type) => referenced(graph, type, reference)).filter((key): key is RecordedResource => key !== undefined)));
      for (const key of [...keys].filter((k) => !k.retainOnDelete && !k.protect)) {
        findings.push(
          finding(
            "KeptDataKeyKept",
            store,
            `keeps ${kept.kept} after \`pulumi destroy\`, but its KMS key ${key.name} (${key.type}) is neither retainOnDelete nor protect: the destroy schedules the key's deletion, and once it is PendingDeletion the kept data cannot be read; when it is deleted "all data that was encrypted under the KMS key is unrecoverable"`,
            `set retainOnDelete: true (or protect: true) on the key ${key.name}, or encrypt with a key that lives outside this stack`,
          ),
        );
      }
    }
    return findings;
  },
};

export const DYNAMODB_RULES: DeployRule[] = [DYNAMODB_REPLICA_STREAMS, DYNAMODB_REPLICA_REGIONS, DYNAMODB_PROVISIONED_REPLICAS, DYNAMODB_RETAINED_TABLE_NAME, DYNAMODB_RETAINED_TABLE_SCALING, DYNAMODB_ONE_RESOURCE_POLICY, DYNAMODB_RESOURCE_POLICY_SIZE, DYNAMODB_TABLE_DESTROYABLE, KEPT_DATA_KEY_KEPT];
