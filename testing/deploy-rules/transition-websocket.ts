/**
 * TransitionWebSocketRouteStillServed: a route of a WebSocket API (API Gateway v2) that the update removes while the API
 * and its deployment stay. Each stage serves a snapshot of the API taken by CreateDeployment ("Each stage is a snapshot
 * of the API … Every time you update an API, you must redeploy it … including … Routes",
 * apigateway-set-up-websocket-deployment.html). The engine deletes resources that left the program only at the end of
 * the update, after every create ("pulumi first creates all new resources and schedules the deletion of resources at
 * the very end", pulumi/pulumi#9979), and no resource option orders a removed resource's delete before another's
 * create (`deleteBeforeReplace` is about replacements). So the deployment the update takes (RealtimeApi redeploys when
 * its routes change) still holds the removed route, and after the deletes the stage sends that key to a deleted
 * function. The trigger digest already matches the new routes, so no later `pulumi up` redeploys by itself.
 *
 * **Inferred, not confirmed by AWS text:** that a snapshot keeps serving a route deleted after it was taken (the
 * snapshot wording above is the basis; docs/realtime.md "Removing a route: one more step").
 *
 * A saved plan keeps each route's `routeKey` (TRANSITION_READ_INPUTS), so a route kept under a new URN is no removal;
 * from a plan saved before that, the route is told by its logical name. A route is the API's when it depends on the
 * API's URN, as every route's `apiId` makes it.
 *
 * The finding is on the removed route's URN, not the deployment's: an accepted finding (`<Rule>:<urn>`) names that one
 * removal, and the acceptance goes unused once it is deployed, instead of accepting every later removal on the API.
 *
 * TransitionHttpRouteStillServed is the same check for an HTTP API built by hand with an explicit deployment: "A
 * deployment is a snapshot of your API configuration … You must deploy an API for changes to take effect"
 * (http-api-stages.html). ServerlessApi's HTTP kind has no deployment resource (its stages auto-deploy), so it never
 * reaches the check. A v2 API whose every stage in the new plan sets `autoDeploy` is passed over, WebSocket or HTTP:
 * "If you enable automatic deployments, changes to an API are automatically released for you" (http-api-stages.html),
 * so the route's delete at the end of the update is itself released. For WebSocket that rests on AutoDeploy being one
 * of the stage options "common between HTTP and Websocket APIs" ("Whether updates to an API automatically trigger a new
 * deployment", AWS CDK aws-apigatewayv2 StageOptions): no WebSocket page says so of a route's delete. A stage that
 * auto-deploys but also names a `deploymentId` is not passed over: UpdateStage refuses a DeploymentId while AutoDeploy
 * is enabled, so the update that moves it to a replaced deployment fails (deploy rule ApiV2StageAutoDeployDeployment,
 * apigatewayv2.ts), and this finding still stands for the plan it is shown with.
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { routeSlug } from "../../components/realtime-api/spec";
import { finding as deployFinding } from "./rule";
import type { TransitionFinding, TransitionNamedType } from "./transition";

export const TRANSITION_WEBSOCKET_ROUTE_RULE = {
  id: "TransitionWebSocketRouteStillServed",
  title: "A WebSocket API's removed route is not left in the deployment its stage serves",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-set-up-websocket-deployment.html",
} as const;

export const TRANSITION_HTTP_ROUTE_RULE = {
  id: "TransitionHttpRouteStillServed",
  title: "An HTTP API's removed route is not left in the deployment its stages serve",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html",
} as const;

const API = "aws:apigatewayv2/api:Api";
export const V2_ROUTE = "aws:apigatewayv2/route:Route";
const DEPLOYMENT = "aws:apigatewayv2/deployment:Deployment";
const STAGE = "aws:apigatewayv2/stage:Stage";

/**
 * An API Gateway v2 route (WebSocket or HTTP) as TransitionNameTaken reads it (TRANSITION_NAMED_TYPES): its route key is
 * held once per API, so a route the update creates under a new URN (renamed without `aliases`, or its component renamed)
 * on a key a deployed route of the same API still holds is refused — CreateRoute answers "ConflictException: Route with
 * key ANY /{proxy+} already exists for this API" (HTTP 409, through this provider: anomalyco/sst#5031, an HTTP API's
 * route; that a WebSocket API's CreateRoute answers alike is inferred, it is the same call) — while the removed route's
 * delete runs only at the end of the update (pulumi/pulumi#9979). terraform-provider-aws
 * internal/service/apigatewayv2/route.go: `api_id` is the only ForceNew input; `route_key` is changed in place
 * (UpdateRoute). TransitionWebSocketRouteStillServed and TransitionHttpRouteStillServed treat the same pair as a route
 * kept (same key), so only this finding names it.
 */
