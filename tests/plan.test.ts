/**
 * `npm run plan` as a user runs it: a separate Node process that loads index.ts through
 * the offline runs' TypeScript loader (local/offline/register.cjs) — and once through ts-node registered
 * as Pulumi's Node host registers it for `pulumi up` (tests/fixtures/pulumi-ts-node.cjs).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withoutNodeWarnings } from "./harness/process";

const node = (args: string[]) => spawnSync(process.execPath, args, { encoding: "utf8", cwd: `${__dirname}/..`, timeout: 120_000 });

describe("offline plan", () => {
  it("prints the prod resource tree nested under the component, a count by type and the outputs", () => {
    const result = node(["-r", "./local/offline/register.cjs", "scripts/plan.ts", "--stack", "prod"]);
    expect(withoutNodeWarnings(result.stderr)).toBe("");
    expect({ status: result.status, signal: result.signal, error: result.error?.message }, `the plan's last output:\n${result.stdout.slice(-600)}`).toEqual({ status: 0, signal: null, error: undefined });
    // The deploy rules run last; a finding (printed with its rule, resource and fix) fails the plan.
    expect(result.stdout.slice(result.stdout.indexOf("\nDeploy rules:"))).toBe("\nDeploy rules: no findings.\n");
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines).toContain(" +   pulumi:pulumi:Stack                                   serverless-fullstack-prod");
    expect(result.stdout).toMatch(/ \+   [└├]─ serverless-fullstack:index:StaticSite\s+site\n/);
    expect(result.stdout).toMatch(/ \+   [│ ]  [├└]─ aws:cloudfront:Distribution\s+site-cdn\n/);
    // site + site logs, DataTier export + export logs, API uploads + upload logs, and in us-west-2 the site's and the
    // originals' replicas with their log buckets (docs/multi-region.md)
    expect(result.stdout).toMatch(/\n\s+10  aws:s3:Bucket\n/);
    expect(result.stdout).toContain('siteUrl: "https://gallery.example.com"');
  });

  it("fails with the config problem when the stack file is missing", () => {
    const result = node(["-r", "./local/offline/register.cjs", "scripts/plan.ts", "--stack", "staging"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Config errors:\n  - Pulumi\.staging\.yaml does not exist\. Create it \(pulumi stack init staging\)/);
  });

  it("refuses --since with another stack's saved plan before it runs the program", () => {
    const file = join(mkdtempSync(join(tmpdir(), "plan-since-")), "dev.json");
    writeFileSync(file, JSON.stringify({ format: "serverless-fullstack/plan@1", stack: "dev", region: "us-east-1", resources: [] }));
    const result = node(["-r", "./local/offline/register.cjs", "scripts/plan.ts", "--stack", "prod", "--since", file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(withoutNodeWarnings(result.stderr)).toBe(`${file} is the plan of stack dev, not prod: compare plans of one stack (--stack dev, or save prod's plan with --save)`);
  });

  it("loads index.ts through ts-node registered as Pulumi's Node host registers it for `pulumi up`", () => {
    const script = `require("./local/offline/program").runProgramOffline({ stack: "dev" })
      .then((run) => console.log(JSON.stringify({ resources: run.resources.length, url: run.outputs.siteUrl })))`;
    // Transpile-only, as PULUMI_NODEJS_TRANSPILE_ONLY=true makes it: ts-node's type check would repeat, ≈19 CPU-seconds
    // later, what tests/typecheck.test.ts already does with the same tsconfig.json over a superset of these files.
    const result = spawnSync(process.execPath, ["-r", "./tests/fixtures/pulumi-ts-node.cjs", "-e", script], {
      encoding: "utf8",
      cwd: `${__dirname}/..`,
      env: { ...process.env, PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
      timeout: 120_000,
    });
    expect(withoutNodeWarnings(result.stderr)).toBe("");
    const printed = JSON.parse(result.stdout);
    expect(printed.resources).toBeGreaterThan(20);
    expect(printed.url).toMatch(/^https:\/\/d[0-9a-z]+\.cloudfront\.net$/);
  });
});
