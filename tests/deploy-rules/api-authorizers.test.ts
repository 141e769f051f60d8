/**
 * ApiAuthorizerIdentitySource (review 89, finding 1) on its fixtures, and silent on what AWS takes: ServerlessApi's own
 * authorizers at their defaults, and every form each type of authorizer takes.
 * (tests/deploy-rules/fixtures.test.ts runs API_AUTHORIZER_FIXTURES too, with every rule of the pack.)
 */
import { describe, expect, it } from "vitest";
import { API_AUTHORIZER_RULES, checkDeployRules } from "../../testing/deploy-rules";
import { devContext, handBuilt, matches } from "./fixture";
import { API_AUTHORIZER_FIXTURES, httpAuthorized, restAuthorized } from "./fixtures/api-authorizers";

describe("ApiAuthorizerIdentitySource and ApiV2HttpLambdaAuthorizer", () => {
  it.each(API_AUTHORIZER_FIXTURES.map((f) => [f.title, f] as const))("finds %s", async (_, fixture) => {
    expect(matches(fixture.rule, checkDeployRules(await fixture.build(), { ...devContext, ...fixture.context }), fixture.expected)).toEqual([]);
  });

  it("finds nothing on ServerlessApi's authorizers at their defaults, REST and HTTP", async () => {
    expect(checkDeployRules([...(await restAuthorized()), ...(await httpAuthorized())], devContext, API_AUTHORIZER_RULES)).toEqual([]);
  });

  it("names the $request spelling as the fix for a JWT source in REST's spelling (the component's httpIdentitySource)", () => {
    const jwt = handBuilt("aws:apigatewayv2/authorizer:Authorizer", "jwt", { apiId: "h", authorizerType: "JWT", identitySources: ["method.request.querystring.access_token"] });
    expect(checkDeployRules([jwt], devContext, API_AUTHORIZER_RULES).map((f) => f.fix)).toEqual(['write "$request.querystring.access_token"']);
  });

  it("takes every form AWS documents, an unset source (the provider's default), and an HTTP Lambda authorizer with its payload format", () => {
    const rest = (name: string, inputs: Record<string, unknown>) => handBuilt("aws:apigateway/authorizer:Authorizer", name, { restApi: "api1", ...inputs });
    const graph = [
      rest("unset", {}),
      rest("token", { type: "TOKEN", identitySource: "method.request.header.X-Token" }),
      rest("cognito", { type: "COGNITO_USER_POOLS", identitySource: "method.request.header.Authorization" }),
      rest("request", { type: "REQUEST", identitySource: "method.request.header.Auth, method.request.querystring.Name,stageVariables.tenant,context.identity.sourceIp" }),
      rest("uncached", { type: "REQUEST", identitySource: "", authorizerResultTtlInSeconds: 0 }),
      // Reviews 95/96 (F6): the other method request parameter mapping expressions; no AWS refusal of them was found.
      rest("multi", { type: "REQUEST", identitySource: "method.request.multivalueheader.X-Tenant, method.request.multivaluequerystring.tag, method.request.path.id" }),
      handBuilt("aws:apigatewayv2/authorizer:Authorizer", "jwt", { apiId: "h", authorizerType: "JWT", identitySources: ["$request.querystring.access_token"] }),
      handBuilt("aws:apigatewayv2/authorizer:Authorizer", "ws", { apiId: "w", authorizerType: "REQUEST", identitySources: ["route.request.querystring.token"] }),
      handBuilt("aws:apigatewayv2/api:Api", "http", { protocolType: "HTTP" }, { id: "h1" }),
      handBuilt("aws:apigatewayv2/authorizer:Authorizer", "lambda", { apiId: "h1", authorizerType: "REQUEST", authorizerPayloadFormatVersion: "2.0", identitySources: ["$request.header.Authorization"] }),
    ];
    expect(checkDeployRules(graph, devContext, API_AUTHORIZER_RULES)).toEqual([]);
  });
});