export const V2_ROUTE_NAMED_TYPE: TransitionNamedType = {
  type: V2_ROUTE,
  label: "API Gateway v2 route",
  key: (r) => (typeof r.inputs.apiId === "string" && r.inputs.apiId && routeKey(r) ? JSON.stringify([r.inputs.apiId, routeKey(r)]) : undefined),
  scopedByRegionalId: true,
  describe: (r) => `${JSON.stringify(r.inputs.routeKey)} of API ${r.inputs.apiId}`,
  replaceOn: ["apiId"],
  refusal: 'CreateRoute is refused: an API holds each route key once ("ConflictException: Route with key … already exists for this API", anomalyco/sst#5031)',
  savedInputs: ["apiId", "routeKey", "region"],
  source: "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/apigatewayv2/route.go",
};

const routeKey = (r: RecordedResource): string | undefined => (typeof r.inputs.routeKey === "string" && r.inputs.routeKey ? r.inputs.routeKey : undefined);

/** A route as one plan tells it: the key it serves (undefined when the plan holds no such input), and how a finding names it. */
export interface RouteRead {
  key: string | undefined;
  name: string;
}

/**
 * What one API kind tells the shared check: a route (the resource that serves a key) removed from the program while
 * its API and a deployment stay is left in the snapshot the update takes, for WebSocket and REST APIs alike.
 */
export interface RemovedRouteKind {
  apiType: string;
  routeType: string;
  deploymentType: string;
  /** The kind's stages that can deploy themselves (`autoDeploy`); an API all of whose stages do serves no stale snapshot. */
  stageType?: string;
  /**
   * False when a resource of the new plan with the same key does not stand in for the removed one: a method has one
   * integration, which the removed resource's delete removes whichever resource put it last.
   */
  sameKeyReplaces?: boolean;
  /** Whether the API is of this kind (v2 APIs are WebSocket or HTTP). */
  isApi(api: RecordedResource): boolean;
  /** A reader of `graph`'s routes; called once per graph, so an index it needs is built once. */
  routesOf(graph: Graph): (route: RecordedResource) => RouteRead;
  /**
   * The one finding for `route`, removed from `api`; `deployments` are all the API's of the new plan (at least one),
   * `deployedUrns` the URNs of the deployed plan, `takesSnapshot` whether the update takes a new snapshot with a
   * deployment (snapshotsTaken). Undefined when the removal breaks nothing this kind reports.
   */
  report(
    api: RecordedResource,
    route: RecordedResource,
    read: RouteRead,
    deployments: RecordedResource[],
    deployedUrns: ReadonlySet<string>,
    takesSnapshot: (deployment: RecordedResource) => boolean,
  ): TransitionFinding | undefined;
}

/**
 * Whether the update takes a new snapshot with a deployment of the new plan: it is new, or its triggers change (a
 * deployment's every input but its description and variables is ForceNew). A hand-built one without triggers that
 * change keeps the deployed snapshot, which also holds the removed route. Remembered per deployment (few, and each
 * looked up in the whole deployed plan).
 */
function snapshotsTaken(deployed: Graph): (deployment: RecordedResource) => boolean {
  const taken = new Map<string, boolean>();
  return (deployment) => {
    if (!taken.has(deployment.urn)) {
      const old = deployed.find((r) => r.urn === deployment.urn);
      taken.set(deployment.urn, !old || JSON.stringify(old.inputs.triggers ?? {}) !== JSON.stringify(deployment.inputs.triggers ?? {}));
    }
    return taken.get(deployment.urn)!;
  };
}

/** How a finding says which snapshot keeps the route: the one the update takes, or the deployed one it keeps. */
export function snapshotClause(deployment: RecordedResource, taken: boolean, what: string): string {
  return taken
    ? `the deployment this update takes (${deployment.name}) snapshots the API before the removed ${what}, its integration and function are deleted at the end of the update (pulumi/pulumi#9979)`
    : `this update takes no new deployment (${deployment.name} has no \`triggers\` that change), and the snapshot it keeps was taken with the ${what}`;
}

/** The close of a finding: why nothing redeploys later, for a deployment the update takes or keeps. */
export const staysNote = (taken: boolean) => (taken ? "Its triggers already match the new routes, so no later `pulumi up` redeploys" : "Nothing in the program redeploys it");

/**
 * A route removed from the program whose key no route of the new plan serves, for each API both plans keep that has a
 * deployment in the new plan. The removed routes are found first (one pass), so a plan that removes none costs one
 * scan of each plan; the routes and deployments of the new plan are grouped by API once.
 */
