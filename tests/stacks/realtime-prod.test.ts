/** The reference app's live updates in the prod stack: the WebSocket API, its logging order, and who may post. */
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { dependencyClosure, ofType, policyDocument, resource } from "../harness/mocks";
import { runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("prod");
});

describe("prod stack: live updates (RealtimeApi)", () => {
  it("creates the WebSocket stage after the account's CloudWatch role setting this stack owns (a logging stage is refused before it exists)", () => {
    const account = resource(run.resources, "aws:apigateway/account:Account", "api-account");
    const stage = resource(run.resources, "aws:apigatewayv2/stage:Stage", "live-stage");
    expect(stage.inputs.name).toBe("prod");
    expect(dependencyClosure(run.resources, stage).has(account.urn)).toBe(true);
  });

  it("lets exactly the thumbnail function and the replying routes post to connections, on this API's prod stage", () => {
    const api = resource(run.resources, "aws:apigatewayv2/api:Api", "live-api");
    const posters = ofType(run.resources, "aws:iam/rolePolicy:RolePolicy")
      .filter((p) => policyDocument(p.inputs.policy).Statement.some((s) => [s.Action].flat().includes("execute-api:ManageConnections")))
      .map((p) => p.name)
      .sort();
    expect(posters).toEqual(["live-default-policy", "live-ping-policy", "thumbnail-policy"]);
    const thumbnail = policyDocument(resource(run.resources, "aws:iam/rolePolicy:RolePolicy", "thumbnail-policy").inputs.policy).Statement;
    expect(thumbnail.find((s) => s.Sid === "RealtimePostToConnections")).toMatchObject({ Action: ["execute-api:ManageConnections"], Resource: [`${api.state.executionArn}/prod/POST/@connections/*`] });
    expect(run.outputs.realtimeUrl).toBe(`wss://${api.id}.execute-api.us-east-1.amazonaws.com/prod`);
  });
});
