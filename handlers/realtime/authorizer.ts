/**
 * The gallery WebSocket API's $connect authorizer (Lambda REQUEST): browsers cannot send an
 * Authorization header on the WebSocket upgrade, so the page passes its UserAuth id token as
 * `?token=`; this verifies it with aws-jwt-verify (handlers/shared/jwt.ts — Cognito in AWS,
 * cognito-local under `npm start`) and allows exactly this connection's `$connect`.
 *
 * - no or invalid token: throws "Unauthorized" — API Gateway refuses the upgrade with 401;
 * - valid: Allow on the method ARN, with the user's `sub` as principal and in the context, which
 *   the $connect handler records with the connection.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from "aws-lambda";
import { bakedJwks, cognitoIssuer, createTokenVerifier } from "../shared/jwt";

const logger = new Logger();
let verifier: ReturnType<typeof createTokenVerifier> | undefined;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Once per sandbox, with the pool's keys baked into the bundle when deployed (UserAuth's `authorizerFunction()`; see the API authorizer). */
function tokenVerifier() {
  // COGNITO_ISSUER: set by `npm start` for cognito-local; else the pool's AWS issuer.
  verifier ??= createTokenVerifier({
    issuer: process.env.COGNITO_ISSUER || cognitoIssuer(required("USER_POOL_ID")),
    clientId: required("USER_POOL_CLIENT_ID").split(","),
    tokenUse: "id",
    jwks: bakedJwks(),
  });
  return verifier;
}

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = event.queryStringParameters?.token;
  if (!token) throw new Error("Unauthorized");
  const verify = tokenVerifier();
  let sub: string;
  try {
    sub = (await verify.verify(token)).sub;
  } catch (error) {
    logger.info("token refused", { reason: (error as Error).message });
    throw new Error("Unauthorized");
  }
  return {
    principalId: sub,
    // This connection's $connect only (a WebSocket authorizer runs on nothing else).
    policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] },
    context: { sub },
  };
}
