/**
 * Issue 11: after sign-in the home page follows ?next= (where the edge auth check sent the browser), but only to a
 * path on the site itself: never an open redirect. The check is the page's own code (site/assets/auth.*.js).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ORIGIN = "https://gallery.example.com";
let sameOriginPath: (next: unknown, origin: string) => string | undefined;

beforeAll(async () => {
  const file = readdirSync("site/assets").find((name) => /^auth\.[0-9a-f]{8}\.js$/.test(name))!;
  ({ sameOriginPath } = await import(join(process.cwd(), "site/assets", file)));
});

describe("the page's ?next= check", () => {
  it.each([
    ["/account/", "/account/"],
    ["/account/index.html?tab=photos#top", "/account/index.html?tab=photos#top"],
    ["/a/../account/", "/account/"],
  ])("follows %s on the same site", (next, path) => {
    expect(sameOriginPath(next, ORIGIN)).toBe(path);
  });

  it.each(["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "/\t/evil.example/", "javascript:alert(1)", "%2F%2Fevil.example", "", "account/", null, undefined, 42])(
    "refuses %s",
    (next) => {
      expect(sameOriginPath(next, ORIGIN)).toBeUndefined();
    },
  );
});
