/**
 * API Gateway v2 deploy rules (WebSocket APIs: RealtimeApi; HTTP APIs: ServerlessApi's HTTP kind):
 * route keys each protocol accepts, the integrations and authorizers each protocol has, and the
 * deployment/stage order a WebSocket API needs.
 */
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, referenced, type DeployFinding, type DeployRule } from "./rule";

const API = "aws:apigatewayv2/api:Api";
const ROUTE = "aws:apigatewayv2/route:Route";
const INTEGRATION = "aws:apigatewayv2/integration:Integration";
const AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer";
const DEPLOYMENT = "aws:apigatewayv2/deployment:Deployment";
const STAGE = "aws:apigatewayv2/stage:Stage";

/** The API a route, integration, authorizer, deployment or stage belongs to (by its `apiId`). */
function apiOf(graph: Graph, part: RecordedResource): RecordedResource | undefined {
  return referenced(graph, API, part.inputs.apiId);
}

const protocolOf = (graph: Graph, part: RecordedResource) => apiOf(graph, part)?.inputs.protocolType as string | undefined;

/**
 * WebSocket route keys: `$connect`, `$disconnect`, `$default`, or a custom key (the value the route
 * selection expression yields); HTTP route keys: `$default` or `METHOD /path` ("ANY" for any method,
 * `{proxy+}` greedy last).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */
export const APIGWV2_ROUTE_KEY: DeployRule = {
  id: "ApiV2RouteKey",
  title: "An API Gateway v2 route key is one its API's protocol accepts",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const route of ofType(graph, ROUTE)) {
      const key = String(route.inputs.routeKey ?? "");
      const protocol = protocolOf(graph, route);
      if (protocol === "WEBSOCKET" && key.startsWith("$") && !["$connect", "$disconnect", "$default"].includes(key)) {
        findings.push(finding("ApiV2RouteKey", route, `has route key ${key}; a WebSocket API reserves $-keys for $connect, $disconnect and $default`, "use one of those, or a custom key without $"));
      }
      if (protocol === "HTTP" && key !== "$default" && !/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \/[^\s]*$/.test(key)) {
        findings.push(finding("ApiV2RouteKey", route, `has route key ${key}; an HTTP API route key is "$default" or "METHOD /path"`, 'write it as e.g. "GET /albums/{albumId}"'));
      }
    }
    return findings;
  },
};

/**
 * HTTP APIs integrate Lambda (AWS_PROXY) and HTTP backends (HTTP_PROXY) only — no MOCK, AWS or HTTP
 * (non-proxy) integrations — and payload format 2.0 exists only there; WebSocket APIs take 1.0.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html
 */
export const APIGWV2_INTEGRATION_TYPE: DeployRule = {
  id: "ApiV2IntegrationType",
  title: "An API Gateway v2 integration's type and payload format exist for its API's protocol",
  source: "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const integration of ofType(graph, INTEGRATION)) {
      const protocol = protocolOf(graph, integration);
      const type = String(integration.inputs.integrationType ?? "");
      const format = integration.inputs.payloadFormatVersion;
      if (protocol === "HTTP" && !["AWS_PROXY", "HTTP_PROXY"].includes(type)) {
        findings.push(finding("ApiV2IntegrationType", integration, `is a ${type} integration on an HTTP API, which supports only AWS_PROXY and HTTP_PROXY`, "use a Lambda proxy (AWS_PROXY) or HTTP_PROXY integration, or a REST API for mock and AWS-service integrations"));
      }
      if (protocol === "WEBSOCKET" && format !== undefined && format !== "1.0") {
        findings.push(finding("ApiV2IntegrationType", integration, `sets payloadFormatVersion ${format} on a WebSocket API, which supports only 1.0`, "drop payloadFormatVersion (2.0 is for HTTP APIs)"));
      }
    }
    return findings;
  },
};

/**
 * A WebSocket API's Lambda authorizer runs on `$connect` only ("You can only use a Lambda authorizer
 * function for the $connect route"), and is a REQUEST authorizer: JWT authorizers are HTTP APIs'.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
 */
export const APIGWV2_WEBSOCKET_AUTHORIZER: DeployRule = {
  id: "ApiV2WebSocketAuthorizer",
  title: "A WebSocket API's authorizer is a REQUEST authorizer on $connect only",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const route of ofType(graph, ROUTE)) {
      if (protocolOf(graph, route) !== "WEBSOCKET") continue;
      const authorised = route.inputs.authorizerId !== undefined || ["CUSTOM", "JWT"].includes(String(route.inputs.authorizationType ?? "NONE"));
      if (authorised && route.inputs.routeKey !== "$connect") {
        findings.push(finding("ApiV2WebSocketAuthorizer", route, `puts an authorizer on route ${route.inputs.routeKey}; a WebSocket authorizer runs on $connect only`, "authorise the connection on $connect and drop the authorizer from other routes"));
      }
    }
    for (const authorizer of ofType(graph, AUTHORIZER)) {
      if (protocolOf(graph, authorizer) === "WEBSOCKET" && authorizer.inputs.authorizerType !== "REQUEST") {
        findings.push(finding("ApiV2WebSocketAuthorizer", authorizer, `is a ${authorizer.inputs.authorizerType} authorizer on a WebSocket API, which takes REQUEST (Lambda) authorizers only`, "verify the token in a Lambda REQUEST authorizer (e.g. with aws-jwt-verify)"));
      }
    }
    return findings;
  },
};

/**
 * "After creating your WebSocket API, you must deploy it"; "every time you update an API, you must
 * redeploy it", routes, integrations and authorizers included. A deployment snapshots what exists when
 * it is made, so it must wait for every route, integration and authorizer, and a stage without
 * auto-deploy must name it ("the deployed API is not callable until you associate the deployment with a stage").
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-set-up-websocket-deployment.html
 */
export const APIGWV2_WEBSOCKET_DEPLOYMENT: DeployRule = {
  id: "ApiV2WebSocketDeployment",
  title: "A WebSocket stage serves a deployment made after every route, integration and authorizer",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-set-up-websocket-deployment.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const deployment of ofType(graph, DEPLOYMENT)) {
      if (protocolOf(graph, deployment) !== "WEBSOCKET") continue;
      const before = dependencyClosure(graph, deployment);
      const parts = graph.filter((r) => [ROUTE, INTEGRATION, AUTHORIZER].includes(r.type) && r.inputs.apiId === deployment.inputs.apiId);
      for (const part of parts.filter((p) => !before.has(p.urn))) {
        findings.push(finding("ApiV2WebSocketDeployment", deployment, `does not depend on ${part.type} ${part.name}, so the deployment can be made without it`, `add ${part.name} to the deployment's dependsOn (and its triggers)`));
      }
    }
    for (const stage of ofType(graph, STAGE)) {
      if (protocolOf(graph, stage) !== "WEBSOCKET") continue;
      if (!stage.inputs.deploymentId && stage.inputs.autoDeploy !== true) {
        findings.push(finding("ApiV2WebSocketDeployment", stage, "names no deploymentId and does not auto-deploy, so it serves no routes", "create an aws.apigatewayv2.Deployment after the routes and set the stage's deploymentId"));
      }
    }
    return findings;
  },
};

export const APIGATEWAYV2_RULES: DeployRule[] = [APIGWV2_ROUTE_KEY, APIGWV2_INTEGRATION_TYPE, APIGWV2_WEBSOCKET_AUTHORIZER, APIGWV2_WEBSOCKET_DEPLOYMENT];
