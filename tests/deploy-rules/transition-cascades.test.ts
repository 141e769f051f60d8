/**
 * Replacement cascades (a resource replaced because its replaceWith or deletedWith target is replaced: pulumi/pulumi
 * pkg/resource/deploy/step_generator.go diff, findDependentCascadeReplacements) seen by three transition checks through
 * planUpdate's one judgement (transition.ts PlanUpdate.replaced, `cascade.replacedWith`):
 * - a removed resource `deletedWith` a resource the update replaces is not deleted (step.go DeleteStep.Apply,
 *   isDeletedWith: the replaced target's old copy is in the step generator's `deletes`), so a v2 route removed that way
 *   still references the authorizer the update deletes (TransitionApiV2PartInUse, transition-api-refs.ts deleteSkipped);
 * - a stage the cascade replaces is checked anew from the program's inputs (continueStepsFromDiff's Check of
 *   `goal.Properties`), its ignoreChanges not applied, so it no longer serves the deployed deployment
 *   (TransitionDeploymentStillServed);
 * - a named type the cascade replaces while the program first sets retainOnDelete loses its old copy
 *   (TransitionRetainedTooLate).
 * The cascade's target is a topic whose name is set by hand and renamed: the bridge replaces it delete-first; with
 * deleteBeforeReplace: false, create-first.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { StaticSite, type StaticSiteArgs } from "../../components/static-site";
import { record as recordProgram } from "../../testing/harness";
import { handBuilt, transition } from "./fixture";

const topic = handBuilt("aws:sns/topic:Topic", "errors", { name: "errors" });
/** The topic renamed: replaced delete-first (the bridge's answer for a name set by hand), or create-first (the program's false). */
const renamed = (deleteFirst: boolean): RecordedResource =>
  deleteFirst ? { ...topic, inputs: { name: "errors-2" } } : { ...topic, inputs: { name: "errors-2" }, deleteBeforeReplace: false, deleteBeforeReplaceDefined: true };
const of = (rule: string, findings: ReturnType<typeof transition>) => findings.filter((f) => f.rule === rule);

describe("TransitionApiV2PartInUse: a route removed while deletedWith a resource the update replaces is not deleted", () => {
  const RULE = "TransitionApiV2PartInUse";
  const AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer";
  const API = "aws:apigatewayv2/api:Api";
  // Replaced through replaceOnChanges when its name changes (its name is an UpdateApi: only replaceOnChanges replaces it for that).
  const api = (name: string) => handBuilt(API, "api", { name, protocolType: "HTTP" }, { id: "api-id", replaceOnChanges: ["name"] });
  const on = { dependencies: [api("api").urn], propertyDependencies: { apiId: [api("api").urn] } };
  const authorizer = handBuilt(AUTHORIZER, "jwt", { apiId: "api-id", authorizerType: "JWT", name: "jwt" }, on);
  const route = (more: Partial<RecordedResource>) =>
    handBuilt(
      "aws:apigatewayv2/route:Route",
      "items-route",
      { apiId: "api-id", routeKey: "GET /items", authorizationType: "JWT", authorizerId: authorizer.id },
      { dependencies: [api("api").urn, authorizer.urn], propertyDependencies: { apiId: [api("api").urn], authorizerId: [authorizer.urn] }, ...more },
    );

  it("finds the authorizer the update deletes: the route's delete is skipped for its replaced deletedWith target, so it still references it", () => {
    const findings = of(RULE, transition([api("api"), authorizer, route({ deletedWith: api("api").urn })], [api("api-2")]));
    expect(findings.map((f) => f.resource)).toEqual([`${AUTHORIZER} jwt`]);
    expect(findings[0].problem).toMatch(/still references it: it is removed without being deleted \(deletedWith a resource the update also deletes or replaces\), so it stays in API Gateway as deployed/);
    // The authorizer deletedWith the replaced API too: its delete is skipped as well, so nothing is refused.
    expect(of(RULE, transition([api("api"), { ...authorizer, deletedWith: api("api").urn }, route({ deletedWith: api("api").urn })], [api("api-2")]))).toEqual([]);
  });

  it("passes a route deletedWith an API the update keeps as deployed: the route is deleted before the authorizer", () => {
    expect(of(RULE, transition([api("api"), authorizer, route({ deletedWith: api("api").urn })], [api("api")]))).toEqual([]);
  });
});

