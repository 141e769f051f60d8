/**
 * RelationalDatabase's engine version, as RDS lists it at preview (review 90 #6): a version RDS does not have (a
 * retired minor version, a typo) is refused then, rather than by CreateDBCluster ("Cannot find version … for
 * aurora-postgresql") at `pulumi up`; a deprecated one only warns, so a deployed cluster on it keeps deploying. The
 * mocks answer getEngineVersion from a table here (MockOptions.invokes), as DescribeDBEngineVersions would: a version
 * missing from it fails the invoke as the provider's data source does.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { PrivateNetwork } from "../../components/private-network";
import { RelationalDatabase } from "../../components/relational-database";
import { record, resource, useMocks } from "../harness/mocks";

/** Aurora PostgreSQL versions by region and their status (IncludeAll), and the newest available per family. */
const VERSIONS: Record<string, string> = { "16.9": "available", "16.4": "deprecated", "15.13": "available", "16.1": "available", "16.11": "available", "16.21": "available" };
const NEWEST: Record<string, string> = { "aurora-postgresql15": "15.13", "aurora-postgresql16": "16.9" };
/**
 * The data source's failure as the engine reports it: a gRPC error whose `details` the SDK makes the invoke's message
 * (@pulumi/pulumi runtime/invoke.js: `innerReject(new Error(err.details))`).
 */
const notFound = (criteria: string) => Object.assign(new Error("invoke failed"), { details: `no RDS engine versions found: { Engine: "aurora-postgresql", ${criteria} }` });
/** Each lookup's inputs, in order. */
const asked: Record<string, unknown>[] = [];

beforeAll(() =>
  useMocks({
    invokes: {
      "aws:rds/getEngineVersion:getEngineVersion": (inputs) => {
        asked.push(inputs);
        if (inputs.latest) {
          if (!NEWEST[inputs.parameterGroupFamily]) throw notFound(`DBParameterGroupFamily: "${inputs.parameterGroupFamily}"`);
          return { engine: inputs.engine, version: NEWEST[inputs.parameterGroupFamily], status: "available" };
        }
        if (inputs.version === "16.8") throw Object.assign(new Error("invoke failed"), { details: "reading RDS engine versions: ThrottlingException: Rate exceeded" });
        // EngineVersion as a prefix, then the data source's preferred_versions (exact) and "multiple" rules.
        let listed = Object.keys(VERSIONS).filter((v) => v === inputs.version || v.startsWith(`${inputs.version}`));
        if (listed.length === 0) throw notFound(`EngineVersion: "${inputs.version}", IncludeAll: true`);
        if (inputs.preferredVersions) {
          listed = listed.filter((v) => inputs.preferredVersions.includes(v));
          if (listed.length === 0) throw Object.assign(new Error("invoke failed"), { details: `no RDS engine versions match the criteria and preferred versions: { EngineVersion: "${inputs.version}" }` });
        } else if (listed.length > 1) {
          throw Object.assign(new Error("invoke failed"), { details: `multiple RDS engine versions (${listed.join(", ")}) match the criteria: { EngineVersion: "${inputs.version}" }` });
        }
        return { engine: inputs.engine, version: listed[0], status: VERSIONS[listed[0]] };
      },
    },
  }),
);

afterEach(() => vi.restoreAllMocks());

const database = (name: string, engineVersion?: string, region?: string) =>
  new RelationalDatabase(name, { network: new PrivateNetwork(`${name}-net`, { executeApiEndpoint: false, ...(region ? { region } : {}) }), finalSnapshot: false, ...(engineVersion ? { engineVersion } : {}) });

describe("RelationalDatabase engineVersion, looked up at preview", () => {
  it("passes a version RDS offers, looking it up once (engine, exact version, deprecated ones included) in the cluster's region", async () => {
    asked.length = 0;
    const graph = await record(() => database("current", "15.13", "eu-west-1"));
    expect(resource(graph, "aws:rds/cluster:Cluster", "current-cluster").inputs.engineVersion).toBe("15.13");
    expect(asked).toEqual([{ engine: "aurora-postgresql", version: "15.13", preferredVersions: ["15.13"], includeAll: true, region: "eu-west-1" }]);
  });

  it("refuses a version RDS does not have, naming the value, the region and the newest version of its major", async () => {
    await expect(record(() => database("retired", "15.8"))).rejects.toThrow(
      /^error serializing property "engineVersion": RelationalDatabase "retired": engineVersion "15\.8" is not an Aurora PostgreSQL version RDS has in the provider's region \(describe-db-engine-versions lists no such version, not even with --include-all\), so CreateDBCluster would answer "Cannot find version 15\.8 for aurora-postgresql" at `pulumi up`\. Use a current minor version of 15, e\.g\. "15\.13" \(aws rds describe-db-engine-versions --engine aurora-postgresql --query "DBEngineVersions\[\]\.EngineVersion"\), or leave engineVersion out for "16\.9"\.$/,
    );
  });

  it("refuses a version of a major RDS lists nothing for, without an example", async () => {
    await expect(record(() => database("unknown-major", "19.1"))).rejects.toThrow(/engineVersion "19\.1" is not an Aurora PostgreSQL version RDS has .* Use a current minor version of 19 \(aws rds/);
  });

  it("only warns for a deprecated version: a deployed cluster on it keeps deploying", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue();
    const graph = await record(() => database("deprecated", "16.4"));
    expect(resource(graph, "aws:rds/cluster:Cluster", "deprecated-cluster").inputs.engineVersion).toBe("16.4");
    expect(warn.mock.calls.map(([message]) => message)).toEqual([expect.stringMatching(/^RelationalDatabase "deprecated": engineVersion "16\.4" is deprecated in RDS .* Raise engineVersion to a current minor version of 16 /)]);
  });

  it("turns other lookup failures into the component's message, naming the permission (review 95, F3)", async () => {
    await expect(record(() => database("throttled", "16.8"))).rejects.toThrow(
      /^error serializing property "engineVersion": RelationalDatabase "throttled": engineVersion "16\.8" could not be looked up in RDS \(the provider's region\) at preview: reading RDS engine versions: ThrottlingException: Rate exceeded\. Give the role that runs preview rds:DescribeDBEngineVersions/,
    );
  });

  it("matches the version exactly: 16.1 passes though 16.11 is listed too, 16.2 is refused though 16.21 is (review 95, F3)", async () => {
    const graph = await record(() => database("exact", "16.1"));
    expect(resource(graph, "aws:rds/cluster:Cluster", "exact-cluster").inputs.engineVersion).toBe("16.1");
    await expect(record(() => database("prefix", "16.2"))).rejects.toThrow(/RelationalDatabase "prefix": engineVersion "16\.2" is not an Aurora PostgreSQL version RDS has/);
  });
});
