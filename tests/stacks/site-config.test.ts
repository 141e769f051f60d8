/** GET /api/config as deployed: the browser's sign-in settings come from UserAuth's outputs, not a copy. */
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { resource } from "../harness/mocks";
import { runStack } from "./run-stack";

let prod: OfflineRun;
beforeAll(async () => {
  prod = await runStack("prod");
});

describe("the site's runtime config in the prod stack", () => {
  it("tells the page to use the hosted UI (code + PKCE) with the pool's own ids and domain", () => {
    const template = resource(prod.resources, "aws:apigateway/integrationResponse:IntegrationResponse", "api-integration-response-get-api-config").inputs.responseTemplates["application/json"];
    const config = JSON.parse(template);
    expect(config).toMatchObject({ apiVersion: 1, maxImageBytes: 25 * 1024 * 1024, imageTypes: expect.arrayContaining(["image/png"]) });
    expect(config.auth).toEqual({
      mode: "hosted-ui",
      region: "us-east-1",
      userPoolId: prod.outputs.userPoolId,
      clientId: prod.outputs.userPoolClientId,
      hostedUiUrl: prod.outputs.hostedUiUrl,
      cognitoEndpoint: "https://cognito-idp.us-east-1.amazonaws.com/",
      scopes: ["openid", "email", "profile"],
      // The edge auth check's cookie, which the page sets after sign-in on the paths /account/* covers (issue 11).
      cookie: { name: "gallery-id-token", paths: ["/account/"] },
    });
    const client = resource(prod.resources, "aws:cognito/userPoolClient:UserPoolClient", "auth-client");
    expect(client.inputs.allowedOauthFlows).toEqual(["code"]);
    expect(client.inputs.generateSecret ?? false).toBe(false);
  });
});
