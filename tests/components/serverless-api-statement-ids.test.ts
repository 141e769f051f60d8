/**
 * A REST ServerlessApi gives every route function an alias per stage (and per canary), each with a Lambda permission
 * named `<function>-<stage>[-canary]-invoke`. pulumi-aws autonames a permission's statement id from that name within
 * 100 characters and fails `pulumi preview` beyond (deploy rule PhysicalNameLimits): ServerlessApi refuses such a stage
 * at construction, as the stage's, with the statement id's length, and accepts one that fits exactly.
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { checkDeployRules, PHYSICAL_NAME_LIMITS } from "../../testing/deploy-rules";
import { ofType, record } from "../harness/mocks";
import { apiRefusal } from "../harness/serverless-api-refusals";

const echo = "tests/fixtures/handlers/echo.ts";
/** The function `gallery-api-get-albums-albumid-photos` (37 characters). */
const photos = { "GET /albums/{albumId}/photos": { handler: echo, auth: "none" as const } };

const refusal = (args: ServerlessApiArgs) => apiRefusal("gallery-api", args, "ServerlessApi accepted a stage whose alias permission's statement id is over 100 characters");

describe("ServerlessApi refuses a stage whose alias permissions' statement ids pulumi-aws cannot autoname within 100", () => {
  it("refuses a stage too long for a route's alias permission, as the stage's, with the statement id's length", () => {
    const stage = "s".repeat(60);
    const error = refusal({ routes: photos, stages: { [stage]: {} } });
    expect(error).toMatchObject({ component: "ServerlessApi", argument: "stages", value: stage });
    expect(error.message).toBe(
      `ServerlessApi "gallery-api": stages "${stage}" makes the Lambda permission statement id "gallery-api-get-albums-albumid-photos-${stage}-invoke-<random suffix>" 113 characters, ` +
        "over the 100 pulumi-aws autonames a statement id within (Lambda's AddPermission takes 100). Use a stage name of at most 47 characters.",
    );
  });

  it("counts the canary's alias permission (`-canary` more), and offers the longest component name too when one would fit", () => {
    const stage = "s".repeat(41);
    const error = refusal({ routes: photos, stages: { [stage]: { canary: { percentTraffic: 10 } } } });
    expect(error).toMatchObject({ argument: "stages", value: stage });
    expect(error.message).toMatch(/statement id "gallery-api-get-albums-albumid-photos-s{41}-canary-invoke-<random suffix>" 101 characters, over the 100 .*\. Use a stage name of at most 40 characters, or a component name of at most 10 characters\.$/);
  });

  it("counts the canary the top-level canary argument (flat stack config) sets on a stage the same way", () => {
    const stage = "s".repeat(41);
    const error = refusal({ routes: photos, stages: { [stage]: {} }, canary: { stage, percentTraffic: 10 } });
    expect(error).toMatchObject({ argument: "stages", value: stage });
    expect(error.message).toMatch(/statement id "gallery-api-get-albums-albumid-photos-s{41}-canary-invoke-<random suffix>" 101 characters/);
  });

  it("accepts the longest stage whose canary's statement id fits exactly, and the plan passes PhysicalNameLimits", async () => {
    const stage = "s".repeat(40);
    const graph = await record(() => new ServerlessApi("gallery-api", { accountCloudWatchRole: false, routes: photos, stages: { [stage]: { canary: { percentTraffic: 10 } } } }));
    const permissions = ofType(graph, "aws:lambda/permission:Permission").map((p) => p.name);
    expect(permissions).toContain(`gallery-api-get-albums-albumid-photos-${stage}-canary-invoke`);
    expect(Math.max(...permissions.map((name) => `${name}-0000000`.length))).toBe(100);
    expect(checkDeployRules(graph, { stack: "test", production: false, region: "us-east-1" }, [PHYSICAL_NAME_LIMITS])).toEqual([]);
  });
});
