/**
 * An endpoint type change reaches callers only through a new deployment: "Redeploy your API for the changes to take
 * effect" (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-api-migration.html). So the
 * endpoint type is part of what a ServerlessApi deployment snapshots; a REGIONAL API (the default) keeps the digest it
 * had before the endpoint type was in it, so upgrading does not redeploy it.
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { record, resource } from "../harness/mocks";

const health = { "GET /health": { integration: { type: "mock" as const, body: { ok: true } }, auth: "none" as const } };
const args = (endpointType: ServerlessApiArgs["endpointType"]): ServerlessApiArgs => ({
  endpointType,
  routes: health,
  // A PRIVATE API answers through VPC endpoints; the other types have none.
  vpcEndpointIds: endpointType === "PRIVATE" ? ["vpce-0123456789abcdef0"] : undefined,
});
/** The deployment's trigger, the digest of everything it snapshots. Same component name each time, so ids compare. */
const snapshot = async (a: ServerlessApiArgs) => resource(await record(() => new ServerlessApi("ep", a)), "aws:apigateway/deployment:Deployment", "ep-deployment").inputs.triggers.snapshot as string;

describe("ServerlessApi redeploys when its endpoint type changes", () => {
  it("gives each endpoint type its own snapshot: REGIONAL ↔ EDGE, which changes no other part, redeploys", async () => {
    const [regional, edge] = [await snapshot(args("REGIONAL")), await snapshot(args("EDGE"))];
    expect(edge).not.toEqual(regional);
    const privateApi = await snapshot(args("PRIVATE"));
    expect(new Set([regional, edge, privateApi]).size).toBe(3);
  });

  it("keeps a REGIONAL API's snapshot as it was before the endpoint type was in it: upgrading does not redeploy it", async () => {
    expect(await snapshot(args(undefined))).toEqual(await snapshot(args("REGIONAL")));
    // Recorded with the component before this change (commit d28e525); a deliberate change of a snapshot part changes it.
    expect(await snapshot(args("REGIONAL"))).toBe("fad0477f32f5b0b314a9639b02096a5e15ea349d3ebf866321dba4fc8bc9c6c5");
  });
});
