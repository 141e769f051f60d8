/** The prod stack's UserAuth, as Pulumi.prod.yaml configures it. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, policyDocument, resource } from "../harness/mocks";
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
    expect(run.outputs.hostedUiUrl).toBe(`https://${resource(run.resources, "aws:cognito/userPoolDomain:UserPoolDomain", "auth-domain").inputs.domain}.auth.us-east-1.amazoncognito.com`);
  });

  it("derives the hosted UI prefix from project, stack and account instead of a committed constant (prefixes are globally unique per region)", () => {
    const hash = createHash("sha256").update("serverless-fullstack\nprod\nauth\n123456789012").digest("hex").slice(0, 8);
    expect(resource(run.resources, "aws:cognito/userPoolDomain:UserPoolDomain", "auth-domain").inputs.domain).toBe(`serverless-fullstack-prod-auth-${hash}`);
    for (const stack of ["dev", "prod"]) {
      const config = (parse(readFileSync(`Pulumi.${stack}.yaml`, "utf8")) as { config: Record<string, unknown> }).config;
      expect(Object.keys(config)).not.toContain("serverless-fullstack:authDomainPrefix");
    }
  });

  it("sends email through the SES identity in the stack file, not Cognito's default sender (50 emails a day per account)", () => {
    expect(resource(run.resources, "aws:cognito/userPool:UserPool", "auth-pool").inputs.emailConfiguration).toEqual({
      emailSendingAccount: "DEVELOPER",
      sourceArn: "arn:aws:ses:us-east-1:123456789012:identity/gallery.example.com",
      fromEmailAddress: "Gallery <no-reply@gallery.example.com>",
      replyToEmailAddress: "support@gallery.example.com",
    });
  });

  it("pays for the PLUS plan only because threat protection is enforced", () => {
    expect(resource(run.resources, "aws:cognito/userPool:UserPool", "auth-pool").inputs.userPoolTier).toBe("PLUS");
  });

  it("exports what the site needs to sign in", () => {
    const poolId = String(run.outputs.userPoolId);
    expect(poolId).toBe(resource(run.resources, "aws:cognito/userPool:UserPool", "auth-pool").id);
    expect(run.outputs.authIssuerUrl).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${poolId}`);
    expect(run.outputs.userPoolClientId).toBe(resource(run.resources, "aws:cognito/userPoolClient:UserPoolClient", "auth-client").id);
    expect(run.outputs.identityPoolId).toBe(ofType(run.resources, "aws:cognito/identityPool:IdentityPool")[0].id);
  });

  it("grants the authenticated role the preferences table only, in every replica region, on the caller's own items", () => {
    const preferences = resource(run.resources, "aws:dynamodb/table:Table", "data-preferences");
    expect(preferences.inputs.replicas.map((r: { regionName: string }) => r.regionName)).toEqual(["us-west-2"]);
    const policy = policyDocument(resource(run.resources, "aws:iam/rolePolicy:RolePolicy", "auth-authenticated-policy").inputs.policy);
    const replicaArn = String(preferences.state.arn).replace(":us-east-1:", ":us-west-2:");
    expect(policy.Statement).toEqual(
      [preferences.state.arn, replicaArn].map((arn, index) => ({
        Sid: `RowLevelSecurity${index}`,
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
        Resource: [arn],
        Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"] } },
      })),
    );
  });

  it("wires the post-confirmation trigger to the gallery table with PutItem only", () => {
    const gallery = resource(run.resources, "aws:dynamodb/table:Table", "data-gallery");
    const fn = resource(run.resources, "aws:lambda/function:Function", "auth-post-confirmation-function");
    expect(resource(run.resources, "aws:cognito/userPool:UserPool", "auth-pool").inputs.lambdaConfig).toEqual({ postConfirmation: fn.state.arn });
    expect(fn.inputs.environment.variables.TABLE_NAME).toBe(gallery.state.name);
    const policy = policyDocument(resource(run.resources, "aws:iam/rolePolicy:RolePolicy", "auth-post-confirmation-policy").inputs.policy);
    expect(policy.Statement.filter((s) => String(s.Action).startsWith("dynamodb:"))).toEqual([expect.objectContaining({ Action: ["dynamodb:PutItem"], Resource: [gallery.state.arn] })]);
  });

  it("bakes the pool's JWKS into every region's API authorizer and the realtime authorizer", () => {
    const jwks = resource(run.resources, "pulumi-nodejs:dynamic/serverless-fullstack:UserPoolJwks", "auth-jwks");
    const baking = ofType(run.resources, "aws:lambda/function:Function").filter((fn) => fn.dependencies.includes(jwks.urn));
    const authorizers = ofType(run.resources, "aws:lambda/function:Function").filter((fn) => /-auth-jwt-function$|^live-authorizer-function$/.test(fn.name));
    expect(authorizers.length).toBeGreaterThanOrEqual(3);
    expect(baking.map((fn) => fn.name).sort()).toEqual(authorizers.map((fn) => fn.name).sort());
  });
});
