/**
 * TransitionRestRouteStillServed: a method of a REST API (a ServerlessApi route) that the update removes while the API
 * and a deployment stay. A deployment is a snapshot of the API taken by CreateDeployment, and every change, routes and
 * methods included, reaches callers only through a new one (set-up-deployments.html). ServerlessApi's deployment
 * depends on every part and its trigger digests them (components/serverless-api/snapshot.ts), so a removed method
 * changes the digest and the update replaces the deployment; but the engine deletes resources that left the program
 * only at the end of the update, after every create (pulumi/pulumi#9979; pulumi/pulumi-aws#3289 for this very case),
 * and `dependsOn` can name only resources the program still declares. So the new deployment still holds the removed
 * method, and its digest already matches the program: no later `pulumi up` redeploys. The check is the WebSocket one
 * (transition-websocket.ts), with the REST kind's route key, deployments and fix.
 *
 * A deployment frozen while a canary runs (ServerlessApi's `<api>-deployment` ignores its `triggers`) takes no
 * snapshot in the update: the stage running the canary keeps sending its other traffic to it, removed route included,
 * until promotion replaces it (docs/api-gateway-deployments.md). `--replace` must not name it: the stage ignores changes
 * to its `deployment`, so the replaced copy's DeleteDeployment is refused while the stage still serves it
 * ("Active stages pointing to this deployment must be moved or deleted", pulumi/pulumi-aws#5711).
 *
 * That the snapshot keeps serving the deleted method is observed, not AWS text: pulumi/pulumi-aws#3289 (closed "by
 * design": the removed path answers until another deployment) and #3683 ("pulumi would recreate the Deployment resource
 * before deleting the Resource resource … there's not much we can do about it from the provider side"). The component
 * cannot order it either: the engine cannot tell a resource the program stopped declaring from one not yet registered
 * until the program ends (pulumi/pulumi#2877).
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { ignoredBy } from "./property-paths";
import { finding as deployFinding } from "./rule";
import type { TransitionFinding } from "./transition";
import type { UpdateJudgement } from "./transition-api-refs";
import { removedRouteFindings, snapshotClause, staysNote } from "./transition-websocket";
import { restMethodReplacedFindings, restResponseReplacedFindings } from "./transition-rest-method";

export const TRANSITION_REST_ROUTE_RULE = {
  id: "TransitionRestRouteStillServed",
  title: "A REST API's removed route is not left in the deployment its stages serve",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-deployments.html",
} as const;

export const REST_API = "aws:apigateway/restApi:RestApi";
export const METHOD = "aws:apigateway/method:Method";
export const RESOURCE = "aws:apigateway/resource:Resource";
export const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
export const INTEGRATION = "aws:apigateway/integration:Integration";

export const TRANSITION_REST_INTEGRATION_RULE = {
  id: "TransitionRestIntegrationRemoved",
  title: "A REST API method that stays does not lose its integration",
  source: "https://github.com/hashicorp/terraform-provider-aws/issues/21210",
} as const;

export const TRANSITION_REST_METHOD_MOVED_RULE = {
  id: "TransitionRestMethodMoved",
  title: "A REST API method does not move to a new URN on the same resource and HTTP method",
  source: "https://github.com/aws/aws-cli/issues/3992",
} as const;

/** A path part that matches any value (`{id}`, `{proxy+}`): one per parent, whatever its name. */
export const isVariablePathPart = (pathPart: unknown) => typeof pathPart === "string" && pathPart.startsWith("{");

/**
 * A reader of the methods of `graph`: the path parts from the API's root to the method's resource, when the inputs
 * tell them (a saved plan keeps a method's `httpMethod` and `resourceId` and a resource's `parentId` and `pathPart`;
 * one saved before the method's were kept tells none). The resource index is built once per graph.
 */
