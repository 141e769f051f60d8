/**
 * Lambda@Edge, viewer-request, on protected paths (the reference app: `/account/*`):
 * user authentication and authorization at the edge. The viewer must
 * present a Cognito id token in a cookie; it is verified with aws-jwt-verify
 * (signature against the pool's JWKS, issuer, expiry, audience = the app client,
 * token_use = id). Browsers without a valid token are redirected to sign in; other
 * clients get 401. Lambda@Edge has no environment variables, so the configuration is
 * baked into the bundle at build time (EdgeLogic's `define`: `__EDGE_AUTH_CONFIG__`).
 */
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResultResponse } from "aws-lambda";
import { createTokenVerifier } from "../shared/jwt";

export interface EdgeAuthConfig {
  /** The user pool's issuer, `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  issuer: string;
  /**
   * App client id(s) whose id tokens are accepted (the token's `aud`); `null` accepts any client
   * of the pool — for sites whose client cannot be known when the function is built.
   */
  clientId: string | string[] | null;
  /** @default `${issuer}/.well-known/jwks.json` */
  jwksUri?: string;
  /** Cookie that holds the id token. */
  cookie: string;
  /** Where browsers without a valid token go; `?next=<path>` is appended. */
  signInPath: string;
}

declare const __EDGE_AUTH_CONFIG__: EdgeAuthConfig;

type Verifier = Pick<ReturnType<typeof createTokenVerifier>, "verify">;

export function createAuthHandler(config: EdgeAuthConfig, verifier: Verifier = createTokenVerifier({ ...config, tokenUse: "id" })) {
  return async (event: CloudFrontRequestEvent): Promise<CloudFrontRequestResult> => {
    const request = event.Records[0].cf.request;
    const token = cookieValue(request.headers, config.cookie);
    if (!token) return deny(request, config, "no token");
    try {
      await verifier.verify(token);
    } catch (error) {
      return deny(request, config, (error as Error).message);
    }
    // Folder URLs of protected pages map to their index document, as the site's own rewrite does elsewhere.
    if (request.uri.endsWith("/")) request.uri += "index.html";
    return request;
  };
}

let baked: ReturnType<typeof createAuthHandler> | undefined;

/** The deployed handler, configured at build time. */
export const handler = (event: CloudFrontRequestEvent) => {
  baked ??= createAuthHandler(withLocalPool(__EDGE_AUTH_CONFIG__, process.env));
  return baked(event);
};

/**
 * `npm start` only: the local user pool (cognito-local, same pool and client ids as the
 * program reports) signs tokens under its own issuer, which the local auth service publishes
 * to every local function as COGNITO_ISSUER with USER_POOL_ID. When that is the baked pool,
 * its local issuer replaces the AWS one. Lambda@Edge cannot have environment variables, so in
 * AWS this never applies and the baked configuration is what runs.
 */
export function withLocalPool(config: EdgeAuthConfig, env: Record<string, string | undefined>): EdgeAuthConfig {
  if (!env.COGNITO_ISSUER || !env.USER_POOL_ID || !config.issuer.endsWith(`/${env.USER_POOL_ID}`)) return config;
  return { ...config, issuer: env.COGNITO_ISSUER, jwksUri: undefined };
}

/** The cookie's value, percent-decoded; undefined when absent or not decodable (a malformed cookie is no token, not an error). */
export function cookieValue(headers: CloudFrontHeaders, name: string): string | undefined {
  for (const header of headers.cookie ?? []) {
    for (const part of header.value.split(";")) {
      const at = part.indexOf("=");
      if (at > 0 && part.slice(0, at).trim() === name) {
        try {
          return decodeURIComponent(part.slice(at + 1).trim()) || undefined;
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

function deny(request: CloudFrontRequest, config: EdgeAuthConfig, reason: string): CloudFrontResultResponse {
  console.log(JSON.stringify({ level: "INFO", message: "refused", uri: request.uri, reason }));
  const noStore = { "cache-control": [{ key: "Cache-Control", value: "no-store" }] };
  const wantsPage = (request.headers.accept ?? []).some((h) => h.value.includes("text/html"));
  if (wantsPage) {
    const next = request.uri + (request.querystring ? `?${request.querystring}` : "");
    return {
      status: "302",
      statusDescription: "Found",
      headers: { ...noStore, location: [{ key: "Location", value: `${config.signInPath}?next=${encodeURIComponent(next)}` }] },
    };
  }
  return {
    status: "401",
    statusDescription: "Unauthorized",
    headers: {
      ...noStore,
      "content-type": [{ key: "Content-Type", value: "application/json" }],
      "www-authenticate": [{ key: "WWW-Authenticate", value: 'Bearer error="invalid_token"' }],
    },
    body: JSON.stringify({ message: "Unauthorized" }),
  };
}