describe("TransitionDeploymentStillServed: a stage the cascade replaces does not serve the deployed deployment", () => {
  const RULE = "TransitionDeploymentStillServed";
  const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
  const STAGE = "aws:apigateway/stage:Stage";
  const deployment = (redeploy: string) => handBuilt(DEPLOYMENT, "api-deployment", { restApi: "a1b2c3d4e5", triggers: { redeploy } }, { id: "dep123" });
  const stage = (more: Partial<RecordedResource> = {}) => handBuilt(STAGE, "api-stage-prod", { restApi: "a1b2c3d4e5", stageName: "prod", deployment: "dep123" }, { ignoreChanges: ["deployment"], ...more });
  const served = (options: Partial<RecordedResource>, deleteFirst: boolean) => of(RULE, transition([deployment("1"), stage(options), topic], [deployment("2"), stage(options), renamed(deleteFirst)]));

  it("passes a stage replaced for its replaceWith target: its new copy takes the program's deployment, and its old copy goes first", () => {
    expect(served({ replaceWith: [topic.urn] }, true)).toEqual([]);
    expect(served({ replaceWith: [topic.urn] }, false)).toEqual([]);
  });

  it("still finds the deployed copy served by a stage the update does not replace", () => {
    expect(served({}, true).map((f) => f.resource)).toEqual([`${DEPLOYMENT} api-deployment`]);
  });

  it("finds the deployed copy served by a replaced stage whose own deployed copy is not deleted: retained, or skipped for its replaced deletedWith target", () => {
    expect(served({ replaceWith: [topic.urn], retainOnDelete: true }, true).map((f) => f.problem)).toEqual([
      expect.stringMatching(/, while the deployed copy of stage api-stage-prod still serves it: the update replaces the stage without deleting that copy \(retainOnDelete\)\. API Gateway refuses that DeleteDeployment/),
    ]);
    // deletedWith the topic replaced delete-first: the stage's old copy is deleted in the topic's branch, and skipped (step.go isDeletedWith).
    expect(served({ deletedWith: topic.urn }, true).map((f) => f.problem)).toEqual([
      expect.stringMatching(/the update replaces the stage without deleting that copy \(its delete is skipped for its deletedWith target errors, which the update replaces \(pulumi step\.go DeleteStep\.Apply, isDeletedWith\)\)/),
    ]);
  });

  it("passes a removed deployment whose delete is skipped for its replaced deletedWith target, and finds a removed stage that is kept", () => {
    const named = handBuilt(STAGE, "api-stage-prod", { restApi: "a1b2c3d4e5", stageName: "prod", deployment: "dep123" });
    const removed = { ...deployment("1"), deletedWith: topic.urn };
    // The stage still names the deployment's id: its delete would be refused, but the engine sends none.
    expect(of(RULE, transition([removed, named, topic], [named, renamed(false)]))).toEqual([]);
    expect(of(RULE, transition([deployment("1"), named, topic], [named, renamed(false)])).map((f) => f.resource)).toEqual([`${DEPLOYMENT} api-deployment`]);
    // The stage removed with the deployment, but retained: its copy stays in API Gateway and still serves the deployment.
    expect(of(RULE, transition([deployment("1"), { ...named, retainOnDelete: true }], [])).map((f) => f.problem)).toEqual([
      expect.stringMatching(/^is removed from the program, and deleted at the end of the update, while the deployed copy of stage api-stage-prod still serves it: the update removes the stage without deleting that copy \(retainOnDelete\)/),
    ]);
    expect(of(RULE, transition([deployment("1"), { ...named, retainOnDelete: true }], []))[0].fix).toMatch(
      /^let the update delete the deployed copy of stage api-stage-prod \(drop its retainOnDelete or deletedWith in an update of its own before this one, or delete it by hand first\); or point the stage at/,
    );
    expect(of(RULE, transition([deployment("1"), named], []))).toEqual([]);
  });
});

