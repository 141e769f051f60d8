/**
 * The local Route 53 (local/region-router.ts) on its own: which record answers under each policy, and health checks
 * that flip a target only after failureThreshold consecutive results, with string matching. Rounds are driven
 * explicitly; nothing waits on a clock.
 */
import type { RequestListener } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { FailoverRole, RoutingPolicy, type DnsRoutingRecordSpec, type DnsRoutingSpec } from "../../components/dns-routing/spec";
import { listen } from "../../local/front-door";
import { RegionRouter } from "../../local/region-router";

const bodies: Record<string, string> = {};
const origin = (id: string): RequestListener => (request, response) => {
  response.setHeader("content-type", "application/json");
  response.end(request.url === "/api/health" ? (bodies[id] ?? '{"status":"ok"}') : JSON.stringify({ served: id }));
};
const record = (id: string, more: Partial<DnsRoutingRecordSpec> = {}): DnsRoutingRecordSpec => ({
  id,
  target: { name: `${id}.example`, zoneId: "Z" },
  healthCheck: { fqdn: `${id}.example`, path: "/prod/api/health", searchString: '"status":"ok"', failureThreshold: 2, requestInterval: 30 },
  local: { originId: id, pathPrefix: "/prod" },
  ...more,
});
const spec = (policy: RoutingPolicy, records: DnsRoutingRecordSpec[]): DnsRoutingSpec => ({ name: "api.example.com", policy, recordTypes: ["A"], evaluateTargetHealth: true, records });

const routers: RegionRouter[] = [];
async function router(s: DnsRoutingSpec): Promise<RegionRouter> {
  const r = new RegionRouter(s, (id) => origin(id));
  await r.start();
  routers.push(r);
  return r;
}
afterEach(async () => {
  for (const r of routers.splice(0)) await r.stop();
  for (const key of Object.keys(bodies)) delete bodies[key];
});

describe("RegionRouter", () => {
  it("routes latency records by the client's region, the first record otherwise", async () => {
    const r = await router(spec(RoutingPolicy.Latency, [record("us-east-1", { region: "us-east-1" }), record("us-west-2", { region: "us-west-2" })]));
    expect(r.choose({ region: "us-west-2" }).record.id).toBe("us-west-2");
    expect(r.choose({ region: "eu-west-1" }).record.id).toBe("us-east-1");
    const { server, url } = await listen(r.listener, 0);
    try {
      const response = await fetch(`${url}/api/albums`, { headers: { "x-client-region": "us-west-2" } });
      expect(response.headers.get("x-local-route")).toBe("us-west-2");
      expect(await response.json()).toEqual({ served: "us-west-2" });
    } finally {
      server.close();
    }
  });

  it("marks a target unhealthy only after failureThreshold failed rounds (here a body without the search string), and healthy again after as many passes", async () => {
    const r = await router(spec(RoutingPolicy.Latency, [record("us-east-1", { region: "us-east-1" }), record("us-west-2", { region: "us-west-2" })]));
    bodies["us-east-1"] = '{"status":"degraded"}';
    expect(await r.checkHealth()).toEqual([]);
    expect(r.choose({ region: "us-east-1" }).record.id).toBe("us-east-1");
    expect(await r.checkHealth()).toEqual([{ id: "us-east-1", healthy: false, round: 2 }]);
    expect(r.choose({ region: "us-east-1" }).record.id).toBe("us-west-2");
    delete bodies["us-east-1"];
    expect(await r.checkHealth()).toEqual([]);
    expect(await r.checkHealth()).toEqual([{ id: "us-east-1", healthy: true, round: 4 }]);
  });

  it("fails over from PRIMARY to SECONDARY when the primary is down, and answers with the primary when both are", async () => {
    const r = await router(spec(RoutingPolicy.Failover, [record("primary", { failover: FailoverRole.Primary }), record("secondary", { failover: FailoverRole.Secondary })]));
    r.setOutage("primary", true);
    await r.checkHealth();
    await r.checkHealth();
    expect(r.health()).toEqual({ primary: false, secondary: true });
    expect(r.choose().record.id).toBe("secondary");
    r.setOutage("secondary", true);
    await r.checkHealth();
    await r.checkHealth();
    // "If all the records ... are unhealthy, Route 53 responds ... as if all the records were healthy."
    expect(r.choose().record.id).toBe("primary");
  });

  it("routes geolocation records by country, with the default record for everyone else", async () => {
    const r = await router(spec(RoutingPolicy.Geolocation, [record("germany", { location: { country: "DE" } }), record("default", { location: { default: true } })]));
    expect(r.choose({ country: "de" }).record.id).toBe("germany");
    expect(r.choose({ country: "FR" }).record.id).toBe("default");
    expect(r.choose({}).record.id).toBe("default");
  });

  it("refuses a record without a local origin", () => {
    expect(() => new RegionRouter(spec(RoutingPolicy.Latency, [record("x", { region: "us-east-1", local: undefined })]), () => undefined)).toThrow(/record x has no local origin/);
  });
});
