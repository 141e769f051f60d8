/**
 * LambdaEdgeFeatures on a hand-built aws.lambda.RuntimeManagementConfig: "Lambda runtime management configurations other
 * than Auto (default)" are among the Lambda features Lambda@Edge does not support (Restrictions on Lambda@Edge, "Lambda
 * features"). A configuration naming an associated function (by name or ARN, in its region) with FunctionUpdate or
 * Manual fails; Auto, unset, another region's same-named function and a regional function pass.
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules } from "../../testing/deploy-rules";
import { byName } from "../../testing/harness";
import { devContext, handBuilt, matches } from "./fixture";
import { edgeSite } from "./fixtures/cloudfront";

const RUNTIME = "aws:lambda/runtimeManagementConfig:RuntimeManagementConfig";

describe("LambdaEdgeFeatures: runtime management of an associated function", () => {
  it("fails FunctionUpdate (by name) and Manual (by ARN); passes Auto, unset and another region's function", async () => {
    const graph = await edgeSite();
    const fn = graph.find(byName("e-ors-function"))!;
    const plan = [
      ...graph,
      handBuilt(RUNTIME, "ors-on-update", { functionName: fn.state.name, updateRuntimeOn: "FunctionUpdate" }),
      handBuilt(RUNTIME, "ors-pinned", { functionName: fn.state.arn, qualifier: "1", updateRuntimeOn: "Manual", runtimeVersionArn: "arn:aws:lambda:us-east-1::runtime:abcd1234" }),
      handBuilt(RUNTIME, "ors-auto", { functionName: fn.state.name, updateRuntimeOn: "Auto" }),
      handBuilt(RUNTIME, "ors-unset", { functionName: fn.state.name }),
      handBuilt(RUNTIME, "ors-west", { functionName: fn.state.name, updateRuntimeOn: "Manual", region: "eu-west-1" }),
    ];
    expect(
      matches("LambdaEdgeFeatures", checkDeployRules(plan, devContext), [
        { resource: `${RUNTIME} ors-on-update`, problem: /^sets the runtime update mode of Lambda@Edge function e-ors-function to FunctionUpdate; Lambda@Edge supports only Auto \(the default\)/ },
        { resource: `${RUNTIME} ors-pinned`, problem: /^sets the runtime update mode of Lambda@Edge function e-ors-function to Manual;/ },
      ]),
    ).toEqual([]);
    const [found] = checkDeployRules(plan, devContext).filter((f) => f.resource === `${RUNTIME} ors-pinned`);
    expect(found.fix).toBe('set updateRuntimeOn: "Auto" (or remove the RuntimeManagementConfig: Auto is the default)');
  });

  it("passes a regional function's Manual mode", async () => {
    const regional = handBuilt("aws:lambda/function:Function", "worker", { name: "worker", runtime: "nodejs22.x", role: "arn:aws:iam::123456789012:role/r" }, { state: { name: "worker", arn: "arn:aws:lambda:us-east-1:123456789012:function:worker" } });
    const plan = [regional, handBuilt(RUNTIME, "worker-pinned", { functionName: "worker", updateRuntimeOn: "Manual" })];
    expect(checkDeployRules(plan, devContext).filter((f) => f.rule === "LambdaEdgeFeatures")).toEqual([]);
  });
});