describe("TransitionRetainedTooLate: a named type the cascade replaces in the update that first sets retainOnDelete", () => {
  const RULE = "TransitionRetainedTooLate";
  const MODEL = "aws:apigateway/model:Model";
  const model = (more: Partial<RecordedResource>) => handBuilt(MODEL, "api-model", { restApi: "rest-1", name: "PostAlbumsBody", contentType: "application/json", schema: "{}" }, more);
  const tooLate = (before: Partial<RecordedResource>, after: Partial<RecordedResource>, deleteFirst: boolean) => of(RULE, transition([model(before), topic], [model(after), renamed(deleteFirst)]));

  it("finds it: the engine deletes the old copy by its deployed options, whatever replaced it", () => {
    // The topic replaced delete-first: its branch deletes the old model first (under its deployed options), then the new one is created.
    const findings = tooLate({ replaceWith: [topic.urn] }, { replaceWith: [topic.urn], retainOnDelete: true }, true);
    expect(findings.map((f) => f.resource)).toEqual([`${MODEL} api-model`]);
    expect(findings[0].problem).toMatch(/^is replaced \(its replaceWith names errors, which the update replaces\) in the update that sets retainOnDelete: true on it/);
    // Create-first, the model's create is refused for its name first: TransitionNameTaken's finding, which this rule leaves it to.
    const createFirst = transition([model({ replaceWith: [topic.urn] }), topic], [model({ replaceWith: [topic.urn], retainOnDelete: true }), renamed(false)]);
    expect(createFirst.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameTaken", `${MODEL} api-model`]]);
  });

  it("passes an old copy whose delete the engine skips for its replaced deletedWith target, and retainOnDelete already deployed", () => {
    expect(tooLate({ deletedWith: topic.urn }, { deletedWith: topic.urn, retainOnDelete: true }, true)).toEqual([]);
    expect(tooLate({ replaceWith: [topic.urn], retainOnDelete: true }, { replaceWith: [topic.urn], retainOnDelete: true }, false)).toEqual([]);
  });
});

describe("TransitionRecordSetOrphaned: a removed record deletedWith a resource the update replaces is not deleted", () => {
  const RULE = "TransitionRecordSetOrphaned";
  const zone = handBuilt("aws:route53/zone:Zone", "zone", { name: "example.com" }, { id: "Z0FIXTUREZONE", state: { zoneId: "Z0FIXTUREZONE" } });
  const cname = (name: string, more: Partial<RecordedResource> = {}) =>
    handBuilt("aws:route53/record:Record", name, { zoneId: "Z0FIXTUREZONE", name: "www.example.com", type: "CNAME", ttl: 300, records: ["origin.example.net"] }, more);

  it("passes it: its delete, which would take the set the kept record writes, is skipped (step.go isDeletedWith)", () => {
    expect(of(RULE, transition([zone, cname("www"), cname("www-old", { deletedWith: topic.urn }), topic], [zone, cname("www"), renamed(false)]))).toEqual([]);
    // The target kept as deployed: the removed record is deleted, and takes the set.
    expect(of(RULE, transition([zone, cname("www"), cname("www-old", { deletedWith: topic.urn }), topic], [zone, cname("www"), topic])).map((f) => f.resource)).toEqual(["aws:route53/record:Record www-old"]);
  });

  it("finds it when its target is replaced early, in the delete-before-replace branch of a target of its own: the engine unmarks the target when it re-creates it (step_generator.go \"Unmark this resource as deleted\"), so the removed record's delete runs", () => {
    const owner = handBuilt("aws:s3/bucket:Bucket", "owner", { bucket: "owner-bucket" }, { replaceWith: [topic.urn] });
    const before = [zone, cname("www"), cname("www-old", { deletedWith: owner.urn }), owner, topic];
    // The topic replaced create-first: the owner too, its old copy marked with the pending deletes: skipped.
    expect(of(RULE, transition(before, [zone, cname("www"), owner, renamed(false)]))).toEqual([]);
    // The topic replaced delete-first: the owner's old copy is deleted in the topic's branch, then unmarked at its registration.
    expect(of(RULE, transition(before, [zone, cname("www"), owner, renamed(true)])).map((f) => f.resource)).toEqual(["aws:route53/record:Record www-old"]);
  });

  it("passes it when its target is deleted early for its own deletedWith: the branch deletes the record too (calculateDependentReplacements follows deletedWith), with its target already marked, so its delete is skipped", () => {
    // step_generator.go calculateDependentReplacements: DependingOn follows deletedWith edges (dependency_graph.go), and
    // `r.DeletedWith != "" && replaceSet[r.DeletedWith]` replaces the owner (deletedWith the topic), then the record
    // (deletedWith the owner), in the topic's delete-before-replace branch: both marked before any of its steps is applied.
    const owner = handBuilt("aws:s3/bucket:Bucket", "owner", { bucket: "owner-bucket" }, { deletedWith: topic.urn });
    const before = [zone, cname("www"), cname("www-old", { deletedWith: owner.urn }), owner, topic];
    expect(of(RULE, transition(before, [zone, cname("www"), owner, renamed(true)]))).toEqual([]);
    expect(of(RULE, transition(before, [zone, cname("www"), owner, renamed(false)]))).toEqual([]);
    // The owner removed from the program too: still deleted in the branch (the deployed graph), still skipped.
    expect(of(RULE, transition(before, [zone, cname("www"), renamed(true)]))).toEqual([]);
  });
});

describe("TransitionCloudFrontDeletedWhileDeploying: a removed function deletedWith a resource the update replaces is not deleted", () => {
  const RULE = "TransitionCloudFrontDeletedWhileDeploying";
  const site = (args: Partial<StaticSiteArgs>) => recordProgram(() => new StaticSite("site", { path: "tests/fixtures/site", ...args }));
  /** `graph` with the SPA function deletedWith the topic (a deployed option: the one the engine reads for the delete). */
  const withTopic = (graph: RecordedResource[]) => [...graph.map((r) => (r.name === "site-spa" ? { ...r, deletedWith: topic.urn } : r)), topic];

  it("passes it: DeleteFunction is never sent (step.go isDeletedWith), so it cannot be refused while CloudFront deploys", async () => {
    const before = withTopic(await site({ spa: true, waitForDeployment: false }));
    const after = await site({ spa: false, waitForDeployment: false });
    expect(of(RULE, transition(before, [...after, renamed(false)]))).toEqual([]);
    // The topic kept as deployed: the function is deleted, and refused.
    expect(of(RULE, transition(before, [...after, topic])).map((f) => f.resource)).toEqual(["aws:cloudfront/function:Function site-spa"]);
  });
});

describe("TransitionPolicyWriterDeleted: a removed writer deletedWith a resource the update replaces is not deleted", () => {
  const RULE = "TransitionPolicyWriterDeleted";
  const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
  const queueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs";
  const queue = handBuilt("aws:sqs/queue:Queue", "jobs", { name: "jobs" }, { id: queueUrl, state: { url: queueUrl } });
  const document = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }] });
  const policy = (name: string, more: Partial<RecordedResource> = {}) => handBuilt(QUEUE_POLICY, name, { queueUrl, policy: document }, more);

  it("passes it: its delete, which would clear the policy the new writer wrote, is skipped (step.go isDeletedWith)", () => {
    const before = [queue, policy("jobs-policy", { deletedWith: topic.urn }), topic];
    expect(of(RULE, transition(before, [queue, policy("jobs-policy-2"), renamed(false)]))).toEqual([]);
    // The topic kept as deployed: the old writer is deleted at the end, after the new one wrote.
    expect(of(RULE, transition(before, [queue, policy("jobs-policy-2"), topic])).map((f) => f.resource)).toEqual([`${QUEUE_POLICY} jobs-policy`]);
  });
});

