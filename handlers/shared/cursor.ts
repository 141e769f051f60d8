/**
 * Page cursors: the last key of a page, sealed so that a client can only hand back a cursor this
 * API issued, to the same user, for the same list. The key travels in the clear (it holds only the
 * caller's own ids) and an HMAC-SHA256 over (list, owner, key) proves it was not edited: a crafted
 * key would otherwise reach DynamoDB as an ExclusiveStartKey it rejects (a 500), or move a Query
 * to a position the user never reached. Anything else is a 400 naming the cursor.
 * The key lives in Secrets Manager (the program creates one per stack); the function gets its ARN in
 * `CURSOR_SECRET_ID` and reads it through Powertools parameters, cached for five minutes. Rotating it
 * only makes open cursors fail with 400, and clients start again from the first page.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { badRequest } from "./api-http";

/** How long a warm function reuses the key before asking Secrets Manager again (Powertools' cache). */
const SECRET_MAX_AGE_SECONDS = 300;

/** What a cursor must look like for one list: its name, the caller, and the exact key attributes with their prefixes. */
export interface CursorShape {
  /** Binds the cursor to one list, e.g. `albums` or `photos#<albumId>`. */
  list: string;
  /** The caller's `sub`: another user's cursor is refused. */
  owner: string;
  /** Every attribute of the key (table key plus index key), each a string starting with the given prefix. */
  attributes: Record<string, string>;
}

async function secret(): Promise<Buffer> {
  const id = process.env.CURSOR_SECRET_ID;
  if (!id) throw new Error("CURSOR_SECRET_ID is not set");
  const value = await getSecret(id, { maxAge: SECRET_MAX_AGE_SECONDS });
  if (typeof value !== "string" || value === "") throw new Error(`the cursor secret ${id} has no string value`);
  return Buffer.from(value, "utf8");
}

async function mac(shape: Pick<CursorShape, "list" | "owner">, payload: string): Promise<Buffer> {
  return createHmac("sha256", await secret()).update(`${shape.list}\n${shape.owner}\n${payload}`).digest();
}

/** `<base64url(key JSON)>.<base64url(hmac)>`, or undefined on the last page. */
export async function sealCursor(key: Record<string, unknown> | undefined, shape: Pick<CursorShape, "list" | "owner">): Promise<string | undefined> {
  if (!key) return undefined;
  const payload = Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
  return `${payload}.${(await mac(shape, payload)).toString("base64url")}`;
}

/** The key a sealed cursor carries; a 400 for anything this API did not issue for this user and list. */
export async function openCursor(cursor: string | undefined, shape: CursorShape): Promise<Record<string, string> | undefined> {
  if (cursor === undefined || cursor === "") return undefined;
  const invalid = () => badRequest("cursor is not valid for this list; start again without it");
  const [payload, signature, ...rest] = cursor.split(".");
  if (!payload || !signature || rest.length > 0) throw invalid();
  const expected = await mac(shape, payload);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  // Signed by us, so this only fails if the table design changed under an open cursor.
  if (!hasShape(key, shape.attributes)) throw invalid();
  return key;
}

function hasShape(key: unknown, attributes: Record<string, string>): key is Record<string, string> {
  if (typeof key !== "object" || key === null || Array.isArray(key)) return false;
  const entries = Object.entries(key);
  if (entries.length !== Object.keys(attributes).length) return false;
  return entries.every(([name, value]) => name in attributes && typeof value === "string" && value.startsWith(attributes[name]));
}
