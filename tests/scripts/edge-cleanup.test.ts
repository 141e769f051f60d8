/**
 * `npm run edge-cleanup`'s planning and deleting, against an in-memory Lambda, CloudWatch Logs and IAM that
 * answer as AWS does: a replicated version cannot be deleted, deleting what is gone is ResourceNotFound
 * (NoSuchEntity in IAM), and a role with policies cannot be deleted (DeleteConflict).
 */
import { describe, expect, it } from "vitest";
import { EDGE_LOG_REGIONS, EDGE_TAGS } from "../../components/edge-logic";
import { cleanupRegions, liveFunctionsFromState, liveRolesFromState } from "../../scripts/edge-cleanup";
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
  /** The execution role's name. */
  role?: string;
}

interface FakeRole {
  inline: string[];
  attached: string[];
}

function fakeAws(functions: Record<string, FakeFunction>, logGroups: Record<string, string[]>, roles: Record<string, FakeRole> = {}) {
  const groups = new Map(Object.entries(logGroups).map(([region, names]) => [region, new Set(names)]));
  const calls: string[] = [];
  const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
  const role = (name: string) => {
    if (!roles[name]) throw new AwsError("NoSuchEntityException", `The role with name ${name} cannot be found.`);
    return roles[name];
  };
  const aws: EdgeCleanupAws = {
    listFunctions: async () =>
      Object.entries(functions).map(([name, fn]) => ({ name, arn: arn(name), role: fn.role && `arn:aws:iam::123456789012:role/${fn.role}` })),
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
    listRolePolicies: async (name) => [...role(name).inline],
    listAttachedRolePolicies: async (name) => [...role(name).attached],
    async deleteRolePolicy(name, policy) {
      calls.push(`delete-role-policy ${name} ${policy}`);
      const r = role(name);
      if (!r.inline.includes(policy)) throw new AwsError("NoSuchEntityException", `The role policy with name ${policy} cannot be found.`);
      r.inline = r.inline.filter((p) => p !== policy);
    },
    async detachRolePolicy(name, policyArn) {
      calls.push(`detach-role-policy ${name} ${policyArn}`);
      const r = role(name);
      if (!r.attached.includes(policyArn)) throw new AwsError("NoSuchEntityException", `Policy ${policyArn} was not found.`);
      r.attached = r.attached.filter((p) => p !== policyArn);
    },
    async deleteRole(name) {
      calls.push(`delete-role ${name}`);
      const r = role(name);
      // IAM refuses DeleteRole while policies are attached (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html).
      if (r.inline.length + r.attached.length > 0) throw new AwsError("DeleteConflictException", "Cannot delete entity, must delete policies first.");
      delete roles[name];
    },
  };
  return { aws, calls, functions, groups, roles };
}

