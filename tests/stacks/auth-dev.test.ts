/** The dev stack's UserAuth, as Pulumi.dev.yaml configures it: what it costs and how its hosted UI is named. */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, resource } from "../harness/mocks";
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

  it("keeps Cognito's default email sender, stated explicitly (no SES identity needed for a development stack)", () => {
    expect(resource(run.resources, "aws:cognito/userPool:UserPool", "auth-pool").inputs.emailConfiguration).toEqual({ emailSendingAccount: "COGNITO_DEFAULT" });
  });

  it("bakes the pool's JWKS into both Lambda authorizers (API and realtime) and nothing else; under the mocks nothing is fetched (npm start: cognito-local's keys)", async () => {
    const pool = resource(run.resources, "aws:cognito/userPool:UserPool", "auth-pool");
    const jwks = resource(run.resources, "pulumi-nodejs:dynamic/serverless-fullstack:UserPoolJwks", "auth-jwks");
    expect(jwks.inputs.jwksUrl).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${pool.id}/.well-known/jwks.json`);
    // The code waits for the keys (a deploy-time define), so the engine reads them before it builds these functions.
    const baking = ofType(run.resources, "aws:lambda/function:Function").filter((fn) => fn.dependencies.includes(jwks.urn));
    expect(baking.map((fn) => fn.name).sort()).toEqual(["api-auth-jwt-function", "live-authorizer-function"]);
    expect(jwks.state.jwks).toBeUndefined();
    for (const fn of baking) expect((await (await fn.inputs.code.assets)["index.mjs"].text).includes("JSON.parse('{\"keys\""), `${fn.name} bakes no keys under the mocks`).toBe(false);
  });
});
