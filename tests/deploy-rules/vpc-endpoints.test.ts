/** VpcEndpointUnique on gateway endpoints: route tables counted as the provider sends them (a set). */
import { describe, expect, it } from "vitest";
import { checkDeployRules, formatFinding } from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";

const gateway = (name: string, routeTableIds: string[]) =>
  handBuilt("aws:ec2/vpcEndpoint:VpcEndpoint", name, { vpcId: "vpc-1", serviceName: "com.amazonaws.us-east-1.s3", vpcEndpointType: "Gateway", routeTableIds });
const unique = (graph: ReturnType<typeof gateway>[]) => checkDeployRules(graph, devContext).filter((f) => f.rule === "VpcEndpointUnique").map(formatFinding);

describe("gateway endpoints and their route tables", () => {
  it("takes a route table listed twice on one endpoint once: routeTableIds is a set in the provider (terraform-provider-aws vpc_endpoint.go: TypeSet)", () => {
    expect(unique([gateway("s3", ["rtb-1", "rtb-1", "rtb-2"])])).toEqual([]);
  });

  it("still finds a route table given to two endpoints of one service", () => {
    expect(unique([gateway("s3-a", ["rtb-1"]), gateway("s3-b", ["rtb-2", "rtb-1"])])).toEqual([
      expect.stringMatching(/^dev: \[VpcEndpointUnique\] aws:ec2\/vpcEndpoint:VpcEndpoint s3-b: is a second gateway endpoint for com\.amazonaws\.us-east-1\.s3 on route table rtb-1 \(s3-a has it\)/),
    ]);
  });
});
