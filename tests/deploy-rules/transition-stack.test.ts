/**
 * checkPlanTransition on the real prod plan: redeploying the same program finds nothing (no false alarm on any
 * named resource, record set or routing policy the stack has), also through the file `npm run plan -- --save` writes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPlanTransition, formatFinding, readSavedPlan, toSavedPlan } from "../../testing/deploy-rules";
import { runStack, runStacks } from "../stacks/run-stack";

describe("checkPlanTransition on the prod stack", () => {
  it("finds nothing when prod is deployed again unchanged, directly and through a saved plan", async () => {
    const run = await runStack("prod");
    const context = { stack: "prod", region: run.config.region };
    // The stack has the types the check covers (the failover site records, the routing records, the dashboard, the models, the alarm subscriptions).
    for (const type of ["aws:route53/record:Record", "aws:apigateway/model:Model", "aws:cloudwatch/dashboard:Dashboard", "aws:cognito/userPoolDomain:UserPoolDomain", "aws:sns/topicSubscription:TopicSubscription"]) {
      expect(run.resources.some((r) => r.type === type), type).toBe(true);
    }
    expect(checkPlanTransition(run.resources, run.resources, context).map(formatFinding)).toEqual([]);

    const saved = readSavedPlan(JSON.stringify(toSavedPlan(run.resources, context)));
    expect(saved.stack).toBe("prod");
    expect(checkPlanTransition(saved.resources, run.resources, context).map(formatFinding)).toEqual([]);
  });
});

/**
 * The plans of dev and prod before request models and the site's DNS records were renamed (commit 9ca036a, saved as
 * `npm run plan -- --save` saves them, kept to the resources of the types checkPlanTransition reads):
 * a stack deployed then upgrades to today's program with nothing created on a name a deployed resource holds, since
 * the renamed resources carry their old names as aliases.
 */
describe("upgrading stacks deployed before the renames", () => {
  it.each(["dev", "prod"])("%s: the plan of 9ca036a to today's finds nothing", async (stack) => {
    const deployed = readSavedPlan(readFileSync(join(__dirname, "..", "fixtures", "plans", `${stack}-9ca036a.json`), "utf8"));
    // runStacks: index.ts afresh for each stack (a second import in one file would register nothing).
    const run = (await runStacks([stack])).get(stack)!;
    expect(run.resources.filter((r) => r.aliases?.length).length, "resources renamed with aliases").toBeGreaterThan(0);
    expect(checkPlanTransition(deployed.resources, run.resources, { stack, region: deployed.region }).map(formatFinding)).toEqual([]);
  });
});
