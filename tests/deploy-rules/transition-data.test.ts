/**
 * TransitionTableKeyRemoved (review 90 #5): a table's customer key dropped from the program does not re-key it (the
 * provider keeps the deployed kms_key_arn); recorded DataTier plans before and after, and what the check leaves alone.
 */
import { describe, expect, it } from "vitest";
import { DataTier, type TableArgs } from "../../components/data-tier";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkDataTransition, formatFinding, readSavedPlan, toSavedPlan, TRANSITION_DATA_RULES } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import { handBuilt } from "./fixture";

const TABLE = "aws:dynamodb/table:Table";
const KEY_A = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_B = "arn:aws:kms:us-east-1:123456789012:key/abcd1234-ab12-cd34-ef56-abcdef123456";
const gallery = { attributes: { pk: "S", sk: "S" }, partitionKey: "pk", sortKey: "sk" };
const tier = (table: Record<string, unknown> = {}) => record(() => new DataTier("data", { tables: { gallery: { ...gallery, ...table } as TableArgs }, region: "us-east-1" }));
const transition = (before: RecordedResource[], after: RecordedResource[]) => checkDataTransition(before, after, { stack: "prod" });

describe("TransitionTableKeyRemoved", () => {
  it("is listed with its source", () => {
    expect(TRANSITION_DATA_RULES.map((r) => r.id)).toEqual(["TransitionTableKeyRemoved"]);
  });

  it("finds a DataTier table's kmsKeyArn removed: the table stays on the customer key, and the fix re-keys it by hand first", async () => {
    const findings = transition(await tier({ kmsKeyArn: KEY_A }), await tier());
    expect(findings.map(formatFinding)).toEqual([
      expect.stringMatching(
        new RegExp(
          "^prod: \\[TransitionTableKeyRemoved\\] aws:dynamodb/table:Table data-gallery: DataTier \"data\" table gallery: kmsKeyArn \\(serverSideEncryption\\.kmsKeyArn\\) was removed, but the provider keeps the deployed key .*`pulumi up` changes nothing and the table stays encrypted with " +
            KEY_A.replace(/[/.]/g, "\\$&") +
            "\\. Deleting that key \\(or scheduling its deletion\\) would make the table unreadable\\. Fix: to go back to the AWS managed key, run `aws dynamodb update-table --table-name \\S+ --sse-specification Enabled=true,SSEType=KMS`.*then remove kmsKeyArn and run `pulumi refresh`; keep the old key until then",
        ),
      ),
    ]);
    expect(findings[0].urn).toMatch(/\$aws:dynamodb\/table:Table::data-gallery$/);
  });

  it("passes a key changed to another (re-keyed in place), a key added, no key either side, and a key kept", async () => {
    expect(transition(await tier({ kmsKeyArn: KEY_A }), await tier({ kmsKeyArn: KEY_B }))).toEqual([]);
    expect(transition(await tier(), await tier({ kmsKeyArn: KEY_A }))).toEqual([]);
    expect(transition(await tier(), await tier())).toEqual([]);
    expect(transition(await tier({ kmsKeyArn: KEY_A }), await tier({ kmsKeyArn: KEY_A }))).toEqual([]);
  });

  it("leaves a replaced table (created on the key the program gives), a removed table, and an ignored encryption alone", async () => {
    const resorted = { attributes: { pk: "S", createdAt: "S" }, sortKey: "createdAt" };
    expect(transition(await tier({ kmsKeyArn: KEY_A }), await tier(resorted))).toEqual([]);
    const table = (inputs: Record<string, unknown>, ignoreChanges?: string[]) => handBuilt(TABLE, "orders", { hashKey: "pk", ...inputs }, { ignoreChanges });
    expect(transition([table({ serverSideEncryption: { enabled: true, kmsKeyArn: KEY_A } })], [])).toEqual([]);
    expect(transition([table({ serverSideEncryption: { enabled: true, kmsKeyArn: KEY_A } })], [table({ serverSideEncryption: { enabled: true } }, ["serverSideEncryption"])])).toEqual([]);
    // A hand-built table is named as a DynamoDB table, by its given name in the fix.
    expect(transition([table({ name: "orders-prod", serverSideEncryption: { enabled: true, kmsKeyArn: KEY_A } })], [table({ name: "orders-prod", serverSideEncryption: { enabled: true, kmsKeyArn: "" } })]).map((f) => [f.problem.split(":")[0], f.fix.match(/--table-name (\S+)/)?.[1]])).toEqual([
      ["DynamoDB table orders", "orders-prod"],
    ]);
  });

  it("does not judge a saved plan that did not keep the table's encryption", async () => {
    const saved = readSavedPlan(JSON.stringify(toSavedPlan(await tier({ kmsKeyArn: KEY_A }), { stack: "prod", region: "us-east-1" }))).resources;
    expect(saved.find((r) => r.type === TABLE)?.inputs.serverSideEncryption).toBeUndefined();
    expect(transition(saved, await tier())).toEqual([]);
  });
});
