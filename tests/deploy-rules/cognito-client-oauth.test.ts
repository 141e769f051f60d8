/**
 * CognitoClientScopes and CognitoClientCredentialsFlow on what Cognito accepts (the failing fixtures are in
 * fixtures/cognito.ts): hand-built clients ordered after their resource server, a machine-to-machine client, a scope of a
 * server outside the plan, and UserAuth's own client and resource servers.
 */
import { describe, expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import { record } from "../../testing/harness";
import { checkDeployRules, COGNITO_CLIENT_CREDENTIALS_FLOW, COGNITO_CLIENT_SCOPES } from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";
import { gallery } from "./fixtures/cognito";

const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";
const RULES = [COGNITO_CLIENT_SCOPES, COGNITO_CLIENT_CREDENTIALS_FLOW];
const findings = (graph: Parameters<typeof checkDeployRules>[0]) => checkDeployRules(graph, devContext, RULES).map((f) => `${f.rule} ${f.resource}: ${f.problem}`);
const client = (inputs: Record<string, any>, dependencies: string[] = []) =>
  handBuilt(CLIENT, "client", { userPoolId: "us-east-1_AbCdEfGhI", allowedOauthFlowsUserPoolClient: true, allowedOauthFlows: ["code"], ...inputs }, { dependencies });

describe("CognitoClientScopes", () => {
  it("accepts Cognito's scopes and a resource server's scope when the client depends on the server", () => {
    expect(findings([gallery(), client({ allowedOauthScopes: ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin", "gallery/read"] }, [gallery().urn])])).toEqual([]);
  });

  it("accepts the order through a property dependency (userPoolId taken from the server)", () => {
    const ordered = { ...client({ allowedOauthScopes: ["gallery/read"] }), propertyDependencies: { userPoolId: [gallery().urn] } };
    expect(findings([gallery(), ordered])).toEqual([]);
  });

  it("accepts the order through another resource that depends on the server", () => {
    const between = handBuilt("aws:cognito/userPoolDomain:UserPoolDomain", "domain", { domain: "gallery-login", userPoolId: "us-east-1_AbCdEfGhI" }, { dependencies: [gallery().urn] });
    expect(findings([gallery(), between, client({ allowedOauthScopes: ["gallery/read"] }, [between.urn])])).toEqual([]);
  });

  it("leaves a scope of a server outside the plan, or of a server on another pool, to Cognito", () => {
    const elsewhere = { ...gallery(), inputs: { ...gallery().inputs, userPoolId: "us-east-1_Other" } };
    expect(findings([elsewhere, client({ allowedOauthScopes: ["gallery/write", "https://api.example.com/read"] })])).toEqual([]);
  });

  it("takes a URL identifier up to the last slash", () => {
    const api = handBuilt("aws:cognito/resourceServer:ResourceServer", "api", { userPoolId: "us-east-1_AbCdEfGhI", identifier: "https://api.example.com", scopes: [{ scopeName: "read", scopeDescription: "Read" }] });
    expect(findings([api, client({ allowedOauthScopes: ["https://api.example.com/read"] }, [api.urn])])).toEqual([]);
    expect(findings([api, client({ allowedOauthScopes: ["https://api.example.com/write"] }, [api.urn])])).toEqual([expect.stringMatching(/defines no scope "write"/)]);
  });

  it("is silent on UserAuth's client, which creates its resource servers first", async () => {
    const graph = await record(() => {
      new UserAuth("auth", {
        threatProtection: "OFF",
        callbackUrls: ["https://gallery.example.com"],
        oauthScopes: ["openid", "gallery/read", "https://api.example.com/write"],
        resourceServers: [
          { identifier: "gallery", name: "Gallery API", scopes: [{ name: "read", description: "Read the gallery" }] },
          { identifier: "https://api.example.com", name: "API", scopes: [{ name: "write", description: "Write" }] },
        ],
      });
    });
    expect(graph.filter((r) => r.type === "aws:cognito/resourceServer:ResourceServer")).toHaveLength(2);
    expect(findings(graph)).toEqual([]);
    // The same client without its dependsOn on the servers is what the rule is for.
    const unordered = graph.map((r) => (r.type === CLIENT ? { ...r, dependencies: [], propertyDependencies: {} } : r));
    expect(findings(unordered)).toHaveLength(2);
  });
});

describe("CognitoClientCredentialsFlow", () => {
  it("accepts a machine-to-machine client: client_credentials alone, with a secret", () => {
    expect(findings([gallery(), client({ allowedOauthFlows: ["client_credentials"], generateSecret: true, allowedOauthScopes: ["gallery/read"] }, [gallery().urn])])).toEqual([]);
  });

  it("refuses client_credentials beside implicit, and without a secret", () => {
    expect(findings([client({ allowedOauthFlows: ["client_credentials", "implicit"], generateSecret: true })])).toEqual([expect.stringMatching(/together with implicit/)]);
    expect(findings([client({ allowedOauthFlows: ["client_credentials"], generateSecret: false })])).toEqual([expect.stringMatching(/without a client secret/)]);
  });
});
