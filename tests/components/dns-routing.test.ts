/** DnsRouting: latency, failover and geolocation records as data, a health check per target, and the validation of each policy. */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { DnsRouting, FailoverRole, healthCheckProblem, RoutingPolicy, type DnsRoutingArgs, type DnsRoutingRecord } from "../../components/dns-routing";
import { healthCheckSettingsProblem } from "../../components/dns-routing/spec";
import { checkDeployRules } from "../../testing/deploy-rules";
import { ofType, record, resource } from "../harness/mocks";

const RECORD = "aws:route53/record:Record";
const CHECK = "aws:route53/healthCheck:HealthCheck";
const target = (host: string) => ({ name: `d-${host}.execute-api.amazonaws.com`, zoneId: "Z1UJRXOUMOOFQ8" });
const health = (host: string) => ({ fqdn: `${host}.execute-api.amazonaws.com`, path: "/prod/api/health" });
const east: DnsRoutingRecord = { id: "us-east-1", region: "us-east-1", target: target("east"), healthCheck: health("east") };
const west: DnsRoutingRecord = { id: "us-west-2", region: "us-west-2", target: target("west"), healthCheck: health("west") };
const base = { zoneId: "Z0123456789EXAMPLE0000", name: "api.gallery.example.com" };
// A distribution's alias target: its domain name and the hosted zone id every distribution has.
const distribution = { name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2" };
const failoverToSite = (target: DnsRoutingRecord["target"], more: Partial<DnsRoutingArgs> = {}): DnsRoutingArgs => ({
  ...base,
  policy: RoutingPolicy.Failover,
  ipv6: false,
  records: [
    { ...east, region: undefined, failover: FailoverRole.Primary },
    { id: "site", failover: FailoverRole.Secondary, target },
  ],
  ...more,
});

describe("DnsRouting", () => {
  it("makes latency A and AAAA aliases per region, each carrying an HTTPS string-match health check on the target's health route", async () => {
    const graph = await record(() => new DnsRouting("lat", { ...base, policy: RoutingPolicy.Latency, records: [east, west] }));
    expect(ofType(graph, RECORD).map((r) => r.name).sort()).toEqual(["lat-a-useast1", "lat-a-uswest2", "lat-aaaa-useast1", "lat-aaaa-uswest2"]);
    const check = resource(graph, CHECK, "lat-health-uswest2");
    expect(check.inputs).toMatchObject({
      type: "HTTPS_STR_MATCH",
      fqdn: "west.execute-api.amazonaws.com",
      port: 443,
      resourcePath: "/prod/api/health",
      searchString: '"status":"ok"',
      enableSni: true,
      failureThreshold: 3,
      requestInterval: 30,
    });
    expect(resource(graph, RECORD, "lat-aaaa-uswest2").inputs).toMatchObject({
      name: "api.gallery.example.com",
      type: "AAAA",
      setIdentifier: "us-west-2",
      latencyRoutingPolicies: [{ region: "us-west-2" }],
      healthCheckId: check.id,
      aliases: [{ name: "d-west.execute-api.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8", evaluateTargetHealth: true }],
    });
  });

  it("makes a failover pair: PRIMARY with its health check, SECONDARY", async () => {
    const graph = await record(
      () =>
        new DnsRouting("fo", {
          ...base,
          policy: RoutingPolicy.Failover,
          ipv6: false,
          records: [
            { ...east, region: undefined, failover: FailoverRole.Primary },
            { ...west, region: undefined, failover: FailoverRole.Secondary, healthCheck: undefined },
          ],
        }),
    );
    expect(resource(graph, RECORD, "fo-a-useast1").inputs).toMatchObject({ failoverRoutingPolicies: [{ type: "PRIMARY" }], healthCheckId: resource(graph, CHECK, "fo-health-useast1").id });
    expect(resource(graph, RECORD, "fo-a-uswest2").inputs).toMatchObject({ failoverRoutingPolicies: [{ type: "SECONDARY" }] });
    expect(ofType(graph, CHECK)).toHaveLength(1);
  });

  it("makes geolocation records with Route 53's default location (country *)", async () => {
    const graph = await record(
      () =>
        new DnsRouting("geo", {
          ...base,
          policy: RoutingPolicy.Geolocation,
          ipv6: false,
          records: [
            { ...west, region: undefined, id: "europe", location: { continent: "EU" } },
            { ...east, region: undefined, id: "default", location: { default: true } },
          ],
        }),
    );
    expect(resource(graph, RECORD, "geo-a-europe").inputs.geolocationRoutingPolicies).toEqual([{ continent: "EU" }]);
    expect(resource(graph, RECORD, "geo-a-default").inputs.geolocationRoutingPolicies).toEqual([{ country: "*" }]);
  });

  it("keeps each health check's referenceName as before while it fits the provider's 27 characters", async () => {
    const graph = await record(() => new DnsRouting("api-routing", { ...base, policy: RoutingPolicy.Latency, records: [east, west] }));
    expect(ofType(graph, CHECK).map((c) => c.inputs.referenceName).sort()).toEqual(["api-routing-useast1", "api-routing-uswest2"]);
  });

  it("shortens a longer referenceName to a readable prefix and a hash, distinct per record and within the provider's 27 characters", async () => {
    const graph = await record(() => new DnsRouting("regional-api-routing", { ...base, policy: RoutingPolicy.Latency, records: [east, west] }));
    const names = ofType(graph, CHECK).map((c) => c.inputs.referenceName as string);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const referenceName of names) {
      expect(referenceName).toMatch(/^regional-api-routi-[0-9a-f]{8}$/);
      expect(healthCheckProblem({ referenceName })).toBeUndefined();
    }
    // The same on every run: referenceName forces replacement, so these are pinned.
    expect(names.sort()).toEqual(["regional-api-routi-8cddf17c", "regional-api-routi-ede909ff"]);
  });

  it("refuses a referenceName over 27 characters in the check it shares with the deploy rule", () => {
    expect(healthCheckProblem({ referenceName: "a".repeat(27) })).toBeUndefined();
    expect(healthCheckProblem({ referenceName: "regional-api-routing-useast1" })).toMatch(/^referenceName "regional-api-routing-useast1" is over 27 characters/);
  });

  it("shows a non-finite threshold or interval as itself in the check it shares with the deploy rule, not as JSON's null", () => {
    expect(healthCheckProblem({ failureThreshold: Number.NaN })).toBe("failureThreshold NaN is not a whole number");
    expect(healthCheckProblem({ failureThreshold: Number.POSITIVE_INFINITY })).toBe("failureThreshold Infinity is not a whole number, nor in Route 53's range of 1–10 consecutive checks");
    expect(healthCheckProblem({ requestInterval: Number.NaN })).toBe("requestInterval NaN is neither 10 nor 30");
  });

  it("checks the settings besides failureThreshold for the components, which check it first under their own argument, while the deploy rule's check reads it first", () => {
    expect(healthCheckSettingsProblem({ failureThreshold: 0, requestInterval: 30 } as never)).toBeUndefined();
    expect(healthCheckSettingsProblem({ requestInterval: 20 })).toBe("requestInterval 20 is neither 10 nor 30");
    expect(healthCheckProblem({ failureThreshold: 0, requestInterval: 20 })).toBe("failureThreshold 0 is outside Route 53's range of 1–10 consecutive checks");
  });

  it("does not evaluate a CloudFront distribution target's health by default, and still evaluates the other targets", async () => {
    const graph = await record(() => new DnsRouting("tosite", failoverToSite(distribution)));
    expect(resource(graph, RECORD, "tosite-a-site").inputs.aliases).toEqual([{ ...distribution, evaluateTargetHealth: false }]);
    expect(resource(graph, RECORD, "tosite-a-useast1").inputs.aliases[0].evaluateTargetHealth).toBe(true);
  });

  it("decides from a distribution's zone id given as an Output once it resolves", async () => {
    const graph = await record(() => new DnsRouting("tosite", failoverToSite({ name: pulumi.output(distribution.name), zoneId: pulumi.output(distribution.zoneId) })));
    expect(resource(graph, RECORD, "tosite-a-site").inputs.aliases).toEqual([{ ...distribution, evaluateTargetHealth: false }]);
    expect(resource(graph, RECORD, "tosite-a-useast1").inputs.aliases[0].evaluateTargetHealth).toBe(true);
  });

  it("drops an explicit evaluateTargetHealth: true, with a warning, when a distribution's zone id comes as an Output (Route 53 would refuse it mid-update)", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      const graph = await record(() => new DnsRouting("tosite", failoverToSite({ name: distribution.name, zoneId: pulumi.output(distribution.zoneId) }, { evaluateTargetHealth: true })));
      expect(resource(graph, RECORD, "tosite-a-site").inputs.aliases).toEqual([{ ...distribution, evaluateTargetHealth: false }]);
      expect(resource(graph, RECORD, "tosite-a-useast1").inputs.aliases[0].evaluateTargetHealth).toBe(true);
      expect(checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" })).toEqual([]);
      expect(warn.mock.calls.map(([message]) => message)).toEqual([expect.stringMatching(/^DnsRouting "tosite": evaluateTargetHealth true is refused by Route 53 for records\[\d\], whose target is a CloudFront distribution .* The record is created without it\.$/)]);
    } finally {
      warn.mockRestore();
    }
  });

  const cases: Array<[string, Partial<DnsRoutingArgs>, RegExp]> = [
    ["a latency record without a region", { policy: RoutingPolicy.Latency, records: [east, { ...west, region: undefined }] }, /^DnsRouting "bad": records\[1\]\.region \(not set\) is missing; latency records route by the region of their target\. Set the target's region, e\.g\. "us-west-2"\.$/],
    ["two latency records of one region", { policy: RoutingPolicy.Latency, records: [east, { ...west, region: "us-east-1" }] }, /records "us-east-1" is the region of two latency records/],
    ["two records with one id", { policy: RoutingPolicy.Latency, records: [east, { ...west, id: "us-east-1" }] }, /records\[1\]\.id "us-east-1" is used by another record/],
    [
      "two primaries",
      { policy: RoutingPolicy.Failover, records: [{ ...east, region: undefined, failover: FailoverRole.Primary }, { ...west, region: undefined, failover: FailoverRole.Primary }] },
      /records \["PRIMARY","PRIMARY"\] is not exactly one PRIMARY and one SECONDARY record/,
    ],
    ["a lone primary", { policy: RoutingPolicy.Failover, records: [{ ...east, region: undefined, failover: FailoverRole.Primary }] }, /is not exactly one PRIMARY and one SECONDARY/],
    [
      "a primary without a health check",
      { policy: RoutingPolicy.Failover, records: [{ ...east, failover: FailoverRole.Primary, healthCheck: undefined }, { ...west, failover: FailoverRole.Secondary }] },
      /records\[0\]\.healthCheck \(not set\) is missing on the PRIMARY record/,
    ],
    ["geolocation without a default", { policy: RoutingPolicy.Geolocation, records: [{ ...east, location: { continent: "NA" } }, { ...west, location: { continent: "EU" } }] }, /have no default location/],
    ["two defaults", { policy: RoutingPolicy.Geolocation, records: [{ ...east, location: { default: true } }, { ...west, location: { default: true } }] }, /is the location of another record/],
    ["a health check every 20 s", { policy: RoutingPolicy.Latency, records: [{ ...east, healthCheck: { ...health("east"), requestInterval: 20 } }] }, /requestInterval 20 is neither 10 nor 30/],
    ["a failure threshold of 11", { policy: RoutingPolicy.Latency, records: [{ ...east, healthCheck: { ...health("east"), failureThreshold: 11 } }] }, /^DnsRouting "bad": records\[0\]\.healthCheck\.failureThreshold 11 is outside Route 53's range of 1–10 consecutive checks\. Use a whole number from 1 to 10, e\.g\. 3 \(the default\)\.$/],
    ["a relative health path", { policy: RoutingPolicy.Latency, records: [{ ...east, healthCheck: { fqdn: "x", path: "health" } }] }, /resourcePath "health" does not start with "\/"/],
    [
      "evaluateTargetHealth: true with a CloudFront distribution target",
      failoverToSite(distribution, { evaluateTargetHealth: true }),
      /DnsRouting "bad": evaluateTargetHealth true is refused by Route 53 for records\[1\], whose target is a CloudFront distribution \(alias zone Z2FDTNDATAQYW2\)\. Drop evaluateTargetHealth/,
    ],
  ];
  it.each(cases)("refuses %s, naming the argument and the fix", (_, args, message) => {
    expect(() => new DnsRouting("bad", { ...base, ...args } as DnsRoutingArgs)).toThrow(message);
  });
});
