/**
 * Page cursors: the last key of a page, sealed so that a client can only hand back a cursor this
 * API issued, to the same user, for the same list. The key travels in the clear (it holds only the
 * caller's own ids) and an HMAC-SHA256 over (list, owner, key) proves it was not edited: a crafted
 * key would otherwise reach DynamoDB as an ExclusiveStartKey it rejects (a 500), or move a Query
 * to a position the user never reached. Anything else is a 400 naming the cursor.
 * The secret is `CURSOR_SECRET` (the program generates one per stack); rotating it only makes
 * open cursors fail with 400, and clients start again from the first page.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { badRequest } from "./api-http";

/** What a cursor must look like for one list: its name, the caller, and the exact key attributes with their prefixes. */
export interface CursorShape {
  /** Binds the cursor to one list, e.g. `albums` or `photos#<albumId>`. */
  list: string;
  /** The caller's `sub`: another user's cursor is refused. */
  owner: string;
  /** Every attribute of the key (table key plus index key), each a string starting with the given prefix. */
  attributes: Record<string, string>;
}

function secret(): Buffer {
  const value = process.env.CURSOR_SECRET;
  if (!value) throw new Error("CURSOR_SECRET is not set");
  return Buffer.from(value, "utf8");
}

function mac(shape: Pick<CursorShape, "list" | "owner">, payload: string): Buffer {
  return createHmac("sha256", secret()).update(`${shape.list}\n${shape.owner}\n${payload}`).digest();
}

/** `<base64url(key JSON)>.<base64url(hmac)>`, or undefined on the last page. */
export function sealCursor(key: Record<string, unknown> | undefined, shape: Pick<CursorShape, "list" | "owner">): string | undefined {
  if (!key) return undefined;
  const payload = Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
  return `${payload}.${mac(shape, payload).toString("base64url")}`;
}

/** The key a sealed cursor carries; a 400 for anything this API did not issue for this user and list. */
export function openCursor(cursor: string | undefined, shape: CursorShape): Record<string, string> | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  const invalid = () => badRequest("cursor is not valid for this list; start again without it");
  const [payload, signature, ...rest] = cursor.split(".");
  if (!payload || !signature || rest.length > 0) throw invalid();
  const expected = mac(shape, payload);
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
