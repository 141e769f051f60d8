/** The dev stack's UserAuth, as Pulumi.dev.yaml configures it: what it costs and how its hosted UI is named. */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { resource } from "../harness/mocks";
import { runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("dev");
});

describe("dev stack auth (UserAuth with Pulumi.dev.yaml)", () => {
  it("turns threat protection off, so the pool is on ESSENTIALS (refresh token rotation) and not billed PLUS per user", () => {
    const pool = resource(run.resources, "aws:cognito/userPool:UserPool", "auth-pool");
    expect(pool.inputs.userPoolTier).toBe("ESSENTIALS");
    expect(pool.inputs.userPoolAddOns).toBeUndefined();
  });

  it("derives its own hosted UI prefix, different from prod's", () => {
    const hash = createHash("sha256").update("serverless-fullstack\ndev\nauth\n123456789012").digest("hex").slice(0, 8);
    expect(run.outputs.hostedUiUrl).toBe(`https://serverless-fullstack-dev-auth-${hash}.auth.us-east-1.amazoncognito.com`);
  });

  it("keeps Cognito's default email sender (no SES identity needed for a development stack)", () => {
    expect(resource(run.resources, "aws:cognito/userPool:UserPool", "auth-pool").inputs.emailConfiguration).toBeUndefined();
  });
});
