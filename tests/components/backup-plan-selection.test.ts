/**
 * BackupPlan's selection takes at most 500 resource ARNs, or 30 when any has a wildcard (review 28, finding 10):
 * CreateBackupSelection refuses more at `pulumi up`, after the vault and plan exist.
 */
import { describe, expect, it } from "vitest";
import { BackupPlan } from "../../components/backup-plan";
import { record, resource } from "../harness/mocks";

const tables = (count: number) => Array.from({ length: count }, (_, i) => `arn:aws:dynamodb:us-east-1:123456789012:table/tenant-${i}`);

describe("BackupPlan resources: AWS Backup's ARNs per selection", () => {
  it("refuses more than 500 ARNs", () => {
    expect(() => new BackupPlan("many", { resources: tables(501) })).toThrow(
      /^BackupPlan "many": resources "501 ARNs" is over the 500 ARNs AWS Backup takes in one selection \("The maximum number of ARNs is 500 without wildcards, or 30 ARNs with wildcards"\)\. Select by a wildcard ARN \(e\.g\. "arn:aws:dynamodb:us-east-1:123456789012:table\/tenant-\*"\), or split the resources over two BackupPlans\.$/,
    );
  });

  it("refuses more than 30 ARNs when any has a wildcard", () => {
    expect(() => new BackupPlan("wild", { resources: [...tables(30), "arn:aws:dynamodb:us-east-1:123456789012:table/archive-*"] })).toThrow(
      /^BackupPlan "wild": resources "31 ARNs, 1 with a wildcard" is over the 30 ARNs AWS Backup takes in one selection when any has a wildcard \("The maximum number of ARNs is 500 without wildcards, or 30 ARNs with wildcards"\)\. Cover more tables with each wildcard, or split the resources over two BackupPlans\.$/,
    );
  });

  it("creates a selection of 500 ARNs, or of 30 with wildcards", async () => {
    const graph = await record(() => {
      new BackupPlan("full", { resources: tables(500) });
      new BackupPlan("wild30", { resources: [...tables(29), "arn:aws:dynamodb:us-east-1:123456789012:table/archive-*"] });
    });
    expect(resource(graph, "aws:backup/selection:Selection", "full-selection").inputs.resources).toHaveLength(500);
    expect(resource(graph, "aws:backup/selection:Selection", "wild30-selection").inputs.resources).toHaveLength(30);
  });
});
