/**
 * PrivateNetwork's cidrBlock for a new VPC (review 90 #2): an IPv4 CIDR block of /16 to /28 (CreateVpc's range) whose
 * share for each zone, as awsx's Legacy layout lays it out, is still a /28 or larger (CreateSubnet's smallest), with
 * no host bits set. Refused at construction, before the VPC exists; what awsx would lay out is awsxSubnetMask.
 */
import { describe, expect, it } from "vitest";
import { awsxSubnetMask, PrivateNetwork, type PrivateNetworkArgs } from "../../components/private-network";
import { record, resource } from "../harness/mocks";

describe("PrivateNetwork cidrBlock", () => {
  it.each([
    [{ cidrBlock: "10.0.0.0" }, /^PrivateNetwork "bad": cidrBlock "10\.0\.0\.0" is not an IPv4 CIDR block \(a\.b\.c\.d\/n\)\. Use a private range such as "10\.0\.0\.0\/16"\.$/],
    [{ cidrBlock: "10.0.0/16" }, /cidrBlock "10\.0\.0\/16" is not an IPv4 CIDR block/],
    [{ cidrBlock: "10.0.300.0/16" }, /cidrBlock "10\.0\.300\.0\/16" is not an IPv4 CIDR block/],
    [{ cidrBlock: "10.0.0.0/33" }, /cidrBlock "10\.0\.0\.0\/33" is not an IPv4 CIDR block/],
    [
      { cidrBlock: "10.0.0.0/8" },
      /^PrivateNetwork "bad": cidrBlock "10\.0\.0\.0\/8" is a \/8; a VPC's IPv4 block is \/16 to \/28 \("The smallest VPC you can create uses a \/28 netmask …, and the largest uses a \/16 netmask", CreateVpc\)\. Use a \/16 to \/27 block, e\.g\. "10\.0\.0\.0\/16"\.$/,
    ],
    [{ cidrBlock: "10.0.0.0/15" }, /cidrBlock "10\.0\.0\.0\/15" is a \/15; a VPC's IPv4 block is \/16 to \/28/],
    [
      { cidrBlock: "10.0.0.0/28" },
      /^PrivateNetwork "bad": cidrBlock "10\.0\.0\.0\/28" \(\/28\) split over 2 availability zones gives each zone a \/29 subnet, smaller than the \/28 a subnet needs, so CreateSubnet would refuse it after the VPC exists\. Use a \/27 block or larger, or fewer availabilityZones\.$/,
    ],
    [{ cidrBlock: "10.0.0.0/27", availabilityZones: 3 }, /\(\/27\) split over 3 availability zones gives each zone a \/29 subnet.*Use a \/26 block or larger/],
    [{ cidrBlock: "10.0.0.0/26", availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e"] }, /\(\/26\) split over 5 availability zones gives each zone a \/29 subnet.*Use a \/25 block or larger/],
    [{ cidrBlock: "10.0.0.1/16" }, /^PrivateNetwork "bad": cidrBlock "10\.0\.0\.1\/16" has host bits set: a \/16 block starts at 10\.0\.0\.0, and the subnets are laid out from the address given\. Use "10\.0\.0\.0\/16"\.$/],
    [{ cidrBlock: "10.0.5.0/20" }, /has host bits set: a \/20 block starts at 10\.0\.0\.0.*Use "10\.0\.0\.0\/20"/],
  ])("refuses %j", (args, message) => {
    expect(() => new PrivateNetwork("bad", args as PrivateNetworkArgs)).toThrow(message);
  });

  it.each([
    [{ cidrBlock: "10.0.0.0/26", availabilityZones: 3 }],
    [{ cidrBlock: "10.0.0.0/28", availabilityZones: 1 }],
    [{ cidrBlock: "172.16.0.0/16" }],
    [{ cidrBlock: "192.168.4.0/22", availabilityZones: 4 }],
  ])("accepts %j and asks awsx for it", async (args) => {
    const graph = await record(() => new PrivateNetwork("ok", args));
    expect(resource(graph, "awsx:ec2:Vpc", "ok-vpc").inputs.cidrBlock).toBe(args.cidrBlock);
  });

  it("lays out each zone's isolated subnet as awsx's Legacy layout does: the VPC split over the next power of two of the zones, at most a /24", () => {
    expect([awsxSubnetMask(16, 2), awsxSubnetMask(16, 3), awsxSubnetMask(26, 3), awsxSubnetMask(28, 2), awsxSubnetMask(28, 1), awsxSubnetMask(22, 6)]).toEqual([24, 24, 28, 29, 28, 25]);
  });
});
