/**
 * StaticSite's domain.hostedZoneId must be the zone of the site's names (review 99 #2): Route 53 takes a record name
 * outside the zone as a name under it (the provider appends the zone's name), so the site is not reachable at its
 * name and the certificate's validation record is never found (CertificateValidation waits 75 minutes). The zone's
 * name is looked up at preview (aws.route53.getZone); the mocks answer it from a table here (MockOptions.invokes), as
 * GetHostedZone would, and without a name when a test does not say (the offline plans), which skips the check. The
 * errors are the provider's own wording for a lookup by id (review 104 #1, #4: terraform-provider-aws
 * zone_data_source.go, the `zoneIDSet` branch): a missing zone is a bare retry.NotFoundError, "couldn't find
 * resource"; a role without the permission gets GetHostedZone's or ListTagsForResource's 403.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { StaticSite, type StaticSiteDomain } from "../../components/static-site";
import { zoneHolds } from "../../components/hosted-zone";
import { hostedZoneLookups } from "../harness/hosted-zones";
import { record, useMocks } from "../harness/mocks";

const ZONES: Record<string, string> = { ZCOM: "example.com.", ZSUB: "Gallery.Example.com", ZPRIV: "example.com" };
const asked: Record<string, unknown>[] = [];

beforeAll(() => useMocks({ invokes: hostedZoneLookups(ZONES, asked) }));

afterEach(() => vi.restoreAllMocks());

const RECORD = "aws:route53/record:Record";
const site = (name: string, domain: StaticSiteDomain) => record(() => new StaticSite(name, { path: "tests/fixtures/site", domain }));

describe("StaticSite domain.hostedZoneId holds the site's names, checked at preview", () => {
  it("refuses a zone that does not hold domain.name, naming the zone, the name written instead and the 75-minute wait", async () => {
    await expect(site("other", { name: "gallery.example.org", hostedZoneId: "ZCOM" })).rejects.toThrow(
      /StaticSite "other": domain\.hostedZoneId "ZCOM" is the hosted zone example\.com, which does not hold domain\.name "gallery\.example\.org": the provider writes a name that does not end in the zone's name as a name under the zone \(gallery\.example\.org\.example\.com\), so the site is not reachable at its name, and the certificate's validation record would be written under the zone too, where ACM never finds it: `pulumi up` would wait 75 minutes for the certificate and fail\. Give the id of the hosted zone of gallery\.example\.org \(aws route53 list-hosted-zones-by-name --dns-name gallery\.example\.org\); when a sub-domain is delegated to a zone of its own, that zone's id\./,
    );
  });

  it("refuses an alias outside the zone, and says nothing of a certificate it does not validate", async () => {
    const refused = site("alias", { name: "gallery.example.com", aliases: ["www.example.net"], hostedZoneId: "ZCOM", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" });
    await expect(refused).rejects.toThrow(/does not hold domain\.aliases\[0\] "www\.example\.net": the provider writes a name that does not end in the zone's name as a name under the zone \(www\.example\.net\.example\.com\), so the site is not reachable at its name\. Give/);
  });

  it("refuses a name that only ends in the zone's name as Route 53 would, without naming a record the provider never writes", async () => {
    const refused = site("suffix", { name: "notexample.com", hostedZoneId: "ZCOM" });
    await expect(refused).rejects.toThrow(
      /domain\.hostedZoneId "ZCOM" is the hosted zone example\.com, which does not hold domain\.name "notexample\.com": Route 53 refuses a record for a name outside the zone, so `pulumi up` fails writing the records \(ChangeResourceRecordSets\)\. Give/,
    );
    await expect(refused).rejects.not.toThrow(/notexample\.com\.example\.com/);
  });

  it("refuses a private hosted zone when it validates the certificate there: ACM validates through public DNS", async () => {
    await expect(site("private", { name: "gallery.example.com", hostedZoneId: "ZPRIV" })).rejects.toThrow(
      /StaticSite "private": domain\.hostedZoneId "ZPRIV" is the private hosted zone example\.com, whose records resolve only inside the VPCs associated with it, and ACM validates a certificate through public DNS \("ACM cannot validate resources in an Amazon VPC private hosted zone"\): `pulumi up` would wait 75 minutes for the certificate and fail\. Give the id of the public hosted zone/,
    );
  });

  it("only warns of a private hosted zone with a certificate given (split-horizon), and writes the records there", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue();
    const graph = await site("split", { name: "gallery.example.com", hostedZoneId: "ZPRIV", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" });
    expect(graph.filter((r) => r.type === RECORD && r.inputs.zoneId === "ZPRIV")).toHaveLength(2);
    expect(warn.mock.calls.map(([message]) => message).filter((m) => m.includes("hostedZoneId"))).toEqual([
      'StaticSite "split": domain.hostedZoneId "ZPRIV" is the private hosted zone example.com, whose records resolve only inside the VPCs associated with it: gallery.example.com will not resolve on the internet. Give the public zone\'s id unless that is what you want.',
    ]);
  });

  it("refuses a zone id the account does not have (the provider's \"couldn't find resource\")", async () => {
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

  it("only warns when the zone cannot be looked up (a role without route53:GetHostedZone or ListTagsForResource), and writes the records", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue();
    const graph = await site("denied", { name: "gallery.example.com", hostedZoneId: "ZDENIED" });
    expect(graph.filter((r) => r.type === RECORD && r.inputs.zoneId === "ZDENIED")).toHaveLength(3);
    const tagless = await site("notags", { name: "gallery.example.com", hostedZoneId: "ZNOTAGS" });
    expect(tagless.filter((r) => r.type === RECORD && r.inputs.zoneId === "ZNOTAGS")).toHaveLength(3);
    const permissions =
      "The lookup by id needs route53:GetHostedZone and route53:ListTagsForResource (and route53:ListResourceRecordSets for a private zone); the records themselves need only GetHostedZone. " +
      "Without those permissions, or with an id Route 53 does not take as one (InvalidInput), this warning is given on every preview.";
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    expect(warn.mock.calls.map(([message]) => message).filter((m) => m.includes("hostedZoneId"))).toEqual([
      expect.stringMatching(new RegExp(`^StaticSite "denied": domain\\.hostedZoneId "ZDENIED" could not be looked up at preview \\(getZone: invoking .*operation error Route 53: GetHostedZone, https response error StatusCode: 403.*AccessDenied.*\\), so whether the zone holds gallery\\.example\\.com was not checked\\. ${escape(permissions)}$`, "s")),
      expect.stringMatching(new RegExp(`^StaticSite "notags": domain\\.hostedZoneId "ZNOTAGS" could not be looked up at preview \\(getZone: invoking .*ListTagsForResource.*AccessDenied.*\\), so whether the zone holds gallery\\.example\\.com was not checked\\. ${escape(permissions)}$`, "s")),
    ]);
  });

  it("skips the check when the lookup answers no name (the offline mocks)", async () => {
    const graph = await site("offline", { name: "gallery.example.org", hostedZoneId: "ZUNKNOWN" });
    expect(graph.filter((r) => r.type === RECORD)).toHaveLength(3);
  });
});
