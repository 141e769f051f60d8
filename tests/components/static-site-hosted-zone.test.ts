/**
 * StaticSite's domain.hostedZoneId must be the zone of the site's names (review 99 #2): Route 53 takes a record name
 * outside the zone as a name under it (the provider appends the zone's name), so the site is not reachable at its
 * name and the certificate's validation record is never found (CertificateValidation waits 75 minutes). The zone's
 * name is looked up at preview (aws.route53.getZone); the mocks answer it from a table here (MockOptions.invokes), as
 * ListHostedZones would, and without a name when a test does not say (the offline plans), which skips the check.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { StaticSite, type StaticSiteDomain } from "../../components/static-site";
import { zoneHolds } from "../../components/hosted-zone";
import { record, useMocks } from "../harness/mocks";

const ZONES: Record<string, string> = { ZCOM: "example.com.", ZSUB: "Gallery.Example.com" };
const asked: Record<string, unknown>[] = [];

beforeAll(() =>
  useMocks({
    invokes: {
      "aws:route53/getZone:getZone": (inputs) => {
        asked.push(inputs);
        if (inputs.zoneId === "ZMISSING") throw Object.assign(new Error("invoke failed"), { details: "no matching Route 53 Hosted Zone found" });
        if (inputs.zoneId === "ZDENIED") throw Object.assign(new Error("invoke failed"), { details: "reading Route 53 Hosted Zones: operation error Route 53: ListHostedZones, AccessDenied" });
        const name = ZONES[inputs.zoneId];
        return name ? { zoneId: inputs.zoneId, name } : undefined;
      },
    },
  }),
);

afterEach(() => vi.restoreAllMocks());

const RECORD = "aws:route53/record:Record";
const site = (name: string, domain: StaticSiteDomain) => record(() => new StaticSite(name, { path: "tests/fixtures/site", domain }));

describe("StaticSite domain.hostedZoneId holds the site's names, checked at preview", () => {
  it("refuses a zone that does not hold domain.name, naming the zone, the name written instead and the 75-minute wait", async () => {
    await expect(site("other", { name: "gallery.example.org", hostedZoneId: "ZCOM" })).rejects.toThrow(
      /StaticSite "other": domain\.hostedZoneId "ZCOM" is the hosted zone example\.com, which does not hold domain\.name "gallery\.example\.org": Route 53 would take the records as names under the zone \(gallery\.example\.org\.example\.com\), so the site is not reachable at its name, and the certificate's validation record would be written as a name under the zone too, where ACM never finds it: `pulumi up` would wait 75 minutes for the certificate and fail\. Give the id of the hosted zone of gallery\.example\.org \(aws route53 list-hosted-zones-by-name --dns-name gallery\.example\.org\); when a sub-domain is delegated to a zone of its own, that zone's id\./,
    );
  });

  it("refuses an alias outside the zone, and says nothing of a certificate it does not validate", async () => {
    const refused = site("alias", { name: "gallery.example.com", aliases: ["www.example.net"], hostedZoneId: "ZCOM", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" });
    await expect(refused).rejects.toThrow(/does not hold domain\.aliases\[0\] "www\.example\.net": Route 53 would take the records as names under the zone \(www\.example\.net\.example\.com\), so the site is not reachable at its name\. Give/);
  });

  it("refuses a zone id the account does not have", async () => {
    await expect(site("missing", { name: "gallery.example.com", hostedZoneId: "ZMISSING" })).rejects.toThrow(
      /StaticSite "missing": domain\.hostedZoneId "ZMISSING" is not a hosted zone of this account \(Route 53 lists no zone with this id\), so writing its records fails \(NoSuchHostedZone\)\./,
    );
  });

  it("passes the zone's apex, names and wildcards under it, and a zone named in other case or with the root's dot", async () => {
    asked.length = 0;
    const graph = await site("apex", { name: "example.com", aliases: ["gallery.example.com", "*.example.com"], hostedZoneId: "ZCOM" });
    expect(graph.filter((r) => r.type === RECORD && r.inputs.type === "A").map((r) => [r.inputs.name, r.inputs.zoneId])).toEqual([["example.com", "ZCOM"], ["gallery.example.com", "ZCOM"], ["*.example.com", "ZCOM"]]);
    expect(asked).toEqual([{ zoneId: "ZCOM" }]);
    await expect(site("sub", { name: "gallery.example.com", hostedZoneId: "ZSUB" })).resolves.toBeDefined();
    expect(zoneHolds("example.com", "notexample.com")).toBe(false);
  });

  it("only warns when the zone cannot be looked up (a role without route53:ListHostedZones), and writes the records", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue();
    const graph = await site("denied", { name: "gallery.example.com", hostedZoneId: "ZDENIED" });
    expect(graph.filter((r) => r.type === RECORD && r.inputs.zoneId === "ZDENIED")).toHaveLength(3);
    expect(warn.mock.calls.map(([message]) => message).filter((m) => m.includes("hostedZoneId"))).toEqual([
      expect.stringMatching(/^StaticSite "denied": domain\.hostedZoneId "ZDENIED" could not be looked up at preview \(getZone: reading Route 53 Hosted Zones: .*AccessDenied\), so whether the zone holds gallery\.example\.com was not checked\. The lookup needs route53:ListHostedZones/),
    ]);
  });

  it("skips the check when the lookup answers no name (the offline mocks)", async () => {
    const graph = await site("offline", { name: "gallery.example.org", hostedZoneId: "ZUNKNOWN" });
    expect(graph.filter((r) => r.type === RECORD)).toHaveLength(3);
  });
});
