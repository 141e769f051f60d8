/**
 * The components besides StaticSite that write records in a hosted zone given by id check it the same way at preview
 * (components/hosted-zone.ts): RegionalApis' domain.hostedZoneId, DnsRouting's zoneId, UserAuth's domain.hostedZoneId.
 * A zone that does not hold the name is refused, as is a zone id the account does not have, and a private zone where
 * RegionalApis validates its certificates; the records use the checked id; one lookup per component (DnsRouting inside
 * RegionalApis is given the checked id and does not look again). The mocks answer getZone from a table, as
 * tests/components/static-site-hosted-zone.test.ts does, and without a name for other ids (the offline plans).
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DnsRouting, RoutingPolicy, type DnsRoutingArgs } from "../../components/dns-routing";
import { RegionalApis, type RegionalApisArgs } from "../../components/regional-apis";
import { UserAuth } from "../../components/user-auth";
import { hostedZoneLookups } from "../harness/hosted-zones";
import { ofType, record, useMocks } from "../harness/mocks";

const ZONES: Record<string, string> = { ZCOM: "example.com.", ZORG: "example.org", ZPRIV: "example.com" };
const asked: Record<string, unknown>[] = [];

beforeAll(() => useMocks({ invokes: hostedZoneLookups(ZONES, asked) }));

afterEach(() => vi.restoreAllMocks());

const RECORD = "aws:route53/record:Record";
const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc";

const api: RegionalApisArgs["api"] = { basePath: "api", stages: { prod: {} }, routes: { "GET /health": { handler: "handlers/api/health.ts", auth: "none" } } };
const regional = (hostedZoneId: string, more: Partial<RegionalApisArgs> = {}): RegionalApisArgs => ({
  regions: ["us-east-1", "us-west-2"],
  api,
  domain: { name: "api.gallery.example.com", hostedZoneId },
  routing: { policy: RoutingPolicy.Latency },
  ...more,
});

describe("RegionalApis domain.hostedZoneId holds domain.name, checked at preview", () => {
  it("refuses a zone that does not hold domain.name, naming the certificates' 75-minute wait", async () => {
    await expect(record(() => new RegionalApis("other", regional("ZORG")))).rejects.toThrow(
      /RegionalApis "other": domain\.hostedZoneId "ZORG" is the hosted zone example\.org, which does not hold domain\.name "api\.gallery\.example\.com": the provider writes a name that does not end in the zone's name as a name under the zone \(api\.gallery\.example\.com\.example\.org\), so the API is not reachable at its name, and the certificate's validation record would be written under the zone too, where ACM never finds it: `pulumi up` would wait 75 minutes for the certificate and fail\. Give the id of the hosted zone of api\.gallery\.example\.com/,
    );
  });

  it("refuses a zone id the account does not have, and a private zone its certificates would be validated in", async () => {
    await expect(record(() => new RegionalApis("missing", regional("ZMISSING")))).rejects.toThrow(/RegionalApis "missing": domain\.hostedZoneId "ZMISSING" is not a hosted zone of this account/);
    await expect(record(() => new RegionalApis("private", regional("ZPRIV")))).rejects.toThrow(
      /RegionalApis "private": domain\.hostedZoneId "ZPRIV" is the private hosted zone example\.com, .*ACM validates a certificate through public DNS/,
    );
  });

  it("looks the zone up once, and writes the validation record and the routing's records in it (DnsRouting does not look again)", async () => {
    asked.length = 0;
    const graph = await record(() => new RegionalApis("api", regional("ZCOM")));
    expect(asked).toEqual([{ zoneId: "ZCOM" }]);
    const records = ofType(graph, RECORD);
    expect(records.map((r) => r.name).sort()).toEqual(["api-cert-validation", "api-routing-a-useast1", "api-routing-a-uswest2", "api-routing-aaaa-useast1", "api-routing-aaaa-uswest2"]);
    expect(records.map((r) => r.inputs.zoneId)).toEqual(records.map(() => "ZCOM"));
  });

  it("writes one region's simple alias records in the checked zone, and only warns of a private zone with a certificate given", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue();
    const graph = await record(() => new RegionalApis("one", { regions: ["us-east-1"], api, domain: { name: "api.gallery.example.com", hostedZoneId: "ZPRIV", certificateArn: CERTIFICATE_ARN } }));
    expect(ofType(graph, RECORD).map((r) => [r.name, r.inputs.zoneId])).toEqual([["one-domain-a", "ZPRIV"], ["one-domain-aaaa", "ZPRIV"]]);
    expect(warn.mock.calls.map(([message]) => message).filter((m) => m.includes("hostedZoneId"))).toEqual([
      'RegionalApis "one": domain.hostedZoneId "ZPRIV" is the private hosted zone example.com, whose records resolve only inside the VPCs associated with it: api.gallery.example.com will not resolve on the internet. Give the public zone\'s id unless that is what you want.',
    ]);
  });
});

const routing = (zoneId: string, name = "api.gallery.example.com"): DnsRoutingArgs => ({
  zoneId,
  name,
  policy: RoutingPolicy.Latency,
  ipv6: false,
  records: [{ id: "us-east-1", region: "us-east-1", target: { name: "d-east.execute-api.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8" } }],
});

describe("DnsRouting zoneId holds name, checked at preview", () => {
  it("refuses a zone that does not hold name, and a zone id the account does not have", async () => {
    await expect(record(() => new DnsRouting("other", routing("ZORG")))).rejects.toThrow(
      /DnsRouting "other": zoneId "ZORG" is the hosted zone example\.org, which does not hold name "api\.gallery\.example\.com": the provider writes a name that does not end in the zone's name as a name under the zone \(api\.gallery\.example\.com\.example\.org\), so the routed service is not reachable at its name\. Give/,
    );
    await expect(record(() => new DnsRouting("missing", routing("ZMISSING")))).rejects.toThrow(/DnsRouting "missing": zoneId "ZMISSING" is not a hosted zone of this account/);
  });

  it("writes the records in a zone that holds the name (a trailing dot too), and only warns of a private zone (it validates no certificate)", async () => {
    asked.length = 0;
    const graph = await record(() => new DnsRouting("lat", routing("ZCOM", "api.gallery.example.com.")));
    expect(asked).toEqual([{ zoneId: "ZCOM" }]);
    expect(ofType(graph, RECORD).map((r) => r.inputs.zoneId)).toEqual(["ZCOM"]);
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue();
    await expect(record(() => new DnsRouting("split", routing("ZPRIV")))).resolves.toBeDefined();
    expect(warn.mock.calls.map(([message]) => message).filter((m) => m.includes("zoneId"))).toEqual([expect.stringMatching(/^DnsRouting "split": zoneId "ZPRIV" is the private hosted zone example\.com/)]);
  });
});

const auth = (name: string, hostedZoneId: string) =>
  record(() => new UserAuth(name, { callbackUrls: ["https://gallery.example.com/"], domain: { name: "auth.gallery.example.com", certificateArn: CERTIFICATE_ARN, hostedZoneId } }));

describe("UserAuth domain.hostedZoneId holds domain.name, checked at preview", () => {
  it("refuses a zone that does not hold domain.name, and a zone id the account does not have", async () => {
    await expect(auth("other", "ZORG")).rejects.toThrow(
      /UserAuth "other": domain\.hostedZoneId "ZORG" is the hosted zone example\.org, which does not hold domain\.name "auth\.gallery\.example\.com": the provider writes a name that does not end in the zone's name as a name under the zone \(auth\.gallery\.example\.com\.example\.org\), so the hosted UI is not reachable at its name\. Give/,
    );
    await expect(auth("missing", "ZMISSING")).rejects.toThrow(/UserAuth "missing": domain\.hostedZoneId "ZMISSING" is not a hosted zone of this account/);
  });

  it("writes the alias record in a zone that holds the name, looked up once", async () => {
    asked.length = 0;
    const graph = await auth("custom", "ZCOM");
    expect(asked).toEqual([{ zoneId: "ZCOM" }]);
    expect(ofType(graph, RECORD).map((r) => [r.name, r.inputs.zoneId])).toEqual([["custom-domain-record", "ZCOM"]]);
  });

  it("only warns of a private zone (its certificate is given, not validated there)", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    const graph = await auth("inside", "ZPRIV");
    expect(ofType(graph, RECORD).map((r) => [r.name, r.inputs.zoneId])).toEqual([["inside-domain-record", "ZPRIV"]]);
    expect(warn.mock.calls.map(([message]) => message).filter((m) => m.includes("hostedZoneId"))).toEqual([expect.stringMatching(/^UserAuth "inside": domain\.hostedZoneId "ZPRIV" is the private hosted zone example\.com/)]);
  });
});

describe("a hosted zone id given as an Output", () => {
  it("is not looked up: RegionalApis writes its records with it as given", async () => {
    asked.length = 0;
    const graph = await record(() => new RegionalApis("later", regional(pulumi.output("ZLATER") as unknown as string)));
    expect(asked).toEqual([]);
    expect(new Set(ofType(graph, RECORD).map((r) => r.inputs.zoneId))).toEqual(new Set(["ZLATER"]));
  });
});
