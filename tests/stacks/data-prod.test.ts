import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, policyDocument, resource } from "../harness/mocks";
import { runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("prod");
});

describe("prod stack: DataTier", () => {
  it("replicates both tables to us-west-2 with PITR and deletion protection, and retains them", () => {
    for (const name of ["data-gallery", "data-preferences"]) {
      const table = resource(run.resources, "aws:dynamodb/table:Table", name);
      expect(table.inputs).toMatchObject({ deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true }, streamViewType: "NEW_AND_OLD_IMAGES" });
      expect(table.inputs.replicas).toEqual([expect.objectContaining({ regionName: "us-west-2", pointInTimeRecovery: true, deletionProtectionEnabled: true })]);
      expect(table.retainOnDelete).toBe(true);
    }
  });

  it("exports daily to a retained bucket", () => {
    expect(resource(run.resources, "aws:scheduler/schedule:Schedule", "data-export-schedule").inputs.scheduleExpression).toBe("rate(1 day)");
    expect(resource(run.resources, "aws:s3/bucket:Bucket", "data-export").retainOnDelete).toBe(true);
    expect(run.outputs.exportBucketName).toBe(resource(run.resources, "aws:s3/bucket:Bucket", "data-export").state.bucket);
  });

  it("keeps the counters from the gallery stream and exports the table names", () => {
    const gallery = resource(run.resources, "aws:dynamodb/table:Table", "data-gallery");
    expect(resource(run.resources, "aws:lambda/eventSourceMapping:EventSourceMapping", "data-counters-mapping").inputs.eventSourceArn).toBe(gallery.state.streamArn);
    expect(resource(run.resources, "aws:lambda/function:Function", "gallery-counters-function").inputs.environment.variables.TABLE_NAME).toBe(gallery.state.name);
    expect(run.outputs).toMatchObject({ galleryTableName: gallery.state.name, preferencesTableName: resource(run.resources, "aws:dynamodb/table:Table", "data-preferences").state.name });
    // The gallery, the preferences, the idempotency records of the event handlers (counters, thumbnails), and the live updates' open connections.
    expect(ofType(run.resources, "aws:dynamodb/table:Table").map((t) => t.name).sort()).toEqual(["data-connections", "data-gallery", "data-idempotency", "data-preferences"]);
    const idempotency = resource(run.resources, "aws:dynamodb/table:Table", "data-idempotency");
    expect(idempotency.retainOnDelete).toBe(true);
    const own = policyDocument(resource(run.resources, "aws:iam/rolePolicy:RolePolicy", "gallery-counters-policy").inputs.policy).Statement;
    expect(own.find((s) => s.Sid === "GalleryWrite")).toMatchObject({ Action: ["dynamodb:UpdateItem"], Resource: [gallery.state.arn] });
    expect(own.find((s) => s.Sid === "IdempotencyWrite")).toMatchObject({ Action: ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: [idempotency.state.arn] });
    expect(resource(run.resources, "aws:lambda/function:Function", "gallery-counters-function").inputs.environment.variables.IDEMPOTENCY_TABLE_NAME).toBe(idempotency.state.name);
  });
});
