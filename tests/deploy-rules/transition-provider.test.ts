/**
 * What the engine does to the resources of an explicit provider the update replaces, or moves to another provider
 * (transition.ts forcedFrom, cascadeOrder): pulumi step_generator.go providerChanged asks the new provider's DiffConfig
 * whether a changed provider reference replaces a resource, and pulumi-aws 7's DiffConfig never says so (no config key
 * has ForcesProviderReplace since the v7 upgrade dropped region's, pulumi-aws d273034ca4dff0fdfe4e1ab5f8896e4673055ece), so a provider replaced create-first, or a move to another
 * provider, replaces a resource only for its own Diff (a region-aware resource's region). A provider replaced
 * delete-first (its own deleteBeforeReplace) runs a delete-before-replace branch whose calculateDependentReplacements
 * puts every deployed resource of it in the replace set ("If the resource's provider is in the replace set, we must
 * replace this resource"), and their dependents on, transitively: all deleted before the provider, re-created when they
 * register.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { handBuilt } from "./fixture";
import { checkPlanTransition, checkPlanTransitionWarnings, planUpdate } from "../../testing/deploy-rules";
import { regionAware } from "../../testing/deploy-rules/transition";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const PROVIDER = "pulumi:providers:aws";
/** A provider whose `profile` changes, which its replaceOnChanges turns into a replacement; delete-first when `deleteFirst`. */
function replacedProvider(deleteFirst: boolean): [RecordedResource, RecordedResource] {
  const options = deleteFirst ? { deleteBeforeReplace: true, deleteBeforeReplaceDefined: true } : {};
  const old = handBuilt(PROVIDER, "east", { region: "us-east-1", profile: "deploy-a" }, { id: "p-1", replaceOnChanges: ["profile"], ...options });
  return [old, { ...old, inputs: { ...old.inputs, profile: "deploy-b" }, id: "p-2" }];
}
const of = (provider: RecordedResource) => ({ provider: `${provider.urn}::${provider.id}` });

const table = (more: Partial<RecordedResource>) =>
  handBuilt("aws:dynamodb/table:Table", "photos", { name: "photos", hashKey: "id", attributes: [{ name: "id", type: "S" }], billingMode: "PAY_PER_REQUEST" }, { id: "photos", ...more });
