/**
 * PrivateNetwork on an existing VPC with a secondary IPv4 block (review 95, F9): functions in a subnet carved from it
 * (AssociateVpcCidrBlock) reach the interface endpoints only if the endpoints' security group admits that block too,
 * and the functions' group may send to it. Both groups take every associated block, not only the primary one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PrivateNetwork } from "../../components/private-network";
import { record, resource, useMocks } from "../harness/mocks";

beforeAll(() =>
  useMocks({
    invokes: {
      // As DescribeVpcs lists it: the primary block among the associations, a secondary one, and one being removed.
      "aws:ec2/getVpc:getVpc": ({ id }) => ({
        id,
        cidrBlock: "10.0.0.0/16",
        enableDnsSupport: true,
        enableDnsHostnames: true,
        cidrBlockAssociations: [
          { associationId: "vpc-cidr-assoc-1", cidrBlock: "10.0.0.0/16", state: "associated" },
          { associationId: "vpc-cidr-assoc-2", cidrBlock: "100.64.0.0/16", state: "associated" },
          { associationId: "vpc-cidr-assoc-3", cidrBlock: "10.9.0.0/16", state: "disassociating" },
        ],
      }),
    },
  }),
);

describe("PrivateNetwork on an existing VPC with secondary CIDR blocks", () => {
  it("admits HTTPS to the endpoints from every associated block, and lets the functions send to every one", async () => {
    const graph = await record(() => new PrivateNetwork("wide", { existingVpc: { vpcId: "vpc-0abc", subnetIds: ["subnet-a", "subnet-b"] } }));
    expect(resource(graph, "aws:ec2/securityGroup:SecurityGroup", "wide-endpoints").inputs.ingress[0].cidrBlocks).toEqual(["10.0.0.0/16", "100.64.0.0/16"]);
    expect(resource(graph, "aws:ec2/securityGroup:SecurityGroup", "wide-functions").inputs.egress[0].cidrBlocks).toEqual(["10.0.0.0/16", "100.64.0.0/16"]);
  });
});
