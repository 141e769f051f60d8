/** A local user signed up and signed in, and the app's API as that user calls it (the site's `/api`, JSON). */
import { signUpLocalUser } from "../../local/fuzz";
import type { LocalApp } from "../../local/start";

export async function signedInApi(app: LocalApp, email: string) {
  const user = await signUpLocalUser(app, email);
  // The user's id (the ID token's `sub`), which the gallery's items are keyed by.
  const owner = (JSON.parse(Buffer.from(user.idToken.split(".")[1], "base64url").toString("utf8")) as { sub: string }).sub;
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${app.urls.site}/api${path}`, { method, headers: { authorization: user.idToken, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return { owner, api };
}