function methodPaths(graph: Graph): (method: RecordedResource) => string[] | undefined {
  const byId = new Map(ofType(graph, RESOURCE).map((r) => [r.id, r]));
  return (method) => {
    const { httpMethod, resourceId } = method.inputs;
    if (typeof httpMethod !== "string" || typeof resourceId !== "string") return undefined;
    const parts: string[] = [];
    const seen = new Set<string>();
    for (let id: unknown = resourceId; typeof id === "string" && byId.has(id) && !seen.has(id); ) {
      seen.add(id);
      const resource = byId.get(id)!;
      if (typeof resource.inputs.pathPart !== "string") return undefined;
      parts.unshift(resource.inputs.pathPart);
      id = resource.inputs.parentId;
    }
    return parts;
  };
}

/**
 * `GET /albums/{}` as the key (of a method, or of an integration: both name their method by `httpMethod` and `resourceId`) (a variable part as `{}`, since a route whose parameter is renamed serves the same
 * requests), and the route as a caller reads it (`GET /albums/{albumId}`), else the method's logical name.
 */
function methodsOf(graph: Graph) {
  const pathOf = methodPaths(graph);
  return (method: RecordedResource) => {
    const parts = pathOf(method);
    return parts
      ? { key: `${method.inputs.httpMethod} /${parts.map((part) => (isVariablePathPart(part) ? "{}" : part)).join("/")}`, name: `route ${method.inputs.httpMethod} /${parts.join("/")}` }
      : { key: undefined, name: `route ${method.name}` };
  };
}

/** A deployment the update keeps as deployed, whatever the snapshot: it ignores its triggers (a canary runs). */
const frozen = (deployment: RecordedResource, deployedUrns: ReadonlySet<string>) => deployedUrns.has(deployment.urn) && ignoredBy(deployment, ["triggers"]).length > 0;

/**
 * A method removed from the program whose method and path no method of the new plan serves, for each REST API both
 * plans keep that has a deployment. The finding is on the removed method's URN (an acceptance names that one removal);
 * the fix names the deployment to replace.
 */
export function restRouteStillServedFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  return removedRouteFindings(
    {
      apiType: REST_API,
      routeType: METHOD,
      deploymentType: DEPLOYMENT,
      isApi: () => true,
      routesOf: methodsOf,
      report: (api, method, { name }, deployments, deployedUrns, takesSnapshot) => {
        const still = deployments.filter((d) => frozen(d, deployedUrns));
        const fresh = deployments.filter((d) => !frozen(d, deployedUrns));
        // About the first deployment that is not frozen, else the frozen one.
        const deployment = fresh[0] ?? still[0];
        const taken = takesSnapshot(deployment);
        // The frozen snapshot is as old as the canary: a route added with the canary was never in it.
        const frozenNote = still.length
          ? `; and if the route was in the API when the canary started, ${still.map((d) => d.name).join(", ")}, frozen while the canary runs, still serves it to the stage's other traffic until promotion replaces it`
          : "";
        const promote = `promote the canary (remove apiCanaryStage and pulumi up): the deployment it froze is then replaced after every part, and the stage moves to it (docs/api-gateway-deployments.md, "A canary release, one \`pulumi up\` at a time"); never --replace ${still.map((d) => d.name).join(", ")} while the canary runs: the stage ignores changes to its deployment, so API Gateway refuses to delete the copy it serves and every later pulumi up fails`;
        const fix = fresh.length
          ? `after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${deployment.urn}" (docs/api-gateway-deployments.md, "Removing a route: one more step")${still.length ? `. For the rest of the traffic (a route that predates the canary), ${promote}` : ""}`
          : promote;
        const problem = fresh.length
          ? `removes ${name} of REST API ${api.name}, but ${snapshotClause(deployment, taken, "method")}, so the stages keep serving the route, with its deployed authorisation, and a Lambda route whose function the update deletes fails (5xx)${frozenNote}. ${staysNote(taken)}`
          : `removes ${name} of REST API ${api.name}, but ${deployment.name} is frozen while the canary runs (its ignoreChanges holds "triggers"), so the stage keeps serving the route from it, with its deployed authorisation, and a Lambda route whose function the update deletes fails (5xx), until promotion`;
        return { ...deployFinding(TRANSITION_REST_ROUTE_RULE.id, method, problem, fix, stack), urn: method.urn };
      },
    },
    deployed,
    after,
  );
}

