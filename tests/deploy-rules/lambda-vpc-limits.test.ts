/**
 * LambdaVpcConfig's counts (Lambda API reference VpcConfig: at most 16 subnet ids and 5 security group ids) on hand-built
 * functions, which LambdaFunction's own check (LAMBDA_LIMITS.vpcIds) does not see.
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules, LAMBDA_VPC_CONFIG } from "../../testing/deploy-rules";
import { devContext } from "./fixture";
import { handBuiltVpcFunction } from "./fixtures/vpc";

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
/** The hand-built VPC function `fn` with its vpcConfig's lists replaced. */
const withVpc = (vpcConfig: { subnetIds: string[]; securityGroupIds: string[] }) =>
  handBuiltVpcFunction("fn", { natGatewayId: "nat-1" }, []).map((r) => (r.type === "aws:lambda/function:Function" ? { ...r, inputs: { ...r.inputs, vpcConfig } } : r));
const problems = (vpcConfig: { subnetIds: string[]; securityGroupIds: string[] }) => checkDeployRules(withVpc(vpcConfig), devContext, [LAMBDA_VPC_CONFIG]).map((f) => f.problem);

describe("LambdaVpcConfig counts", () => {
  it("accepts 16 subnets and 5 security groups", () => {
    expect(problems({ subnetIds: ids("subnet", 16), securityGroupIds: ids("sg", 5) })).toEqual([]);
  });

  it("refuses a sixth security group and a seventeenth subnet", () => {
    expect(problems({ subnetIds: ids("subnet", 17), securityGroupIds: ids("sg", 6) })).toEqual([
      "is in 17 subnets; Lambda's VpcConfig takes at most 16 subnet ids, so CreateFunction refuses it",
      "is in 6 security groups; Lambda's VpcConfig takes at most 5 security group ids, so CreateFunction refuses it",
    ]);
  });
});
