/**
 * A bucket's replication configuration is one per bucket (review 117 F1): PutBucketReplication replaces it (an upsert)
 * and terraform-provider-aws deletes it by the bucket, its id (internal/service/s3/bucket_replication_configuration.go),
 * so a rename without an alias or a create-first replacement ends the bucket's
 * replication when the old copy is deleted (TransitionNameOverwritten).
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkPlanTransition, readSavedPlan, toSavedPlan } from "../../testing/deploy-rules";
import { handBuilt } from "./fixture";

const CONFIG = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const config = (logical: string, bucket: string, more: Partial<RecordedResource> = {}) =>
  handBuilt(CONFIG, logical, { bucket, role: "arn:aws:iam::123456789012:role/replication", rules: [{ id: "to-us-west-2", status: "Enabled" }], region: "us-east-1" }, more);
const rules = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" }).map((f) => [f.rule, f.resource]);

describe("checkPlanTransition: a bucket's one replication configuration", () => {
  it("finds one moved to a new logical name on the same bucket: the removed one's DeleteBucketReplication at the end of the update ends the replication", () => {
    expect(rules([config("photos-us-west-2-replication", "photos")], [config("photos-replication", "photos")])).toEqual([["TransitionNameOverwritten", `${CONFIG} photos-replication`]]);
  });

  it("passes one kept on its logical name with new rules, and one on another bucket", () => {
    expect(rules([config("photos-replication", "photos")], [config("photos-replication", "photos", { inputs: { bucket: "photos", role: "arn:aws:iam::123456789012:role/other", rules: [{ id: "to-eu-west-1", status: "Enabled" }], region: "us-east-1" } })])).toEqual([]);
    expect(rules([config("photos-replication", "photos")], [config("photos-replication", "photos"), config("other-replication", "other")])).toEqual([]);
  });

  it("keeps what the check reads in a saved plan", () => {
    const saved = readSavedPlan(JSON.stringify(toSavedPlan([config("photos-us-west-2-replication", "photos")], { stack: "prod", region: "us-east-1" }))).resources;
    expect(rules(saved, [config("photos-replication", "photos")])).toEqual([["TransitionNameOverwritten", `${CONFIG} photos-replication`]]);
  });
});
