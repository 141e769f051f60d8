/**
 * The local identity pool refuses a Logins token in Cognito's words: the pool's verifier says why (aws-jwt-verify's
 * errors), the emulator answers NotAuthorizedException as GetId and GetCredentialsForIdentity do.
 */
import { CognitoIdentityClient, GetIdCommand } from "@aws-sdk/client-cognito-identity";
import { JwtExpiredError, JwtInvalidAudienceError, JwtInvalidIssuerError, JwtInvalidSignatureError } from "aws-jwt-verify/error";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityPoolEmulator, type IdentityPoolEmulator } from "../../local/identity-pool-emulator";

const identityPoolId = "us-east-1:00000000-0000-0000-0000-000000000001";
const providerName = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Login1";
// The "token" names the refusal the fake verifier throws, so each case is one request.
const refusals: Record<string, () => Error> = {
  issuer: () => new JwtInvalidIssuerError("Issuer not allowed: x", "https://elsewhere", "https://here"),
  audience: () => new JwtInvalidAudienceError("Audience not allowed: other", "other-client", ["this-client"]),
  access: () => new JwtInvalidAudienceError("Missing Token audience", undefined, ["this-client"]),
  expired: () => new JwtExpiredError("Token expired at 1000", 1000),
  signature: () => new JwtInvalidSignatureError("Invalid signature"),
};
let emulator: IdentityPoolEmulator;
let client: CognitoIdentityClient;

beforeAll(async () => {
  emulator = await startIdentityPoolEmulator({
    pools: [
      {
        identityPoolId,
        region: "us-east-1",
        providerName,
        allowUnauthenticated: false,
        verifyIdToken: async (token) => {
          throw refusals[token]();
        },
        grants: [],
      },
    ],
    dynamodbEndpoint: () => undefined,
  });
  client = new CognitoIdentityClient({ endpoint: emulator.url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
});
afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

const refusal = (token: string) =>
  client.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [providerName]: token } })).then(
    () => undefined,
    (error: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => ({ name: error.name, message: error.message, status: error.$metadata?.httpStatusCode }),
  );

describe("GetId refuses a bad Logins token in Cognito's words", () => {
  it("another user pool's token: 'Issuer doesn't match providerName'", async () => {
    expect(await refusal("issuer")).toEqual({ name: "NotAuthorizedException", message: "Invalid login token. Issuer doesn't match providerName", status: 400 });
  });

  it("another app client's token: 'Token is not from a supported provider of this identity pool.'", async () => {
    expect(await refusal("audience")).toEqual({ name: "NotAuthorizedException", message: "Token is not from a supported provider of this identity pool.", status: 400 });
  });

  it("an access token (no aud): 'Missing a required claim: aud'", async () => {
    expect(await refusal("access")).toEqual({ name: "NotAuthorizedException", message: "Invalid login token. Missing a required claim: aud", status: 400 });
  });

  it("an expired token: 'Token expired: <exp> >= <now>'", async () => {
    expect(await refusal("expired")).toMatchObject({ name: "NotAuthorizedException", message: expect.stringMatching(/^Invalid login token\. Token expired: 1000 >= \d+$/), status: 400 });
  });

  it("any other refusal keeps the verifier's reason", async () => {
    expect(await refusal("signature")).toEqual({ name: "NotAuthorizedException", message: "Invalid login token. Invalid signature", status: 400 });
  });
});
