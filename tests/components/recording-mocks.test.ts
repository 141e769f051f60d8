/**
 * The recording mocks (local/offline/mocks.ts) behind `serverless-fullstack/testing`, `npm run plan` and the deploy
 * rules: a resource or invoke under an explicit provider for another region gets that region, as on AWS, so ARNs and
 * `getRegion` in a recorded multi-region program name the region the resource is really in; and a component whose
 * deploy-time check fails ends the recording with that error, as it ends `pulumi up`.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { describe, expect, it } from "vitest";
import { installLeanDebuggablePromise, installRecordingMocks } from "../../local/offline/mocks";
import { record, resource, useMocks } from "../harness/mocks";

describe("recording mocks under an explicit provider", () => {
  it("give a resource, and getRegion, the provider's region; the stack's without one; the resource's own region input first", async () => {
    const graph = await record(() => {
      const west = new aws.Provider("west", { region: "us-west-2" });
      new aws.sqs.Queue("in-west", { tags: { reportedRegion: aws.getRegionOutput({}, { provider: west }).region } }, { provider: west });
      new aws.sqs.Queue("in-stack-region", { tags: { reportedRegion: aws.getRegionOutput({}).region } });
      new aws.sqs.Queue("own-region", { region: "eu-west-1" }, { provider: west });
    });
    const inWest = resource(graph, "aws:sqs/queue:Queue", "in-west");
    expect(inWest.state.arn).toMatch(/^arn:aws:sqs:us-west-2:/);
    expect(inWest.inputs.tags.reportedRegion).toBe("us-west-2");
    const inStackRegion = resource(graph, "aws:sqs/queue:Queue", "in-stack-region");
    expect(inStackRegion.state.arn).toMatch(/^arn:aws:sqs:us-east-1:/);
    expect(inStackRegion.inputs.tags.reportedRegion).toBe("us-east-1");
    expect(resource(graph, "aws:sqs/queue:Queue", "own-region").state.arn).toMatch(/^arn:aws:sqs:eu-west-1:/);
  });
});

describe("recording mocks and property dependencies", () => {
  it("record, per input, the URNs its value came from (what TransitionPolicyWriterDeleted judges a delete-first replacement by); dependsOn alone gives none", async () => {
    const graph = await record(() => {
      const bucket = new aws.s3.Bucket("held");
      const other = new aws.s3.Bucket("other");
      new aws.s3.BucketPolicy("by-output", { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: `${arn}/*` }] })) });
      new aws.s3.BucketPolicy("by-name", { bucket: "held-by-name", policy: "{}" }, { dependsOn: [other] });
    });
    const held = resource(graph, "aws:s3/bucket:Bucket", "held").urn;
    expect(resource(graph, "aws:s3/bucketPolicy:BucketPolicy", "by-output").propertyDependencies).toEqual({ bucket: [held], policy: [held] });
    const byName = resource(graph, "aws:s3/bucketPolicy:BucketPolicy", "by-name");
    expect(byName.propertyDependencies ?? {}).toEqual({});
    expect(byName.dependencies).toContain(resource(graph, "aws:s3/bucket:Bucket", "other").urn);
  });
});

describe("recording mocks for random strings", () => {
  it("draw a RandomString from the character classes it allows, of its length, the same in every run", async () => {
    const build = () =>
      record(() => {
        new random.RandomString("lower-only", { length: 7, special: false, upper: false });
        new random.RandomString("digits-only", { length: 12, special: false, upper: false, lower: false });
        new random.RandomString("own-specials", { length: 40, upper: false, lower: false, numeric: false, overrideSpecial: "-_" });
        new random.RandomString("default", { length: 64 });
      });
    const graph = await build();
    const result = (name: string) => String(resource(graph, "random:index/randomString:RandomString", name).state.result);
    expect(result("lower-only")).toMatch(/^[a-z0-9]{7}$/);
    expect(result("digits-only")).toMatch(/^[0-9]{12}$/);
    expect(result("own-specials")).toMatch(/^[-_]{40}$/);
    expect(result("default")).toHaveLength(64);
    expect(result("lower-only")).toBe(String(resource(await build(), "random:index/randomString:RandomString", "lower-only").state.result));
  });
});

describe("recording mocks for RDS names left unset", () => {
  it("name an Aurora cluster and instance as the terraform provider does (prefix, 18-digit time, 8 hex digits), not as a Pulumi autoname: a name per resource, the same in every run", async () => {
    const build = () =>
      record(() => {
        new aws.rds.Cluster("unnamed", { engine: "aurora-postgresql", masterUsername: "app", skipFinalSnapshot: true });
        new aws.rds.Cluster("unnamed-too", { engine: "aurora-postgresql", masterUsername: "app", skipFinalSnapshot: true });
        new aws.rds.Cluster("prefixed", { engine: "aurora-postgresql", masterUsername: "app", skipFinalSnapshot: true, clusterIdentifierPrefix: "gallery-" });
        new aws.rds.Cluster("named", { engine: "aurora-postgresql", masterUsername: "app", skipFinalSnapshot: true, clusterIdentifier: "gallery-db" });
        new aws.rds.ClusterInstance("writer", { clusterIdentifier: "gallery-db", instanceClass: "db.serverless", engine: "aurora-postgresql" });
        new aws.rds.SubnetGroup("subnets", { namePrefix: "db-", subnetIds: ["subnet-1", "subnet-2"] });
      });
    const graph = await build();
    const cluster = (name: string) => resource(graph, "aws:rds/cluster:Cluster", name);
    expect(cluster("unnamed").state.clusterIdentifier).toMatch(/^tf-\d{18}[0-9a-f]{8}$/);
    expect(cluster("unnamed").id).toBe(cluster("unnamed").state.clusterIdentifier);
    expect(cluster("unnamed").state.arn).toBe(`arn:aws:rds:us-east-1:123456789012:cluster:${cluster("unnamed").state.clusterIdentifier}`);
    expect(cluster("prefixed").state.clusterIdentifier).toMatch(/^gallery-\d{18}[0-9a-f]{8}$/);
    expect(cluster("named").state.clusterIdentifier).toBe("gallery-db");
    expect(resource(graph, "aws:rds/clusterInstance:ClusterInstance", "writer").state.identifier).toMatch(/^tf-\d{18}[0-9a-f]{8}$/);
    expect(resource(graph, "aws:rds/subnetGroup:SubnetGroup", "subnets").state.name).toMatch(/^db-\d{18}[0-9a-f]{8}$/);
    expect(cluster("unnamed-too").state.clusterIdentifier).toMatch(/^tf-\d{18}[0-9a-f]{8}$/);
    expect(cluster("unnamed-too").state.clusterIdentifier).not.toBe(cluster("unnamed").state.clusterIdentifier);
    expect(resource(await build(), "aws:rds/cluster:Cluster", "unnamed").state.clusterIdentifier).toBe(cluster("unnamed").state.clusterIdentifier);
  });
});

describe("record after other mocks replaced the file's", () => {
  it("records into mocks of its own again, with the options the file chose (a whole-program run installs its own process-wide)", async ({ onTestFinished }) => {
    await useMocks({ region: "eu-west-1" });
    onTestFinished(async () => {
      await useMocks();
    });
    // What a whole-program run (runProgramOffline, startLocalApp) does before the file's next record.
    const program = await installRecordingMocks({ stack: "dev" });
    const graph = await record(() => new aws.sqs.Queue("after-a-program"));
    expect(resource(graph, "aws:sqs/queue:Queue", "after-a-program").state.arn).toMatch(/^arn:aws:sqs:eu-west-1:/);
    expect(program.resources).toEqual([]);
  });
});

describe("settling a recording while promises reject unhandled", () => {
  it("ends with the first rejection as the run's failure, and raises one of another reason again once it is done", async ({ onTestFinished }) => {
    const program = await installRecordingMocks({ stack: "settle" });
    // vitest's own listeners would count the rejections against the run: ours stands in for them meanwhile (one stays
    // on all along, so no rejection ever finds none, which would end the worker).
    const vitests = process.listeners("unhandledRejection");
    onTestFinished(async () => {
      process.removeAllListeners("unhandledRejection");
      for (const listener of vitests) process.on("unhandledRejection", listener);
      await useMocks();
    });
    process.removeAllListeners("unhandledRejection");
    let settling = true;
    const raisedAfter: unknown[] = [];
    process.on("unhandledRejection", (reason) => {
      if (!settling) raisedAfter.push(reason);
    });
    const runs = new Error("the run's failure");
    const another = new Error("another reason");
    const settled = program.settle().then(
      () => "resolved",
      (error: unknown) => error,
    );
    // In the turn that ends the run: the same failure reaching two awaiters, and a rejection of another reason.
    void Promise.reject(runs);
    void Promise.reject(runs);
    void Promise.reject(another);
    expect(await settled).toBe(runs);
    settling = false;
    await new Promise((resolve) => setImmediate(resolve));
    expect(raisedAfter).toEqual([another]);
  });
});

describe("recording a component whose check of a deploy-time value fails", () => {
  it("rejects with the component's message instead of waiting for registrations that never finish", () => {
    // Its own process: Node reports the failure as an unhandled rejection, which vitest would count against the run.
    const root = join(__dirname, "..", "..");
    const result = spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", "tests/fixtures/record-failing-component.ts"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    const line = result.stdout.split("\n").find((printedLine) => printedLine.startsWith("{"));
    expect(line, `record neither resolved nor rejected (the process ended with registrations pending, or was killed):\n${result.stderr.slice(0, 600)}`).toBeDefined();
    const printed = JSON.parse(line!);
    expect(printed.outcome).toBe("rejected");
    expect(printed.message).toMatch(/RealtimeApi "failing": domain\.certificateArn "arn:aws:acm:us-west-2:123456789012:certificate\/live" is in us-west-2, but a regional custom domain takes a certificate from its API's region, us-east-1/);
  });
});

describe("promises Pulumi makes under the recording mocks", () => {
  const root = join(__dirname, "..", "..");
  const run = (leak: boolean) =>
    spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", "tests/fixtures/record-leaked-promise.ts"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, LEAK: leak ? "1" : "0", PULUMI_DEBUG_PROMISE_LEAKS: "" },
      timeout: 60_000,
    });

  it("are tracked as pulumi up tracks them: one that never settles fails the run at exit with Pulumi's message; none, and the run ends cleanly", () => {
    const leaked = run(true);
    expect(leaked.stderr).toMatch(/The Pulumi runtime detected that \d+ promises were still active/);
    expect(leaked.status).toBe(1);
    const clean = run(false);
    // Only Pulumi's leak report counts: a Node or runtime warning on stderr is not this test's business.
    expect(clean.stderr).not.toMatch(/The Pulumi runtime detected/);
    expect(clean.status).toBe(0);
  });
});

describe("the lean debuggablePromise under the recording mocks", () => {
  /** Stand-ins for @pulumi/pulumi's runtime/debuggable and runtime/state modules, shaped as in 3.248 unless told. */
  const pulumiOwn = (p: Promise<unknown>, _ctx: unknown) => p;
  const modules = (debuggable: Partial<{ debugPromiseLeaks: boolean; debuggablePromise: (...args: any[]) => Promise<unknown> }> = {}, state: object = { getStore: () => ({ leakCandidates: new Set() }) }) => ({
    debuggable: { debugPromiseLeaks: false, debuggablePromise: pulumiOwn, ...debuggable } as any,
    state: state as any,
  });

  it("replaces Pulumi's function when the internals it relies on are there as in 3.248", () => {
    const { debuggable, state } = modules();
    expect(installLeanDebuggablePromise(debuggable, state)).toBe(true);
    expect(debuggable.debuggablePromise).not.toBe(pulumiOwn);
  });

  it.each([
    ["the store has no getStore", modules({}, {})],
    ["the store's leakCandidates is not a Set", modules({}, { getStore: () => ({ leakCandidates: [] }) })],
    ["the store has no leakCandidates", modules({}, { getStore: () => ({}) })],
    ["debuggablePromise takes another number of arguments", modules({ debuggablePromise: (p: Promise<unknown>) => p })],
    ["PULUMI_DEBUG_PROMISE_LEAKS asks for the details", modules({ debugPromiseLeaks: true })],
  ])("keeps Pulumi's own function when %s", (_, { debuggable, state }) => {
    const own = debuggable.debuggablePromise;
    expect(installLeanDebuggablePromise(debuggable, state)).toBe(false);
    expect(debuggable.debuggablePromise).toBe(own);
  });

  it("tracks a promise as a leak candidate until it settles, and hands Pulumi's own function any call once the store changes shape", async () => {
    const store: { leakCandidates: any } = { leakCandidates: new Set() };
    const calls: unknown[] = [];
    const own = (p: Promise<unknown>, ctx: unknown) => (calls.push(ctx), p);
    const { debuggable, state } = modules({ debuggablePromise: own }, { getStore: () => store });
    installLeanDebuggablePromise(debuggable, state);
    // The first call goes through Pulumi's own function, which installs its exit check.
    await debuggable.debuggablePromise(Promise.resolve(0), "first");
    let settle!: (value: number) => void;
    const pending = new Promise<number>((resolve) => (settle = resolve));
    const tracked = debuggable.debuggablePromise(pending, "second");
    expect(store.leakCandidates.has(pending)).toBe(true);
    settle(1);
    expect(await tracked).toBe(1);
    expect(store.leakCandidates.has(pending)).toBe(false);
    store.leakCandidates = new Map();
    await debuggable.debuggablePromise(Promise.resolve(2), "third");
    expect(calls).toEqual(["first", "third"]);
  });
});