/** What the REST API part checks need of the transition checks' judgement (transition.ts), which this leaf module cannot import. */
export interface RestPartJudgement extends UpdateJudgement {
  /** A resource of the next plan as the engine diffs it against its deployed self: every ignoreChanges path reset (asDiffed); as given when created anew. */
  diffed(next: RecordedResource): RecordedResource;
  /**
   * Whether a replacement of this resource of the next plan deletes its deployed copy before it creates the new one: its
   * deleteBeforeReplace, or a replaceWith or deletedWith naming a resource replaced delete-first, whose branch deletes it
   * first (pulumi step_generator.go findDependentCascadeReplacements; transition.ts cascadeOrder).
   */
  deletedFirst(next: RecordedResource): boolean;
}

/**
 * The REST API part checks: the two that share one reading of the methods the update moves, TransitionRestIntegrationRemoved
 * and TransitionRestMethodMoved (restMethodMovedFindings), the latter leaving out a move the former names; and
 * TransitionRestMethodReplacedCreateFirst (transition-rest-method.ts), a method, method response or integration response
 * replaced create-first on its own key.
 */
export function restApiPartFindings(deployed: Graph, after: Graph, stack: string | undefined, judgement: RestPartJudgement): TransitionFinding[] {
  const moves = movedMethods(deployed, after, judgement);
  const named = new Set<string>();
  const integrationFindings = integrationRemovedFindings(deployed, after, stack, moves, named);
  return [...integrationFindings, ...restMethodMovedFindings(stack, moves, named), ...restMethodReplacedFindings(deployed, after, stack, judgement), ...restResponseReplacedFindings(deployed, after, stack, judgement)];
}

/**
 * `GET /albums/{albumId}` (the path as written: a renamed path parameter is another resource, so another method and
 * integration) as the key of a method or integration, and how a finding names it; the key undefined when the plan
 * does not tell the method's path.
 */
function integrationsOf(graph: Graph) {
  const read = methodsOf(graph);
  return (r: RecordedResource) => {
    const { key, name } = read(r);
    return { key: key === undefined ? undefined : name, name };
  };
}

/** `<API URN> <key>` (integrationsOf) of each resource of `type` in `graph`, to the resource. */
function keyed(graph: Graph, type: string): Map<string, RecordedResource> {
  const read = integrationsOf(graph);
  const restApis = new Set(ofType(graph, REST_API).map((api) => api.urn));
  const byKey = new Map<string, RecordedResource>();
  for (const r of ofType(graph, type)) {
    const api = r.dependencies.find((urn) => restApis.has(urn));
    const { key } = read(r);
    if (api !== undefined && key !== undefined) byKey.set(`${api} ${key}`, r);
  }
  return byKey;
}

/**
 * A method the update creates on the resource and HTTP method a deployed method holds until the end of the update:
 * `moved` is the new one (as diffed), `from` the deployed one, `kept` whether the program keeps `from` (replaced
 * create-first onto another resource or HTTP method).
 */
export interface MethodMove {
  key: string;
  /** The route as a finding names it (`route GET /items`). */
  route: string;
  moved: RecordedResource;
  from: RecordedResource;
  kept: boolean;
}

/**
 * `<API URN> <resource> <HTTP method>`: what API Gateway knows a method by (PutMethod's restApiId, resourceId and
 * httpMethod), the resource by its URN in `graph` (the Resource whose id the method's resourceId is), else the literal
 * id (the API's root resource, which no Resource of the plan holds). Not the path: a Resource's pathPart and parentId
 * change in place (terraform-provider-aws apigateway/resource.go resourceResourceUpdate patches `/pathPart` and
 * `/parentId`; only rest_api_id is ForceNew; the AWS CLI's update-resource example "To rename a resource (pathPart)"
 * answers with the same id), so the resource keeps its id under a new path. Undefined when the plan
 * does not tell the method's API, resource or HTTP method (a plan saved before they were kept).
 */