export function removedRouteFindings(kind: RemovedRouteKind, deployed: Graph, after: Graph): TransitionFinding[] {
  // Most plans of a big stack hold routes of no such API: the new plan's URNs are not indexed for them.
  const routes = ofType(deployed, kind.routeType);
  if (routes.length === 0) return [];
  const afterUrns = new Set(after.map((r) => r.urn));
  const removed = routes.filter((route) => !afterUrns.has(route.urn));
  if (removed.length === 0) return [];
  const deployedUrns = new Set(deployed.map((r) => r.urn));
  const apis = new Map(ofType(after, kind.apiType).filter((api) => kind.isApi(api) && deployedUrns.has(api.urn)).map((api) => [api.urn, api]));
  const apiOf = (r: RecordedResource) => r.dependencies.find((urn) => apis.has(urn));
  if (kind.stageType) {
    // An API whose every stage auto-deploys releases the route's delete itself; one stage that does not keeps the
    // snapshot, and so does one that also pins a deploymentId (its update is refused, see above).
    const stages = ofType(after, kind.stageType);
    for (const api of [...apis.keys()]) {
      const ofApi = stages.filter((stage) => apiOf(stage) === api);
      if (ofApi.length > 0 && ofApi.every((stage) => stage.inputs.autoDeploy === true && !stage.inputs.deploymentId)) apis.delete(api);
    }
  }
  // A deployment the update creates anew is taken after the removal too (nothing orders it before the deletes), so it
  // also holds the removed route; only an API without any deployment serves nothing.
  const deployments = new Map<string, RecordedResource[]>();
  for (const deployment of ofType(after, kind.deploymentType)) {
    const api = apiOf(deployment);
    if (api === undefined) continue;
    const ofApi = deployments.get(api);
    if (ofApi) ofApi.push(deployment);
    else deployments.set(api, [deployment]);
  }
  const readAfter = kind.routesOf(after);
  const servedKeys = new Map<string, Set<string | undefined>>();
  for (const route of ofType(after, kind.routeType)) {
    const api = apiOf(route);
    if (api === undefined || !deployments.has(api)) continue;
    const keys = servedKeys.get(api) ?? new Set();
    servedKeys.set(api, keys.add(readAfter(route).key));
  }
  const readDeployed = kind.routesOf(deployed);
  const takesSnapshot = snapshotsTaken(deployed);
  const findings: TransitionFinding[] = [];
  for (const route of removed) {
    const api = apiOf(route);
    const ofApi = api === undefined ? undefined : deployments.get(api);
    if (api === undefined || !ofApi) continue;
    const read = readDeployed(route);
    if (kind.sameKeyReplaces !== false && read.key !== undefined && servedKeys.get(api)?.has(read.key)) continue;
    const found = kind.report(apis.get(api)!, route, read, ofApi, deployedUrns, takesSnapshot);
    if (found) findings.push(found);
  }
  return findings;
}

/** The v2 kind of one protocol: a route told by its `routeKey` (else by its logical name), stages that may auto-deploy. */
const v2Kind = (protocolType: "WEBSOCKET" | "HTTP", report: RemovedRouteKind["report"]): RemovedRouteKind => ({
  apiType: API,
  routeType: V2_ROUTE,
  deploymentType: DEPLOYMENT,
  stageType: STAGE,
  isApi: (api) => api.inputs.protocolType === protocolType,
  routesOf: () => (route) => {
    const key = routeKey(route);
    return { key, name: key ? `route "${key}"` : `route ${route.name}` };
  },
  report,
});

/** A route removed from the program whose key no route of the new plan serves, for each WebSocket API and deployment both plans keep. */
export function webSocketRouteStillServedFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  return removedRouteFindings(
    v2Kind("WEBSOCKET",
      // One finding per removed route, about the first deployment: RealtimeApi has one.
      (api, route, { key, name }, [deployment], _deployedUrns, takesSnapshot) => {
        const taken = takesSnapshot(deployment);
        // A plan saved before routeKey was kept tells $connect only by the name RealtimeApi gives its route (`<name>-route-<slug>`).
        const connect = key === "$connect" || (key === undefined && route.name.endsWith(`-route-${routeSlug("$connect")}`));
        const effect = connect
          ? `$connect runs on every connection, so EVERY connection attempt to the API fails (the stage invokes a function that no longer exists) until the next deployment`
          : `messages for that key go to its deleted function and fail, instead of reaching $default, until the next deployment`;
        return {
          ...deployFinding(
            TRANSITION_WEBSOCKET_ROUTE_RULE.id,
            route,
            `removes ${name} of WebSocket API ${api.name}, but ${snapshotClause(deployment, taken, "route")}, so the stage keeps serving the route: ${effect}. ${staysNote(taken)}`,
            `after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${deployment.urn}" (docs/realtime.md, "Removing a route: one more step")`,
            stack,
          ),
          urn: route.urn,
        };
      },
    ),
    deployed,
    after,
  );
}

/**
 * A route removed from the program whose key no route of the new plan serves, for each HTTP API both plans keep that
 * has a deployment, unless every stage of it auto-deploys.
 */
export function httpRouteStillServedFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  return removedRouteFindings(
    v2Kind("HTTP",
      // About the first deployment: a stage serves one, and the fix's fresh one is what each stage is then moved to.
      (api, route, { name }, [deployment], _deployedUrns, takesSnapshot) => {
        const taken = takesSnapshot(deployment);
        return {
          ...deployFinding(
            TRANSITION_HTTP_ROUTE_RULE.id,
            route,
            `removes ${name} of HTTP API ${api.name}, but ${snapshotClause(deployment, taken, "route")}, and a stage without \`autoDeploy\` does not release the deletes, so it keeps serving the route with its deployed authorisation; a Lambda route whose function the update deletes fails (5xx). ${staysNote(taken)}`,
            `after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${deployment.urn}"`,
            stack,
          ),
          urn: route.urn,
        };
      },
    ),
    deployed,
    after,
  );
}
