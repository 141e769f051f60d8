/**
 * A PrivateNetwork asking for a count of zones in an account whose opted-in Local Zones the region lists first is
 * refused at preview, before awsx's Vpc is asked for (which would take them: pulumi/pulumi-awsx awsx/ec2/vpc.ts
 * getDefaultAzs). Isolated (vitest.config.mts ISOLATED), as private-network-zones-refused.test.ts: the refused VPC's
 * outputs never settle, so this file records one construction only.
 */
import { beforeAll, expect, it } from "vitest";
import type { RecordingMocks } from "../../local/offline/mocks";
import { PrivateNetwork } from "../../components/private-network";
import { record, useMocks } from "../harness/mocks";

let mocks: RecordingMocks;

beforeAll(async () => {
  mocks = await useMocks({
    invokes: {
      // Sorted by name, as the provider answers: the Los Angeles Local Zones first.
      "aws:index/getAvailabilityZones:getAvailabilityZones": (_inputs, region) => ({
        names: [`${region}-lax-1a`, `${region}-lax-1b`, `${region}a`, `${region}b`, `${region}c`, `${region}d`],
        region,
      }),
    },
  });
});

it("refuses a count awsx would fill with the account's Local Zones, naming them and the region's Availability Zones, and never asks awsx for the VPC", async () => {
  await expect(record(() => new PrivateNetwork("local", { region: "us-west-2", availabilityZones: 2 }))).rejects.toThrow(
    'PrivateNetwork "local": availabilityZones 2 takes the first 2 zones us-west-2 lists, and us-west-2-lax-1a, us-west-2-lax-1b are not Availability Zones of us-west-2 ' +
      "but Local or Wavelength Zones the account opted in to, which the region lists first; the new VPC's subnets and interface endpoints would be there. " +
      'Name the zones instead: availabilityZones: ["us-west-2a", "us-west-2b"] (us-west-2\'s Availability Zones: us-west-2a, us-west-2b, us-west-2c, us-west-2d).',
  );
  expect(mocks.resources.filter((r) => r.type === "awsx:ec2:Vpc")).toEqual([]);
});