export function methodIdentities(graph: Graph): (method: RecordedResource) => { key: string; api: string; resource: string | undefined } | undefined {
  const restApis = new Set(ofType(graph, REST_API).map((api) => api.urn));
  const resources = new Map(ofType(graph, RESOURCE).filter((r) => r.id !== undefined).map((r) => [r.id, r.urn]));
  return (method) => {
    const api = method.dependencies.find((urn) => restApis.has(urn));
    const { httpMethod, resourceId } = method.inputs;
    if (api === undefined || typeof httpMethod !== "string" || typeof resourceId !== "string") return undefined;
    const resource = resources.get(resourceId);
    return { key: `${api} ${resource ?? resourceId} ${httpMethod}`, api, resource };
  };
}

/**
 * The methods of `after` the update creates (a new URN, or a kept method replaced onto another key) on the resource and
 * HTTP method (methodIdentities) that a deployed method still holds then: a method's create is a PutMethod
 * (apigateway/method.go resourceMethodCreate), and PutMethod on a method that exists is refused ("ConflictException:
 * Method already exists for this resource", aws/aws-cli#3992, pulumi/pulumi-aws#1085). A deployed method holds its key
 * until the end of the update when the program removes it (deletes run last, pulumi/pulumi#9979), or keeps it on
 * another key: rest_api_id, resource_id and http_method are ForceNew (apigateway/method.go, read at
 * 0657871b7b47a26226bc031abac2e998ead1b088), so it is replaced create-first and its old copy deleted at the end
 * (deleteBeforeReplace, or a replaceWith target replaced delete-first, deletes it first, in no order with the other
 * method's create: left out; judgement.deletedFirst). Both sides are read as
 * the engine diffs them (`judgement.diffed`: an ignoreChanges on httpMethod or resourceId keeps the deployed value, and
 * the method stays). Left out: a method on a REST API or Resource the update replaces (`judgement.replaced`), which the
 * new method is created on, and on a Resource under a new URN (another key: its CreateResource is refused first,
 * TransitionNameTaken, "Another resource with the same parent already has this name"). By key.
 */
function movedMethods(deployed: Graph, after: Graph, judgement: RestPartJudgement): Map<string, MethodMove> {
  const moves = new Map<string, MethodMove>();
  const deployedMethods = ofType(deployed, METHOD);
  if (deployedMethods.length === 0) return moves;
  const afterMethods = new Map(ofType(after, METHOD).map((m) => [m.urn, judgement.diffed(m)]));
  const before = methodIdentities(deployed);
  const next = methodIdentities(after);
  // The key each deployed method holds until the end of the update.
  const holders = new Map<string, { from: RecordedResource; kept: boolean }>();
  for (const from of deployedMethods) {
    const held = before(from)?.key;
    if (held === undefined) continue;
    const kept = afterMethods.get(from.urn);
    if (kept) {
      const now = next(kept)?.key;
      if (now === undefined || now === held || judgement.deletedFirst(kept)) continue;
    }
    holders.set(held, { from, kept: kept !== undefined });
  }
  if (holders.size === 0) return moves;
  const deployedByUrn = new Map(deployedMethods.map((m) => [m.urn, m]));
  const read = integrationsOf(after);
  for (const moved of afterMethods.values()) {
    const identity = next(moved);
    const holder = identity && holders.get(identity.key);
    if (!identity || !holder || holder.from.urn === moved.urn) continue;
    // A kept method is created only when replaced, onto another key than it held.
    const was = deployedByUrn.get(moved.urn);
    if (was && before(was)?.key === identity.key) continue;
    if (judgement.replaced(identity.api) || (identity.resource !== undefined && judgement.replaced(identity.resource))) continue;
    moves.set(identity.key, { key: identity.key, route: read(moved).name, moved, ...holder });
  }
  return moves;
}

