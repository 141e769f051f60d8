import { describe, expect, it } from "vitest";
import { CACHE_IMMUTABLE, cacheControlFor, contentTypeFor, isFingerprinted, listSiteKeys } from "../../components/static-site/content";

describe("site content rules", () => {
  it("gives text types a utf-8 charset and binary types none", () => {
    expect(contentTypeFor("index.html")).toBe("text/html; charset=utf-8");
    expect(contentTypeFor("assets/app.js")).toBe("text/javascript; charset=utf-8");
    expect(contentTypeFor("data/feed.json")).toBe("application/json; charset=utf-8");
    expect(contentTypeFor("logo.svg")).toBe("image/svg+xml; charset=utf-8");
    expect(contentTypeFor("photo.jpg")).toBe("image/jpeg");
    expect(contentTypeFor("font.woff2")).toBe("font/woff2");
    expect(contentTypeFor("LICENSE")).toBe("application/octet-stream");
  });

  it("recognises fingerprinted build output and nothing else", () => {
    for (const key of ["assets/app.3f9a12bc.js", "assets/index-BxT3k9aZ.css", "chunk.1a2b3c4d5e6f.mjs"]) expect(isFingerprinted(key)).toBe(true);
    for (const key of ["index.html", "assets/my-component.js", "jquery-3.6.0.js", "bootstrap.min.css"]) expect(isFingerprinted(key)).toBe(false);
  });

  it("makes fingerprinted files immutable for a year and revalidates HTML and unfingerprinted files (CloudFront's TTL follows it)", () => {
    expect(cacheControlFor("assets/app.3f9a12bc.js", [])).toBe(CACHE_IMMUTABLE);
    expect(cacheControlFor("index.html", [])).toBe("no-cache");
    expect(cacheControlFor("robots.txt", [])).toBe("no-cache");
  });

  it("lets user rules override the defaults, first match winning", () => {
    const rules = [
      { pattern: "images/**", cacheControl: "public, max-age=86400" },
      { pattern: "**/*.html", cacheControl: "public, max-age=60" },
      { pattern: "**", cacheControl: "never reached for html" },
    ];
    expect(cacheControlFor("images/cat.png", rules)).toBe("public, max-age=86400");
    expect(cacheControlFor("docs/index.html", rules)).toBe("public, max-age=60");
  });

  it("lists files as S3 keys, skipping dotfiles and dot-folders unless asked", () => {
    expect(listSiteKeys("tests/fixtures/site")).toEqual(["assets/app.1a2b3c4d.js", "assets/plain.css", "docs/index.html", "error.html", "index.html"]);
    expect(listSiteKeys("tests/fixtures/site", { includeDotfiles: true })).toContain(".env");
  });
});
