/** The Lambda authorizer verifies JWTs with aws-jwt-verify against the issuer's JWKS (here a test issuer, as cognito-local would be). */
import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestIssuer, type TestIssuer } from "../harness/test-issuer";

let issuer: TestIssuer;
let authorizer: typeof import("../../handlers/api/authorizer.js");
const methodArn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/api/albums";

beforeAll(async () => {
  issuer = await startTestIssuer();
  Object.assign(process.env, { JWT_ISSUER: issuer.issuer("pool1"), USER_POOL_CLIENT_ID: "client1", POWERTOOLS_LOG_LEVEL: "ERROR" });
  authorizer = await import("../../handlers/api/authorizer.js");
});
afterAll(() => issuer?.stop());

const tokenEvent = (token: string): APIGatewayTokenAuthorizerEvent => ({ type: "TOKEN", authorizationToken: token, methodArn });

describe("Lambda authorizer", () => {
  it("allows a valid id token for the whole stage and passes the claims on", async () => {
    const result = await authorizer.handler(tokenEvent(`Bearer ${issuer.token({ sub: "u1", poolId: "pool1", clientId: "client1", email: "u1@example.com" })}`));
    expect(result.principalId).toBe("u1");
    expect(result.policyDocument.Statement).toEqual([{ Action: "execute-api:Invoke", Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*" }]);
    expect(result.context).toEqual({ sub: "u1", email: "u1@example.com", groups: "" });
  });

  it("reads the Authorization header of REQUEST events", async () => {
    const event = { type: "REQUEST", methodArn, headers: { authorization: `Bearer ${issuer.token({ sub: "u2", poolId: "pool1", clientId: "client1" })}` } } as unknown as APIGatewayRequestAuthorizerEvent;
    expect((await authorizer.handler(event)).principalId).toBe("u2");
  });

  it.each([
    ["no token", ""],
    ["garbage", "Bearer not-a-jwt"],
    ["another client's token", `Bearer ${"x"}`],
  ])("refuses %s with Unauthorized (API Gateway answers 401)", async (_, header) => {
    const token = header === "Bearer x" ? `Bearer ${issuer.token({ sub: "u3", poolId: "pool1", clientId: "other-client" })}` : header;
    await expect(authorizer.handler(tokenEvent(token))).rejects.toThrow("Unauthorized");
  });

  it("refuses expired tokens, another issuer's tokens and access tokens where id tokens are expected", async () => {
    await expect(authorizer.handler(tokenEvent(issuer.token({ sub: "u", poolId: "pool1", clientId: "client1", expiresIn: -60 })))).rejects.toThrow("Unauthorized");
    await expect(authorizer.handler(tokenEvent(issuer.token({ sub: "u", poolId: "pool2", clientId: "client1" })))).rejects.toThrow("Unauthorized");
    await expect(authorizer.handler(tokenEvent(issuer.token({ sub: "u", poolId: "pool1", clientId: "client1", tokenUse: "access" })))).rejects.toThrow("Unauthorized");
  });

  it("denies (API Gateway answers 403) a valid user outside REQUIRED_GROUP", async () => {
    process.env.REQUIRED_GROUP = "admins";
    try {
      const denied = await authorizer.handler(tokenEvent(issuer.token({ sub: "u4", poolId: "pool1", clientId: "client1", groups: ["users"] })));
      expect(denied.policyDocument.Statement[0]).toMatchObject({ Effect: "Deny" });
      const allowed = await authorizer.handler(tokenEvent(issuer.token({ sub: "u5", poolId: "pool1", clientId: "client1", groups: ["admins"] })));
      expect(allowed.policyDocument.Statement[0]).toMatchObject({ Effect: "Allow" });
      expect(allowed.context).toMatchObject({ groups: "admins" });
    } finally {
      delete process.env.REQUIRED_GROUP;
    }
  });
});
