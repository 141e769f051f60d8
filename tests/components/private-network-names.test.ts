/**
 * PrivateNetwork's name as its two security groups carry it (CreateSecurityGroup: GroupName and GroupDescription "Up to
 * 255 characters in length", GroupName "Cannot start with sg-" and only EC2's characters): refused at construction,
 * before the VPC exists, instead of failing `pulumi preview` (an autoname over pulumi-aws's 255) or `pulumi up`.
 */
import { describe, expect, it } from "vitest";
import { PrivateNetwork } from "../../components/private-network";
import { record, resource } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

describe("PrivateNetwork names its security groups within EC2's rules", () => {
  it("refuses a name whose security group description passes 255 characters, naming the longest name that fits", () => {
    const name = "n".repeat(210);
    expect(refusalOf(() => new PrivateNetwork(name, {}), "PrivateNetwork accepted the name")).toMatchObject({
      component: "PrivateNetwork",
      argument: "name",
      problem: expect.stringMatching(/security group description .* \d+ characters, over EC2's 255/),
      fix: "Use a component name of at most 200 characters.",
    });
  });

  it('refuses a name starting with "sg-", which EC2 keeps for group ids', () => {
    expect(refusalOf(() => new PrivateNetwork("sg-net", {}), "PrivateNetwork accepted the name")).toMatchObject({ argument: "name", problem: expect.stringContaining('starts with "sg-"'), fix: 'Use a component name that does not start with "sg-".' });
  });

  it('takes a name starting with "SG-": EC2 refuses lower-case "sg-" only (its text and error say sg-; a group "SG-QA" was created, hashicorp/terraform#23367)', async () => {
    const graph = await record(() => new PrivateNetwork("SG-net", {}));
    expect(resource(graph, "aws:ec2/securityGroup:SecurityGroup", "SG-net-endpoints").inputs.description).toBe("SG-net: HTTPS from the VPC to its interface endpoints");
  });

  it("refuses a character EC2 does not take in a group name", () => {
    expect(refusalOf(() => new PrivateNetwork("net~work", {}), "PrivateNetwork accepted the name")).toMatchObject({ argument: "name", problem: expect.stringContaining("~") });
  });

  it("takes a name of EC2's characters within the limits, the descriptions as created", async () => {
    const graph = await record(() => new PrivateNetwork("app net(1)", {}));
    expect(resource(graph, "aws:ec2/securityGroup:SecurityGroup", "app net(1)-endpoints").inputs.description).toBe("app net(1): HTTPS from the VPC to its interface endpoints");
  });
});
