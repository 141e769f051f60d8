import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resource } from "../harness/mocks";
import { startLocalApp, type LocalApp } from "../../local/start";
import { startDevApp } from "../setup/dev-app";
import { withLocalOrigins } from "../../local/front-door";

let app: LocalApp;
let base: string;

beforeAll(async () => {
  app = await startDevApp("sf-local-");
  base = app.urls.site;
});
afterAll(() => app?.stop());

/** The headers the deployed response headers policy sends, read off the recorded CloudFront policy. */
function deployedSecurityHeaders(): Record<string, string> {
  const config = resource(app.context.run.resources, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers").inputs.securityHeadersConfig;
  const hsts = config.strictTransportSecurity;
  return {
    "strict-transport-security": `max-age=${hsts.accessControlMaxAgeSec}${hsts.includeSubdomains ? "; includeSubDomains" : ""}${hsts.preload ? "; preload" : ""}`,
    "x-content-type-options": "nosniff",
    "x-frame-options": config.frameOptions.frameOption,
    "referrer-policy": config.referrerPolicy.referrerPolicy,
    "x-xss-protection": "1; mode=block",
    "content-security-policy": config.contentSecurityPolicy.contentSecurityPolicy,
  };
}

describe("npm start serves the stack's site as CloudFront would", () => {
  it("serves / as the index document, revalidated, with the deployed security headers", async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(await response.text()).toContain("<title>Gallery</title>");
    const { "content-security-policy": deployedCsp, ...others } = deployedSecurityHeaders();
    for (const [name, value] of Object.entries(others)) expect(response.headers.get(name), name).toBe(value);
    // The deployed CSP, plus exactly the loopback origins of cognito-local, the S3 stand-in and the WebSocket API (ws:) the page calls.
    const env = app.context.environment;
    const emulators = [env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, env.AWS_ENDPOINT_URL_S3, env.AWS_ENDPOINT_URL_EXECUTE_API.replace(/^http/, "ws")];
    expect(deployedCsp).toBe("default-src 'self'; img-src 'self' data: blob: https:; connect-src 'self' https:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'");
    expect(response.headers.get("content-security-policy")).toBe(withLocalOrigins(deployedCsp, emulators));
    expect(response.headers.get("content-security-policy")).toContain(`connect-src 'self' https: ${emulators.join(" ")};`);
  });

  it("adds local origins to connect-src and img-src only (default-src when a directive is missing)", () => {
    expect(withLocalOrigins("default-src 'self'; img-src 'self'", ["http://127.0.0.1:1"])).toBe("default-src 'self'; img-src 'self' http://127.0.0.1:1; connect-src 'self' http://127.0.0.1:1");
    expect(withLocalOrigins("default-src 'self'", [])).toBe("default-src 'self'");
  });

  it("answers a missing path with the error document and 404", async () => {
    const response = await fetch(`${base}/no/such/page`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toContain("Page not found");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });

  it("serves fingerprinted assets immutable for a year, and 304 on a matching ETag", async () => {
    // The script Vite built (site/dist), with its content hash in the name.
    const script = readdirSync("site/dist/assets").find((f) => /^main\.[0-9a-f]{8}\.js$/.test(f))!;
    const response = await fetch(`${base}/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const again = await fetch(`${base}/assets/${script}`, { headers: { "if-none-match": response.headers.get("etag")! } });
    expect(again.status).toBe(304);
  });

  it("refuses methods the site behaviour does not allow, as CloudFront does", async () => {
    const response = await fetch(`${base}/index.html`, { method: "POST", body: "x" });
    expect(response.status).toBe(403);
  });
});

describe("startLocalApp from a recorded run", () => {
  it("refuses a run of another stack than the one it starts, naming both", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "sf-local-other-stack-"));
    await expect(startLocalApp({ stack: "prod", port: 0, quiet: true, stateDir, recordedRun: app.context.run })).rejects.toThrow(
      'startLocalApp: recordedRun is a run of stack "dev", not of stack "prod": pass stack "dev", or a run of "prod".',
    );
  });

  it("refuses load or programCache beside it, which it would leave unused, naming what to drop, before fresh empties the state", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "sf-local-recorded-and-load-"));
    writeFileSync(join(stateDir, "kept"), "");
    const given = { stack: "dev", port: 0, quiet: true, stateDir, fresh: true, recordedRun: app.context.run };
    const refusal = (named: string) =>
      `startLocalApp: recordedRun is served without running index.ts, so ${named} (how to run it) would be ignored: drop ${named} to serve the recorded run, or drop recordedRun to run the program.`;
    await expect(startLocalApp({ ...given, load: () => ({}) })).rejects.toThrow(refusal("load"));
    await expect(startLocalApp({ ...given, programCache: true })).rejects.toThrow(refusal("programCache"));
    await expect(startLocalApp({ ...given, load: () => ({}), programCache: true })).rejects.toThrow(refusal("load and programCache"));
    expect(existsSync(join(stateDir, "kept"))).toBe(true);
  });
});

describe("startLocalApp given load", () => {
  it("refuses programCache beside it, which records only index.ts as require loads it, naming what to drop, before fresh empties the state", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "sf-local-load-and-cache-"));
    writeFileSync(join(stateDir, "kept"), "");
    await expect(startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir, fresh: true, load: () => ({}), programCache: true })).rejects.toThrow(
      "startLocalApp: programCache records index.ts as require loads it, not a program given as load, so programCache would be ignored: drop programCache to run load, or drop load to run index.ts through the cache.",
    );
    expect(existsSync(join(stateDir, "kept"))).toBe(true);
  });
});
