/**
 * docs/multi-region.md, "Dropping a region" and "Adding a region back", pinned by the plans: prod as committed (us-east-1
 * and us-west-2) and prod with one region (`regions: [us-east-1]`, `replicaRegions: []`, nothing else changed), both
 * recorded through index.ts, and checkPlanTransition between them at each step of the procedure. Each step's program
 * edit that is not config (DataTier `deletionProtection: false`, `stream` on `preferences`) is applied to the recorded
 * plan as DataTier writes it (components/data-tier/table.ts), and each manual step (`pulumi destroy --target` of records)
 * removes those resources from the deployed plan, as it removes them from the state.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { loadStackConfig } from "../../local/offline/config";
import { installRecordingMocks, type RecordedResource } from "../../local/offline/mocks";
import { PROJECT_DIR } from "../../local/offline/program";
import { checkPlanTransition, type DeployFinding } from "../../testing/deploy-rules";
import { ofType, resource } from "../harness/mocks";
import { expectAllRulesPass, expectNoDeployFindings, runStacks } from "./run-stack";

const RECORD = "aws:route53/record:Record";
const TABLE = "aws:dynamodb/table:Table";
const API_HOST = "api.gallery.example.com";
const ONE_REGION = { "serverless-fullstack:regions": '["us-east-1"]', "serverless-fullstack:replicaRegions": "[]" };

/** index.ts for prod with `overrides` on top of Pulumi.prod.yaml, as `pulumi config set` would leave it. */
async function recordProd(overrides: Record<string, string>): Promise<RecordedResource[]> {
  vi.resetModules();
  const config = loadStackConfig(PROJECT_DIR, "prod");
  const mocks = await installRecordingMocks({ project: config.project, stack: "prod", region: config.region });
  pulumi.runtime.setAllConfig({ ...config.values, ...overrides }, config.secretKeys);
  // The program's error (a refused config) is carried out of the stack's init, as runProgramOffline does, and rethrown.
  const failures: unknown[] = [];
  await pulumi.runtime.runInPulumiStack(async () => {
    await import("../../index.js").catch((error: unknown) => failures.push(error));
    return {};
  });
  if (failures.length > 0) throw failures[0];
  await mocks.settle();
  return mocks.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
}

/** Step 1's program edit, DataTier `deletionProtection: false`: every table and replica of the tier unprotected. */
function unprotected(graph: RecordedResource[]): RecordedResource[] {
  return graph.map((r) =>
    r.type === TABLE && r.name.startsWith("data-")
      ? { ...r, inputs: { ...r.inputs, deletionProtectionEnabled: false, replicas: r.inputs.replicas?.map((replica: object) => ({ ...replica, deletionProtectionEnabled: false })) } }
      : r,
  );
}

