/**
 * TransitionRestRouteStillServed: a ServerlessApi route removed by an update. The deployment the update takes snapshots
 * the REST API before the removed method is deleted (removed resources go at the end of the update), so the stages keep
 * serving it, and nothing redeploys afterwards. While a canary runs, the fix must not replace the frozen deployment.
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { record as recordProgram } from "../../testing/harness";
import { PLAN_TRANSITION_RULES } from "../../testing/deploy-rules";
import { checkPlanTransition } from "../../testing/deploy-rules";
import { handBuilt, saved, transition } from "./fixture";
import type { RecordedResource } from "../../local/offline/mocks";

const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
const METHOD = "aws:apigateway/method:Method";
const echo = "tests/fixtures/handlers/echo.ts";
const health = { "GET /health": { handler: echo, auth: "none" as const } };
const albums = { "GET /albums/{albumId}": { handler: echo, auth: "none" as const } };
const status = { "GET /status": { integration: { type: "mock" as const, body: { ok: true } }, auth: "none" as const } };
const api = (routes: ServerlessApiArgs["routes"], stages: ServerlessApiArgs["stages"] = { prod: {} }) =>
  recordProgram(() => new ServerlessApi("api", { accountCloudWatchRole: false, stages, routes }));
const canary = { prod: { canary: { percentTraffic: 10 } } };
const urnOf = (graph: { type: string; name: string; urn: string }[], name: string, type = DEPLOYMENT) => graph.find((r) => r.type === type && r.name === name)!.urn;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("TransitionRestRouteStillServed", () => {
  it("finds a removed route and gives the command that takes a fresh deployment", async () => {
    const before = await api({ ...health, ...albums });
    const after = await api(health);
    const findings = transition(before, after);
    // On the removed method: an acceptance names this one removal, not every later one on the API.
    expect(findings.map((f) => [f.rule, f.resource, f.urn])).toEqual([["TransitionRestRouteStillServed", `${METHOD} api-method-get-albums-albumId`, urnOf(before, "api-method-get-albums-albumId", METHOD)]]);
    expect(findings[0].problem).toMatch(/^removes route GET \/albums\/\{albumId\} of REST API api-api, but the deployment this update takes \(api-deployment\) snapshots the API before/);
    expect(findings[0].problem).toMatch(/pulumi\/pulumi#9979/);
    expect(findings[0].fix).toBe(`after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${urnOf(after, "api-deployment")}" (docs/api-gateway-deployments.md, "Removing a route: one more step")`);
    // Through the file `npm run plan -- --save` writes, which keeps each method's httpMethod and resourceId.
    const fromFile = transition(saved(before), after);
    expect(fromFile.map((f) => f.rule)).toEqual(["TransitionRestRouteStillServed"]);
    expect(fromFile[0].problem).toMatch(/^removes route GET \/albums\/\{albumId\} of REST API api-api, but the deployment this update takes \(api-deployment\)/);
    // A file saved before those were kept: the route is named by its resource.
    const older = saved(before).map((r) => (r.type === METHOD ? { ...r, inputs: {}, savedInputs: [] } : r));
    expect(transition(older, after)[0].problem).toMatch(/^removes route api-method-get-albums-albumId of REST API api-api/);
    // Accepted, it is left out; a later removal of another route on the same API is not covered by that line.
    const accept = [`TransitionRestRouteStillServed:${findings[0].urn}`];
    expect(checkPlanTransition(before, after, { stack: "dev", region: "us-east-1" }, { accept }).filter((f) => f.rule === "TransitionRestRouteStillServed")).toEqual([]);
    expect(checkPlanTransition(after, await api(status), { stack: "dev", region: "us-east-1" }, { accept }).filter((f) => f.rule === "TransitionRestRouteStillServed").map((f) => f.problem.split(" of ")[0])).toEqual(["removes route GET /health"]);
    // A new base path removes every method under the old one, which the new deployment still serves.
    const moved = transition(before, await recordProgram(() => new ServerlessApi("api", { accountCloudWatchRole: false, basePath: "v1", stages: { prod: {} }, routes: { ...health, ...albums } })));
    expect(moved.filter((f) => f.rule === "TransitionRestRouteStillServed").map((f) => f.problem.split(" of ")[0])).toEqual(["removes route GET /health", "removes route GET /albums/{albumId}"]);
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === "TransitionRestRouteStillServed")?.source).toBe("https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-deployments.html");
  });

  it("while a canary runs, replaces only the canary's deployment and sends the frozen one's traffic to promotion", async () => {
    const before = await api({ ...health, ...status }, canary);
    const after = await api(health, canary);
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestRouteStillServed", `${METHOD} api-method-get-status`]]);
    expect(findings[0].problem).toMatch(/^removes route GET \/status of REST API api-api, but the deployment this update takes \(api-canary-deployment\)/);
    // The frozen snapshot is as old as the canary: it holds the route only if the route predates it (not a route added with the canary).
    expect(findings[0].problem).toMatch(/; and if the route was in the API when the canary started, api-deployment, frozen while the canary runs, still serves it to the stage's other traffic until promotion/);
    expect(findings[0].fix).toMatch(new RegExp(`^after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${escaped(urnOf(after, "api-canary-deployment"))}"`));
    expect(findings[0].fix).toMatch(/For the rest of the traffic \(a route that predates the canary\), promote the canary/);
    expect(findings[0].fix).toMatch(/never --replace api-deployment while the canary runs/);
    // Promotion after that removal removes no method: nothing to report.
    expect(transition(after, await api(health))).toEqual([]);
  });

  it("with two stages, one running a canary, gives one finding whose fresh deployment moves the stage without a canary too", async () => {
    const stages = { prod: { canary: { percentTraffic: 10 } }, dev: {} };
    const findings = transition(await api({ ...health, ...status }, stages), await api(health, stages));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestRouteStillServed", `${METHOD} api-method-get-status`]]);
    expect(findings[0].fix).toMatch(/^after this `pulumi up`, take a fresh deployment: pulumi up --replace "[^"]*::api-canary-deployment"/);
    expect(findings[0].fix).toMatch(/never --replace api-deployment while the canary runs/);
  });

  it("says a hand-built deployment without triggers takes no new snapshot, and the fix still replaces it", () => {
    const restApi = handBuilt("aws:apigateway/restApi:RestApi", "api", { name: "api" }, { id: "api-id" });
    const on = { dependencies: [restApi.urn] };
    const resource = handBuilt("aws:apigateway/resource:Resource", "items", { restApi: "api-id", parentId: "root-id", pathPart: "items" }, { id: "items-id", ...on });
    const method = (name: string) => handBuilt(METHOD, name, { restApi: "api-id", resourceId: "items-id", httpMethod: "GET", authorization: "NONE" }, on);
    const deployment = handBuilt(DEPLOYMENT, "deployment", { restApi: "api-id" }, on);
    const findings = transition([restApi, resource, method("get-items"), deployment], [restApi, resource, deployment]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestRouteStillServed", `${METHOD} get-items`]]);
    expect(findings[0].problem).toBe(
      "removes route GET /items of REST API api, but this update takes no new deployment (deployment has no `triggers` that change), and the snapshot it keeps was taken with the method, so the stages keep serving the route, with its deployed authorisation, and a Lambda route whose function the update deletes fails (5xx). Nothing in the program redeploys it",
    );
    expect(findings[0].fix).toMatch(new RegExp(`^after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${escaped(deployment.urn)}"`));
    // A deployment new in the update (not in the deployed plan) takes its snapshot in it, before the method's delete.
    const fresh = handBuilt(DEPLOYMENT, "deployment-2", { restApi: "api-id" }, on);
    const [taken] = transition([restApi, resource, method("get-items"), deployment], [restApi, resource, fresh]);
    expect(taken.problem).toMatch(/^removes route GET \/items of REST API api, but the deployment this update takes \(deployment-2\) snapshots the API before the removed method, .* Its triggers already match the new routes, so no later `pulumi up` redeploys$/);
    expect(taken.fix).toContain(`pulumi up --replace "${fresh.urn}"`);
    // One the update creates takes its snapshot now, even if it ignores its triggers: it is no canary's frozen deployment.
    const ignoring = handBuilt(DEPLOYMENT, "deployment-2", { restApi: "api-id" }, { ...on, ignoreChanges: ["triggers"] });
    const [created] = transition([restApi, resource, method("get-items"), deployment], [restApi, resource, ignoring]);
    expect(created.fix).toBe(`after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${ignoring.urn}" (docs/api-gateway-deployments.md, "Removing a route: one more step")`);
    // The method renamed (a new URN) but the same route still served: from the saved file too, which keeps the method's
    // route. Not this rule's; the rename itself fails at the new method's PutMethod (TransitionRestMethodMoved).
    const renamed = [restApi, resource, method("items-get"), deployment];
    expect(transition([restApi, resource, method("get-items"), deployment], renamed).map((f) => f.rule)).toEqual(["TransitionRestMethodMoved"]);
    expect(transition(saved([restApi, resource, method("get-items"), deployment]), renamed).map((f) => f.rule)).toEqual(["TransitionRestMethodMoved"]);
  });

  it("passes adding or keeping routes, a renamed path parameter, a changed route, and the whole API removed", async () => {
    const deployed = await api({ ...health, ...albums });
    expect(transition(deployed, await api({ ...health, ...albums, ...status }))).toEqual([]);
    expect(transition(deployed, deployed)).toEqual([]);
    const renamedParameter = await api({ ...health, "GET /albums/{id}": albums["GET /albums/{albumId}"] });
    expect(transition(deployed, renamedParameter).filter((f) => f.rule === "TransitionRestRouteStillServed")).toEqual([]);
    // From the saved file too: it keeps each method's httpMethod and resourceId, and each resource's parentId and pathPart.
    expect(transition(saved(deployed), renamedParameter).filter((f) => f.rule === "TransitionRestRouteStillServed")).toEqual([]);
    expect(transition(deployed, await api({ ...health, "GET /albums/{albumId}": { handler: echo, auth: "none", function: { memorySize: 256 } } }))).toEqual([]);
    expect(transition(deployed, [])).toEqual([]);
  });
});

describe("TransitionRestIntegrationRemoved", () => {
  const INTEGRATION = "aws:apigateway/integration:Integration";
  const restApi = handBuilt("aws:apigateway/restApi:RestApi", "api", { name: "api" }, { id: "api-id" });
  const on = { dependencies: [restApi.urn] };
  const resource = handBuilt("aws:apigateway/resource:Resource", "items", { restApi: "api-id", parentId: "root-id", pathPart: "items" }, { id: "items-id", ...on });
  const method = handBuilt(METHOD, "get-items", { restApi: "api-id", resourceId: "items-id", httpMethod: "GET", authorization: "NONE" }, on);
  const integration = (name: string) => handBuilt(INTEGRATION, name, { restApi: "api-id", resourceId: "items-id", httpMethod: "GET", type: "MOCK" }, on);
  const deployment = handBuilt(DEPLOYMENT, "deployment", { restApi: "api-id", triggers: { parts: "1" } }, on);

  it("finds an integration removed while its method stays: the next deployment of the API fails", () => {
    const before = [restApi, resource, method, integration("get-items-integration"), deployment];
    const after = [restApi, resource, method, { ...deployment, inputs: { ...deployment.inputs, triggers: { parts: "2" } } }];
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource, f.urn])).toEqual([["TransitionRestIntegrationRemoved", `${INTEGRATION} get-items-integration`, before[3].urn]]);
    expect(findings[0].problem).toMatch(/^removes the integration of route GET \/items of REST API api while the method stays: .*"BadRequestException: No integration defined for method"/);
    expect(findings[0].fix).toMatch(/^keep the integration resource \(change its inputs in place\), or remove the method with it/);
    // From the saved file, which keeps each integration's httpMethod and resourceId.
    expect(transition(saved(before), after).map((f) => f.rule)).toEqual(["TransitionRestIntegrationRemoved"]);
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === "TransitionRestIntegrationRemoved")?.source).toBe("https://github.com/hashicorp/terraform-provider-aws/issues/21210");
  });

  it("finds an integration moved to a new URN on the same method: the old one's delete removes the new one's", () => {
    const before = [restApi, resource, method, integration("get-items-integration"), deployment];
    const findings = transition(before, [restApi, resource, method, integration("items-get-integration"), deployment]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestIntegrationRemoved", `${INTEGRATION} get-items-integration`]]);
    expect(findings[0].problem).toMatch(/^removes integration get-items-integration of route GET \/items of REST API api, and items-get-integration on the same method is created first: .*pulumi\/pulumi-aws#2081/);
    expect(findings[0].fix).toBe('keep the integration under its deployed URN: give items-get-integration the option aliases: [{ name: "get-items-integration" }] (or its old name back), so the update changes it in place');
    // Under an alias (the option as the engine records it) it keeps its URN: nothing is removed.
    const aliased = { ...integration("items-get-integration"), aliases: [before[3].urn] };
    expect(transition(before, [restApi, resource, method, aliased, deployment])).toEqual([]);
  });

  it("names the method too when it moved with the integration: the new method's PutMethod is refused first", () => {
    const before = [restApi, resource, method, integration("get-items-integration"), deployment];
    const moved = handBuilt(METHOD, "items-get", method.inputs, on);
    const findings = transition(before, [restApi, resource, moved, integration("items-get-integration"), deployment]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestIntegrationRemoved", `${INTEGRATION} get-items-integration`]]);
    expect(findings[0].problem).toMatch(/; and the method get-items moved to items-get as well: items-get's PutMethod on the method that exists is refused \("ConflictException: Method already exists for this resource", aws\/aws-cli#3992\), so the update fails at that create$/);
    expect(findings[0].fix).toBe('keep the integration under its deployed URN: give items-get-integration the option aliases: [{ name: "get-items-integration" }], and items-get the option aliases: [{ name: "get-items" }] (or their old names back), so the update changes them in place');
    // The method moved but the integration was dropped: the method's alias is named as well.
    const dropped = transition(before, [restApi, resource, moved, deployment]);
    expect(dropped.map((f) => f.rule)).toEqual(["TransitionRestIntegrationRemoved"]);
    expect(dropped[0].fix).toBe('keep the integration resource (change its inputs in place), or remove the method with it; and keep the method under its deployed URN: give items-get the option aliases: [{ name: "get-items" }]');
    // Both under aliases: nothing moves.
    const aliasedMethod = { ...moved, aliases: [method.urn] };
    const aliasedIntegration = { ...integration("items-get-integration"), aliases: [before[3].urn] };
    expect(transition(before, [restApi, resource, aliasedMethod, aliasedIntegration, deployment])).toEqual([]);
  });

  it("finds a method moved to a new URN on its resource and HTTP method while its integration stays: the new method's PutMethod is refused", () => {
    const before = [restApi, resource, method, integration("get-items-integration"), deployment];
    const moved = handBuilt(METHOD, "items-get", method.inputs, on);
    const after = [restApi, resource, moved, integration("get-items-integration"), deployment];
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource, f.urn])).toEqual([["TransitionRestMethodMoved", `${METHOD} get-items`, method.urn]]);
    expect(findings[0].problem).toBe(
      'removes method get-items of route GET /items and creates items-get on the same method of the same resource: items-get\'s create is a PutMethod, which API Gateway refuses while get-items still holds the method ("ConflictException: Method already exists for this resource", aws/aws-cli#3992), and get-items\'s delete runs only at the end of the update (pulumi/pulumi#9979), so the update fails at that create, and so does every later one',
    );
    expect(findings[0].fix).toBe('keep the method under its deployed URN: give items-get the option aliases: [{ name: "get-items" }] (or its old name back), so the update changes it in place');
    // From the saved file, which keeps each method's httpMethod and resourceId and each resource's path.
    expect(transition(saved(before), after).map((f) => f.rule)).toEqual(["TransitionRestMethodMoved"]);
    // Without a deployment too: the create fails whatever the API serves.
    expect(transition([restApi, resource, method], [restApi, resource, moved]).map((f) => f.rule)).toEqual(["TransitionRestMethodMoved"]);
    // Under an alias it keeps its URN; on another HTTP method it takes no method the old one holds.
    expect(transition(before, [restApi, resource, { ...moved, aliases: [method.urn] }, integration("get-items-integration"), deployment])).toEqual([]);
    expect(transition([restApi, resource, method], [restApi, resource, handBuilt(METHOD, "items-post", { ...method.inputs, httpMethod: "POST" }, on)]).map((f) => f.rule)).toEqual([]);
    // The resource moved too: its CreateResource is refused first (TransitionNameTaken), not the method's PutMethod.
    const movedResource = handBuilt("aws:apigateway/resource:Resource", "items-2", resource.inputs, { id: "items-2-id", ...on });
    const onMoved = handBuilt(METHOD, "items-get", { ...method.inputs, resourceId: "items-2-id" }, on);
    expect(transition([restApi, resource, method], [restApi, movedResource, onMoved]).map((f) => f.rule)).not.toContain("TransitionRestMethodMoved");
    // A kept method moved onto the key (its httpMethod changed, ForceNew) is replaced create-first: its PutMethod is refused alike.
    const post = handBuilt(METHOD, "post-items", { ...method.inputs, httpMethod: "POST" }, on);
    const onto = transition([restApi, resource, method, post], [restApi, resource, { ...post, inputs: method.inputs }]);
    expect(onto.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestMethodMoved", `${METHOD} get-items`]]);
    // Moved with its integration: TransitionRestIntegrationRemoved names both aliases, and this rule adds nothing.
    expect(transition(before, [restApi, resource, moved, integration("items-get-integration"), deployment]).map((f) => f.rule)).toEqual(["TransitionRestIntegrationRemoved"]);
  });

  it("finds a method renamed on a resource whose path changes in place: API Gateway knows the method by resource id and HTTP method", () => {
    // apigateway/resource.go patches /pathPart and /parentId in place, so the resource keeps its id under the new path.
    const renamed = (pathPart: string) => ({ ...resource, inputs: { ...resource.inputs, pathPart } });
    const moved = handBuilt(METHOD, "items-get", method.inputs, on);
    for (const pathPart of ["products", "{itemId}"]) {
      const before = [restApi, renamed(pathPart === "products" ? "items" : "{id}"), method];
      const findings = transition(before, [restApi, renamed(pathPart), moved]);
      expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestMethodMoved", `${METHOD} get-items`]]);
      expect(findings[0].problem).toMatch(new RegExp(`^removes method get-items of route GET /${escaped(pathPart)} and creates items-get on the same method of the same resource`));
      expect(transition(saved(before), [restApi, renamed(pathPart), moved]).map((f) => f.rule)).toEqual(["TransitionRestMethodMoved"]);
    }
  });

  it("finds a kept method that leaves its HTTP method while another takes it, two methods swapping included: the old copy holds it to the end", () => {
    const post = handBuilt(METHOD, "post-items", { ...method.inputs, httpMethod: "POST" }, on);
    const as = (m: typeof method, httpMethod: string) => ({ ...m, inputs: { ...m.inputs, httpMethod } });
    // get-items moves to PATCH (replaced create-first: http_method is ForceNew) and a new method takes GET.
    const taken = transition([restApi, resource, method], [restApi, resource, as(method, "PATCH"), handBuilt(METHOD, "items-get", method.inputs, on)]);
    expect(taken.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestMethodMoved", `${METHOD} get-items`]]);
    expect(taken[0].problem).toMatch(/^moves method get-items off route GET \/items \(its resource or HTTP method changed, which replaces it create-first: apigateway\/method\.go\) and creates items-get there: items-get's create is a PutMethod, which API Gateway refuses while get-items's deployed copy still holds the method/);
    expect(taken[0].fix).toMatch(/^keep each method of route GET \/items under the URN that holds it/);
    const swapped = transition([restApi, resource, method, post], [restApi, resource, as(method, "POST"), as(post, "GET")]);
    expect(swapped.map((f) => f.resource).sort()).toEqual([`${METHOD} get-items`, `${METHOD} post-items`]);
    // Deleted first (deleteBeforeReplace), in no order with the other create: not judged. Moved where nothing else goes: nothing.
    expect(transition([restApi, resource, method], [restApi, resource, { ...as(method, "PATCH"), deleteBeforeReplace: true }, handBuilt(METHOD, "items-get", method.inputs, on)])).toEqual([]);
    // Likewise deleted first by the delete-before-replace branch of a security group its replaceWith names (pulumi
    // step_generator.go findDependentCascadeReplacements); the group replaced create-first, it is create-first too.
    const sg = (vpcId: string, more: Partial<RecordedResource> = {}) => handBuilt("aws:ec2/securityGroup:SecurityGroup", "api-sg", { description: "Managed by Pulumi", vpcId }, { id: "sg-0123456789", ...more });
    const withSg = { ...method, replaceWith: [sg("vpc-1").urn] };
    const next = (group: RecordedResource) => [restApi, resource, group, as(withSg, "PATCH"), handBuilt(METHOD, "items-get", method.inputs, on)];
    expect(transition([restApi, resource, sg("vpc-1"), withSg], next(sg("vpc-2", { deleteBeforeReplace: true, deleteBeforeReplaceDefined: true })))).toEqual([]);
    expect(transition([restApi, resource, sg("vpc-1"), withSg], next(sg("vpc-2"))).map((f) => f.rule)).toEqual(["TransitionRestMethodMoved"]);
    expect(transition([restApi, resource, method, post], [restApi, resource, as(method, "PATCH"), post])).toEqual([]);
  });

  it("passes a method renamed on a REST API the update replaces, and a kept method whose ignoreChanges keeps its HTTP method", () => {
    const moved = handBuilt(METHOD, "items-get", method.inputs, on);
    // No RestApi input is ForceNew: replaceOnChanges (or a replaceWith) replaces it, and the new method goes on the new API.
    const replacedApi = { ...restApi, inputs: { name: "api-2" }, replaceOnChanges: ["name"] };
    expect(transition([restApi, resource, method], [replacedApi, resource, moved])).toEqual([]);
    expect(transition([restApi, resource, method], [{ ...restApi, inputs: { name: "api-2" } }, resource, moved]).map((f) => f.rule)).toEqual(["TransitionRestMethodMoved"]);
    // A Resource the update replaces (replaceOnChanges) is a new resource: no method there yet.
    expect(transition([restApi, resource, method], [restApi, { ...resource, inputs: { ...resource.inputs, pathPart: "products" }, replaceOnChanges: ["pathPart"] }, moved])).toEqual([]);
    // The engine diffs get-items with its deployed GET (ignoreChanges): it stays, and post-items leaves POST to no one.
    const post = handBuilt(METHOD, "post-items", { ...method.inputs, httpMethod: "POST" }, on);
    const ignoring = { ...method, inputs: { ...method.inputs, httpMethod: "POST" }, ignoreChanges: ["httpMethod"] };
    expect(transition([restApi, resource, method, post], [restApi, resource, ignoring])).toEqual([]);
    expect(transition([restApi, resource, method, post], [restApi, resource, { ...ignoring, ignoreChanges: [] }]).map((f) => [f.rule, f.resource])).toEqual([["TransitionRestMethodMoved", `${METHOD} post-items`]]);
  });

  it("passes an integration removed with its method, one changed in place, and a plan saved before integrations kept their method", () => {
    const before = [restApi, resource, method, integration("get-items-integration"), deployment];
    // The method goes too: TransitionRestRouteStillServed's, not this rule's.
    expect(transition(before, [restApi, resource, deployment]).map((f) => f.rule)).toEqual(["TransitionRestRouteStillServed"]);
    expect(transition(before, [restApi, resource, method, { ...before[3], inputs: { ...before[3].inputs, type: "HTTP_PROXY" } }, deployment])).toEqual([]);
    const older = saved(before).map((r) => (r.type === INTEGRATION ? { ...r, inputs: {}, savedInputs: [] } : r));
    expect(transition(older, [restApi, resource, method, deployment])).toEqual([]);
  });
});
