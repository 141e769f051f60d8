/**
 * `npm run edge-cleanup`'s planning and deleting, against an in-memory Lambda and CloudWatch Logs that
 * answer as AWS does: a replicated version cannot be deleted, deleting what is gone is ResourceNotFound.
 */
import { describe, expect, it } from "vitest";
import { EDGE_LOG_REGIONS, EDGE_TAGS } from "../../components/edge-logic";
import { cleanupRegions, liveFunctionsFromState } from "../../scripts/edge-cleanup";
import { describePlan, edgeLogGroupName, executeCleanup, planCleanup, type EdgeCleanupAws } from "../../scripts/edge-cleanup/plan";

class AwsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface FakeFunction {
  tags: Record<string, string>;
  versions: string[];
  /** Versions CloudFront still replicates. */
  replicated: Set<string>;
}

function fakeAws(functions: Record<string, FakeFunction>, logGroups: Record<string, string[]>) {
  const groups = new Map(Object.entries(logGroups).map(([region, names]) => [region, new Set(names)]));
  const calls: string[] = [];
  const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
  const aws: EdgeCleanupAws = {
    listFunctions: async () => Object.keys(functions).map((name) => ({ name, arn: arn(name) })),
    listTags: async (resource) => functions[resource.split(":").pop()!].tags,
    listVersions: async (name) => [...functions[name].versions],
    async deleteFunction(name, version) {
      calls.push(`delete ${name}${version ? `:${version}` : ""}`);
      const fn = functions[name];
      if (!fn || (version && !fn.versions.includes(version))) throw new AwsError("ResourceNotFoundException", `Function not found: ${arn(name)}`);
      const blocking = version ? [version].filter((v) => fn.replicated.has(v)) : [...fn.replicated];
      if (blocking.length > 0) {
        // The message Lambda answers with (quoted in AWS re:Post threads and CloudFormation events).
        throw new AwsError("InvalidParameterValueException", `Lambda was unable to delete ${arn(name)}:${blocking[0]} because it is a replicated function. Please see our documentation for Deleting Lambda@Edge Functions and Replicas.`);
      }
      if (version) fn.versions = fn.versions.filter((v) => v !== version);
      else delete functions[name];
    },
    listLogGroups: async (region, prefix) => [...(groups.get(region) ?? [])].filter((name) => name.startsWith(prefix)),
    async deleteLogGroup(region, name) {
      calls.push(`delete ${region} ${name}`);
      if (!groups.get(region)?.delete(name)) throw new AwsError("ResourceNotFoundException", "The specified log group does not exist.");
    },
  };
  return { aws, calls, functions, groups };
}

const STACK = "serverless-fullstack/dev";
const tagged = (stack: string, versions: string[], replicated: string[] = []): FakeFunction => ({
  tags: { [EDGE_TAGS.stack]: stack, [EDGE_TAGS.edgeLogic]: "edge" },
  versions,
  replicated: new Set(replicated),
});

describe("edge-cleanup plans from tags and the stack's state", () => {
  it("after destroy: every function tagged for the stack, with its log groups in each region (exact names only)", async () => {
    const { aws } = fakeAws(
      {
        "edge-auth-function-a1b2c3d": tagged(STACK, ["1", "2"]),
        "edge-origin-response-function-9f8e7d6": tagged(STACK, ["1"]),
        "edge-auth-function-0000000": tagged("serverless-fullstack/prod", ["1"]),
        "someone-elses-function": { tags: {}, versions: ["1"], replicated: new Set() },
      },
      {
        "us-east-1": [edgeLogGroupName("edge-auth-function-a1b2c3d"), edgeLogGroupName("edge-auth-function-0000000")],
        "eu-west-1": [edgeLogGroupName("edge-auth-function-a1b2c3d"), `${edgeLogGroupName("edge-auth-function-a1b2c3d")}9`],
        "ap-south-1": [],
      },
    );
    const plan = await planCleanup(aws, { stack: STACK, live: [], regions: ["us-east-1", "eu-west-1", "ap-south-1"] });
    expect(plan.versions).toEqual([]);
    expect(plan.functions).toEqual([
      {
        name: "edge-auth-function-a1b2c3d",
        versions: ["1", "2"],
        logGroups: [
          { region: "us-east-1", name: "/aws/lambda/us-east-1.edge-auth-function-a1b2c3d" },
          { region: "eu-west-1", name: "/aws/lambda/us-east-1.edge-auth-function-a1b2c3d" },
        ],
      },
      { name: "edge-origin-response-function-9f8e7d6", versions: ["1"], logGroups: [] },
    ]);
    expect(describePlan(plan)[0]).toBe("function edge-auth-function-a1b2c3d (versions 1, 2) — no longer in the stack");
  });

  it("while the stack lives: only its replaced functions, and old versions of the ones it runs", async () => {
    const { aws } = fakeAws(
      {
        "edge-auth-function-a1b2c3d": tagged(STACK, ["1", "2", "3"]),
        "edge-auth-function-replaced": tagged(STACK, ["1"]),
      },
      {},
    );
    const plan = await planCleanup(aws, { stack: STACK, live: [{ name: "edge-auth-function-a1b2c3d", version: "3" }], regions: ["us-east-1"] });
    expect(plan.functions.map((fn) => fn.name)).toEqual(["edge-auth-function-replaced"]);
    expect(plan.versions).toEqual([
      { name: "edge-auth-function-a1b2c3d", version: "1" },
      { name: "edge-auth-function-a1b2c3d", version: "2" },
    ]);
  });

  it("nothing tagged for the stack: nothing to do", async () => {
    const { aws } = fakeAws({ "other-function": tagged("serverless-fullstack/prod", ["1"]) }, {});
    const plan = await planCleanup(aws, { stack: STACK, live: [], regions: EDGE_LOG_REGIONS });
    expect(plan).toEqual({ stack: STACK, functions: [], versions: [] });
    expect(describePlan(plan)).toEqual([`Nothing to delete for ${STACK}.`]);
  });
});