/**
 * TransitionRestIntegrationRemoved: an integration (`aws.apigateway.Integration`) the update removes while its method
 * stays, on a REST API with a deployment. DeleteIntegration on a method that stays answers 204 (LocalStack's
 * AWS-recorded test_apigateway_lambda snapshot, `test_lambda_aws_integration`), so the API is left with a method
 * without an integration, and CreateDeployment then answers
 * "BadRequestException: No integration defined for method" (hashicorp/terraform-provider-aws#21210,
 * aws/serverless-application-model#54). The deployment this update takes is made before the delete (deletes run last,
 * pulumi/pulumi#9979), so this update succeeds and the stages keep the snapshot with the integration; the next deployment
 * of the API fails, the `--replace` TransitionRestRouteStillServed asks for included. The same method added by a fresh
 * stack fails at once; after a deployed stack it fails one deploy later, which is why it is a transition check.
 *
 * An integration of another URN on the same method does not help: a method has one integration, PutIntegration puts
 * it, and the removed resource's DeleteIntegration at the end of the update removes the one the new resource put (the
 * mechanism of pulumi/pulumi-aws#2081, where a create-before-delete replacement left the method without one; that is
 * why the provider replaces an integration delete-first, #2089, which does not apply to a resource under a new URN).
 * DeleteIntegration on a method that stays succeeds: hashicorp/terraform-provider-aws#21907 shows it, removing the
 * integration a create-before-destroy replacement had just put. When the method moved to a new URN as well, the
 * update fails sooner, at the new method's PutMethod (ConflictException: TransitionRestMethodMoved, below), and this
 * finding says so and names both aliases; TransitionRestMethodMoved then reports nothing more for that method.
 * `named` gets the key of each method move a finding names.
 */
function integrationRemovedFindings(deployed: Graph, after: Graph, stack: string | undefined, moves: ReadonlyMap<string, MethodMove>, named: Set<string>): TransitionFinding[] {
  // A removed integration whose method went too is TransitionRestRouteStillServed's.
  const methods = keyed(after, METHOD);
  const integrations = keyed(after, INTEGRATION);
  const movesByMethod = new Map([...moves.values()].map((move) => [move.moved.urn, move]));
  return removedRouteFindings(
    {
      apiType: REST_API,
      routeType: INTEGRATION,
      deploymentType: DEPLOYMENT,
      sameKeyReplaces: false,
      isApi: () => true,
      routesOf: integrationsOf,
      report: (api, integration, { key, name }) => {
        // From a plan saved before an integration's method was kept, the method it served is unknown.
        const method = key === undefined ? undefined : methods.get(`${api.urn} ${key}`);
        if (!method) return undefined;
        const successor = integrations.get(`${api.urn} ${key}`)?.name;
        const move = movesByMethod.get(method.urn);
        if (move) named.add(move.key);
        const oldMethod = move?.from.name;
        const methodMoved = oldMethod
          ? `; and the method ${oldMethod} moved to ${method.name} as well: ${method.name}'s PutMethod on the method that exists is refused ("ConflictException: Method already exists for this resource", aws/aws-cli#3992), so the update fails at that create`
          : "";
        const problem = successor
          ? `removes integration ${integration.name} of ${name} of REST API ${api.name}, and ${successor} on the same method is created first: a method has one integration, so ${successor}'s PutIntegration overwrites it and ${integration.name}'s DeleteIntegration at the end of the update (pulumi/pulumi#9979) removes it (pulumi/pulumi-aws#2081): the method is left without an integration, and every later CreateDeployment of the API fails with "BadRequestException: No integration defined for method"${methodMoved}`
          : `removes the integration of ${name} of REST API ${api.name} while the method stays: the deployment this update takes is made before the delete (deletes run last, pulumi/pulumi#9979), but afterwards every CreateDeployment of the API fails with "BadRequestException: No integration defined for method", so the next deployment (any later change to the API, or a --replace of its deployment) fails${methodMoved}`;
        const aliasMethod = oldMethod ? `, and ${method.name} the option aliases: [{ name: "${oldMethod}" }]` : "";
        const fix = successor
          ? `keep the integration under its deployed URN: give ${successor} the option aliases: [{ name: "${integration.name}" }]${aliasMethod} (or ${oldMethod ? "their old names" : "its old name"} back), so the update changes ${oldMethod ? "them" : "it"} in place`
          : `keep the integration resource (change its inputs in place), or remove the method with it${oldMethod ? `; and keep the method under its deployed URN: give ${method.name} the option aliases: [{ name: "${oldMethod}" }]` : ""}`;
        return { ...deployFinding(TRANSITION_REST_INTEGRATION_RULE.id, integration, problem, fix, stack), urn: integration.urn };
      },
    },
    deployed,
    after,
  );
}

