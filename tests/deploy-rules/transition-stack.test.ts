/**
 * checkPlanTransition on the real prod plan: redeploying the same program finds nothing (no false alarm on any
 * named resource, record set or routing policy the stack has), also through the file `npm run plan -- --save` writes.
 */
import { describe, expect, it } from "vitest";
import { checkPlanTransition, formatFinding, readSavedPlan, toSavedPlan } from "../../testing/deploy-rules";
import { runStack } from "../stacks/run-stack";

describe("checkPlanTransition on the prod stack", () => {
  it("finds nothing when prod is deployed again unchanged, directly and through a saved plan", async () => {
    const run = await runStack("prod");
    const context = { stack: "prod", region: run.config.region };
    // The stack has the types the check covers (the failover site records, the routing records, the dashboard, the models).
    for (const type of ["aws:route53/record:Record", "aws:apigateway/model:Model", "aws:cloudwatch/dashboard:Dashboard", "aws:cognito/userPoolDomain:UserPoolDomain"]) {
      expect(run.resources.some((r) => r.type === type), type).toBe(true);
    }
    expect(checkPlanTransition(run.resources, run.resources, context).map(formatFinding)).toEqual([]);

    const saved = readSavedPlan(JSON.stringify(toSavedPlan(run.resources, context)));
    expect(saved.stack).toBe("prod");
    expect(checkPlanTransition(saved.resources, run.resources, context).map(formatFinding)).toEqual([]);
  });
});
