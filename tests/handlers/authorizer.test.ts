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

describe("Lambda authorizer with the JWKS baked into its bundle (issue 15)", () => {
  /** Builds the bundle as LambdaFunction does, with `define`, and runs one cold invocation in a fresh node process. */
  async function coldInvoke(define: Record<string, string>, token: string, entry = "handlers/api/authorizer.ts", event: unknown = tokenEvent(`Bearer ${token}`)): Promise<string> {
    const { execFile } = await import("node:child_process");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { bundleEntry } = await import("../../components/lambda/bundle.js");
    const dir = mkdtempSync(join(tmpdir(), "sf-authorizer-"));
    writeFileSync(join(dir, "index.mjs"), bundleEntry(entry, { define }).code);
    const runner = `const { handler } = await import(${JSON.stringify(join(dir, "index.mjs"))}); const r = await handler(JSON.parse(process.env.EVENT)); console.log(r.policyDocument.Statement[0].Effect);`;
    const env = { PATH: process.env.PATH, JWT_ISSUER: issuer.issuer("pool1"), COGNITO_ISSUER: issuer.issuer("pool1"), USER_POOL_CLIENT_ID: "client1", POWERTOOLS_LOG_LEVEL: "ERROR", EVENT: JSON.stringify(event) };
    return new Promise((resolve, reject) =>
      execFile(process.execPath, ["--input-type=module", "-e", runner], { env, timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()))),
    );
  }

  it("verifies a cold start's token without fetching the JWKS, and fetches it for a kid the baked one lacks (a rotated key)", async () => {
    const token = issuer.token({ sub: "u6", poolId: "pool1", clientId: "client1" });
    const before = issuer.jwksRequests();
    expect(await coldInvoke({ __AUTHORIZER_JWKS__: JSON.stringify(JSON.stringify(issuer.jwks)) }, token)).toBe("Allow");
    expect(issuer.jwksRequests()).toBe(before);
    const rotated = { keys: issuer.jwks.keys.map((key) => ({ ...key, kid: "retired-key" })) };
    expect(await coldInvoke({ __AUTHORIZER_JWKS__: JSON.stringify(JSON.stringify(rotated)) }, token)).toBe("Allow");
    expect(issuer.jwksRequests()).toBe(before + 1);
    // Without a baked JWKS (or with the plan-time null) it is fetched, as before.
    expect(await coldInvoke({ __AUTHORIZER_JWKS__: "null" }, token)).toBe("Allow");
    expect(issuer.jwksRequests()).toBe(before + 2);
  });

  it("does the same for the realtime $connect authorizer (the same baked define, handlers/shared/jwt.ts)", async () => {
    const token = issuer.token({ sub: "u7", poolId: "pool1", clientId: "client1" });
    const connect = { type: "REQUEST", methodArn: "arn:aws:execute-api:us-east-1:123456789012:ws1/prod/$connect", queryStringParameters: { token } };
    const before = issuer.jwksRequests();
    // (The realtime authorizer reads the issuer from COGNITO_ISSUER, npm start's variable, as coldInvoke sets it.)
    expect(await coldInvoke({ __AUTHORIZER_JWKS__: JSON.stringify(JSON.stringify(issuer.jwks)) }, token, "handlers/realtime/authorizer.ts", connect)).toBe("Allow");
    expect(issuer.jwksRequests()).toBe(before);
    expect(await coldInvoke({ __AUTHORIZER_JWKS__: "null" }, token, "handlers/realtime/authorizer.ts", connect)).toBe("Allow");
    expect(issuer.jwksRequests()).toBe(before + 1);
  });
});

describe("the Cognito issuer the authorizers expect", () => {
  it("is the pool's region's, from its id, not the function's: a second region's authorizer checks the home pool's tokens", async () => {
    const { cognitoIssuer } = await import("../../handlers/shared/jwt.js");
    const region = process.env.AWS_REGION;
    process.env.AWS_REGION = "us-west-2";
    try {
      expect(cognitoIssuer("us-east-1_AbCdEf123")).toBe("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123");
      expect(cognitoIssuer("ap-southeast-2_x1")).toBe("https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_x1");
      expect(() => cognitoIssuer("pool1")).toThrow(/is not a Cognito user pool id/);
    } finally {
      if (region === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = region;
    }
  });
});
