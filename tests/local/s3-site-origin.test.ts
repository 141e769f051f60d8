import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { StaticSiteSpec } from "../../components/static-site/spec";
import { createSiteOrigin } from "../../local/s3-site-origin";

// The site origin's conditional GET is the local S3 server's (local/s3-conditions.ts readPreconditions), so it
// answers as the S3 fidelity tests pin: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
describe("the site origin's conditional GET", () => {
  const folder = mkdtempSync(join(tmpdir(), "site-origin-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, "index.html"), "<p>hi</p>");
  const modified = new Date("2024-05-01T10:00:00Z");
  utimesSync(join(folder, "index.html"), modified, modified);
  const spec = { path: folder, hosting: "oac", indexDocument: "index.html", errorDocument: "error.html", cacheRules: [] } as unknown as StaticSiteSpec;
  const fetch = createSiteOrigin(spec);
  const etag = String(fetch("/index.html").headers.etag);

  it("matches an ETag sent without its quotes (as S3 does)", () => {
    expect(fetch("/index.html", { "if-none-match": etag.slice(1, -1) }).status).toBe(304);
  });

  it("ignores an If-Modified-Since in the future and one that is not an HTTP-date", () => {
    expect(fetch("/index.html", { "if-modified-since": new Date(Date.now() + 864e5).toUTCString() }).status).toBe(200);
    expect(fetch("/index.html", { "if-modified-since": "2030-01-01" }).status).toBe(200);
    expect(fetch("/index.html", { "if-modified-since": modified.toUTCString() }).status).toBe(304);
  });

  it("answers 412 PreconditionFailed for an If-Match naming another ETag", () => {
    const failed = fetch("/index.html", { "if-match": '"0"' });
    expect([failed.status, failed.body.toString()]).toEqual([412, expect.stringContaining("<Code>PreconditionFailed</Code>")]);
    expect(fetch("/index.html", { "if-match": etag }).status).toBe(200);
  });
});