const fn = (more: Partial<RecordedResource>) => handBuilt("aws:lambda/function:Function", "thumbnail", { name: "thumbnail" }, { id: "thumbnail", ...more });
/** A Lambda permission (every argument replaces it: lambda/permission.go has no Update) whose `function` is `target`'s name. */
const permission = (target: RecordedResource) =>
  handBuilt("aws:lambda/permission:Permission", "thumbnail-invoke", { function: "thumbnail", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com" }, { dependencies: [target.urn], propertyDependencies: { function: [target.urn] } });

describe("a provider replaced delete-first deletes its resources first (calculateDependentReplacements)", () => {
  const [oldProvider, newProvider] = replacedProvider(true);

  it("deletes a table of the provider early and re-creates it: a new, empty table, reported with the provider as the reason", () => {
    const [oldTable, newTable] = [table(of(oldProvider)), table(of(newProvider))];
    const update = planUpdate([oldProvider, oldTable], [newProvider, newTable]);
    expect(update.order.early.has(newTable.urn)).toBe(true);
    expect(update.replaced(newTable.urn)).toBe(true);
    expect(update.replacedDeleteFirst(newTable.urn)).toBe(true);
    const findings = checkPlanTransition([oldProvider, oldTable], [newProvider, newTable]).filter((f) => f.rule === "TransitionStatefulReplaced");
    expect(findings.map((f) => f.urn)).toEqual([newTable.urn]);
    expect(findings[0].problem).toContain("provider east (replaced delete-first");
    expect(findings[0].problem).toContain("the engine deletes it before its provider, which is replaced delete-first");
  });

  it("follows the cascade on from a resource of the provider: a permission whose function is the provider's function goes first too", () => {
    const [oldFn, newFn] = [fn(of(oldProvider)), fn(of(newProvider))];
    const grant = permission(oldFn);
    const update = planUpdate([oldProvider, oldFn, grant], [newProvider, newFn, grant]);
    expect([update.order.early.has(newFn.urn), update.order.early.has(grant.urn)]).toEqual([true, true]);
  });

  it("leaves a resource of another provider alone", () => {
    const other = handBuilt(PROVIDER, "west", { region: "us-west-2" }, { id: "w-1" });
    const t = table(of(other));
    const update = planUpdate([oldProvider, other, t], [newProvider, other, t]);
    expect(update.replaced(t.urn)).toBe(false);
  });
});

describe("a provider replaced create-first, or a move to another provider, replaces nothing by itself (pulumi-aws 7 DiffConfig)", () => {
  it("keeps a table of a provider replaced create-first: providerChanged asks DiffConfig, which never replaces", () => {
    const [oldProvider, newProvider] = replacedProvider(false);
    const [oldTable, newTable] = [table(of(oldProvider)), table(of(newProvider))];
    const update = planUpdate([oldProvider, oldTable], [newProvider, newTable]);
    expect(update.replaced(oldProvider.urn)).toBe(true);
    expect(update.replaced(newTable.urn)).toBe(false);
    expect(checkPlanTransition([oldProvider, oldTable], [newProvider, newTable]).filter((f) => f.rule === "TransitionStatefulReplaced")).toEqual([]);
  });

  it("keeps a table moved to another provider of the same region, and replaces one moved to another region (its own Diff: region)", () => {
    const first = handBuilt(PROVIDER, "first", { region: "eu-west-1" }, { id: "f-1" });
    const same = handBuilt(PROVIDER, "same", { region: "eu-west-1" }, { id: "s-1" });
    const away = handBuilt(PROVIDER, "away", { region: "us-east-1" }, { id: "a-1" });
    const deployed = table(of(first));
    expect(checkPlanTransition([first, same, deployed], [first, same, table(of(same))]).filter((f) => f.rule === "TransitionStatefulReplaced")).toEqual([]);
    const moved = checkPlanTransition([first, away, deployed], [first, away, table(of(away))]).filter((f) => f.rule === "TransitionStatefulReplaced");
    expect(moved.map((f) => f.problem)).toEqual([expect.stringContaining("region (eu-west-1 → us-east-1)")]);
  });
});

describe("calculateDependentReplacements follows its replace set on (a dependent deleted first takes its own dependents)", () => {
  it("deletes first a deletedWith chain two links below the resource replaced delete-first, and a forced dependent of a forced dependent", () => {
    const root = handBuilt("aws:lambda/function:Function", "root", { name: "root", description: "v1" }, { id: "root", replaceOnChanges: ["description"], deleteBeforeReplace: true, deleteBeforeReplaceDefined: true });
    const next = { ...root, inputs: { ...root.inputs, description: "v2" } };
    const alias = handBuilt("aws:lambda/alias:Alias", "live", { name: "live", functionName: "root" }, { dependencies: [root.urn], propertyDependencies: { functionName: [root.urn] } });
    const grant = handBuilt("aws:lambda/permission:Permission", "live-invoke", { function: "live", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com" }, { dependencies: [alias.urn], propertyDependencies: { function: [alias.urn] } });
    const child = handBuilt("aws:s3/bucketObject:BucketObject", "marker", { key: "k" }, { deletedWith: alias.urn });
    const grandchild = handBuilt("aws:s3/bucketObject:BucketObject", "marker2", { key: "k2" }, { deletedWith: child.urn });
    const update = planUpdate([root, alias, grant, child, grandchild], [next, alias, grant, child, grandchild]);
    expect([alias, grant, child, grandchild].map((r) => update.order.early.has(r.urn))).toEqual([true, true, true, true]);
  });
});

describe("a resource moved to another region through its provider is replaced by its own Diff (forceNewIfRegionChanges)", () => {
  const west = handBuilt(PROVIDER, "west", { region: "eu-west-1" }, { id: "w-1" });
  const east = handBuilt(PROVIDER, "east", { region: "us-east-1" }, { id: "e-1" });
  const westAgain = handBuilt(PROVIDER, "west-2", { region: "eu-west-1" }, { id: "w-2" });

  it("replaces a Lambda function moved to a provider of another region, and not one moved to a provider of the same region", () => {
    const deployed = fn(of(west));
    expect(planUpdate([west, east, deployed], [west, east, fn(of(east))]).replaced(deployed.urn)).toBe(true);
    expect(planUpdate([west, westAgain, deployed], [west, westAgain, fn(of(westAgain))]).replaced(deployed.urn)).toBe(false);
  });

  it("replaces a function whose provider's region changes in place (the provider keeps its id; the function's Diff replaces it)", () => {
    const moved = { ...west, inputs: { region: "us-east-1" } };
    const deployed = fn(of(west));
    expect(planUpdate([west, deployed], [moved, deployed]).replaced(deployed.urn)).toBe(true);
  });

  it("keeps a global resource (an IAM role) and one that sets its own region", () => {
    const role = handBuilt("aws:iam/role:Role", "role", { name: "role", assumeRolePolicy: "{}" }, { id: "role", ...of(west) });
    expect(planUpdate([west, east, role], [west, east, { ...role, ...of(east) }]).replaced(role.urn)).toBe(false);
    const pinned = handBuilt("aws:lambda/function:Function", "pinned", { name: "pinned", region: "eu-west-1" }, { id: "pinned", ...of(west) });
    expect(planUpdate([west, east, pinned], [west, east, { ...pinned, ...of(east) }]).replaced(pinned.urn)).toBe(false);
  });

  it("replaces a function whose own region is dropped for a provider of another region, or changed: forceNewIfRegionChanges reads the region it is managed in", () => {
    const pinned = fn({ ...of(east) });
    const ownWest = { ...pinned, inputs: { ...pinned.inputs, region: "eu-west-1" } };
    expect(planUpdate([east, ownWest], [east, pinned]).replaced(pinned.urn)).toBe(true);
    expect(planUpdate([east, ownWest], [east, { ...ownWest, inputs: { ...ownWest.inputs, region: "us-west-2" } }]).replaced(pinned.urn)).toBe(true);
    // Set by hand to the region its provider gave: the same region, kept.
    expect(planUpdate([west, east, fn(of(west))], [west, east, { ...ownWest, ...of(east) }]).replaced(pinned.urn)).toBe(false);
    // An ignoreChanges region keeps the deployed one.
    expect(planUpdate([east, ownWest], [east, { ...pinned, ignoreChanges: ["region"] }]).replaced(pinned.urn)).toBe(false);
  });

  it("keeps the bridge's delete-first for a bucket named by hand that a replaceOnChanges also replaces when its provider moves it: the region is the provider's replacement, so no create of the name before the delete", () => {
    const bucket = (provider: RecordedResource, tags: Record<string, string>) => handBuilt("aws:s3/bucket:Bucket", "photos", { bucket: "photos-example", tags }, { id: "photos-example", replaceOnChanges: ["tags"], ...of(provider) });
    const [deployed, next] = [bucket(west, { v: "1" }), bucket(east, { v: "2" })];
    expect(planUpdate([west, east, deployed], [west, east, next]).replacedDeleteFirst(next.urn)).toBe(true);
    expect(checkPlanTransition([west, east, deployed], [west, east, next], { region: "us-east-1" }).filter((f) => f.rule === "TransitionNameTaken")).toEqual([]);
  });

  it("does not judge a region unknown at preview (an Output): the function's own, or its new provider's", () => {
    const unknown = { __pulumiUnknown: true };
    const deployed = fn(of(west));
    expect(planUpdate([west, east, deployed], [west, east, { ...fn(of(east)), inputs: { name: "thumbnail", region: unknown } }]).replaced(deployed.urn)).toBe(false);
    const later = handBuilt(PROVIDER, "later", { region: unknown }, { id: "l-1" });
    expect(checkPlanTransition([west, deployed], [west, later, fn(of(later))], { region: "us-east-1" }).filter((f) => f.rule === "TransitionNameTaken")).toEqual([]);
    const domain = (provider: RecordedResource) =>
      handBuilt("aws:apigateway/domainName:DomainName", "api-domain", { domainName: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1", endpointConfiguration: { types: ["EDGE"] } }, { id: "api.example.com", ...of(provider) });
    expect(checkPlanTransition([west, domain(west)], [west, later, domain(later)], { region: "us-east-1" }).filter((f) => f.rule === "TransitionNameTaken")).toEqual([]);
  });

  it("finds an edge-optimized API Gateway domain moved to another region through its provider: replaced create-first under its one name in every region, which the deployed one still holds", () => {
    const domain = (provider: RecordedResource) =>
      handBuilt("aws:apigateway/domainName:DomainName", "api-domain", { domainName: "api.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1", endpointConfiguration: { types: ["EDGE"] } }, { id: "api.example.com", ...of(provider) });
    const findings = checkPlanTransition([west, east, domain(west)], [west, east, domain(east)], { region: "eu-west-1" }).filter((f) => f.rule === "TransitionNameTaken");
    expect(findings.map((f) => f.urn)).toEqual([domain(east).urn]);
    expect(findings[0].problem).toContain("is replaced create-before-delete (its provider moves it from eu-west-1 to us-east-1");
  });
});

/**
 * Every resource type of the installed @pulumi/aws (7.48.0), to whether it is region-aware: its `<Type>Args` declares
 * pulumi-aws 7's `region`, not the resource's own older `region` of another meaning, which is deprecated ("region is
 * deprecated. Use stackSetInstanceRegion instead"; enhanced region support, "Resources deprecating `region`"). A
 * per-resource region deprecated as a whole ("This attribute will be removed", an ARC Region switch plan) is still
 * region-aware: Terraform's ResourceRegionDeprecatedOverride keeps IsOverrideEnabled (internal/types/service_package.go).
 */
function sdkRegionAwareness(): Map<string, boolean> {
  const root = join(process.cwd(), "node_modules/@pulumi/aws");
  const types = new Map<string, boolean>();
  for (const module of readdirSync(root)) {
    if (module === "types" || module === "config" || !statSync(join(root, module)).isDirectory()) continue;
    for (const file of readdirSync(join(root, module))) {
      if (!file.endsWith(".js") || file === "index.js") continue;
      const type = /__pulumiType = '([^']+)'/.exec(readFileSync(join(root, module, file), "utf8"))?.[1];
      if (!type) continue;
      const declarations = readFileSync(join(root, module, file.replace(/\.js$/, ".d.ts")), "utf8");
      const args = new RegExp(`^export interface ${type.split(":")[2]}Args \\{[\\s\\S]*?^\\}`, "m").exec(declarations)?.[0] ?? "";
      const region = /\/\*\*((?:\n {5}\*.*)*)\n {5}\*\/\n {4}region\?: /.exec(args);
      types.set(type, region !== null && !region[1].includes("@deprecated region is deprecated"));
    }
  }
  return types;
}

describe("which resources a provider's region moves: pulumi-aws 7's region-aware types (GLOBAL_MODULES, GLOBAL_TYPES)", () => {
  it("reads as region-aware exactly the @pulumi/aws types whose Args take the per-resource region", () => {
    const sdk = sdkRegionAwareness();
    expect(sdk.size).toBeGreaterThan(1000);
    const disagree = [...sdk].filter(([type, aware]) => regionAware(type) !== aware).map(([type, aware]) => `${type}: ${aware ? "region-aware" : "global"} in @pulumi/aws`);
    expect(disagree).toEqual([]);
  });

  const west = handBuilt(PROVIDER, "west", { region: "eu-west-1" }, { id: "w-1" });
  const east = handBuilt(PROVIDER, "east", { region: "us-east-1" }, { id: "e-1" });
  const movedTo = (r: RecordedResource, provider: RecordedResource) => planUpdate([west, east, { ...r, ...of(west) }], [west, east, { ...r, ...of(provider) }]).replaced(r.urn);

  it("replaces a Route 53 Resolver endpoint moved to another region (regional, though in Route 53's module), not a hosted zone", () => {
    const endpoint = handBuilt("aws:route53/resolverEndpoint:ResolverEndpoint", "resolver", { name: "resolver", direction: "INBOUND", securityGroupIds: ["sg-1"], ipAddresses: [{ subnetId: "subnet-1" }] });
    expect(movedTo(endpoint, east)).toBe(true);
    const zone = handBuilt("aws:route53/zone:Zone", "zone", { name: "example.com" });
    expect(movedTo(zone, east)).toBe(false);
  });

  it("keeps a Cost Explorer anomaly monitor and an account contact (global, under Pulumi's module names costexplorer and account)", () => {
    const monitor = handBuilt("aws:costexplorer/anomalyMonitor:AnomalyMonitor", "monitor", { name: "monitor", monitorType: "DIMENSIONAL", monitorDimension: "SERVICE" });
    expect(movedTo(monitor, east)).toBe(false);
    const contact = handBuilt("aws:account/alternativeContact:AlternativeContact", "billing", { alternateContactType: "BILLING", name: "Billing", title: "Billing", emailAddress: "billing@example.com", phoneNumber: "+15555550100" });
    expect(movedTo(contact, east)).toBe(false);
  });
});

describe("a change of the stack's aws:region moves the default provider's resources (deployedRegion, planUpdate's context)", () => {
  const moved = { region: "eu-west-1", deployedRegion: "us-east-1" };
  const site = (more: Partial<RecordedResource> = {}) => handBuilt("aws:s3/bucket:Bucket", "site", { bucket: "site-example", tags: { v: "1" } }, { id: "site-example", ...more });

  it("replaces a table and a function of the default provider, not one that sets its own region or a global role", () => {
    const pinned = handBuilt("aws:lambda/function:Function", "pinned", { name: "pinned", region: "us-east-1" }, { id: "pinned" });
    const role = handBuilt("aws:iam/role:Role", "role", { name: "role", assumeRolePolicy: "{}" }, { id: "role" });
    const graph = [table({}), fn({}), pinned, role];
    const update = planUpdate(graph, graph, undefined, moved);
    expect(graph.map((r) => [r.name, update.replaced(r.urn)])).toEqual([["photos", true], ["thumbnail", true], ["pinned", false], ["role", false]]);
    expect(update.regions).toEqual({ deployed: "us-east-1", next: "eu-west-1" });
    // The same region on both sides, or none given (unknown): nothing moves.
    expect(planUpdate(graph, graph, undefined, { region: "eu-west-1" }).replaced(table({}).urn)).toBe(false);
    expect(planUpdate(graph, graph).replaced(table({}).urn)).toBe(false);
  });

  it("deletes first a bucket named by hand that the move replaces (the bridge's delete-first), so its dependents go first too", () => {
    const policy = handBuilt("aws:s3/bucketPolicy:BucketPolicy", "site-policy", { bucket: "site-example", policy: "{}" }, { dependencies: [site().urn], propertyDependencies: { bucket: [site().urn] } });
    const update = planUpdate([site(), policy], [site(), policy], undefined, moved);
    expect(update.replacedDeleteFirst(site().urn)).toBe(true);
    expect(update.order.early.has(policy.urn)).toBe(true);
    expect(checkPlanTransition([site()], [site()], moved).map((f) => [f.rule, f.problem.match(/^[^:]+: [^(]+\([^)]+\)/)?.[0]])).toEqual([
      ["TransitionStatefulReplaced", "replaces S3 bucket site: region (us-east-1 → eu-west-1: the stack's aws:region)"],
    ]);
  });

  it("does not judge a resource of an explicit provider that sets no region: it reads AWS_REGION or the profile, not the stack's config", () => {
    const unset = handBuilt(PROVIDER, "ambient", {}, { id: "amb-1" });
    const graph = [unset, table(of(unset))];
    expect(planUpdate(graph, graph, undefined, moved).replaced(table({}).urn)).toBe(false);
    expect(checkPlanTransition(graph, graph, moved)).toEqual([]);
    // Nor a move between it and the default provider: where it is managed is unknown on one side.
    expect(planUpdate([table({})], graph, undefined, { region: "eu-west-1" }).replaced(table({}).urn)).toBe(false);
  });

  it("takes a stage, resource or route of an API moved with it for another scope: the API is a new one there, with another id (the mocks draw one id in every region)", () => {
    const api = handBuilt("aws:apigateway/restApi:RestApi", "api", { name: "api" }, { id: "a1b2c3" });
    const stage = handBuilt("aws:apigateway/stage:Stage", "api-stage-dev", { restApi: "a1b2c3", stageName: "dev", deployment: "d1" }, { dependencies: [api.urn] });
    const part = handBuilt("aws:apigateway/resource:Resource", "api-res-albums", { restApi: "a1b2c3", parentId: "root1", pathPart: "albums" }, { dependencies: [api.urn] });
    const route = handBuilt("aws:apigatewayv2/route:Route", "live-route-ping", { apiId: "w1", routeKey: "ping" });
    const graph = [api, stage, part, route];
    const update = planUpdate(graph, graph, undefined, moved);
    expect([stage, part, route].map((r) => update.replaced(r.urn))).toEqual([true, true, true]);
    expect(checkPlanTransition(graph, graph, moved, { update }).filter((f) => f.rule === "TransitionNameTaken")).toEqual([]);
    // In one region the id still scopes them: a second stage "dev" on the API is still found.
    const second = { ...stage, name: "api-stage-dev-2", urn: stage.urn.replace(/api-stage-dev$/, "api-stage-dev-2") };
    expect(checkPlanTransition([api, stage], [api, second], { region: "eu-west-1" }).map((f) => f.rule)).toContain("TransitionNameTaken");
  });

  it("takes a subscription or an event source mapping moved with the stack's region for another scope, whatever region the ARNs it keys by name", () => {
    // ARNs as a saved plan keeps them (the region they were recorded in): AWS holds a subscription, and a mapping's
    // pair, in the region it is created in, so the deployed copy in us-east-1 holds nothing in eu-west-1.
    const subscription = handBuilt("aws:sns/topicSubscription:TopicSubscription", "alerts-email", { topic: "arn:aws:sns:us-east-1:123456789012:alerts", protocol: "email", endpoint: "ops@example.com" });
    const mapping = handBuilt(
      "aws:lambda/eventSourceMapping:EventSourceMapping",
      "removals-mapping",
      { eventSourceArn: "arn:aws:sqs:us-east-1:123456789012:removals", functionName: "arn:aws:lambda:us-east-1:123456789012:function:removals" },
      { id: "uuid-1" },
    );
    const graph = [subscription, mapping];
    const update = planUpdate(graph, graph, undefined, moved);
    expect(graph.map((r) => update.replaced(r.urn))).toEqual([true, true]);
    expect(checkPlanTransition(graph, graph, moved, { update })).toEqual([]);
    // In one region they still hold their pair: a second mapping of the pair is still found, and named as before.
    const second = { ...mapping, name: "removals-mapping-2", urn: mapping.urn.replace(/removals-mapping$/, "removals-mapping-2") };
    expect(checkPlanTransition([mapping], [second], { region: "us-east-1" }).map((f) => f.problem.match(/event source mapping of \S+ to function [^;\s]+/)?.[0])).toEqual([
      "event source mapping of arn:aws:sqs:us-east-1:123456789012:removals to function removals",
    ]);
  });

  it("refuses an update judged under other stack regions than the checks are given", () => {
    const graph = [table({})];
    expect(() => checkPlanTransition(graph, graph, moved, { update: planUpdate(graph, graph) })).toThrow(
      "checkPlanTransition: options.update was judged under the stack regions unknown → unknown, the context gives us-east-1 → eu-west-1: pass options.update = planUpdate(before, after, naming, context) with this context",
    );
    expect(checkPlanTransition(graph, graph, moved, { update: planUpdate(graph, graph, undefined, moved) }).map((f) => f.rule)).toEqual(["TransitionStatefulReplaced"]);
    // Judged under a known stack region other than the context's: refused too.
    expect(() => checkPlanTransition(graph, graph, { region: "us-east-1" }, { update: planUpdate(graph, graph, undefined, { region: "eu-west-1" }) })).toThrow(
      "options.update was judged under the stack regions eu-west-1 → eu-west-1, the context gives us-east-1 → us-east-1",
    );
    // The warnings read the same judgement of which resources the update replaces (a move replaces), so the same guard.
    expect(() => checkPlanTransitionWarnings(graph, graph, moved, { update: planUpdate(graph, graph) })).toThrow(
      "checkPlanTransitionWarnings: options.update was judged under the stack regions unknown → unknown, the context gives us-east-1 → eu-west-1",
    );
    expect(() => checkPlanTransitionWarnings(graph, graph, { region: "us-east-1" }, { update: planUpdate(graph, graph, undefined, { region: "eu-west-1" }) })).toThrow(
      "options.update was judged under the stack regions eu-west-1 → eu-west-1, the context gives us-east-1 → us-east-1",
    );
    expect(checkPlanTransitionWarnings(graph, graph, moved, { update: planUpdate(graph, graph, undefined, moved) })).toEqual([]);
    expect(checkPlanTransitionWarnings(graph, graph, { region: "us-east-1" }, { update: planUpdate(graph, graph) })).toEqual([]);
  });

  it("reads an update built the old way (planUpdate without a context) under a context that keeps the stack's region, as before", () => {
    // A consumer of the testing entry that judged the update once for both checks before planUpdate took a context.
    const context = { stack: "prod", region: "us-east-1" };
    const [before, after] = [[table({})], [table({ inputs: { ...table({}).inputs, name: "photos-v2" } })]];
    const found = checkPlanTransition(before, after, context, { update: planUpdate(before, after) });
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", "aws:dynamodb/table:Table photos"]]);
    expect(found).toEqual(checkPlanTransition(before, after, context));
  });
});
