/**
 * aws-jwt-verify fetches JWKS over HTTPS only. Local issuers (cognito-local, test
 * issuers) serve theirs over plain http on localhost: fetch it once ourselves and hand
 * it to the verifier's cache. Does nothing for https URIs (AWS), where the library fetches.
 */
import type { createTokenVerifier } from "./jwt";

export async function preloadPlainHttpJwks(verifier: ReturnType<typeof createTokenVerifier>, jwksUri: string): Promise<void> {
  if (!jwksUri.startsWith("http://")) return;
  const response = await fetch(jwksUri);
  if (!response.ok) throw new Error(`JWKS at ${jwksUri} answered ${response.status}`);
  verifier.cacheJwks((await response.json()) as Parameters<typeof verifier.cacheJwks>[0]);
}
