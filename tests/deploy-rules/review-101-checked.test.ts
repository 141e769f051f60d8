/**
 * What review 101 checked and found sound, pinned (its scratch repros R2 and R7a–e): CognitoClientScopes with a client
 * that dependsOn a component whose child is the resource server, and TransitionNameTaken on HTTP API (v2) routes — an API
 * replaced with its route kept, a route renamed with and without `aliases`, two routes swapping keys in place, and a
 * deployed plan without the route's `routeKey`. (R1, R3–R6 and R8, the findings, are in transition-usage-plan-key.test.ts,
 * fixtures/apigatewayv2.ts and tests/local/kinesis-consumers.test.ts.)
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { checkDeployRules, checkPlanTransition, COGNITO_CLIENT_SCOPES } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import { devContext, handBuilt } from "./fixture";

class Servers extends pulumi.ComponentResource {
  constructor(name: string, poolId: pulumi.Input<string>) {
    super("x:index:Servers", name);
    new aws.cognito.ResourceServer(`${name}-rs`, { userPoolId: poolId, identifier: "gallery", name: "g", scopes: [{ scopeName: "read", scopeDescription: "r" }] }, { parent: this });
    this.registerOutputs({});
  }
}

describe("CognitoClientScopes", () => {
  it("passes a client that dependsOn a component whose child is the resource server (the SDK expands it to the children)", async () => {
    const graph = await record(() => {
      const pool = new aws.cognito.UserPool("pool", {});
      const servers = new Servers("api", pool.id);
      new aws.cognito.UserPoolClient("client", { userPoolId: pool.id, allowedOauthFlowsUserPoolClient: true, allowedOauthFlows: ["code"], allowedOauthScopes: ["gallery/read"], callbackUrls: ["https://example.com/cb"], supportedIdentityProviders: ["COGNITO"] }, { dependsOn: [servers] });
    });
    expect(checkDeployRules(graph, devContext, [COGNITO_CLIENT_SCOPES])).toEqual([]);
  });
});

describe("TransitionNameTaken on HTTP API (v2) routes", () => {
  const API = "aws:apigatewayv2/api:Api";
  const ROUTE = "aws:apigatewayv2/route:Route";
  const context = { stack: "dev", region: "us-east-1" };
  const api = (protocolType: string) => handBuilt(API, "api", { name: "api", protocolType }, { id: "api-id" });
  const route = (name: string, of: ReturnType<typeof api>, more: object = {}) => handBuilt(ROUTE, name, { apiId: of.id, routeKey: "GET /x" }, { propertyDependencies: { apiId: [of.urn] }, dependencies: [of.urn], ...more });
  const taken = (before: Parameters<typeof checkPlanTransition>[0], after: Parameters<typeof checkPlanTransition>[1]) =>
    checkPlanTransition(before, after, context).filter((f) => f.rule === "TransitionNameTaken").map((f) => f.resource);
  const kept = route("r", api("HTTP"));

  it("passes an API replaced with its route kept, a route renamed with aliases, and a deployed route recorded without its routeKey", () => {
    expect(taken([api("HTTP"), route("r", api("HTTP"))], [api("WEBSOCKET"), route("r", api("WEBSOCKET"))])).toEqual([]);
    expect(taken([api("HTTP"), kept], [api("HTTP"), route("r2", api("HTTP"), { aliases: [kept.urn] })])).toEqual([]);
    expect(taken([api("HTTP"), { ...kept, inputs: { apiId: "api-id" } }], [api("HTTP"), route("r2", api("HTTP"))])).toEqual([]);
  });

  it("finds a route renamed without aliases, and two routes swapping their keys in place", () => {
    expect(taken([api("HTTP"), kept], [api("HTTP"), route("r2", api("HTTP"))])).toEqual([`${ROUTE} r2`]);
    const a = handBuilt(ROUTE, "a", { apiId: "api-id", routeKey: "GET /a" });
    const b = handBuilt(ROUTE, "b", { apiId: "api-id", routeKey: "GET /b" });
    const swapped = [api("HTTP"), { ...a, inputs: { ...a.inputs, routeKey: "GET /b" } }, { ...b, inputs: { ...b.inputs, routeKey: "GET /a" } }];
    expect(taken([api("HTTP"), a, b], swapped)).toEqual([`${ROUTE} a`, `${ROUTE} b`]);
  });
});
