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
  /**
   * App client id(s) whose tokens are accepted. `null` accepts any client of the pool (the
   * issuer still pins the pool): for code that cannot know the client when it is built, such
   * as Lambda@Edge on a site whose client's callback URL is the distribution's own domain.
   */
  clientId: string | string[] | null;
  /** Which token the caller presents. */
  tokenUse: "id" | "access";
  /**
   * The issuer's key set, known ahead (e.g. `bakedJwks()`): cached so the first token verifies
   * without fetching it. A token whose `kid` it lacks (a rotated key) still fetches the current set.
   * @default none: fetched on first use
   */
  jwks?: Jwks;
}

export type Jwks = Parameters<ReturnType<typeof JwtVerifier.create>["cacheJwks"]>[0];

/**
 * The issuer's JWKS baked into the bundle at deploy time (esbuild `define`; UserAuth's
 * `authorizerFunction()` sets it from the pool's `jwks`, components/user-auth/jwks.ts): a JS string
 * of the JWKS JSON. Most of a Lambda authorizer's cold start is fetching the keys over HTTPS
 * (bench/cold-start.bench.ts, issue 15). `null` where the value is not known when bundling (a
 * plan, `npm start`), and undeclared wherever nothing defines it (tests, other bundles).
 */
declare const __AUTHORIZER_JWKS__: string | null | undefined;

/** The baked key set, or undefined (fetch on first use) when there is none or it is not a key set. */
export function bakedJwks(): Jwks | undefined {
  if (typeof __AUTHORIZER_JWKS__ !== "string") return undefined;
  try {
    const jwks = JSON.parse(__AUTHORIZER_JWKS__) as Jwks;
    if (Array.isArray(jwks?.keys)) return jwks;
  } catch {
    /* reported below */
  }
  console.warn("the baked JWKS (__AUTHORIZER_JWKS__) is not a key set: fetching it instead");
  return undefined;
}

export type CognitoClaims = JwtPayload & { sub: string; token_use: "id" | "access"; "cognito:groups"?: string[]; email?: string };

export function cognitoIssuer(userPoolId: string): string {
  // The pool's region, which its id starts with ("us-east-1_AbCdEf123"), not the function's: RegionalApis runs the
  // authorizer in every region against the home region's pool, whose tokens name the home region in `iss`.
  const region = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/.exec(userPoolId)?.[1];
  if (!region) throw new Error(`USER_POOL_ID ${userPoolId.slice(0, 60)} is not a Cognito user pool id (<region>_<id>)`);
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
  const clientIds = config.clientId === null ? null : Array.isArray(config.clientId) ? config.clientId : [config.clientId];
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
      if (config.tokenUse === "access" && clientIds && !clientIds.includes(String(payload.client_id))) {
        throw new CognitoJwtInvalidClientIdError("client_id not allowed", payload.client_id, clientIds);
      }
    },
  }, loopbackJwksCache(jwksUri));
  if (config.jwks) verifier.cacheJwks(config.jwks);
  return {
    /** Resolves with the token's claims, or rejects with aws-jwt-verify's error saying why the token is refused. */
    verify: (token: string) => verifier.verify(token) as Promise<CognitoClaims>,
    /** Loads the JWKS ahead of the first request (saves a round trip on a cold start). */
    hydrate: () => verifier.hydrate(),
    /** Caches a JWKS fetched elsewhere (e.g. baked into a Lambda@Edge bundle). */
    cacheJwks: (jwks: Jwks) => verifier.cacheJwks(jwks),
  };
}

/** `Authorization: Bearer <jwt>` (or a bare token) → the token, or undefined. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : /^\S+\.\S+\.\S+$/.test(header.trim()) ? header.trim() : undefined;
}
