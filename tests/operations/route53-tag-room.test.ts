/**
 * Route 53 takes at most 10 tags on a health check or hosted zone (ChangeTagsForResource), and the stack's tags
 * (registerStackTags) land on every health check a component creates: StaticSite's domain.failover check and
 * DnsRouting's per-record checks (which add their own Name tag). The components refuse at construction when the stack
 * tags registered before them would put more than 10 on a check, rather than failing the tagging call at `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { DnsRouting, RoutingPolicy } from "../../components/dns-routing";
import { StaticSite } from "../../components/static-site";
import { registerStackTags } from "../../components/tags";
import type { RecordedResource, RecordingMocks } from "../../local/offline/mocks";
import { record, useMocks } from "../harness/mocks";

const userTags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`cost-${i}`, "x"]));
const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
const failoverSite = (name: string) => () =>
  new StaticSite(name, { path: "tests/fixtures/site", domain: { name: "app.example.com", hostedZoneId: "Z1", certificateArn, failover: { domainName: "standby.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2" } } });
const routing = (name: string) => () =>
  new DnsRouting(name, {
    zoneId: "Z0123456789EXAMPLE0000",
    name: "api.gallery.example.com",
    policy: RoutingPolicy.Latency,
    records: [{ id: "us-east-1", region: "us-east-1", target: { name: "d-east.execute-api.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8" }, healthCheck: { fqdn: "east.execute-api.amazonaws.com", path: "/prod/api/health" } }],
  });

// The harness's mocks, so that runInStack and `record` record into the same ones.
let mocks: RecordingMocks;
beforeAll(async () => {
  mocks = await useMocks({ stack: "test" });
});

/** Runs `build` as a program runs (inside a root stack resource, so registerStackTags applies): its error, or its resources. */
async function runInStack(build: () => void): Promise<{ error?: Error; resources: RecordedResource[] }> {
  await mocks.startProgram();
  const start = mocks.resources.length;
  let error: Error | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      build();
    } catch (e) {
      error = e as Error;
    }
    return {};
  });
  await mocks.settle();
  return { error, resources: mocks.resources.slice(start).filter((r) => r.type !== "pulumi:pulumi:Stack") };
}

describe("health checks and the stack's tags: Route 53 takes 10", () => {
  it("refuses StaticSite domain.failover when the stack tags are 11 (app, stack and 9 of the tags config)", async () => {
    const { error } = await runInStack(() => {
      registerStackTags({ tags: userTags(9) });
      failoverSite("site11")();
    });
    expect(error?.message).toMatch(
      /^StaticSite "site11": domain\.failover .* creates a Route 53 health check, which the stack's tags \(registerStackTags: app, stack and 9 more\) would give 11 tags; Route 53 allows 10 per health check or hosted zone \(ChangeTagsForResource: "You can add a maximum of 10 tags to a health check or a hosted zone", https:\/\/docs\.aws\.amazon\.com\/Route53\/latest\/APIReference\/API_ChangeTagsForResource\.html\)\. Keep at most 10 stack tags \(app and stack included: at most 8 in the tags config\), or leave domain\.failover unset\.$/,
    );
  });

  it("creates StaticSite's health check with 10 stack tags on it", async () => {
    const { error, resources } = await runInStack(() => {
      registerStackTags({ tags: userTags(8) });
      failoverSite("site10")();
    });
    expect(error).toBeUndefined();
    const check = resources.find((r) => r.type === "aws:route53/healthCheck:HealthCheck");
    expect(Object.keys(check!.inputs.tags)).toHaveLength(10);
  });

  it("refuses a DnsRouting health check at 10 stack tags, since it adds its own Name tag (11), and takes 9", async () => {
    const refused = await runInStack(() => {
      registerStackTags({ tags: userTags(8) });
      routing("route10")();
    });
    expect(refused.error?.message).toMatch(
      /^DnsRouting "route10": records\[0\]\.healthCheck .* creates a Route 53 health check, which the stack's tags \(registerStackTags: app, stack and 8 more\) and its own Name tag would give 11 tags; Route 53 allows 10 per health check or hosted zone .*Keep at most 9 stack tags \(app and stack included: at most 7 in the tags config\), or leave records\[0\]\.healthCheck unset\.$/,
    );
    const taken = await runInStack(() => {
      registerStackTags({ tags: userTags(7) });
      routing("route9")();
    });
    expect(taken.error).toBeUndefined();
    expect(Object.keys(taken.resources.find((r) => r.type === "aws:route53/healthCheck:HealthCheck")!.inputs.tags)).toHaveLength(10);
  });

  it("sees only the stack tags of the program being run: a later run without registerStackTags is not refused", async () => {
    await runInStack(() => registerStackTags({ tags: userTags(20) }));
    expect((await runInStack(failoverSite("later"))).error).toBeUndefined();
    // Bare mocks (no root stack resource) tag nothing, so nothing is refused either.
    await expect(record(failoverSite("bare"))).resolves.toBeDefined();
  });
});