const STACK = "serverless-fullstack/dev";
const tagged = (stack: string, versions: string[], replicated: string[] = [], role?: string): FakeFunction => ({
  tags: { [EDGE_TAGS.stack]: stack, [EDGE_TAGS.edgeLogic]: "edge" },
  versions,
  replicated: new Set(replicated),
  role,
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
    expect(plan).toEqual({ stack: STACK, functions: [], versions: [], roles: [] });
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
    const plan = { stack: STACK, versions: [], roles: [], functions: [{ name, versions: ["1"], logGroups: [{ region: "us-east-1", name: edgeLogGroupName(name) }] }] };
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

describe("edge-cleanup deletes a function's execution role after the function", () => {
  const fnName = "edge-auth-function-a1b2c3d";
  const roleName = "edge-auth-role-1f2e3d4";
  const basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

  it("plans the role with its inline and attached policies, and --dry-run lists them", async () => {
    const { aws } = fakeAws({ [fnName]: tagged(STACK, ["1"], [], roleName) }, {}, { [roleName]: { inline: ["edge-auth-policy-9a8b7c6"], attached: [basic] } });
    const plan = await planCleanup(aws, { stack: STACK, live: [], liveRoles: [], regions: [] });
    expect(plan.roles).toEqual([{ name: roleName, functions: [fnName], inlinePolicies: ["edge-auth-policy-9a8b7c6"], attachedPolicies: [basic] }]);
    expect(describePlan(plan)).toEqual([
      `function ${fnName} (versions 1) — no longer in the stack`,
      `role ${roleName} — the execution role of ${fnName}, deleted after it`,
      `  inline policy edge-auth-policy-9a8b7c6`,
      `  attached policy ${basic}`,
    ]);
  });

  it("deletes the function, then the role's policies (inline, then attached), then the role; AWS refuses the role with policies left", async () => {
    const fake = fakeAws({ [fnName]: tagged(STACK, ["1"], [], roleName) }, {}, { [roleName]: { inline: ["edge-auth-policy-9a8b7c6"], attached: [basic] } });
    const outcomes = await executeCleanup(fake.aws, await planCleanup(fake.aws, { stack: STACK, live: [], liveRoles: [], regions: [] }));
    expect(fake.calls).toEqual([`delete ${fnName}`, `delete-role-policy ${roleName} edge-auth-policy-9a8b7c6`, `detach-role-policy ${roleName} ${basic}`, `delete-role ${roleName}`]);
    expect(outcomes.every((o) => o.result === "deleted")).toBe(true);
    expect(fake.roles[roleName]).toBeUndefined();
  });

  it("leaves the role while the function waits for CloudFront's replicas (they still run as it), and deletes it on the run that deletes the function", async () => {
    const fake = fakeAws({ [fnName]: tagged(STACK, ["1"], ["1"], roleName) }, {}, { [roleName]: { inline: ["edge-auth-policy-9a8b7c6"], attached: [] } });
    const first = await executeCleanup(fake.aws, await planCleanup(fake.aws, { stack: STACK, live: [], liveRoles: [], regions: [] }));
    expect(fake.calls).toEqual([`delete ${fnName}`]);
    expect(first.map((o) => `${o.result} ${o.target}`)).toEqual([`waiting ${fnName}`, `waiting role ${roleName}`]);
    expect(fake.roles[roleName].inline).toEqual(["edge-auth-policy-9a8b7c6"]);

    fake.functions[fnName].replicated.clear();
    const second = await executeCleanup(fake.aws, await planCleanup(fake.aws, { stack: STACK, live: [], liveRoles: [], regions: [] }));
    expect(second.map((o) => `${o.result} ${o.target}`)).toEqual([`deleted ${fnName}`, `deleted role ${roleName} inline policy edge-auth-policy-9a8b7c6`, `deleted role ${roleName}`]);
  });

  it("keeps a role the stack still holds, one another function still uses, or one not named like the function's own", async () => {
    const replaced = "edge-auth-function-0dd0dd0";
    const fake = fakeAws(
      {
        // Replaced on update: the live function runs with the same role, which the state still holds.
        [replaced]: tagged(STACK, ["1"], [], roleName),
        [fnName]: tagged(STACK, ["2"], [], roleName),
        // After `pulumi stack rm` (no state): another function, not the stack's, uses the role.
        "edge-origin-response-function-9f8e7d6": tagged(STACK, ["1"], [], "edge-origin-response-role-5a5a5a5"),
        "someone-elses-function": { tags: {}, versions: ["1"], replicated: new Set(), role: "edge-origin-response-role-5a5a5a5" },
        // A role not named `<name>-role-<suffix>` is not one LambdaFunction made for this function.
        "edge-extra-function-1234567": tagged(STACK, ["1"], [], "shared-lambda-role"),
      },
      {},
      { [roleName]: { inline: [], attached: [] }, "edge-origin-response-role-5a5a5a5": { inline: [], attached: [] }, "shared-lambda-role": { inline: [], attached: [] } },
    );
    const plan = await planCleanup(fake.aws, { stack: STACK, live: [{ name: fnName, version: "2" }], liveRoles: [roleName], regions: [] });
    expect(plan.roles.map((r) => [r.name, r.kept])).toEqual([
      [roleName, "the stack still holds it"],
      ["edge-origin-response-role-5a5a5a5", "someone-elses-function still uses it"],
      ["shared-lambda-role", "it is not named like the role LambdaFunction makes for edge-extra-function-1234567 (edge-extra-role-<suffix>)"],
    ]);
    expect(describePlan(plan)).toContain(`role ${roleName} — kept: the stack still holds it`);
    await executeCleanup(fake.aws, plan);
    expect(fake.calls.filter((c) => !c.startsWith("delete edge-") && !c.startsWith("delete someone"))).toEqual([]);
    expect(Object.keys(fake.roles).sort()).toEqual(["edge-origin-response-role-5a5a5a5", roleName, "shared-lambda-role"].sort());
  });

  it("deletes a role two retained copies of a function share only once both are deleted; a role already gone counts as deleted; a refused policy keeps the role", async () => {
    const older = "edge-auth-function-0dd0dd0";
    const fake = fakeAws({ [older]: tagged(STACK, ["1"], ["1"], roleName), [fnName]: tagged(STACK, ["1"], [], roleName) }, {}, { [roleName]: { inline: [], attached: [] } });
    const first = await executeCleanup(fake.aws, await planCleanup(fake.aws, { stack: STACK, live: [], liveRoles: [], regions: [] }));
    expect(first.map((o) => `${o.result} ${o.target}`)).toEqual([`waiting ${older}`, `deleted ${fnName}`, `waiting role ${roleName}`]);
    expect(first[2].detail).toMatch(new RegExp(`${older}`));

    const gone = fakeAws({ [fnName]: tagged(STACK, ["1"], [], roleName) }, {}, {});
    const plan = { stack: STACK, versions: [], functions: [{ name: fnName, versions: ["1"], logGroups: [] }], roles: [{ name: roleName, functions: [fnName], inlinePolicies: ["p"], attachedPolicies: [] }] };
    expect((await executeCleanup(gone.aws, plan)).map((o) => [o.result, o.target, o.detail])).toEqual([
      ["deleted", fnName, undefined],
      ["deleted", `role ${roleName} inline policy p`, "already gone"],
      ["deleted", `role ${roleName}`, "already gone"],
    ]);

    const denied = fakeAws({ [fnName]: tagged(STACK, ["1"], [], roleName) }, {}, { [roleName]: { inline: ["p"], attached: [] } });
    denied.aws.deleteRolePolicy = async () => {
      throw new AwsError("AccessDenied", "not authorized to perform: iam:DeleteRolePolicy");
    };
    const outcomes = await executeCleanup(denied.aws, await planCleanup(denied.aws, { stack: STACK, live: [], liveRoles: [], regions: [] }));
    expect(outcomes.map((o) => `${o.result} ${o.target}`)).toEqual([`deleted ${fnName}`, `failed role ${roleName} inline policy p`, `failed role ${roleName}`]);
    expect(outcomes[2].detail).toMatch(new RegExp(`aws iam delete-role --role-name ${roleName}`));
    expect(denied.roles[roleName]).toBeDefined();
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

  it("reads the roles a stack holds from `pulumi stack export`", () => {
    const exported = {
      deployment: {
        resources: [
          { type: "aws:iam/role:Role", outputs: { name: "edge-auth-role-1f2e3d4", arn: "arn:aws:iam::123456789012:role/edge-auth-role-1f2e3d4" } },
          { type: "aws:iam/rolePolicy:RolePolicy", outputs: { name: "edge-auth-policy-9a8b7c6", role: "edge-auth-role-1f2e3d4" } },
        ],
      },
    };
    expect(liveRolesFromState(exported)).toEqual(["edge-auth-role-1f2e3d4"]);
    expect(liveRolesFromState({})).toEqual([]);
  });

  it("searches every edge region plus any the stack configures", () => {
    expect(cleanupRegions()).toEqual([...EDGE_LOG_REGIONS]);
    expect(cleanupRegions(["eu-north-1", "us-east-1"])).toEqual([...EDGE_LOG_REGIONS, "eu-north-1"]);
  });
});