/** Step 2's program edit, `stream: "NEW_AND_OLD_IMAGES"` on `preferences` (gallery has its own). */
function preferencesStreamKept(graph: RecordedResource[]): RecordedResource[] {
  return graph.map((r) => (r.type === TABLE && r.name === "data-preferences" ? { ...r, inputs: { ...r.inputs, streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" } } : r));
}

/** `pulumi destroy --target` of these resources: gone from the account and from the state. */
const destroyed = (graph: RecordedResource[], names: string[]) => graph.filter((r) => !(r.type === RECORD && names.includes(r.name)));

const rules = (findings: DeployFinding[]) => findings.map((f) => `${f.rule} ${f.resource}`).sort();
const transition = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" });
const apiRecords = (graph: RecordedResource[]) => ofType(graph, RECORD).filter((r) => r.inputs.name === API_HOST);

let twoRegions: RecordedResource[];
let oneRegion: RecordedResource[];
beforeAll(async () => {
  twoRegions = (await runStacks(["prod"])).get("prod")!.resources;
  oneRegion = await recordProd(ONE_REGION);
});

describe("prod with one region (regions: [us-east-1], replicaRegions: [])", () => {
  it("builds from the same config keys as two regions (no apiCertificateArn) and plans clean", () => {
    const run = { config: { ...loadStackConfig(PROJECT_DIR, "prod"), stack: "prod" }, resources: oneRegion, specs: [], outputs: {} };
    expectAllRulesPass(run);
    expectNoDeployFindings(run);
  });

  it("keeps api.<domain> resolving: one simple A and one AAAA alias to the home region's custom domain, the home certificate, no health check", () => {
    const domain = resource(oneRegion, "aws:apigateway/domainName:DomainName", "api-domain");
    const records = apiRecords(oneRegion);
    expect(records.map((r) => [r.name, r.inputs.type, r.inputs.setIdentifier, r.inputs.latencyRoutingPolicies, r.inputs.healthCheckId]).sort()).toEqual([
      ["api-domain-a", "A", undefined, undefined, undefined],
      ["api-domain-aaaa", "AAAA", undefined, undefined, undefined],
    ]);
    for (const r of records) expect(r.inputs.aliases).toEqual([{ name: domain.state.regionalDomainName, zoneId: domain.state.regionalZoneId, evaluateTargetHealth: false }]);
    expect(ofType(oneRegion, "aws:route53/healthCheck:HealthCheck")).toEqual([]);
    expect(ofType(oneRegion, "aws:apigateway/domainName:DomainName").map((d) => d.name)).toEqual(["api-domain"]);
    // The home region's certificate and its validation record keep their names: nothing is re-issued.
    expect(ofType(oneRegion, "aws:acm/certificate:Certificate").filter((c) => c.name.startsWith("api-")).map((c) => c.urn)).toEqual(
      ofType(twoRegions, "aws:acm/certificate:Certificate").filter((c) => c.name === "api-cert-use1").map((c) => c.urn),
    );
  });

  it("takes over the home region's latency records by alias (each becomes simple in one change batch), and nothing else of two regions' plan changes its URN", () => {
    const home = ofType(twoRegions, RECORD).filter((r) => r.inputs.name === API_HOST && r.inputs.setIdentifier === "us-east-1");
    expect(home.map((r) => r.name).sort()).toEqual(["api-routing-a-useast1", "api-routing-aaaa-useast1"]);
    for (const r of home) expect(oneRegion.find((next) => next.aliases?.includes(r.urn))?.name, r.name).toBe(r.name === "api-routing-a-useast1" ? "api-domain-a" : "api-domain-aaaa");
    const created = oneRegion.filter((r) => !twoRegions.some((old) => old.urn === r.urn)).map((r) => r.name);
    expect(created.sort()).toEqual(["api-domain-a", "api-domain-aaaa"]);
  });

  it("removes us-west-2's API, certificate, routing, replicas, alarm topic and replica key, and nothing of the home region; prod's retained ones stay in the account", () => {
    const kept = new Set(oneRegion.flatMap((r) => [r.urn, ...(r.aliases ?? [])]));
    const gone = twoRegions.filter((r) => !kept.has(r.urn));
    const part = (r: RecordedResource) => {
      if (r.name.startsWith("api-usw2-") || r.name.endsWith("-usw2")) return "us-west-2 API and its certificate";
      if (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name.includes("-api-usw2-")) return "us-west-2 API's alarms";
      if (r.name.startsWith("api-routing")) return "routing: us-west-2's latency records, both health checks";
      if (/^(site-bucket-replica|uploads-us-west-2-replica|uploads-replication$)/.test(r.name)) return "site and originals replication";
      if (r.name.endsWith("-us-west-2") || r.name.startsWith("ops-alarms-us-west-2")) return `${r.type.split(":").pop()} in us-west-2`;
      return `unexpected: ${r.type} ${r.name}`;
    };
    expect([...new Set(gone.map(part))].sort()).toEqual([
      "Key in us-west-2",
      "ReplicaKey in us-west-2",
      "Topic in us-west-2",
      "TopicSubscription in us-west-2",
      "routing: us-west-2's latency records, both health checks",
      "site and originals replication",
      "us-west-2 API and its certificate",
      "us-west-2 API's alarms",
    ]);
    expect(gone.filter((r) => r.name.startsWith("api-routing") && r.type === RECORD).map((r) => r.name).sort()).toEqual(["api-routing-a-uswest2", "api-routing-aaaa-uswest2"]);
    // retainOnDelete: removed from the stack, left in the account (docs/multi-region.md, "Site and originals").
    expect(gone.filter((r) => r.retainOnDelete).map((r) => r.name).sort()).toEqual([
      "api-usw2-account",
      "api-usw2-cloudwatch-policy",
      "api-usw2-cloudwatch-role",
      "site-bucket-replica",
      "site-bucket-replica-logs",
      "uploads-us-west-2-replica",
      "uploads-us-west-2-replica-logs",
    ]);
    expect(gone.some((r) => r.name.startsWith("api-") && !r.name.startsWith("api-usw2") && !r.name.startsWith("api-routing") && !r.name.endsWith("-usw2") && !r.name.endsWith("-us-west-2"))).toBe(false);
  });
});

describe("dropping us-west-2 from prod, step by step (docs/multi-region.md)", () => {
  it("in one update is refused three ways: the protected replicas, the replica-only stream, the routing records", () => {
    expect(rules(transition(twoRegions, oneRegion))).toEqual([
      `TransitionProtectedReplicaRemoved ${TABLE} data-gallery`,
      `TransitionProtectedReplicaRemoved ${TABLE} data-preferences`,
      `TransitionReplicaStreamOff ${TABLE} data-preferences`,
      `TransitionRoutingPolicy ${RECORD} api-domain-a`,
      `TransitionRoutingPolicy ${RECORD} api-domain-aaaa`,
    ]);
  });

  it("step 1, protection off with the regions kept, compares clean", () => {
    expect(rules(transition(twoRegions, unprotected(twoRegions)))).toEqual([]);
  });

  it("step 3 without step 2 (the saved plan still lists the records step 2 deletes by hand) reports only the routing records: each name and type would mix latency and simple", () => {
    const step3 = preferencesStreamKept(unprotected(oneRegion));
    expect(rules(transition(unprotected(twoRegions), step3))).toEqual([`TransitionRoutingPolicy ${RECORD} api-domain-a`, `TransitionRoutingPolicy ${RECORD} api-domain-aaaa`]);
  });

  it("step 3 after step 2, `pulumi destroy --target` of us-west-2's two latency records, compares clean: the home records switch to simple in place", () => {
    const before = destroyed(unprotected(twoRegions), ["api-routing-a-uswest2", "api-routing-aaaa-uswest2"]);
    // Between the destroy and the update, the home region's latency records answer alone: api.<domain> keeps resolving.
    expect(apiRecords(before).map((r) => `${r.inputs.type} ${r.inputs.setIdentifier}`).sort()).toEqual(["A us-east-1", "AAAA us-east-1"]);
    expect(rules(transition(before, preferencesStreamKept(unprotected(oneRegion))))).toEqual([]);
  });

  it("step 4, the extra stream dropped and protection back on, compares clean", () => {
    expect(rules(transition(preferencesStreamKept(unprotected(oneRegion)), oneRegion))).toEqual([]);
  });
});

describe("swapping us-west-2 for eu-west-1", () => {
  it("meets only the protected replicas: after step 1, no routing, stream or replica finding (other findings are not this procedure's)", async () => {
    const swapped = await recordProd({ "serverless-fullstack:regions": '["us-east-1","eu-west-1"]', "serverless-fullstack:replicaRegions": '["eu-west-1"]' });
    const procedural = (findings: DeployFinding[]) => rules(findings).filter((f) => /^Transition(RoutingPolicy|ReplicaStreamOff|ProtectedReplicaRemoved) /.test(f));
    expect(procedural(transition(twoRegions, swapped))).toEqual([`TransitionProtectedReplicaRemoved ${TABLE} data-gallery`, `TransitionProtectedReplicaRemoved ${TABLE} data-preferences`]);
    expect(procedural(transition(unprotected(twoRegions), unprotected(swapped)))).toEqual([]);
    expect(apiRecords(swapped).map((r) => `${r.inputs.type} ${r.inputs.setIdentifier}`).sort()).toEqual(["A eu-west-1", "A us-east-1", "AAAA eu-west-1", "AAAA us-east-1"]);
  });
});

describe("adding us-west-2 back to one-region prod", () => {
  it("in one update mixes the simple records with the new latency ones", () => {
    expect(rules(transition(oneRegion, twoRegions))).toEqual([`TransitionRoutingPolicy ${RECORD} api-routing-a-useast1`, `TransitionRoutingPolicy ${RECORD} api-routing-aaaa-useast1`]);
  });

  it("compares clean after `pulumi destroy --target` of the two simple records", () => {
    expect(rules(transition(destroyed(oneRegion, ["api-domain-a", "api-domain-aaaa"]), twoRegions))).toEqual([]);
  });
});
