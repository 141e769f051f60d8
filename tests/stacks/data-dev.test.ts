import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, resource } from "../harness/mocks";
import { runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("dev");
});

describe("dev stack: DataTier", () => {
  it("single-region tables, deletable, with no export", () => {
    for (const name of ["data-gallery", "data-preferences"]) {
      const table = resource(run.resources, "aws:dynamodb/table:Table", name);
      expect(table.inputs.replicas).toBeUndefined();
      expect(table.inputs.deletionProtectionEnabled).toBe(false);
      expect(table.retainOnDelete).toBe(false);
    }
    expect(resource(run.resources, "aws:dynamodb/table:Table", "data-preferences").inputs.streamEnabled).toBe(false);
    expect(ofType(run.resources, "aws:scheduler/schedule:Schedule").filter((r) => r.name.startsWith("data-"))).toEqual([]);
    expect(run.outputs.exportBucketName).toBeUndefined();
  });
});
