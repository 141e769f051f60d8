/**
 * A Lambda authorizer built from UserAuth's `authorizerFunction()` carries the pool's JWKS in its
 * bundle (`__AUTHORIZER_JWKS__`), so its cold start verifies without fetching the keys (issue 15).
 * The mocks here answer the pool's UserPoolJwks as `pulumi up` would once the provider read the
 * keys: derived from the pool's own URL, so the test sees which pool's keys reached the code.
 * (Preview: serverless-api-authorizer-jwks-preview.test.ts.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ServerlessApi } from "../../components/serverless-api";
import { UserAuth } from "../../components/user-auth";
import { canonicalJwks } from "../../components/user-auth/jwks-provider";
import { record, resource, useMocks, type RecordedResource } from "../harness/mocks";

const JWKS_TYPE = "pulumi-nodejs:dynamic/serverless-fullstack:UserPoolJwks";
/** The key set `pulumi up` would read from a pool's URL: its kid names the pool. */
const keysOf = (jwksUrl: string) => canonicalJwks(JSON.stringify({ keys: [{ kty: "RSA", kid: `kid-of-${jwksUrl.split("/")[3]}`, alg: "RS256", use: "sig", e: "AQAB", n: "bW9kdWx1cw" }] }));

let graph: RecordedResource[];
beforeAll(async () => {
  await useMocks();
  // Pulumi's mock monitor keeps the mocks it was given; answer the JWKS resource as its provider would on `pulumi up`.
  const monitor = (require("@pulumi/pulumi/runtime/settings") as { getMonitor(): { mocks: { newResource(args: any): any } } }).getMonitor();
  const newResource = monitor.mocks.newResource.bind(monitor.mocks);
  monitor.mocks.newResource = (args: any) => {
    const answer = newResource(args);
    return args.type === JWKS_TYPE ? { ...answer, state: { ...answer.state, jwks: keysOf(args.inputs.jwksUrl) } } : answer;
  };
  graph = await record(() => {
    const auth = new UserAuth("auth", { callbackUrls: ["https://gallery.example.com/"] });
    return new ServerlessApi("api", {
      basePath: "api",
      authorizers: { jwt: { type: "token", handler: "handlers/api/authorizer.ts", function: auth.authorizerFunction() } },
      defaultAuth: { authorizer: "jwt" },
      routes: { "GET /health": { handler: "handlers/api/health.ts", auth: "none" } },
      accountCloudWatchRole: true,
    });
  });
});

const codeOf = async (name: string): Promise<string> => (await resource(graph, "aws:lambda/function:Function", name).inputs.code.assets)["index.mjs"].text;

describe("ServerlessApi Lambda authorizer with UserAuth's authorizerFunction()", () => {
  it("bakes the user pool's JWKS into the authorizer's bundle, and waits for it", async () => {
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "auth-pool");
    const jwks = resource(graph, JWKS_TYPE, "auth-jwks");
    const code = await codeOf("api-auth-jwt-function");
    // The pool's key set, as the string literal the handler parses (handlers/shared/jwt.ts bakedJwks).
    const baked = keysOf(`https://cognito-idp.us-east-1.amazonaws.com/${pool.id}/.well-known/jwks.json`);
    expect(baked).toContain(`"kid":"kid-of-${pool.id}"`);
    expect(code.includes(`JSON.parse('${baked}')`), "the bundle parses the pool's JWKS").toBe(true);
    expect(resource(graph, "aws:lambda/function:Function", "api-auth-jwt-function").dependencies).toContain(jwks.urn);
    expect(resource(graph, "aws:lambda/function:Function", "api-auth-jwt-function").inputs.environment.variables).toMatchObject({ USER_POOL_ID: pool.id, USER_POOL_CLIENT_ID: resource(graph, "aws:cognito/userPoolClient:UserPoolClient", "auth-client").id });
  });

  it("leaves the other functions alone", async () => {
    expect((await codeOf("api-get-health-function")).includes("kid-of-")).toBe(false);
    expect(resource(graph, "aws:lambda/function:Function", "api-get-health-function").dependencies).not.toContain(resource(graph, JWKS_TYPE, "auth-jwks").urn);
  });
});
