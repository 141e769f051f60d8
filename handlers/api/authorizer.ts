/**
 * Lambda authorizer (TOKEN or REQUEST) for ServerlessApi routes: verifies the bearer
 * JWT with aws-jwt-verify (handlers/shared/jwt.ts), so it accepts Cognito tokens from
 * AWS or cognito-local, and any OIDC provider's when JWT_ISSUER points elsewhere.
 *
 * - no or invalid token: throws "Unauthorized" — API Gateway answers 401;
 * - valid token but not in REQUIRED_GROUP (when set): a Deny policy — API Gateway answers 403;
 * - otherwise an Allow policy for the whole stage (safe to cache per token), with the
 *   claims the handlers need (`sub`, `email`, `groups`) in the authorizer context.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { bakedJwks, bearerToken, cognitoIssuer, createTokenVerifier } from "../shared/jwt";

const logger = new Logger();

type Verifier = ReturnType<typeof createTokenVerifier>;
let verifier: Verifier | undefined;

/**
 * Created once per sandbox. The JWKS is the one baked into the bundle at deploy time (`bakedJwks`,
 * UserAuth's `authorizerFunction()`), so a cold start does not fetch it; without one (a plan,
 * `npm start`) it is fetched on first use. Either way it is cached for later invocations, and a
 * token signed with a key it lacks (a rotated key) fetches the issuer's current set.
 */
function tokenVerifier(): Verifier {
  if (!verifier) {
    // JWT_ISSUER: any OIDC provider; COGNITO_ISSUER: set by `npm start` for cognito-local; else the pool's AWS issuer.
    const issuer = process.env.JWT_ISSUER || process.env.COGNITO_ISSUER || cognitoIssuer(required("USER_POOL_ID"));
    verifier = createTokenVerifier({
      issuer,
      jwksUri: process.env.JWKS_URI || undefined,
      clientId: required("USER_POOL_CLIENT_ID").split(","),
      tokenUse: process.env.JWT_TOKEN_USE === "access" ? "access" : "id",
      jwks: bakedJwks(),
    });
  }
  return verifier;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Allow/Deny for every method of the stage the request came to, so a cached decision fits all routes. */
export function stageWildcard(methodArn: string): string {
  // arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<method>/<path>
  const [apiArn, stage] = methodArn.split("/");
  return `${apiArn}/${stage}/*/*`;
}

function policy(principalId: string, effect: "Allow" | "Deny", methodArn: string, context: Record<string, string>): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: stageWildcard(methodArn) }] },
    context,
  };
}

function tokenOf(event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent): string | undefined {
  if (event.type === "TOKEN") return bearerToken(event.authorizationToken);
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === "authorization");
  return bearerToken(key ? headers[key] : undefined);
}

export async function handler(event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = tokenOf(event);
  if (!token) throw new Error("Unauthorized");
  // A configuration error is ours (API Gateway answers 500), not the caller's: outside the try.
  const verify = tokenVerifier();
  let claims: Awaited<ReturnType<Verifier["verify"]>>;
  try {
    claims = await verify.verify(token);
  } catch (error) {
    logger.info("token refused", { reason: (error as Error).message });
    throw new Error("Unauthorized");
  }
  const groups = claims["cognito:groups"] ?? [];
  const context = { sub: claims.sub, email: String(claims.email ?? ""), groups: groups.join(",") };
  const requiredGroup = process.env.REQUIRED_GROUP;
  if (requiredGroup && !groups.includes(requiredGroup)) {
    logger.info("not in required group", { sub: claims.sub, requiredGroup });
    return policy(claims.sub, "Deny", event.methodArn, context);
  }
  return policy(claims.sub, "Allow", event.methodArn, context);
}
