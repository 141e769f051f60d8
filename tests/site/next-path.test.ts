/**
 * Issue 11: after sign-in the home page follows ?next= (where the edge auth check sent the browser), but only to a
 * path on the site itself: never an open redirect. The check is the page's own code (site/src/auth.ts).
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ORIGIN = "https://gallery.example.com";
let sameOriginPath: (next: unknown, origin: string) => string | undefined;

beforeAll(async () => {
  // Imported by path: the module is browser code, type-checked by tsc -p site (DOM lib), not by this project's tsc.
  ({ sameOriginPath } = await import(join(process.cwd(), "site/src/auth.ts")));
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
