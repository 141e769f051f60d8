/**
 * A PrivateNetwork asking for more availability zones than its region has is refused at preview under its own
 * argument, before awsx's Vpc is asked for (whose own refusal names only awsx's arguments). Isolated
 * (vitest.config.mts ISOLATED): the refused VPC's outputs never settle, so the end-of-file settle of a shared worker
 * would wait for them; for the same reason this file records one construction only.
 */
import { beforeAll, expect, it } from "vitest";
import type { RecordingMocks } from "../../local/offline/mocks";
import { PrivateNetwork } from "../../components/private-network";
import { record, useMocks } from "../harness/mocks";

let mocks: RecordingMocks;

beforeAll(async () => {
  mocks = await useMocks({
    invokes: { "aws:index/getAvailabilityZones:getAvailabilityZones": (_inputs, region) => ({ names: [`${region}a`, `${region}b`, `${region}c`], region }) },
  });
});

it("refuses more zones than the region has, naming the argument, the region's zones and the fix, and never asks awsx for the VPC", async () => {
  await expect(record(() => new PrivateNetwork("too-many", { region: "eu-west-3", availabilityZones: 4 }))).rejects.toThrow(
    /^PrivateNetwork "too-many": availabilityZones 4 is more than the 3 availability zones eu-west-3 has \(eu-west-3a, eu-west-3b, eu-west-3c\); the new VPC puts a subnet in each of 4\. Use availabilityZones: 3 or fewer, or a region with 4 or more\.$/,
  );
  expect(mocks.resources.filter((r) => r.type === "awsx:ec2:Vpc")).toEqual([]);
});
