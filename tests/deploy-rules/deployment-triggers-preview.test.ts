/**
 * ApiDeploymentTriggerReplacedFirst on a preview recording (`npm run plan -- --preview`, mocks in preview mode): a part's
 * `name` that the program gives as an Output not known yet is recorded unknown, while an autonamed part has no `name`
 * input at all; the bridge reads the unknown one as set by hand (graph.ts nameGiven), so the part is replaced delete-first.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { isUnknown, nameGiven } from "../../local/offline/graph";
import { checkDeployRules } from "../../testing/deploy-rules";
import { API_DEPLOYMENT_TRIGGER_REPLACED_FIRST } from "../../testing/deploy-rules/deployment-triggers";
import { record, useMocks } from "../../testing/harness";
import { devContext } from "./fixture";

beforeAll(() => useMocks({ preview: true }));

const check = (graph: Parameters<typeof checkDeployRules>[0]) => checkDeployRules(graph, devContext, [API_DEPLOYMENT_TRIGGER_REPLACED_FIRST]);

/** A WebSocket API whose deployment's triggers name its authorizer, named by `name` (undefined: autonamed). */
const webSocket = (name: (queue: aws.sqs.Queue) => pulumi.Input<string> | undefined) =>
  record(() => {
    // A new queue's URL is unknown at preview (the mocks leave it so, as `pulumi preview` does).
    const queue = new aws.sqs.Queue("names", {});
    const api = new aws.apigatewayv2.Api("ws", { protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" });
    const authorizer = new aws.apigatewayv2.Authorizer("ws-authorizer", {
      apiId: api.id,
      authorizerType: "REQUEST",
      identitySources: ["route.request.querystring.token"],
      authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations",
      name: name(queue),
    });
    const deployment = new aws.apigatewayv2.Deployment("ws-deployment", { apiId: api.id, triggers: { redeployment: authorizer.id } });
    new aws.apigatewayv2.Stage("ws-stage", { apiId: api.id, name: "prod", deploymentId: deployment.id });
  });

describe("ApiDeploymentTriggerReplacedFirst at preview", () => {
  it("reads a name unknown at preview as set by hand, and tells it from an autonamed part, which has no name input", async () => {
    const unknownName = await webSocket((queue) => queue.url.apply((url) => `auth-${url.length}`));
    const authorizer = unknownName.find((r) => r.name === "ws-authorizer")!;
    expect(isUnknown(authorizer.inputs.name)).toBe(true);
    expect(nameGiven(authorizer.inputs.name)).toBe(true);
    expect(check(unknownName).map((f) => f.problem)).toEqual([
      expect.stringMatching(/^has ForceNew inputs whose property dependencies name parts replaced delete-first: ws-authorizer \(in triggers; its name set by hand \(an Output not known at preview\), which pulumi-aws otherwise autonames/),
    ]);
    const autonamed = await webSocket(() => undefined);
    expect("name" in autonamed.find((r) => r.name === "ws-authorizer")!.inputs).toBe(false);
    expect(check(autonamed)).toEqual([]);
    // A name known at preview (a plain string), as before.
    expect(check(await webSocket(() => "ws-authorizer")).map((f) => f.resource)).toEqual(["aws:apigatewayv2/deployment:Deployment ws-deployment"]);
  });
});
