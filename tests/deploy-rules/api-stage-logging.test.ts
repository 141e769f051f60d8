/**
 * ApiStageLoggingAfterAccount (review 89, finding 3) on its fixtures, and silent on what deploys in order: the same APIs
 * with the owner's account setting in their dependsOn, an HTTP API's stage (no role needed), stages that do not log, a
 * stage in a region where the plan sets no account.
 */
import { describe, expect, it } from "vitest";
import { REALTIME_ACCESS_LOG_FORMAT } from "../../components/realtime-api";
import { HTTP_ACCESS_LOG_FORMAT } from "../../components/serverless-api/http-api";
import { ACCESS_LOG_FORMAT } from "../../components/serverless-api/stages";
import { API_STAGE_LOGGING_RULES, accessLogFormatHasRequestId, checkDeployRules } from "../../testing/deploy-rules";
import { devContext, handBuilt, matches } from "./fixture";
import { API_STAGE_LOGGING_FIXTURES, apisBesideAccount } from "./fixtures/api-stage-logging";

describe("ApiStageLoggingAfterAccount and ApiAccessLogFormat", () => {
  it.each(API_STAGE_LOGGING_FIXTURES.map((f) => [f.title, f] as const))("finds %s", async (_, fixture) => {
    expect(matches(fixture.rule, checkDeployRules(await fixture.build(), { ...devContext, ...fixture.context }), fixture.expected)).toEqual([]);
  });

  it("finds nothing when the APIs' dependsOn holds the owner's account setting", async () => {
    expect(checkDeployRules(await apisBesideAccount(true), devContext, API_STAGE_LOGGING_RULES)).toEqual([]);
  });

  it("finds nothing on an HTTP API's stage, a stage that does not log, or a stage of another region than the setting", () => {
    const graph = [
      handBuilt("aws:apigateway/account:Account", "account", { cloudwatchRoleArn: "arn:aws:iam::123456789012:role/logs" }),
      handBuilt("aws:apigatewayv2/api:Api", "http", { protocolType: "HTTP" }, { id: "h1" }),
      handBuilt("aws:apigatewayv2/stage:Stage", "http-stage", { apiId: "h1", name: "$default", accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:x", format: "$context.requestId" } }),
      handBuilt("aws:apigatewayv2/api:Api", "ws", { protocolType: "WEBSOCKET" }, { id: "ws1" }),
      handBuilt("aws:apigatewayv2/stage:Stage", "ws-quiet", { apiId: "ws1", name: "prod", defaultRouteSettings: { loggingLevel: "OFF" }, routeSettings: [{ routeKey: "$connect", loggingLevel: "OFF" }, { routeKey: "ping" }] }),
      handBuilt("aws:apigateway/stage:Stage", "rest-west", { restApi: "r1", stageName: "prod", region: "us-west-2", accessLogSettings: { destinationArn: "arn:aws:logs:us-west-2:123456789012:log-group:x", format: "$context.requestId" } }),
    ];
    expect(checkDeployRules(graph, devContext, API_STAGE_LOGGING_RULES)).toEqual([]);
  });
});

describe("ApiAccessLogFormat", () => {
  it("takes the components' three formats (a later edit cannot drop the request id), and either id alone", () => {
    for (const format of [ACCESS_LOG_FORMAT, HTTP_ACCESS_LOG_FORMAT, REALTIME_ACCESS_LOG_FORMAT, "$context.requestId", "$context.extendedRequestId $context.status"]) {
      expect(accessLogFormatHasRequestId(format), format).toBe(true);
    }
    // The HTTP and WebSocket stages are v2: their formats must hold $context.requestId itself.
    for (const format of [HTTP_ACCESS_LOG_FORMAT, REALTIME_ACCESS_LOG_FORMAT, "$context.requestId"]) {
      expect(accessLogFormatHasRequestId(format, "v2"), format).toBe(true);
    }
    expect(accessLogFormatHasRequestId("$context.extendedRequestId $context.status", "v2")).toBe(false);
    expect(accessLogFormatHasRequestId("$context.requestTime $context.requestIdentity")).toBe(false);
  });
});
