/**
 * Verifies Cognito user-pool JWTs with aws-jwt-verify, for every place that checks a
 * token: the API's Lambda authorizer, the Lambda@Edge auth check and local tests.
 *
 * We use aws-jwt-verify's generic JwtVerifier (not CognitoJwtVerifier) with Cognito's
 * own checks — token_use, and client_id or aud — because CognitoJwtVerifier derives
 * the issuer from the pool id and so cannot accept cognito-local's issuer. The same
 * code then verifies tokens from AWS and from the local emulator.
 */
import { JwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { CognitoJwtInvalidClientIdError, CognitoJwtInvalidTokenUseError } from "aws-jwt-verify/error";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";

export interface TokenVerifierConfig {
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` in AWS; cognito-local's URL locally. */
  issuer: string;
  /** @default `${issuer}/.well-known/jwks.json` */
  jwksUri?: string;
  /** App client id(s) whose tokens are accepted. */
  clientId: string | string[];
  /** Which token the caller presents. */
  tokenUse: "id" | "access";
}

export type CognitoClaims = JwtPayload & { sub: string; token_use: "id" | "access"; "cognito:groups"?: string[]; email?: string };

export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

/** cognito-local (npm start) serves its JWKS over plain http on the loopback interface. */
const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;

/**
 * aws-jwt-verify fetches JWKS over https only. For a loopback http JWKS (the local emulator;
 * never an AWS issuer) fetch it with the platform's fetch instead; everything else is unchanged.
 */
function loopbackJwksCache(jwksUri: string) {
  if (!LOOPBACK_HTTP.test(jwksUri)) return undefined;
  return {
    jwksCache: new SimpleJwksCache({
      fetcher: {
        fetch: async (uri: string) => {
          const response = await fetch(uri);
          if (!response.ok) throw new Error(`JWKS ${uri} answered ${response.status}`);
          return response.arrayBuffer();
        },
      },
    }),
  };
}

export function createTokenVerifier(config: TokenVerifierConfig) {
  const clientIds = Array.isArray(config.clientId) ? config.clientId : [config.clientId];
  const jwksUri = config.jwksUri ?? `${config.issuer}/.well-known/jwks.json`;
  const verifier = JwtVerifier.create({
    issuer: config.issuer,
    jwksUri,
    // Cognito id tokens carry the client in `aud`; access tokens carry it in `client_id` and have no `aud`.
    audience: config.tokenUse === "id" ? clientIds : null,
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== config.tokenUse) {
        throw new CognitoJwtInvalidTokenUseError(`token_use is ${String(payload.token_use)}, expected ${config.tokenUse}`, payload.token_use, config.tokenUse);
      }
      if (config.tokenUse === "access" && !clientIds.includes(String(payload.client_id))) {
        throw new CognitoJwtInvalidClientIdError("client_id not allowed", payload.client_id, clientIds);
      }
    },
  }, loopbackJwksCache(jwksUri));
  return {
    /** Resolves with the token's claims, or rejects with aws-jwt-verify's error saying why the token is refused. */
    verify: (token: string) => verifier.verify(token) as Promise<CognitoClaims>,
    /** Loads the JWKS ahead of the first request (saves a round trip on a cold start). */
    hydrate: () => verifier.hydrate(),
    /** Caches a JWKS fetched elsewhere (e.g. baked into a Lambda@Edge bundle). */
    cacheJwks: (jwks: Parameters<typeof verifier.cacheJwks>[0]) => verifier.cacheJwks(jwks),
  };
}

/** `Authorization: Bearer <jwt>` (or a bare token) → the token, or undefined. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : /^\S+\.\S+\.\S+$/.test(header.trim()) ? header.trim() : undefined;
}
