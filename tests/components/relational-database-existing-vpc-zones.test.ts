/**
 * RelationalDatabase on a PrivateNetwork over an existing VPC (review 90 #8): the DB subnet group needs subnets in two
 * Availability Zones, and the zones of existingVpc.subnetIds are known at preview (getSubnet, which PrivateNetwork
 * already asks for its endpoints). Subnets all in one zone are refused then, under the database's `network`, rather
 * than by CreateDBSubnetGroup at `pulumi up`. The mocks answer getSubnet from a table here (MockOptions.invokes).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PrivateNetwork } from "../../components/private-network";
import { RelationalDatabase } from "../../components/relational-database";
import { record, resource, useMocks } from "../harness/mocks";

const ZONES: Record<string, string> = { "subnet-1a": "us-east-1a", "subnet-1a-data": "us-east-1a", "subnet-1b": "us-east-1b" };

beforeAll(() => useMocks({ invokes: { "aws:ec2/getSubnet:getSubnet": ({ id }) => (ZONES[id] ? { id, availabilityZone: ZONES[id] } : undefined) } }));

const onExisting = (name: string, subnetIds: string[]) =>
  new RelationalDatabase(name, { network: new PrivateNetwork(`${name}-net`, { existingVpc: { vpcId: "vpc-0abc", subnetIds } }), finalSnapshot: false });

describe("RelationalDatabase on an existing VPC", () => {
  it("refuses subnets that are all in one Availability Zone at preview, naming the network, the VPC, the zone and the fix", async () => {
    await expect(record(() => onExisting("one-zone", ["subnet-1a", "subnet-1a-data"]))).rejects.toThrow(
      // The SDK names the input it was resolving when the check failed (the subnet group's subnetIds).
      /^error serializing property "subnetIds": RelationalDatabase "one-zone": network "one-zone-net" \(existingVpc vpc-0abc\) has its subnets \(subnet-1a, subnet-1a-data\) in 1 Availability Zone \(us-east-1a\); an RDS DB subnet group needs subnets in at least two \(DBSubnetGroupDoesNotCoverEnoughAZs\)\. Add a subnet of another Availability Zone of the VPC to existingVpc\.subnetIds\.$/,
    );
  });

  it("passes subnets in two zones, several in one zone included, to the subnet group as given", async () => {
    const graph = await record(() => onExisting("two-zones", ["subnet-1a", "subnet-1a-data", "subnet-1b"]));
    expect(resource(graph, "aws:rds/subnetGroup:SubnetGroup", "two-zones-subnets").inputs.subnetIds).toEqual(["subnet-1a", "subnet-1a-data", "subnet-1b"]);
  });
});