/**
 * TransitionRestMethodMoved: a method (`aws.apigateway.Method`) the update creates on the resource and HTTP method a
 * deployed method still holds (movedMethods): one removed while the program creates one of another URN there (a rename
 * without `aliases`, on a resource whose path may change in place), its integration kept or not; or one the program
 * keeps but moves to another resource or HTTP method (replaced create-first, its old copy deleted at the end) while
 * another method takes its place (two methods swapping HTTP methods included). The new method's create is a PutMethod
 * (terraform-provider-aws apigateway/method.go resourceMethodCreate), which API Gateway refuses while the old method
 * still holds that HTTP method ("ConflictException: Method already exists for this resource", aws/aws-cli#3992, where
 * AWS support reproduced it; pulumi/pulumi-aws#1085), and the old method's delete runs only at the end of the
 * update (pulumi/pulumi#9979): the update fails at that create, and every later one too. A move that
 * TransitionRestIntegrationRemoved names (the integration was removed or moved with it) is left to that finding, which
 * gives both aliases. The finding is on the deployed method's URN, as TransitionRestRouteStillServed's.
 */
export function restMethodMovedFindings(stack: string | undefined, moves: ReadonlyMap<string, MethodMove>, named: ReadonlySet<string> = new Set()): TransitionFinding[] {
  return [...moves.values()]
    .filter((move) => !named.has(move.key))
    .map(({ route, moved, from, kept }) => {
      const refused = `${moved.name}'s create is a PutMethod, which API Gateway refuses while ${from.name}${kept ? "'s deployed copy" : ""} still holds the method ("ConflictException: Method already exists for this resource", aws/aws-cli#3992)`;
      const problem = kept
        ? `moves method ${from.name} off ${route} (its resource or HTTP method changed, which replaces it create-first: apigateway/method.go) and creates ${moved.name} there: ${refused}, and the old copy of ${from.name} is deleted only at the end of the update (pulumi/pulumi#9979), so the update fails at that create, and so does every later one`
        : `removes method ${from.name} of ${route} and creates ${moved.name} on the same method of the same resource: ${refused}, and ${from.name}'s delete runs only at the end of the update (pulumi/pulumi#9979), so the update fails at that create, and so does every later one`;
      const fix = kept
        ? `keep each method of ${route} under the URN that holds it: give ${from.name} the inputs the program gives ${moved.name} and ${moved.name} the ones of ${from.name}'s new place (or swap their names with aliases), so the update changes them in place; or move ${from.name} off in an update of its own first (its old copy is deleted at the end of that update) and create ${moved.name} in the next`
        : `keep the method under its deployed URN: give ${moved.name} the option aliases: [{ name: "${from.name}" }] (or its old name back), so the update changes it in place`;
      return { ...deployFinding(TRANSITION_REST_METHOD_MOVED_RULE.id, from, problem, fix, stack), urn: from.urn };
    });
}
