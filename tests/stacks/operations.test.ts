/**
 * The operations pieces in the reference app (docs/operations.md): what prod gets (web ACL on the distribution,
 * alarms with their SNS action, the dashboard, the backup plan) and what dev goes without, so it stays cheap.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, resource } from "../harness/mocks";

const runs = new Map<string, OfflineRun>();

beforeAll(async () => {
  for (const stack of ["dev", "prod"]) {
    // index.ts registers its resources when it is first imported: a fresh module registry runs it again for the next stack.
    vi.resetModules();
    const { runStack } = await import("./run-stack.js");
    runs.set(stack, await runStack(stack));
  }
});

describe("prod", () => {
  it("puts the site's distribution behind a CLOUDFRONT web ACL in us-east-1 with the configured rate limit, logging for logRetentionDays", () => {
    const run = runs.get("prod")!;
    const acl = resource(run.resources, "aws:wafv2/webAcl:WebAcl", "site-waf-acl");
    expect(resource(run.resources, "aws:cloudfront/distribution:Distribution", "site-cdn").inputs.webAclId).toBe(acl.state.arn);
    expect(acl.inputs).toMatchObject({ scope: "CLOUDFRONT", region: "us-east-1" });
    expect(acl.inputs.rules[0].statement.rateBasedStatement).toEqual({ limit: 2000, evaluationWindowSec: 300, aggregateKeyType: "IP" });
    expect(resource(run.resources, "aws:cloudwatch/logGroup:LogGroup", "site-waf-logs").inputs).toEqual({
      name: "aws-waf-logs-serverless-fullstack-prod-site-waf",
      retentionInDays: 365,
      region: "us-east-1",
      tags: expect.objectContaining({ stack: "prod" }),
    });
  });
});

describe("dev stays cheap", () => {
  it("has no web ACL", () => {
    const run = runs.get("dev")!;
    expect(ofType(run.resources, "aws:wafv2/webAcl:WebAcl")).toEqual([]);
    expect(resource(run.resources, "aws:cloudfront/distribution:Distribution", "site-cdn").inputs.webAclId).toBeUndefined();
  });
});
