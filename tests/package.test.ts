/**
 * A user's own Pulumi program imports the components by package name:
 * build the package as `npm pack` would (prepack runs `npm run build`), install it
 * into a separate project by link, type-check that project against the published
 * typings, and run it under mocks.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { withoutNodeWarnings } from "./harness/process";

const repo = resolve(__dirname, "..");
const consumer = mkdtempSync(join(tmpdir(), "sf-consumer-"));
const run = (command: string, args: string[], cwd: string) => spawnSync(command, args, { cwd, encoding: "utf8", timeout: 120_000 });

beforeAll(() => {
  const build = run(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], repo);
  expect(build.stdout + build.stderr).toBe("");
  mkdirSync(join(consumer, "node_modules"));
  symlinkSync(repo, join(consumer, "node_modules/serverless-fullstack"));
  symlinkSync(join(repo, "node_modules/@pulumi"), join(consumer, "node_modules/@pulumi"));
  symlinkSync(join(repo, "node_modules/@types"), join(consumer, "node_modules/@types"));
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, module: "node20", moduleResolution: "node16", target: "ES2022", skipLibCheck: true, noEmit: true, types: ["node"] }, files: ["index.ts"] }),
  );
  writeFileSync(
    join(consumer, "index.ts"),
    `import { StaticSite, type StaticSiteArgs } from "serverless-fullstack";
import type { DeployFinding, DeployRuleContext } from "serverless-fullstack/testing";
export const noFindings: DeployFinding[] = [];
export const context: DeployRuleContext = { stack: "dev", production: false, region: "us-east-1" };
const args: StaticSiteArgs = { path: ${JSON.stringify(join(repo, "site"))}, priceClass: "PriceClass_100" };
const site = new StaticSite("marketing", args);
export const url = site.url;
`,
  );
});

describe("the published package", () => {
  it("type-checks a consumer program against its typings", () => {
    const check = run(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "."], consumer);
    expect(check.stdout + check.stderr).toBe("");
  });

  it("runs in a consumer program: import { StaticSite } from \"serverless-fullstack\"", () => {
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const created = [];
      pulumi.runtime.setMocks({
        newResource: (a) => { created.push(a.type + " " + a.name); return { id: a.name + "-id", state: { ...a.inputs, arn: "arn:aws:x:::" + a.name, bucket: a.name, domainName: "d.cloudfront.net" } }; },
        call: (a) => (a.token.endsWith("getPolicyDocument") ? { json: "{}" } : { accountId: "123456789012" }),
      }).then(() => {
        require("./index.ts");
        return require("@pulumi/pulumi/runtime/settings").waitForRPCs();
      }).then(() => console.log(JSON.stringify(created)));`;
    const result = run(process.execPath, ["-r", join(repo, "node_modules/ts-node/register/transpile-only"), "-e", script], consumer);
    expect(withoutNodeWarnings(result.stderr)).toBe("");
    const created: string[] = JSON.parse(result.stdout);
    expect(created).toContain("serverless-fullstack:index:StaticSite marketing");
    expect(created).toContain("aws:cloudfront/distribution:Distribution marketing-cdn");
  });

  it("exports serverless-fullstack/testing: a consumer records a component and runs the deploy rules on it", () => {
    const script = `
      const { StaticSite } = require("serverless-fullstack");
      const { record, checkDeployRules, DEPLOY_RULES } = require("serverless-fullstack/testing");
      record(() => new StaticSite("marketing", { path: ${JSON.stringify(join(repo, "site"))} })).then((graph) => {
        const findings = checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });
        console.log(JSON.stringify({ rules: DEPLOY_RULES.length, resources: graph.length, findings }));
      });`;
    const result = run(process.execPath, ["-e", script], consumer);
    expect(withoutNodeWarnings(result.stderr)).toBe("");
    const printed = JSON.parse(result.stdout);
    expect(printed.rules).toBeGreaterThan(20);
    expect(printed.resources).toBeGreaterThan(10);
    expect(printed.findings).toEqual([]);
  });
});
