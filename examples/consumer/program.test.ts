/**
 * The program's own tests, with serverless-fullstack/testing: run index.ts for the dev stack under mocks (as
 * `pulumi preview` would, without a cloud) and check the recorded graph against the security and deploy rules.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkDeployRules,
  checkSecurityRules,
  ofType,
  runProgramOffline,
  SECURITY_RULES,
  STACK_SECURITY_RULES,
  type OfflineRun,
} from "serverless-fullstack/testing";

let run: OfflineRun;

beforeAll(async () => {
  // vitest compiles index.ts; the mocks record every resource it registers, with parents, providers and options.
  run = await runProgramOffline({ stack: "dev", load: () => import("./index") });
});

describe("notes-app (dev)", () => {
  it("passes the security rules", () => {
    expect(checkSecurityRules(run.resources, { stack: "dev", production: false }, [...SECURITY_RULES, ...STACK_SECURITY_RULES])).toEqual([]);
  });

  it("passes the deploy rules (what AWS rejects at pulumi up)", () => {
    expect(checkDeployRules(run.resources, { stack: "dev", production: false, region: run.config.region })).toEqual([]);
  });

  it("serves the API under the site's distribution, and the app client redirects to the site", () => {
    const [distribution] = ofType(run.resources, "aws:cloudfront/distribution:Distribution");
    expect(distribution.inputs.orderedCacheBehaviors.map((b: { pathPattern: string }) => b.pathPattern)).toContain("/api/*");
    const [client] = ofType(run.resources, "aws:cognito/userPoolClient:UserPoolClient");
    expect(client.inputs.callbackUrls).toEqual([run.outputs.url]);
  });
});
