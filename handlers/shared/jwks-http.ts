/**
 * aws-jwt-verify fetches JWKS over HTTPS only. Local issuers (cognito-local, test
 * issuers) serve theirs over plain http on localhost: fetch it once ourselves and hand
 * it to the verifier's cache. Does nothing for https URIs (AWS), where the library fetches.
 * node:http rather than fetch(): loading fetch's implementation costs a cold start ~40 ms.
 */
import { get } from "node:http";
import type { createTokenVerifier } from "./jwt";

export async function preloadPlainHttpJwks(verifier: ReturnType<typeof createTokenVerifier>, jwksUri: string): Promise<void> {
  if (!jwksUri.startsWith("http://")) return;
  const body = await new Promise<string>((resolve, reject) => {
    get(jwksUri, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`JWKS at ${jwksUri} answered ${response.statusCode}`));
        return;
      }
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve(text));
    }).on("error", reject);
  });
  verifier.cacheJwks(JSON.parse(body) as Parameters<typeof verifier.cacheJwks>[0]);
}
