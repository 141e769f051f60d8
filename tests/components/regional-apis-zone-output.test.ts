/**
 * RegionalApis with `domain.hostedZoneId` given as an Output (e.g. `zone.id` of a zone this program creates): not looked
 * up at preview (the zone may not exist yet; components/regional-apis/index.ts regionalZoneId), and every record is
 * written with the id as given. tests/components/hosted-zone-components.test.ts pins the several-region routing path;
 * here one region without routing: the certificate's validation record and the simple alias records.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { RegionalApis, type RegionalApisArgs } from "../../components/regional-apis";
import { hostedZoneLookups } from "../harness/hosted-zones";
import { ofType, record, useMocks } from "../harness/mocks";

const asked: Record<string, unknown>[] = [];
beforeAll(() => useMocks({ invokes: hostedZoneLookups({ ZLATER: "example.org" }, asked) }));

const api: RegionalApisArgs["api"] = { basePath: "api", stages: { prod: {} }, routes: { "GET /health": { handler: "handlers/api/health.ts", auth: "none" } } };
const later = () => pulumi.output("ZLATER") as unknown as string;

describe("RegionalApis in one region with an Output domain.hostedZoneId", () => {
  it("does not look the zone up, and writes the validation and alias records with the id as given", async () => {
    asked.length = 0;
    // example.org does not hold the name: a lookup would refuse it, so a pass also says none was made.
    const graph = await record(() => new RegionalApis("one", { regions: ["us-east-1"], api, domain: { name: "api.gallery.example.com", hostedZoneId: later() } }));
    expect(asked).toEqual([]);
    expect(ofType(graph, "aws:route53/record:Record").map((r) => [r.name, r.inputs.zoneId])).toEqual([
      ["one-cert-validation", "ZLATER"],
      ["one-domain-a", "ZLATER"],
      ["one-domain-aaaa", "ZLATER"],
    ]);
  });
});
