/**
 * What `npm start` prints for each API it serves: its routes and stage, and for a stage running a canary, how the
 * local split differs from AWS's. Locally a canary only switches stage variables (local/api-gateway.ts); in AWS the
 * other requests get the deployment and the stage alias's version from before the canary
 * (docs/api-gateway-deployments.md), so a route added with the canary answers locally for every request.
 */
import { describe, expect, it } from "vitest";
import type { StageSpec } from "../../components/serverless-api/spec";
import { servedStageSummary } from "../../local/services/api";

const stage: StageSpec = { name: "prod", variables: { alias: "prod" }, throttle: { rateLimit: 100, burstLimit: 50 } };

describe("npm start's line for a served API stage", () => {
  it("names the routes and the stage", () => {
    expect(servedStageSummary("api", 12, stage)).toBe("  api: 12 routes, stage prod");
  });

  it("says, for a stage running a canary, that locally every request sees the program's current routes and code", () => {
    expect(servedStageSummary("api", 12, { ...stage, canary: { percentTraffic: 10, alias: "prod-canary", stageVariableOverrides: { alias: "prod-canary" } } })).toBe(
      "  api: 12 routes, stage prod (canary 10 % → prod-canary; locally every request sees the current routes and code, while in AWS the other 90 % get the stage's deployment and alias from before the canary)",
    );
  });
});
