// Sign-in for the gallery, chosen by GET /api/config's `auth.mode`:
//  - "hosted-ui" (AWS): Cognito's hosted UI with the authorization code flow and PKCE;
//  - "password" (npm start): cognito-local has no hosted UI, so the page calls InitiateAuth
//    (USER_PASSWORD_AUTH) on the endpoint the config names.
// Tokens live in memory and sessionStorage (gone when the tab closes); the refresh token is not kept.
// The id token also goes into the cookie the edge auth check reads (config `auth.cookie`: its name and
// the paths it guards, e.g. /account/), scoped to those paths, Secure, SameSite=Lax, and expiring with
// the id token (its own lifetime, `exp - iat`, see idTokenExpiresAt), so signed-in pages load; signing out clears it. Browsers accept Secure cookies from
// http://localhost too (a secure context), so `npm start` works the same way.

import type { AuthConfig, GalleryConfig } from "./types";

const TOKENS_KEY = "gallery.tokens";
const PKCE_KEY = "gallery.pkce";

export class AuthError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

interface Tokens {
  idToken: string;
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** The claims the page reads; others are ignored. */
interface Claims {
  email?: string;
  "cognito:username"?: string;
  sub?: string;
  /** Expiry, seconds since the epoch (RFC 7519 §4.1.4). */
  exp?: number;
  /** Issued at, seconds since the epoch on the issuer's clock (RFC 7519 §4.1.6). */
  iat?: number;
}

function base64url(bytes: ArrayBuffer | Uint8Array): string {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(size = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

/** The claims of a JWT (not verified: the API verifies; the page only shows who is signed in). */
export function claimsOf(token: string): Claims {
  try {
    const payload = atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(payload, (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

/**
 * When the session (and the edge cookie carrying the id token) ends, in epoch milliseconds on this browser's clock: the id
 * token's own lifetime (`exp - iat`) counted from `now`. Cognito's ExpiresIn / expires_in is the access token's lifetime,
 * and an app client sets the id and access token validities apart ("You can set the ID token expiration to any value
 * between 5 minutes and 1 day. You can set this value per app client",
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html;
 * UserAuth's tokenValidity.idTokenMinutes / accessTokenMinutes). The page only ever sends the id token, so the session
 * lasts as long as it does. `exp` and `iat` are on Cognito's clock: `exp` alone, compared with Date.now(), would end the
 * session an hour early (or at once) on a browser clock an hour fast and keep an expired token on a slow one (the failure
 * reported in okta/okta-auth-js PR #472, https://github.com/okta/okta-auth-js/pull/472); their difference is immune to the
 * skew. An ID token always carries both ("iat REQUIRED", OpenID Connect Core 1.0 §2,
 * https://openid.net/specs/openid-connect-core-1_0.html#IDToken); `expiresInSeconds`, relative too, counts only for a
 * token without a numeric `exp` or `iat`.
 */
export function idTokenExpiresAt(idToken: string, expiresInSeconds: number, now: number): number {
  const { exp, iat } = claimsOf(idToken);
  const numeric = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
  return now + (numeric(exp) && numeric(iat) ? exp - iat : expiresInSeconds) * 1000;
}

/**
 * `next` (from ?next=, where the edge sent the browser to sign in) when it is a path on `origin`, else
 * undefined: never another origin, so ?next= is no open redirect.
 */
export function sameOriginPath(next: string | null | undefined, origin: string): string | undefined {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return undefined;
  try {
    const url = new URL(next, origin);
    return url.origin === origin ? url.pathname + url.search + url.hash : undefined;
  } catch {
    return undefined;
  }
}

/** Cognito's InitiateAuth answer (JSON 1.1), as far as the page reads it. */
interface InitiateAuthResult {
  AuthenticationResult?: { IdToken: string; AccessToken: string; ExpiresIn?: number };
  ChallengeName?: string;
}

/** The hosted UI's /oauth2/token answer. */
interface TokenResult {
  id_token?: string;
  access_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

function redirectUri(): string {
  return `${location.origin}/`;
}

/**
 * Cognito's message as the page shows it. Cognito locks a user out for a while after five failed password sign-ins
 * (up to about 15 minutes, refusing even the right password) and says only "Password attempts exceeded"
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/authentication.html#authentication-flow-lockout-behavior):
 * the page says what to do.
 */
export function readableCognitoMessage(code: string | undefined, message: string | undefined): string | undefined {
  if (code === "NotAuthorizedException" && message === "Password attempts exceeded") return "Too many failed sign-ins: wait a few minutes, then try again.";
  return message;
}

export type Auth = ReturnType<typeof createAuth>;

export function createAuth(config: GalleryConfig) {
  const auth: AuthConfig = config.auth ?? { mode: "none" };
  let tokens = load();
  if (tokens) setEdgeCookie(tokens);

  function load(): Tokens | undefined {
    try {
      const stored = JSON.parse(sessionStorage.getItem(TOKENS_KEY) ?? "null") as Tokens | null;
      return stored && stored.expiresAt > Date.now() ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  function store(idToken: string, accessToken: string, expiresInSeconds: number): void {
    tokens = { idToken, accessToken, expiresAt: idTokenExpiresAt(idToken, expiresInSeconds, Date.now()) };
    sessionStorage.setItem(TOKENS_KEY, JSON.stringify(tokens));
    setEdgeCookie(tokens);
  }

  /** The edge auth cookie on each protected path, for the token's remaining lifetime (0 deletes it). */
  function setEdgeCookie(current: Tokens | undefined): void {
    if (!auth.cookie) return;
    const maxAge = current ? Math.max(0, Math.floor((current.expiresAt - Date.now()) / 1000)) : 0;
    const value = current && maxAge > 0 ? current.idToken : "";
    for (const path of auth.cookie.paths) {
      document.cookie = `${auth.cookie.name}=${value}; Path=${path}; Max-Age=${value ? maxAge : 0}; Secure; SameSite=Lax`;
    }
  }

  /** Cognito's JSON 1.1 protocol, as the AWS SDK speaks it. */
  async function cognito(operation: string, body: unknown): Promise<InitiateAuthResult> {
    if (!auth.cognitoEndpoint) throw new AuthError("Password sign-in has no Cognito endpoint in the gallery's settings", "NotAvailable");
    const response = await fetch(auth.cognitoEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSCognitoIdentityProviderService.${operation}` },
      body: JSON.stringify(body),
    });
    const result = (await response.json().catch(() => ({}))) as InitiateAuthResult & { __type?: string; message?: string };
    if (!response.ok) {
      const code = String(result.__type ?? "Error").split("#").pop();
      throw new AuthError(readableCognitoMessage(code, result.message) ?? `${operation} failed (${response.status})`, code);
    }
    return result;
  }

  return {
    mode: auth.mode,

    /** The signed-in user's email (or username), or undefined. */
    user(): string | undefined {
      if (tokens && tokens.expiresAt <= Date.now()) this.clear();
      if (!tokens) return undefined;
      const claims = claimsOf(tokens.idToken);
      return claims.email ?? claims["cognito:username"] ?? claims.sub;
    },

    /** The id token the API's Cognito authorizer expects in `Authorization`. */
    idToken(): string | undefined {
      return this.user() ? tokens?.idToken : undefined;
    },

    async signInWithPassword(username: string, password: string): Promise<void> {
      if (auth.mode !== "password") throw new AuthError("Password sign-in is not available here", "NotAvailable");
      const result = await cognito("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", ClientId: auth.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } });
      if (!result.AuthenticationResult) throw new AuthError(`Sign-in needs a further step (${result.ChallengeName}) this page does not support`, result.ChallengeName);
      const { IdToken, AccessToken, ExpiresIn } = result.AuthenticationResult;
      store(IdToken, AccessToken, ExpiresIn ?? 3600);
    },

    /** Sends the browser to the hosted UI (authorization code + PKCE). */
    async beginHostedSignIn(): Promise<void> {
      if (auth.mode !== "hosted-ui") throw new AuthError("The hosted UI is not available here", "NotAvailable");
      const verifier = randomString(48);
      const state = randomString(16);
      sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
      const query = new URLSearchParams({
        response_type: "code",
        client_id: auth.clientId ?? "",
        redirect_uri: redirectUri(),
        scope: (auth.scopes ?? ["openid", "email"]).join(" "),
        state,
        code_challenge: await pkceChallenge(verifier),
        code_challenge_method: "S256",
      });
      location.assign(`${auth.hostedUiUrl}/oauth2/authorize?${query}`);
    },

    /** On return from the hosted UI: trades `?code=` for tokens, then cleans the address bar. True when it handled a callback. */
    async handleCallback(): Promise<boolean> {
      const params = new URLSearchParams(location.search);
      if (auth.mode !== "hosted-ui" || (!params.has("code") && !params.has("error"))) return false;
      history.replaceState(null, "", location.pathname);
      const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "null") as { verifier: string; state: string } | null;
      sessionStorage.removeItem(PKCE_KEY);
      const error = params.get("error");
      if (error !== null) throw new AuthError(params.get("error_description") ?? error, error);
      if (!pending || pending.state !== params.get("state")) throw new AuthError("The sign-in response does not match this tab's request; please sign in again", "StateMismatch");
      const response = await fetch(`${auth.hostedUiUrl}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", client_id: auth.clientId ?? "", code: params.get("code") ?? "", redirect_uri: redirectUri(), code_verifier: pending.verifier }),
      });
      const result = (await response.json().catch(() => ({}))) as TokenResult;
      if (!response.ok || !result.id_token || !result.access_token) throw new AuthError(result.error_description ?? result.error ?? `Token exchange failed (${response.status})`, result.error);
      store(result.id_token, result.access_token, result.expires_in ?? 3600);
      return true;
    },

    /** Forgets the tokens here, and the edge auth cookie. */
    clear(): void {
      tokens = undefined;
      sessionStorage.removeItem(TOKENS_KEY);
      setEdgeCookie(undefined);
    },

    /** Signs out; with the hosted UI also ends its session there (and comes back to this page). */
    signOut(): void {
      this.clear();
      if (auth.mode === "hosted-ui") {
        location.assign(`${auth.hostedUiUrl}/logout?${new URLSearchParams({ client_id: auth.clientId ?? "", logout_uri: redirectUri() })}`);
      }
    },
  };
}
