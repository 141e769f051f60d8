/**
 * KeptDataKeyKept (review 90 #3): data a destroy keeps (a retained table or stream, a retained Aurora cluster or its
 * final snapshot) encrypted with a KMS key the same plan creates needs that key kept too.
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { DataTier } from "../../components/data-tier";
import { PrivateNetwork } from "../../components/private-network";
import { RelationalDatabase } from "../../components/relational-database";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkDeployRules, DEPLOY_RULES, formatFinding, KEPT_DATA_KEY_KEPT } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import { devContext, handBuilt } from "./fixture";

const gallery = { attributes: { pk: "S" as const }, partitionKey: "pk" };
const keptKey = (graph: RecordedResource[]) => checkDeployRules(graph, devContext, [KEPT_DATA_KEY_KEPT]).map(formatFinding);

describe("KeptDataKeyKept", () => {
  it("is in DEPLOY_RULES", () => expect(DEPLOY_RULES).toContain(KEPT_DATA_KEY_KEPT));

  it("finds a kept DataTier table on a key of the plan that a destroy deletes; passes the key kept or protect'ed, and a table not kept", async () => {
    const graph = await record(() => {
      const key = new aws.kms.Key("table-key", {});
      new DataTier("data", { tables: { gallery: { ...gallery, kmsKeyArn: key.arn } }, retainOnDelete: true });
      const kept = new aws.kms.Key("kept-key", {}, { retainOnDelete: true });
      new DataTier("safe", { tables: { gallery: { ...gallery, kmsKeyArn: kept.arn } }, retainOnDelete: true });
      const guarded = new aws.kms.Key("guarded-key", {}, { protect: true });
      new DataTier("guarded", { tables: { gallery: { ...gallery, kmsKeyArn: guarded.arn } }, retainOnDelete: true });
      const scratch = new aws.kms.Key("scratch-key", {});
      new DataTier("scratch", { tables: { gallery: { ...gallery, kmsKeyArn: scratch.arn } } });
      // A key outside the plan, by ARN: not judged.
      new DataTier("outside", { tables: { gallery: { ...gallery, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" } }, retainOnDelete: true });
    });
    expect(keptKey(graph)).toEqual([
      expect.stringMatching(
        /^dev: \[KeptDataKeyKept\] aws:dynamodb\/table:Table data-gallery: keeps the table \(retainOnDelete\) after `pulumi destroy`, but its KMS key table-key \(aws:kms\/key:Key\) is neither retainOnDelete nor protect: .*"all data that was encrypted under the KMS key is unrecoverable"\. Fix: set retainOnDelete: true \(or protect: true\) on the key table-key, or encrypt with a key that lives outside this stack$/,
      ),
    ]);
  });

  it("finds an Aurora cluster whose final snapshot (the default) is under a key of the plan; passes it with finalSnapshot: false", async () => {
    // The mocks' key ARNs have no "key/" part, which RelationalDatabase refuses: the keys are given by ARN here and
    // stand in the plan as keys of those ARNs.
    const arn = (id: string) => `arn:aws:kms:us-east-1:123456789012:key/${id}`;
    const recorded = await record(() => {
      new RelationalDatabase("db", { network: new PrivateNetwork("db-net"), kmsKeyArn: arn("1111aaaa-11aa-11aa-11aa-111111aaaaaa") });
      new RelationalDatabase("scratch", { network: new PrivateNetwork("scratch-net"), kmsKeyArn: arn("2222bbbb-22bb-22bb-22bb-222222bbbbbb"), finalSnapshot: false });
    });
    const key = (name: string, id: string) => handBuilt("aws:kms/key:Key", name, {}, { id, state: { arn: arn(id), keyId: id } });
    const graph = [...recorded, key("db-key", "1111aaaa-11aa-11aa-11aa-111111aaaaaa"), key("scratch-db-key", "2222bbbb-22bb-22bb-22bb-222222bbbbbb")];
    expect(keptKey(graph)).toEqual([expect.stringMatching(/^dev: \[KeptDataKeyKept\] aws:rds\/cluster:Cluster db-cluster: keeps the cluster's final snapshot \(skipFinalSnapshot is not true\) after `pulumi destroy`, but its KMS key db-key /)]);
  });

  it("finds a retained Kinesis stream and a replica's key", async () => {
    const graph = await record(() => {
      const streamKey = new aws.kms.Key("stream-key", {});
      new aws.kinesis.Stream("events", { streamModeDetails: { streamMode: "ON_DEMAND" }, encryptionType: "KMS", kmsKeyId: streamKey.arn }, { retainOnDelete: true });
      const west = new aws.kms.Key("west-key", { region: "us-west-2" });
      new aws.dynamodb.Table("orders", { hashKey: "pk", attributes: [{ name: "pk", type: "S" }], billingMode: "PAY_PER_REQUEST", streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", replicas: [{ regionName: "us-west-2", kmsKeyArn: west.arn }] }, { retainOnDelete: true });
    });
    expect(keptKey(graph).map((f) => f.split(": keeps")[0])).toEqual(["dev: [KeptDataKeyKept] aws:kinesis/stream:Stream events", "dev: [KeptDataKeyKept] aws:dynamodb/table:Table orders"]);
  });
});