describe("TransitionNameTaken: a removed holder deletedWith a resource the update replaces keeps the name", () => {
  const MODEL = "aws:apigateway/model:Model";
  const model = (name: string, more: Partial<RecordedResource> = {}) => handBuilt(MODEL, name, { restApi: "rest-1", name: "PostAlbumsBody", contentType: "application/json", schema: "{}" }, more);

  it("says the name stays taken: the holder's delete is skipped (step.go isDeletedWith), not run at the end", () => {
    const before = [model("api-model", { deletedWith: topic.urn }), topic];
    const taken = (target: RecordedResource) => of("TransitionNameTaken", transition(before, [model("body-model"), target])).map((f) => f.problem);
    expect(taken(renamed(false))).toEqual([expect.stringMatching(/api-model of the deployed plan holds the name and is removed without being deleted \(retainOnDelete, deletedWith, /)]);
    expect(taken(topic)).toEqual([expect.stringMatching(/api-model of the deployed plan holds the name and is removed from the program, which Pulumi deletes only at the end of the update/)]);
  });
});

describe("TransitionStatefulReplaced: a removed table deletedWith a resource the update replaces is not deleted", () => {
  const table = (name: string, more: Partial<RecordedResource> = {}) =>
    handBuilt("aws:dynamodb/table:Table", name, { hashKey: "id", attributes: [{ name: "id", type: "S" }], billingMode: "PAY_PER_REQUEST" }, more);

  it("says the deployed one stays with its items (its delete is skipped, step.go isDeletedWith), not that it is deleted", () => {
    const before = [table("orders", { deletedWith: topic.urn }), topic];
    const outcome = (target: RecordedResource) => of("TransitionStatefulReplaced", transition(before, [table("orders-v2"), target])).map((f) => f.problem);
    expect(outcome(renamed(false))).toEqual([expect.stringMatching(/The deployed one's delete is skipped \(deletedWith a resource the update also deletes\): the update succeeds/)]);
    expect(outcome(topic)).toEqual([expect.not.stringMatching(/delete is skipped/)]);
  });
});

describe("TransitionRoutingSlotTaken: a removed holder deletedWith a resource the update replaces keeps the slot", () => {
  const RULE = "TransitionRoutingSlotTaken";
  const zoneId = "Z0123456789EXAMPLE0000";
  const latency = (logical: string, more: Partial<RecordedResource> = {}) =>
    handBuilt(
      "aws:route53/record:Record",
      logical,
      { zoneId, name: "api.gallery.example.com", type: "A", setIdentifier: logical, latencyRoutingPolicies: [{ region: "us-east-1" }], aliases: [{ name: "d-abc.execute-api.us-east-1.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8", evaluateTargetHealth: true }] },
      more,
    );

  it("says the holder keeps the slot (its delete is skipped, step.go isDeletedWith), not that it goes at the end of the update", () => {
    const before = [latency("east", { deletedWith: topic.urn }), topic];
    const problems = (target: RecordedResource) => of(RULE, transition(before, [latency("new-east"), target])).map((f) => f.problem);
    expect(problems(renamed(false))).toEqual([expect.stringMatching(/east \(api\.gallery\.example\.com A, set east\) of the deployed plan holds it and keeps it: it is removed from the program without being deleted \(retainOnDelete, or deletedWith a resource the update also deletes or replaces\)/)]);
    // The target kept as deployed: the holder is deleted at the end of the update.
    expect(problems(topic)).toEqual([expect.stringMatching(/east \(api\.gallery\.example\.com A, set east\) of the deployed plan holds it until the end of the update: it is removed from the program/)]);
  });
});

describe("TransitionNameTaken: a replacement asks for the program's name, not one its ignoreChanges holds", () => {
  // The engine checks a replacement anew from the program's inputs (pulumi step_generator.go continueStepsFromDiff:
  // `prov.Check(... News: goal.Properties ...)` once `sg.replaces[urn] = true`, no Olds, no processIgnoreChanges), so an
  // ignored name is not put back in the new copy; ignoreChanges only keeps the name out of the diff.
  const MODEL = "aws:apigateway/model:Model";
  const model = (logical: string, name: string, more: Partial<RecordedResource> = {}) => handBuilt(MODEL, logical, { restApi: "rest-1", name, contentType: "application/json", schema: "{}" }, more);
  const cascaded = { replaceWith: [topic.urn], ignoreChanges: ["name"] };

  it("passes a model replaced create-first for its replaceWith whose program renames it under ignoreChanges: the new copy takes the new name", () => {
    const findings = transition([model("api-model", "PostAlbumsBody", { replaceWith: [topic.urn] }), topic], [model("api-model", "PostAlbumsBody2", cascaded), renamed(false)]);
    expect(of("TransitionNameTaken", findings)).toEqual([]);
    // Not ignored and not renamed: its deployed copy holds the name until the end of the update.
    expect(of("TransitionNameTaken", transition([model("api-model", "PostAlbumsBody", { replaceWith: [topic.urn] }), topic], [model("api-model", "PostAlbumsBody", cascaded), renamed(false)])).map((f) => f.resource)).toEqual([`${MODEL} api-model`]);
  });

  it("finds the program's name held by a removed model, which the replacement asks for", () => {
    const before = [model("api-model", "PostAlbumsBody", { replaceWith: [topic.urn] }), model("old-model", "PostAlbumsBody2"), topic];
    const problems = of("TransitionNameTaken", transition(before, [model("api-model", "PostAlbumsBody2", cascaded), renamed(false)])).map((f) => f.problem);
    expect(problems).toEqual([expect.stringMatching(/old-model of the deployed plan holds the name and is removed from the program, which Pulumi deletes only at the end of the update/)]);
  });
});

describe("TransitionRoutingSlotTaken: a replaced record claims the program's slot, not one its ignoreChanges holds", () => {
  const RULE = "TransitionRoutingSlotTaken";
  const latency = (logical: string, setIdentifier: string, region: string, more: Partial<RecordedResource> = {}) =>
    handBuilt(
      "aws:route53/record:Record",
      logical,
      { zoneId: "Z0123456789EXAMPLE0000", name: "api.gallery.example.com", type: "A", setIdentifier, latencyRoutingPolicies: [{ region }], aliases: [{ name: `d-abc.execute-api.${region}.amazonaws.com`, zoneId: "Z1UJRXOUMOOFQ8", evaluateTargetHealth: true }] },
      more,
    );
  const replacing = { replaceOnChanges: ["setIdentifier"], ignoreChanges: ["latencyRoutingPolicies"] };

  it("passes a record replaced create-first whose program moves it to another region under ignoreChanges: its new copy is created in the program's slot (continueStepsFromDiff's Check of goal.Properties)", () => {
    expect(of(RULE, transition([latency("east", "east", "us-east-1")], [latency("east", "east-2", "eu-west-1", replacing)]))).toEqual([]);
    // Kept in its region: the deployed copy holds the slot until the end of the update.
    expect(of(RULE, transition([latency("east", "east", "us-east-1")], [latency("east", "east-2", "us-east-1", replacing)])).map((f) => f.resource)).toEqual(["aws:route53/record:Record east"]);
  });

  it("finds the program's slot held by a removed record, and does not say a replaced holder keeps its slot through ignoreChanges", () => {
    const problems = of(RULE, transition([latency("east", "east", "us-east-1"), latency("west", "west", "eu-west-1")], [latency("east", "east-2", "eu-west-1", replacing)])).map((f) => f.problem);
    expect(problems).toEqual([expect.stringMatching(/west \(api\.gallery\.example\.com A, set west\) of the deployed plan holds it until the end of the update/)]);
    // The holder replaced delete-first with the program moving it away under ignoreChanges: it leaves the slot (no ignoreChanges keeps it).
    const holder = latency("west", "west-2", "us-west-2", { ...replacing, deleteBeforeReplace: true });
    const moved = of(RULE, transition([latency("west", "west", "eu-west-1")], [holder, latency("new", "new", "eu-west-1")])).map((f) => f.problem);
    expect(moved).toEqual([expect.not.stringMatching(/its ignoreChanges/)]);
  });
});

describe("TransitionRdsClusterNameReused: a replaced cluster asks for the program's identifier and snapshot name, not ones its ignoreChanges holds", () => {
  const RULE = "TransitionRdsClusterNameReused";
  const cluster = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) =>
    handBuilt("aws:rds/cluster:Cluster", "db-cluster", { engine: "aurora-postgresql", databaseName: "app", clusterIdentifier: "db-cluster-1a2b3c4", finalSnapshotIdentifier: "db-cluster-1a2b3c4-final", ...inputs }, more);
  const ignoring = { ignoreChanges: ["clusterIdentifier", "finalSnapshotIdentifier"] };

  it("passes new names the program draws though ignoreChanges holds the deployed ones: the new cluster is checked anew from goal.Properties (continueStepsFromDiff)", () => {
    const renamed = { databaseName: "gallery", clusterIdentifier: "db-cluster-9z8y7x6", finalSnapshotIdentifier: "db-cluster-9z8y7x6-final" };
    expect(of(RULE, transition([cluster({})], [cluster(renamed, ignoring)]))).toEqual([]);
    expect(of(RULE, transition([cluster({})], [cluster(renamed)]))).toEqual([]);
    // The program keeps both names: both findings, whatever ignoreChanges says.
    for (const more of [ignoring, {}]) expect(of(RULE, transition([cluster({})], [cluster({ databaseName: "gallery" }, more)])).map((f) => f.fix)).toEqual([expect.stringMatching(/^derive clusterIdentifier/), expect.stringMatching(/^name the final snapshot/)]);
  });

  it("passes a final snapshot the program turns off under an ignored skipFinalSnapshot: the new cluster's deletion writes none", () => {
    const after = (more: Partial<RecordedResource>) => cluster({ databaseName: "gallery", clusterIdentifier: "db-cluster-9z8y7x6", skipFinalSnapshot: true }, more);
    expect(of(RULE, transition([cluster({})], [after({ ignoreChanges: ["skipFinalSnapshot"] })]))).toEqual([]);
    expect(of(RULE, transition([cluster({})], [after({})]))).toEqual([]);
    // Left on by the program: the deployed name is written again by the new cluster's own deletion.
    expect(of(RULE, transition([cluster({})], [cluster({ databaseName: "gallery", clusterIdentifier: "db-cluster-9z8y7x6" })])).map((f) => f.problem)).toEqual([expect.stringMatching(/ with the same finalSnapshotIdentifier "db-cluster-1a2b3c4-final": deleting the old cluster writes/)]);
  });
});

describe("TransitionDeploymentStillServed: a stage replaced create-first while its deletedWith target is removed keeps its deployed copy", () => {
  const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
  const owner = handBuilt("aws:s3/bucket:Bucket", "owner", {});
  const deployment = (redeploy: string) => handBuilt(DEPLOYMENT, "api-deployment", { restApi: "a1b2c3d4e5", triggers: { redeploy } }, { id: "dep123" });
  const stage = (more: Partial<RecordedResource>) =>
    handBuilt("aws:apigateway/stage:Stage", "api-stage-prod", { restApi: "a1b2c3d4e5", stageName: "prod", deployment: "dep123" }, { ignoreChanges: ["deployment"], replaceWith: [topic.urn], deletedWith: owner.urn, ...more });

  it("finds the deployed deployment still served: the stage's old copy is deleted at the end with the removed target marked, so its delete is skipped (step.go isDeletedWith)", () => {
    const problems = of("TransitionDeploymentStillServed", transition([deployment("1"), stage({}), topic, owner], [deployment("2"), stage({}), renamed(false)])).map((f) => f.problem);
    expect(problems).toEqual([expect.stringMatching(/the deployed copy of stage api-stage-prod still serves it: the update replaces the stage without deleting that copy \(its delete is skipped for its deletedWith target owner, which the update deletes/)]);
    // Replaced delete-first (its own deleteBeforeReplace): its old copy is deleted in its own step, before the target is marked.
    expect(of("TransitionDeploymentStillServed", transition([deployment("1"), stage({}), topic, owner], [deployment("2"), stage({ deleteBeforeReplace: true, deleteBeforeReplaceDefined: true }), renamed(false)]))).toEqual([]);
  });
});

describe("TransitionRdsClusterNameReused: a cluster replaced create-first while its deletedWith target is removed writes no final snapshot", () => {
  const owner = handBuilt("aws:s3/bucket:Bucket", "owner", {});
  const cluster = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) =>
    handBuilt("aws:rds/cluster:Cluster", "db-cluster", { engine: "aurora-postgresql", databaseName: "app", clusterIdentifier: "db-cluster-1a2b3c4", finalSnapshotIdentifier: "db-cluster-final", ...inputs }, more);
  const replaced = (more: Partial<RecordedResource>) => cluster({ databaseName: "gallery", clusterIdentifier: "db-cluster-9z8y7x6" }, more);

  it("passes the deployed final snapshot name: the old copy's delete runs at the end with the removed target marked, so it is skipped (step.go isDeletedWith) and writes no snapshot", () => {
    expect(of("TransitionRdsClusterNameReused", transition([cluster({}, { deletedWith: owner.urn }), owner], [replaced({})]))).toEqual([]);
    // Replaced delete-first (its own deleteBeforeReplace): deleted at its registration, before the target is marked, so the snapshot is written.
    expect(of("TransitionRdsClusterNameReused", transition([cluster({}, { deletedWith: owner.urn }), owner], [replaced({ deleteBeforeReplace: true, deleteBeforeReplaceDefined: true })])).map((f) => f.problem)).toEqual([expect.stringMatching(/with the same finalSnapshotIdentifier "db-cluster-final"/)]);
  });
});

describe("TransitionHostedUiDomainGap: a domain its cascade replaces delete-first takes the program's domain, not one its ignoreChanges holds", () => {
  const POOL_DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
  const domain = (name: string, more: Partial<RecordedResource> = {}) => handBuilt(POOL_DOMAIN, "auth-domain", { domain: name, userPoolId: "us-east-1_pool" }, { replaceWith: [topic.urn], ...more });

  it("finds the gap: the topic replaced delete-first deletes the domain first, and the new one asks for the program's prefix (continueStepsFromDiff's Check of goal.Properties)", () => {
    const gap = (after: RecordedResource) => of("TransitionHostedUiDomainGap", transition([domain("gallery-auth"), topic], [after, renamed(true)])).map((f) => f.resource);
    expect(gap(domain("gallery-auth-2", { ignoreChanges: ["domain"] }))).toEqual([`${POOL_DOMAIN} auth-domain`]);
    // The program keeps the prefix: the same domain is re-created, which this rule leaves alone, ignored or not.
    expect(gap(domain("gallery-auth", { ignoreChanges: ["domain"] }))).toEqual([]);
  });

  it("reads the kind of domain (prefix or custom) from the program's domain too: a prefix the program turns into a custom domain gets the custom domain's text and fix", () => {
    const custom = of("TransitionHostedUiDomainGap", transition([domain("gallery-auth"), topic], [domain("auth.example.com", { ignoreChanges: ["domain"] }), renamed(true)]));
    expect(custom.map((f) => f.problem)).toEqual([expect.stringMatching(/replaces the hosted UI domain "gallery-auth" with "auth\.example\.com" delete-first .*a custom domain "is online within five minutes/)]);
    expect(custom[0].fix).toMatch(/^add the new domain beside the deployed one first/);
  });
});

describe("A deployed copy two delete-before-replace branches would delete is deleted by the first the program registers: its Delete is skipped only if its deletedWith target is marked by then", () => {
  // pulumi step_generator.go continueStepsFromDiff runs a target's branch at the target's registration, and a later
  // branch skips what an earlier one deleted (`if sg.pendingDeletes[dependentResource] { continue }`); step.go
  // DeleteStep.Apply skips the Delete only when the deployed deletedWith target is in sg.deletes (isDeletedWith).
  const alerts = handBuilt("aws:sns/topic:Topic", "alerts", { name: "alerts" });
  // Renamed by hand: both replaced delete-first (the bridge's answer for a name set by hand).
  const renamedAlerts: RecordedResource = { ...alerts, inputs: { name: "alerts-2" } };
  const options = { replaceWith: [alerts.urn], deletedWith: topic.urn };

  it("TransitionRecordSetOrphaned: a removed record replaceWith one topic and deletedWith another is deleted in the branch of the one registered first", () => {
    const zone = handBuilt("aws:route53/zone:Zone", "zone", { name: "example.com" }, { id: "Z0FIXTUREZONE", state: { zoneId: "Z0FIXTUREZONE" } });
    const cname = (name: string, more: Partial<RecordedResource> = {}) =>
      handBuilt("aws:route53/record:Record", name, { zoneId: "Z0FIXTUREZONE", name: "www.example.com", type: "CNAME", ttl: 300, records: ["origin.example.net"] }, more);
    const before = [zone, cname("www"), cname("www-old", options), alerts, topic];
    // alerts first: its branch sends the record's Delete, errors not yet marked, and it takes the set the kept record writes.
    expect(of("TransitionRecordSetOrphaned", transition(before, [zone, cname("www"), renamedAlerts, renamed(true)])).map((f) => f.resource)).toEqual(["aws:route53/record:Record www-old"]);
    // errors first: its own branch deletes the record with errors marked, so the Delete is skipped.
    expect(of("TransitionRecordSetOrphaned", transition(before, [zone, cname("www"), renamed(true), renamedAlerts]))).toEqual([]);
  });

  it("TransitionDeploymentStillServed: a kept stage replaceWith one topic and deletedWith another has its old copy deleted in the branch of the one registered first", () => {
    const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
    const deployment = (redeploy: string) => handBuilt(DEPLOYMENT, "api-deployment", { restApi: "a1b2c3d4e5", triggers: { redeploy } }, { id: "dep123" });
    const stage = handBuilt("aws:apigateway/stage:Stage", "api-stage-prod", { restApi: "a1b2c3d4e5", stageName: "prod", deployment: "dep123" }, { ignoreChanges: ["deployment"], ...options });
    const before = [deployment("1"), alerts, topic, stage];
    // alerts first: the stage's old copy is deleted in its branch (errors not yet marked), before the deployment's delete.
    expect(of("TransitionDeploymentStillServed", transition(before, [deployment("2"), renamedAlerts, renamed(true), stage]))).toEqual([]);
    // errors first: deleted in errors' branch with errors marked, so skipped: the old copy still serves the deployment.
    expect(of("TransitionDeploymentStillServed", transition(before, [deployment("2"), renamed(true), renamedAlerts, stage])).map((f) => f.problem)).toEqual([
      expect.stringMatching(/its delete is skipped for its deletedWith target errors/),
    ]);
  });
});
