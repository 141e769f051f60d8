/** The prod stack's UserAuth, as Pulumi.prod.yaml configures it. */
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, resource } from "../harness/mocks";
import { runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("prod");
});

describe("prod stack auth (UserAuth with Pulumi.prod.yaml)", () => {
  it("requires MFA, enforces threat protection, and keeps the pool", () => {
    const pool = resource(run.resources, "aws:cognito/userPool:UserPool", "auth-pool");
    expect(pool.inputs).toMatchObject({ mfaConfiguration: "ON", userPoolAddOns: { advancedSecurityMode: "ENFORCED" }, deletionProtection: "ACTIVE" });
    expect(pool.retainOnDelete).toBe(true);
  });

  it("sends users back only to the site's https domain, through the prod hosted UI", () => {
    const client = resource(run.resources, "aws:cognito/userPoolClient:UserPoolClient", "auth-client");
    expect(client.inputs.callbackUrls).toEqual(["https://gallery.example.com/"]);
    expect(run.outputs.hostedUiUrl).toBe("https://sf-gallery-prod.auth.us-east-1.amazoncognito.com");
  });

  it("exports what the site needs to sign in", () => {
    const poolId = String(run.outputs.userPoolId);
    expect(run.outputs.authIssuerUrl).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${poolId}`);
    expect(run.outputs.userPoolClientId).toBe(resource(run.resources, "aws:cognito/userPoolClient:UserPoolClient", "auth-client").id);
    expect(run.outputs.identityPoolId).toBe(ofType(run.resources, "aws:cognito/identityPool:IdentityPool")[0].id);
  });
});