describe("edge-cleanup deletes, and waits for CloudFront's replicas", () => {
  it("deletes log groups first, then the function; a replicated function waits and a later run finishes", async () => {
    const name = "edge-auth-function-a1b2c3d";
    const fake = fakeAws({ [name]: tagged(STACK, ["1"], ["1"]) }, { "us-east-1": [edgeLogGroupName(name)], "eu-west-1": [edgeLogGroupName(name)] });
    const regions = ["us-east-1", "eu-west-1"];

    const first = await executeCleanup(fake.aws, await planCleanup(fake.aws, { stack: STACK, live: [], regions }));
    expect(fake.calls).toEqual([`delete us-east-1 ${edgeLogGroupName(name)}`, `delete eu-west-1 ${edgeLogGroupName(name)}`, `delete ${name}`]);
    expect(first.map((o) => o.result)).toEqual(["deleted", "deleted", "waiting"]);
    expect(first[2].detail).toMatch(/replicas/);
    expect(fake.functions[name]).toBeDefined();

    // Hours later CloudFront has removed the replicas; a replica that logged meanwhile recreated a group.
    fake.functions[name].replicated.clear();
    fake.groups.get("eu-west-1")!.add(edgeLogGroupName(name));
    fake.calls.length = 0;
    const second = await executeCleanup(fake.aws, await planCleanup(fake.aws, { stack: STACK, live: [], regions }));
    expect(second.map((o) => `${o.result} ${o.target}`)).toEqual([`deleted eu-west-1 ${edgeLogGroupName(name)}`, `deleted ${name}`]);
    expect(fake.functions[name]).toBeUndefined();
  });

  it("deletes old versions of running functions, leaving replicated ones for later and the running one alone", async () => {
    const name = "edge-auth-function-a1b2c3d";
    const fake = fakeAws({ [name]: tagged(STACK, ["1", "2", "3"], ["2", "3"]) }, {});
    const outcomes = await executeCleanup(fake.aws, await planCleanup(fake.aws, { stack: STACK, live: [{ name, version: "3" }], regions: [] }));
    expect(outcomes.map((o) => `${o.result} ${o.target}`)).toEqual([`deleted ${name}:1`, `waiting ${name}:2`]);
    expect(fake.functions[name].versions).toEqual(["2", "3"]);
  });

  it("is idempotent (what is already gone counts as deleted), and keeps a function whose log group could not be deleted", async () => {
    const name = "edge-auth-function-a1b2c3d";
    const fake = fakeAws({ [name]: tagged(STACK, ["1"]) }, {});
    const plan = { stack: STACK, versions: [], functions: [{ name, versions: ["1"], logGroups: [{ region: "us-east-1", name: edgeLogGroupName(name) }] }] };
    expect((await executeCleanup(fake.aws, plan)).map((o) => [o.result, o.detail])).toEqual([["deleted", "already gone"], ["deleted", undefined]]);

    const denied = fakeAws({ [name]: tagged(STACK, ["1"]) }, { "us-east-1": [edgeLogGroupName(name)] });
    denied.aws.deleteLogGroup = async () => {
      throw new AwsError("AccessDeniedException", "not authorized to perform: logs:DeleteLogGroup");
    };
    const outcomes = await executeCleanup(denied.aws, await planCleanup(denied.aws, { stack: STACK, live: [], regions: ["us-east-1"] }));
    expect(outcomes.map((o) => o.result)).toEqual(["failed", "failed"]);
    expect(outcomes[1].detail).toMatch(/kept until its log groups are deleted/);
    expect(denied.functions[name]).toBeDefined();
  });
});

describe("edge-cleanup's inputs", () => {
  it("reads the functions a stack holds, and the version each runs, from `pulumi stack export`", () => {
    const exported = {
      version: 3,
      deployment: {
        resources: [
          { type: "pulumi:pulumi:Stack", outputs: {} },
          { type: "aws:lambda/function:Function", outputs: { name: "edge-auth-function-a1b2c3d", version: "4", qualifiedArn: "arn:...:4" } },
          { type: "aws:cloudwatch/logGroup:LogGroup", outputs: { name: "/aws/lambda/us-east-1.edge-auth-function-a1b2c3d" } },
        ],
      },
    };
    expect(liveFunctionsFromState(exported)).toEqual([{ name: "edge-auth-function-a1b2c3d", version: "4" }]);
    expect(liveFunctionsFromState({ deployment: {} })).toEqual([]);
  });

  it("searches every edge region plus any the stack configures", () => {
    expect(cleanupRegions()).toEqual([...EDGE_LOG_REGIONS]);
    expect(cleanupRegions(["eu-north-1", "us-east-1"])).toEqual([...EDGE_LOG_REGIONS, "eu-north-1"]);
  });
});
