/**
 * The package as a user gets it, without the public registry for the package itself: a separate Pulumi program
 * (examples/consumer) installs it from a git URL (`git+file://` of this repository at HEAD: the committed tree)
 * and then from the packed tarball (`npm pack`: the working tree, with its declarations), each time beside another
 * version of @pulumi/pulumi than this repository pins (from the npm registry). It gets one SDK copy, type-checks,
 * its own vitest suite passes with serverless-fullstack/testing, and `serverless-fullstack start` serves it.
 * One install serves every assertion; the tarball then replaces only the package in it.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = resolve(__dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "sf-consumer-"));
const consumer = join(work, "notes-app");
const consumerPulumi = JSON.parse(readFileSync(join(repo, "examples/consumer/package.json"), "utf8")).dependencies["@pulumi/pulumi"] as string;
const ourPulumi = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).devDependencies["@pulumi/pulumi"] as string;
const INSTALL_CEILING_MS = 900_000;

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: "utf8", timeout: INSTALL_CEILING_MS });
}

/** `run`, without blocking: the pack (which builds the declarations) runs while the git install does. */
function runAsync(command: string, args: string[], cwd: string): Promise<SpawnSyncReturns<string>> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, timeout: INSTALL_CEILING_MS });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error) => done({ pid: child.pid ?? 0, output: [], stdout, stderr, status: null, signal: null, error }));
    child.on("close", (status, signal) => done({ pid: child.pid ?? 0, output: [], stdout, stderr, status, signal }));
  });
}
const output = (result: SpawnSyncReturns<string>) => `${result.stdout}${result.stderr}${result.error ?? ""}`;
// --omit=dev: the program's runtime dependencies only (the checks below bring their own vitest and tsc).
const NPM_INSTALL_FLAGS = ["--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

/** The tarball `npm pack` makes of the working tree (its prepack builds dist/), started with the git install. */
let packed: Promise<string>;

/** Every installed copy of @pulumi/pulumi in the consumer's tree, by version. */
function pulumiCopies(): string[] {
  const listed = run("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable", "--long"], consumer);
  expect(listed.status, output(listed)).toBe(0);
  const copies = new Set(listed.stdout.trim().split("\n").map((line) => line.split(":")[1]));
  return [...copies];
}

function typeCheck(): string {
  return output(run(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "."], consumer));
}

function consumerSuite(): SpawnSyncReturns<string> {
  return run(process.execPath, [join(repo, "node_modules/vitest/vitest.mjs"), "run", "--root", consumer], consumer);
}

beforeAll(async () => {
  packed = runAsync("npm", ["pack", "--pack-destination", work, "--json", "--loglevel=error"], repo).then((pack) => {
    expect(pack.status, output(pack)).toBe(0);
    const [{ filename }] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as Array<{ filename: string }>;
    return join(work, filename);
  });
  // A failing pack is reported by the tarball's tests, not as an unhandled rejection here.
  packed.catch(() => {});
  cpSync(join(repo, "examples/consumer"), consumer, { recursive: true });
  const head = run("git", ["rev-parse", "HEAD"], repo).stdout.trim();
  const manifest = JSON.parse(readFileSync(join(consumer, "package.json"), "utf8"));
  manifest.dependencies["serverless-fullstack"] = `git+file://${repo}#${head}`;
  writeFileSync(join(consumer, "package.json"), JSON.stringify(manifest, null, 2));
  const install = await runAsync("npm", ["install", ...NPM_INSTALL_FLAGS], consumer);
  expect(install.status, output(install)).toBe(0);
}, INSTALL_CEILING_MS);

// The install is some hundreds of megabytes (@pulumi/aws alone is most of it).
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("installed from a git URL (no build step: the package runs its TypeScript sources)", () => {
  it("shares the consumer's @pulumi/pulumi, another version than ours: one copy in the tree", () => {
    expect(consumerPulumi).not.toBe(ourPulumi);
    expect(pulumiCopies()).toEqual([`@pulumi/pulumi@${consumerPulumi}`]);
  });

  it("type-checks the consumer's program (against the package's sources: a git install has no dist/)", () => {
    expect(typeCheck()).toBe("");
  });

  it("passes the consumer's own vitest suite on serverless-fullstack/testing (security and deploy rules)", () => {
    const suite = consumerSuite();
    expect(suite.status, output(suite)).toBe(0);
    expect(suite.stdout.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests\s+3 passed \(3\)/);
  });

  it("serves the consumer's program locally: npx serverless-fullstack start", async () => {
    const app = spawn(join(consumer, "node_modules/.bin/serverless-fullstack"), ["start", "--port", "0", "--state-dir", join(work, "state")], { cwd: consumer });
    let printed = "";
    app.stderr.on("data", (chunk) => (printed += chunk));
    const exited = new Promise<number | null>((done) => app.once("exit", (code) => done(code)));
    try {
      const siteUrl = await new Promise<string>((found, failed) => {
        app.stdout.on("data", (chunk) => {
          printed += chunk;
          const match = /^\s+site\s+(http:\/\/\S+)/m.exec(printed);
          if (match) found(match[1]);
        });
        exited.then(() => failed(new Error(`serverless-fullstack start exited:\n${printed}`)));
      });
      const health = await fetch(`${siteUrl}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true });
      // Behind the Cognito authorizer the routes trust the pool UserAuth made.
      expect((await fetch(`${siteUrl}/api/notes`)).status).toBe(401);
      expect(await (await fetch(`${siteUrl}/`)).text()).toContain("<h1>Notes</h1>");
    } finally {
      app.kill("SIGTERM");
      await exited;
    }
  });
});

describe("installed from the packed tarball", () => {
  beforeAll(async () => {
    const install = run("npm", ["install", await packed, ...NPM_INSTALL_FLAGS], consumer);
    expect(install.status, output(install)).toBe(0);
  }, INSTALL_CEILING_MS);

  it("still one @pulumi/pulumi, the consumer's", () => {
    expect(pulumiCopies()).toEqual([`@pulumi/pulumi@${consumerPulumi}`]);
  });

  it("type-checks the consumer's program against the published declarations (dist/)", () => {
    expect(readFileSync(join(consumer, "node_modules/serverless-fullstack/dist/components/index.d.ts"), "utf8")).toContain("StaticSite");
    expect(typeCheck()).toBe("");
  });

  it("passes the consumer's vitest suite", () => {
    const suite = consumerSuite();
    expect(suite.status, output(suite)).toBe(0);
  });
});
