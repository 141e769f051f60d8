/**
 * PrivateNetwork's new VPC against the zones of its region. awsx's Vpc looks the zones up when it is constructed and
 * refuses too few in its own words (pulumi/pulumi-awsx awsx/ec2/vpc.ts getDefaultAzs); under mocks awsx's code never
 * runs, so these tests answer aws.getAvailabilityZones from a table, as the account would. The refusal of a whole
 * construction is in private-network-zones-refused.test.ts, a file of its own: the refused VPC's outputs never
 * settle, so nothing can be recorded after it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { countedZonesProblem, PrivateNetwork } from "../../components/private-network";
import { ofType, record, resource, useMocks } from "../harness/mocks";

/** Zones by region, as getAvailabilityZones lists them. */
const ZONES: Record<string, string[]> = {
  "us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"],
  "eu-west-3": ["eu-west-3a", "eu-west-3b", "eu-west-3c"],
};
const asked: Array<string | undefined> = [];

beforeAll(() =>
  useMocks({
    invokes: {
      "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs, region) => (asked.push(inputs.region), { names: ZONES[region], region }),
    },
  }),
);

describe("PrivateNetwork availabilityZones against the region's zones", () => {
  it("creates the VPC when the region has the zones, looking them up in the network's region or the provider's", async () => {
    asked.length = 0;
    const graph = await record(() => {
      new PrivateNetwork("paris", { region: "eu-west-3", availabilityZones: 3 });
      new PrivateNetwork("wide", { availabilityZones: 6 });
    });
    expect(resource(graph, "awsx:ec2:Vpc", "paris-vpc").inputs.numberOfAvailabilityZones).toBe(3);
    expect(resource(graph, "awsx:ec2:Vpc", "wide-vpc").inputs.numberOfAvailabilityZones).toBe(6);
    expect(asked).toEqual(["eu-west-3", undefined]);
  });

  it("does not look zones up for an existing VPC", async () => {
    asked.length = 0;
    const graph = await record(() => new PrivateNetwork("existing", { existingVpc: { vpcId: "vpc-1", subnetIds: ["subnet-a"] } }));
    expect(ofType(graph, "awsx:ec2:Vpc")).toEqual([]);
    expect(asked).toEqual([]);
  });

  it("words the refusal with the region's zones and the fix, and leaves a lookup without names to awsx", () => {
    expect(countedZonesProblem(3, "eu-west-3", ZONES["eu-west-3"])).toBeUndefined();
    expect(countedZonesProblem(2, "us-east-1", ["us-east-1a"])).toEqual({
      problem: "is more than the 1 availability zone us-east-1 has (us-east-1a); the new VPC puts a subnet in each of 2",
      fix: "Use availabilityZones: 1 or fewer, or a region with 2 or more.",
    });
    expect(countedZonesProblem(2, "xx-south-1", [])).toEqual({ problem: "is more than the 0 availability zones xx-south-1 has; the new VPC puts a subnet in each of 2", fix: "Use a region with 2 or more." });
    expect(countedZonesProblem(2, undefined, undefined)).toBeUndefined();
  });

  it("refuses a count whose first zones, as awsx takes them, are Local or Wavelength Zones, naming them and the region's Availability Zones", () => {
    // Sorted by name, as the provider answers: an opted-in Local Zone's name sorts before the region's zones.
    const oregon = ["us-west-2-lax-1a", "us-west-2-lax-1b", "us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"];
    expect(countedZonesProblem(2, "us-west-2", oregon)).toEqual({
      problem:
        "takes the first 2 zones us-west-2 lists, and us-west-2-lax-1a, us-west-2-lax-1b are not Availability Zones of us-west-2 but Local or Wavelength Zones the account opted in to, which the region lists first; the new VPC's subnets and interface endpoints would be there",
      fix: 'Name the zones instead: availabilityZones: ["us-west-2a", "us-west-2b"] (us-west-2\'s Availability Zones: us-west-2a, us-west-2b, us-west-2c, us-west-2d).',
    });
    expect(countedZonesProblem(3, "us-east-1", ["us-east-1-wl1-bos-wlz-1", "us-east-1a", "us-east-1b"])).toEqual({
      problem:
        "takes the first 3 zones us-east-1 lists, and us-east-1-wl1-bos-wlz-1 is not an Availability Zone of us-east-1 but a Local or Wavelength Zone the account opted in to, which the region lists first; the new VPC's subnets and interface endpoints would be there",
      fix: 'Name the zones instead, at most 2 here: availabilityZones: ["us-east-1a", "us-east-1b"] (us-east-1\'s Availability Zones: us-east-1a, us-east-1b).',
    });
    // More than the lookup lists is refused as before, Local Zones counted as awsx counts them.
    expect(countedZonesProblem(7, "us-west-2", oregon)?.problem).toMatch(/^is more than the 6 availability zones us-west-2 has \(us-west-2-lax-1a, /);
    // Only the zones awsx takes matter, and a lookup without a region cannot be told apart.
    expect(countedZonesProblem(2, "us-west-2", ["us-west-2a", "us-west-2b", "us-west-2-lax-1a"])).toBeUndefined();
    expect(countedZonesProblem(2, undefined, oregon)).toBeUndefined();
  });

  it("gives awsx the zones a network names as they are, looking nothing up (the way to leave out Local Zones the region lists first)", async () => {
    asked.length = 0;
    const graph = await record(() => new PrivateNetwork("named", { region: "us-west-2", availabilityZones: ["us-west-2a", "us-west-2b"] }));
    const vpc = resource(graph, "awsx:ec2:Vpc", "named-vpc").inputs;
    expect([vpc.availabilityZoneNames, vpc.numberOfAvailabilityZones]).toEqual([["us-west-2a", "us-west-2b"], undefined]);
    expect(asked).toEqual([]);
  });

  it("refuses named zones that are not 1–6 distinct zone names of the network's region", () => {
    const refusal = (availabilityZones: unknown) => {
      try {
        new PrivateNetwork("named", { region: "us-west-2", availabilityZones: availabilityZones as string[] });
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(refusal(["us-east-1a", "us-east-1b"])).toBe('PrivateNetwork "named": availabilityZones "us-east-1a" is not a zone of region us-west-2. Name zones of us-west-2 (us-west-2a, us-west-2b, …).');
    expect(refusal(["us-west-2a", "us-west-2a"])).toBe('PrivateNetwork "named": availabilityZones "us-west-2a" is named twice; each zone gets one subnet. Name each zone once.');
    expect(refusal(["us-west-2a", "west"])).toBe('PrivateNetwork "named": availabilityZones "west" is not an availability zone\'s name. Use a zone name as EC2 gives it, e.g. "us-east-1a".');
    expect(refusal([])).toMatch(/availabilityZones \[\] names 0 zones; PrivateNetwork's range is 1–6\. Name from 1 to 6 zones/);
    expect(refusal(["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d", "us-west-2e", "us-west-2f", "us-west-2g"])).toMatch(/names 7 zones; PrivateNetwork's range is 1–6/);
    expect(refusal(["us-west-2-lax-1a", "us-west-2a"])).toBe("");
  });
});
