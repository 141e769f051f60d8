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
 * Saved plans keep no inputs of routes, so the route is told by its key where the deployed plan holds it, else by its
 * logical name; a route is the API's when it depends on the API's URN, as every route's `apiId` makes it.
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding as deployFinding } from "./rule";
import type { TransitionFinding } from "./transition";

export const TRANSITION_WEBSOCKET_ROUTE_RULE = {
  id: "TransitionWebSocketRouteStillServed",
  title: "A WebSocket API's removed route is not left in the deployment its stage serves",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-set-up-websocket-deployment.html",
} as const;

const API = "aws:apigatewayv2/api:Api";
const ROUTE = "aws:apigatewayv2/route:Route";
const DEPLOYMENT = "aws:apigatewayv2/deployment:Deployment";

const routeKey = (r: RecordedResource): string | undefined => (typeof r.inputs.routeKey === "string" && r.inputs.routeKey ? r.inputs.routeKey : undefined);

/**
 * What one API kind tells the shared check: a route (the resource that serves a key) removed from the program while
 * its API and a deployment stay is left in the snapshot the update takes, for WebSocket and REST APIs alike.
 */
export interface RemovedRouteKind {
  apiType: string;
  routeType: string;
  deploymentType: string;
  /** Whether the API is of this kind (v2 APIs are WebSocket or HTTP). */
  isApi(api: RecordedResource): boolean;
  /** The key the route serves in `graph`, when its inputs tell it (a saved plan keeps none). */
  keyOf(route: RecordedResource, graph: Graph): string | undefined;
  /** The finding for `removed` routes of `api`, left in `deployment`; `deployments` are all the API's of the new plan. */
  report(api: RecordedResource, deployment: RecordedResource, route: RecordedResource, key: string | undefined, deployments: RecordedResource[]): TransitionFinding | undefined;
}

/** A route removed from the program whose key no route of the new plan serves, for each API and deployment both plans keep. */
export function removedRouteFindings(kind: RemovedRouteKind, deployed: Graph, after: Graph): TransitionFinding[] {
  const deployedUrns = new Set(deployed.map((r) => r.urn));
  const afterUrns = new Set(after.map((r) => r.urn));
  const findings: TransitionFinding[] = [];
  for (const api of ofType(after, kind.apiType)) {
    if (!kind.isApi(api) || !deployedUrns.has(api.urn)) continue;
    const ofApi = (r: RecordedResource) => r.dependencies.includes(api.urn);
    // A deployment the update creates anew is taken after the removal too (nothing orders it before the deletes), so it
    // also holds the removed route; only an API without any deployment serves nothing.
    const deployments = ofType(after, kind.deploymentType).filter(ofApi);
    if (deployments.length === 0) continue;
    const servedKeys = new Set(ofType(after, kind.routeType).filter(ofApi).map((route) => kind.keyOf(route, after)));
    for (const route of ofType(deployed, kind.routeType)) {
      if (!ofApi(route) || afterUrns.has(route.urn)) continue;
      const key = kind.keyOf(route, deployed);
      if (key !== undefined && servedKeys.has(key)) continue;
      for (const deployment of deployments) {
        const found = kind.report(api, deployment, route, key, deployments);
        if (found) findings.push(found);
      }
    }
  }
  return findings;
}

/** A route removed from the program whose key no route of the new plan serves, for each WebSocket API and deployment both plans keep. */
export function webSocketRouteStillServedFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  return removedRouteFindings(
    {
      apiType: API,
      routeType: ROUTE,
      deploymentType: DEPLOYMENT,
      isApi: (api) => api.inputs.protocolType === "WEBSOCKET",
      keyOf: routeKey,
      // The first deployment only: RealtimeApi has one, and one finding per removed route is enough.
      report: (api, deployment, route, key, deployments) => {
        if (deployment !== deployments[0]) return undefined;
        const named = key ? `route "${key}"` : `route ${route.name}`;
        const connect = key === "$connect" || (key === undefined && /-route-connect$/.test(route.name));
        const effect = connect
          ? `$connect runs on every connection, so EVERY connection attempt to the API fails (the stage invokes a function that no longer exists) until the next deployment`
          : `messages for that key go to its deleted function and fail, instead of reaching $default, until the next deployment`;
        return {
          ...deployFinding(
            TRANSITION_WEBSOCKET_ROUTE_RULE.id,
            deployment,
            `removes ${named} of WebSocket API ${api.name}, but the deployment this update takes (${deployment.name}) snapshots the API before the removed route, its integration and function are deleted at the end of the update (pulumi/pulumi#9979), so the stage keeps serving the route: ${effect}. Its triggers already match the new routes, so no later \`pulumi up\` redeploys`,
            `after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${deployment.urn}" (docs/realtime.md, "Removing a route: one more step")`,
            stack,
          ),
          urn: deployment.urn,
        };
      },
    },
    deployed,
    after,
  );
}
