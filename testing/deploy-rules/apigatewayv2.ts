/**
 * API Gateway v2 deploy rules (WebSocket APIs: RealtimeApi; HTTP APIs: ServerlessApi's HTTP kind):
 * route keys each protocol accepts, the integrations and authorizers each protocol has, the deployment/stage order a
 * WebSocket API needs, and a stage that does not both auto-deploy and pin a deployment. Also the custom domains of
 * every API kind, whose names the v2 API manages for REST APIs too: one domain per name and region, and a certificate
 * ACM has issued.
 */
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { HTTP_API_QUOTAS } from "../../components/serverless-api/quotas";
import { API_INTEGRATION_TIMEOUT_MS } from "../../components/serverless-api/validate";
import { certificateIssuedFindings, certificateNames } from "./acm";
import { certificateCovers } from "./cloudfront";
import { sharedAcrossStacks } from "./record-sets";
import { logsAtLevel, routeSettingsOf } from "./api-stage-logging";
import { httpMethodFindings } from "./apigateway";
import { finding, protocolOf, referenced, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext, type ProjectDeployRule } from "./rule";

const ROUTE = "aws:apigatewayv2/route:Route";
const INTEGRATION = "aws:apigatewayv2/integration:Integration";
const AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer";
const DEPLOYMENT = "aws:apigatewayv2/deployment:Deployment";
const STAGE = "aws:apigatewayv2/stage:Stage";
const REST_DOMAIN = "aws:apigateway/domainName:DomainName";
const DOMAIN = "aws:apigatewayv2/domainName:DomainName";
const API_MAPPING = "aws:apigatewayv2/apiMapping:ApiMapping";
const CERTIFICATE = "aws:acm/certificate:Certificate";

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
 * An API Gateway v2 integration's `integrationMethod` is one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, in
 * upper case: terraform-provider-aws validates `aws_apigatewayv2_integration.integration_method` with
 * internal/service/apigatewayv2 `validHTTPMethod()`, `validation.StringInSlice([]string{"ANY", "DELETE", "GET", "HEAD",
 * "OPTIONS", "PATCH", "POST", "PUT"}, false)` (case-sensitive; the same list and check as REST's, ApiMethodHttpMethod),
 * so `"get"` stops `pulumi preview` before CreateIntegration is called. Whether CreateIntegration itself would take
 * `"get"` is not documented ("IntegrationMethod: Specifies the integration's HTTP method type", API reference); the
 * provider never sends it. ServerlessApi's HTTP kind refuses its own at construction (validate.ts); RealtimeApi sends
 * POST.
 */
export const APIGWV2_INTEGRATION_METHOD: DeployRule = {
  id: "ApiV2IntegrationMethod",
  title: "An API Gateway v2 integration names its HTTP method in upper case, one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
  source: "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html",
  check(graph) {
    return httpMethodFindings(graph, "ApiV2IntegrationMethod", [[INTEGRATION, ["integrationMethod"]]]);
  },
};

/**
 * An API Gateway v2 integration waits 50–29,000 ms on a WebSocket API ("Integration timeout | 50 milliseconds - 29
 * seconds for all integration types ... | No", https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html)
 * and 50–30,000 ms on an HTTP API ("Maximum integration timeout | 30 seconds | No", http-api-quotas.html); neither is
 * adjustable. "Custom timeout between 50 and 29,000 milliseconds for WebSocket APIs and between 50 and 30,000
 * milliseconds for HTTP APIs" (API reference, TimeoutInMillis). ServerlessApi's HTTP kind refuses its own at
 * construction (API_INTEGRATION_TIMEOUT_MS); RealtimeApi sets none.
 */
export const APIGWV2_INTEGRATION_TIMEOUT: DeployRule = {
  id: "ApiV2IntegrationTimeout",
  title: "An API Gateway v2 integration waits 50–29000 ms on a WebSocket API and 50–30000 ms on an HTTP API",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const integration of ofType(graph, INTEGRATION)) {
      const timeout = Number(integration.inputs.timeoutMilliseconds);
      const protocol = protocolOf(graph, integration);
      if (!Number.isFinite(timeout) || (protocol !== "HTTP" && protocol !== "WEBSOCKET")) continue;
      const { min, httpMax, websocketMax } = API_INTEGRATION_TIMEOUT_MS;
      const [kind, max] = protocol === "HTTP" ? ["an HTTP API's", httpMax] : ["a WebSocket API's", websocketMax];
      if (timeout >= min && timeout <= max) continue;
      findings.push(finding("ApiV2IntegrationTimeout", integration, `waits ${timeout} ms; ${kind} integration timeout is ${min}–${max} ms, a limit API Gateway does not raise`, `set timeoutMilliseconds within ${min}–${max}, or answer at once and hand longer work to a queue`));
    }
    return findings;
  },
};

/**
 * An HTTP API's counts API Gateway does not raise ("Quotas for configuring and running an HTTP API", http-api-quotas.html,
 * "Can be increased: No"): "Integrations per API | 300", "Scopes per route | 10", "Audiences per authorizer | 50".
 * ServerlessApi's HTTP kind refuses its own at construction (components/serverless-api/quotas.ts, the same numbers);
 * this reads any HTTP API of a plan. The 301st CreateIntegration fails part-way through `pulumi up`.
 */
export const APIGWV2_HTTP_COUNTS: DeployRule = {
  id: "ApiV2HttpCounts",
  title: "An HTTP API has at most 300 integrations, 10 scopes on a route and 50 audiences on an authorizer",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const integrationsByApi = new Map<string, RecordedResource[]>();
    for (const integration of ofType(graph, INTEGRATION)) {
      if (protocolOf(graph, integration) !== "HTTP") continue;
      const key = String(integration.inputs.apiId);
      integrationsByApi.set(key, [...(integrationsByApi.get(key) ?? []), integration]);
    }
    for (const integrations of integrationsByApi.values()) {
      const over = integrations[HTTP_API_QUOTAS.integrations];
      if (over) findings.push(finding("ApiV2HttpCounts", over, `is integration ${integrations.length === HTTP_API_QUOTAS.integrations + 1 ? "301" : `${HTTP_API_QUOTAS.integrations + 1} of ${integrations.length}`} of its HTTP API, over the ${HTTP_API_QUOTAS.integrations} API Gateway allows and does not raise`, "share integrations between routes to one backend, or split the routes over two APIs"));
    }
    for (const route of ofType(graph, ROUTE)) {
      const scopes: unknown[] = route.inputs.authorizationScopes ?? [];
      if (protocolOf(graph, route) === "HTTP" && scopes.length > HTTP_API_QUOTAS.scopesPerRoute) {
        findings.push(finding("ApiV2HttpCounts", route, `requires ${scopes.length} scopes; an HTTP API route takes at most ${HTTP_API_QUOTAS.scopesPerRoute}, a limit API Gateway does not raise`, "require fewer, broader scopes (a token needs only one of them)"));
      }
    }
    for (const authorizer of ofType(graph, AUTHORIZER)) {
      const audiences: unknown[] = authorizer.inputs.jwtConfiguration?.audiences ?? [];
      if (protocolOf(graph, authorizer) === "HTTP" && audiences.length > HTTP_API_QUOTAS.audiencesPerAuthorizer) {
        findings.push(finding("ApiV2HttpCounts", authorizer, `accepts ${audiences.length} audiences; a JWT authorizer takes at most ${HTTP_API_QUOTAS.audiencesPerAuthorizer}, a limit API Gateway does not raise`, "split the clients over two authorizers"));
      }
    }
    return findings;
  },
};

/**
 * A WebSocket API's Lambda authorizer runs on `$connect` only ("You can only use a Lambda authorizer
 * function for the $connect route"), and is a REQUEST authorizer: JWT authorizers are HTTP APIs'.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
 *
 * It also sets none of the settings the API Gateway v2 reference gives to HTTP API Lambda authorizers only
 * (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html, CreateAuthorizer):
 * - AuthorizerResultTtlInSeconds, "Supported only for HTTP API Lambda authorizers". Refused: "BadRequestException:
 *   AuthorizerResultTtlInSeconds cannot be set for WEBSOCKET protocol Apis." (the provider's author quoting CreateAuthorizer,
 *   hashicorp/terraform-provider-aws#15232; also sst/sst#905). The provider sends any value that is set, 0 included
 *   (internal/service/apigatewayv2/authorizer.go `GetOkExists`), so 0 is refused too.
 * - EnableSimpleResponses, "Supported only for HTTP APIs". The provider sends it only when true (`GetOk`), so only true is
 *   reported. **Not confirmed:** AWS's words for this refusal; it is inferred from the same "supported only" wording that
 *   is refused for the TTL.
 * AuthorizerPayloadFormatVersion is "the format of the payload sent to an HTTP API Lambda authorizer" without a
 * "supported only" — whether a WebSocket CreateAuthorizer refuses it is not confirmed, so it is left alone.
 */
export const APIGWV2_WEBSOCKET_AUTHORIZER: DeployRule = {
  id: "ApiV2WebSocketAuthorizer",
  title: "A WebSocket API's authorizer is a REQUEST authorizer on $connect only, without the settings only HTTP API authorizers take",
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
      if (protocolOf(graph, authorizer) !== "WEBSOCKET") continue;
      if (authorizer.inputs.authorizerType !== "REQUEST") {
        findings.push(finding("ApiV2WebSocketAuthorizer", authorizer, `is a ${authorizer.inputs.authorizerType} authorizer on a WebSocket API, which takes REQUEST (Lambda) authorizers only`, "verify the token in a Lambda REQUEST authorizer (e.g. with aws-jwt-verify)"));
      }
      const ttl = authorizer.inputs.authorizerResultTtlInSeconds;
      if (ttl !== undefined && ttl !== null) {
        findings.push(
          finding(
            "ApiV2WebSocketAuthorizer",
            authorizer,
            `sets authorizerResultTtlInSeconds ${JSON.stringify(ttl)} on a WebSocket API's authorizer; result caching is for HTTP API Lambda authorizers only, and CreateAuthorizer refuses it ("AuthorizerResultTtlInSeconds cannot be set for WEBSOCKET protocol Apis")`,
            "drop authorizerResultTtlInSeconds (a WebSocket authorizer runs once per connection, on $connect)",
          ),
        );
      }
      if (authorizer.inputs.enableSimpleResponses === true) {
        findings.push(
          finding(
            "ApiV2WebSocketAuthorizer",
            authorizer,
            "sets enableSimpleResponses on a WebSocket API's authorizer; simple (boolean) responses are supported only for HTTP APIs, and a WebSocket authorizer must return an IAM policy",
            "drop enableSimpleResponses and return an IAM policy allowing execute-api:Invoke on the $connect route",
          ),
        );
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

/**
 * A v2 stage (HTTP or WebSocket) that sets `autoDeploy: true` and also names a `deploymentId`. UpdateStage's
 * DeploymentId: "Can't be updated if autoDeploy is enabled" (the API Gateway v2 model's UpdateStage text, as the AWS
 * SDK for Kotlin's UpdateStageRequest gives it), answered with BadRequestException
 * (aws-controllers-k8s/apigatewayv2-controller#15, "Avoid BadRequestException when updating stage with autodeploy
 * 'true'"; AWS's message, as a live run through Cloud Control recorded it: "Deployment ID cannot be set on this stage
 * <id> because AutoDeploy is enabled.", HTTP 400, go-to-k/cdk-real-drift#667), and the provider sends
 * DeploymentId whenever it changes (terraform-provider-aws internal/service/apigatewayv2/stage.go,
 * resourceStageUpdate). A deployment built by hand is replaced whenever its triggers change, so the first such
 * update fails; and auto-deploy releases each change itself, moving the stage off the named deployment
 * (terraform-provider-aws#13644: deployment_id is computed for auto-deploying stages). Whether CreateStage accepts
 * the pair is not documented, so this rule reports the plan, not a refused create.
 */
export const APIGWV2_STAGE_AUTO_DEPLOY_DEPLOYMENT: DeployRule = {
  id: "ApiV2StageAutoDeployDeployment",
  title: "An API Gateway v2 stage either auto-deploys or names a deploymentId, not both",
  source: "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/apigatewayv2/aws.sdk.kotlin.services.apigatewayv2.model/-update-stage-request/deployment-id.html",
  check(graph) {
    return ofType(graph, STAGE)
      .filter((stage) => stage.inputs.autoDeploy === true && Boolean(stage.inputs.deploymentId))
      .map((stage) =>
        finding(
          "ApiV2StageAutoDeployDeployment",
          stage,
          "sets autoDeploy: true and also names a deploymentId: UpdateStage refuses a new DeploymentId while AutoDeploy is enabled (BadRequestException), so the first `pulumi up` that replaces the deployment fails, and auto-deploy moves the stage off that deployment anyway",
          "drop deploymentId (and the Deployment resource) to let the stage auto-deploy, or drop autoDeploy to serve the deployment you build",
        ),
      );
  },
};

/**
 * Execution logging (`loggingLevel`, `dataTraceEnabled`) in an HTTP API stage's `defaultRouteSettings` or
 * `routeSettings[]`. The API reference's RouteSettings says of both: "Supported only for WebSocket APIs"
 * (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html#apis-apiid-stages-model-routesettings),
 * and CreateStage/UpdateStage refuse them on an HTTP API: "BadRequestException: Execution logs are not supported on
 * protocolType HTTP" (terraform-provider-aws#13801, #14010). But the provider @pulumi/aws bridges
 * (terraform-provider-aws internal/service/apigatewayv2/stage.go, expandDefaultRouteSettings and expandRouteSettings,
 * since #12904) sends `DataTraceEnabled` and `LoggingLevel` only when the API's protocolType is WEBSOCKET, so
 * `pulumi up` succeeds and the stage simply never writes the execution logs the program asked for. A warning
 * (APIGATEWAYV2_WARNING_RULES), not a refusal: nothing fails, the setting is dropped. `loggingLevel: "OFF"` is what an
 * HTTP stage does anyway, so it is not reported. HTTP APIs log through access logs (`accessLogSettings`) only:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html
 */
export const APIGWV2_HTTP_STAGE_EXECUTION_LOGS: DeployRule = {
  id: "ApiV2HttpStageExecutionLogs",
  title: "An HTTP API stage sets no execution logging (loggingLevel, dataTraceEnabled), which only WebSocket APIs have",
  source: "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const stage of ofType(graph, STAGE)) {
      if (protocolOf(graph, stage) !== "HTTP") continue;
      const settings = [
        { where: "defaultRouteSettings", value: stage.inputs.defaultRouteSettings },
        ...routeSettingsOf(stage).map((route, i) => ({ where: `routeSettings[${i}] (route ${String(route?.routeKey)})`, value: route })),
      ];
      for (const { where, value } of settings) {
        const { loggingLevel, dataTraceEnabled } = (value ?? {}) as { loggingLevel?: unknown; dataTraceEnabled?: unknown };
        const set = [...(logsAtLevel(loggingLevel) ? [`loggingLevel ${String(loggingLevel)}`] : []), ...(dataTraceEnabled === true ? ["dataTraceEnabled: true"] : [])];
        if (set.length === 0) continue;
        findings.push(
          finding(
            "ApiV2HttpStageExecutionLogs",
            stage,
            `sets ${set.join(" and ")} in ${where} of an HTTP API's stage; execution logging is "Supported only for WebSocket APIs" (API Gateway answers "Execution logs are not supported on protocolType HTTP"), and the AWS provider leaves both out for an HTTP API, so the deploy succeeds and no execution logs are ever written`,
            "remove loggingLevel and dataTraceEnabled from the HTTP stage's route settings and log requests through the stage's accessLogSettings instead",
          ),
        );
      }
    }
    return findings;
  },
};

/** The plan's API Gateway custom domains: REST (v1) and v2 (HTTP and WebSocket) alike. */
const customDomains = (graph: Graph): RecordedResource[] => [...ofType(graph, REST_DOMAIN), ...ofType(graph, DOMAIN)];

/** A REST (v1) domain's endpointConfiguration.types as a list (recorded as one string or a list). */
const endpointTypes = (domain: RecordedResource): unknown[] => [domain.inputs.endpointConfiguration?.types ?? []].flat();

/**
 * A REST (v1) domain of a private API: "Custom domain names for private APIs don't need to be unique"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-custom-domains.html).
 */
function isPrivateDomain(domain: RecordedResource): boolean {
  return domain.type === REST_DOMAIN && endpointTypes(domain).includes("PRIVATE");
}

/** Whether a v2 ApiMapping maps a WebSocket API to `domain` (the mapping names the domain by its name, which is its id). */
function servesWebSocket(graph: Graph, domain: RecordedResource): boolean {
  return ofType(graph, API_MAPPING).some((m) => [domain.id, domain.inputs.domainName].includes(m.inputs.domainName) && protocolOf(graph, m) === "WEBSOCKET");
}

/**
 * Whether a REST (v1) domain is edge-optimized: its endpointConfiguration.types names EDGE, or it names none and has
 * only the certificate "used by edge-optimized endpoint for this domain name" (CreateDomainName `certificateArn`; the
 * regional one is `regionalCertificateArn`). That an unset endpoint type is EDGE is not confirmed on an AWS page. v2
 * domains are REGIONAL only.
 */
function isEdgeDomain(domain: RecordedResource): boolean {
  if (domain.type !== REST_DOMAIN) return false;
  const types = endpointTypes(domain);
  return types.includes("EDGE") || (types.length === 0 && Boolean(domain.inputs.certificateArn) && !domain.inputs.regionalCertificateArn);
}

/** One public custom domain name as the uniqueness rules compare it. */
interface DomainNameClaim {
  domain: RecordedResource;
  name: string;
  region: string;
  /** Region and lower-case name (DNS names are case-insensitive): unique within a region. */
  key: string;
  /** An edge-optimized domain's lower-case name alone: unique in every region (edgeKey). */
  edgeKey?: string;
}

/**
 * The plan's REST (v1) and v2 custom domains whose names must be unique in their region (every one but a private REST
 * API's), each with its region and a key of region and lower-case name; and an edge-optimized one's name, unique in every
 * region as well: "When you create a custom domain name for an edge-optimized API, API Gateway sets up a CloudFront
 * distribution" (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-edge-optimized-custom-domain-name.html),
 * whose alternate domain names are unique across every distribution of every account (cloudfront.ts
 * CloudFrontAliasUnique, CNAMEs.html#alternate-domain-names-restrictions); CreateDomainName of an edge name another
 * distribution holds is refused with CloudFront's "CNAMEAlreadyExists" (recorded in amplify-education/serverless-domain-manager#184;
 * "The domain name you provided is already associated with an existing CloudFront distribution", #58). No AWS page says
 * in so many words that edge domain names are global (inferred from the two pages and the recorded refusals).
 */
function publicDomainNames(graph: Graph, context: DeployRuleContext): DomainNameClaim[] {
  return customDomains(graph).flatMap((domain) => {
    const name = domain.inputs.domainName;
    if (typeof name !== "string" || !name || isPrivateDomain(domain)) return [];
    const region = regionOf(graph, domain, context);
    return [{ domain, name, region, key: JSON.stringify([region, name.toLowerCase()]), ...(isEdgeDomain(domain) ? { edgeKey: JSON.stringify(["edge", name.toLowerCase()]) } : {}) }];
  });
}

/** The keys a claim is compared by: its region's, and an edge-optimized domain's global one. */
const claimKeys = (claim: DomainNameClaim) => [claim.key, ...(claim.edgeKey ? [claim.edgeKey] : [])];

/** Where two claims of one name meet and why they cannot, as a finding says it: in one region, or edge-optimized in two. */
const meeting = (claim: DomainNameClaim, other: DomainNameClaim) =>
  claim.key === other.key
    ? { place: `in ${claim.region},`, why: "a custom domain name is unique within a region (REST, HTTP and WebSocket APIs share one set of names)" }
    : { place: `in ${claim.region}, edge-optimized,`, why: `an edge-optimized domain name is a CloudFront alternate domain name, unique in every region (the other's is in ${other.region})` };

/**
 * "A custom domain name must be unique within a Region across all AWS accounts", and REST and HTTP APIs share the
 * regional ones ("You can use the API Gateway Version 2 APIs to create and manage Regional custom domain names for
 * REST APIs"): a v1 and a v2 DomainName of one name in one region are one name created twice, and the second
 * CreateDomainName is refused (hashicorp/terraform-provider-aws#27358). Two APIs share a domain by mapping both to one
 * DomainName, except a WebSocket API: "You can't map WebSocket APIs to the same custom domain name as an HTTP API or
 * REST API" (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-mappings.html). DNS names are
 * case-insensitive, so the names are compared in lower case. Not per account (no accountScope, unlike LogGroupNameUnique):
 * the name is unique across all accounts, so two domains under providers of two accounts still conflict; private REST
 * domains, which need not be unique across accounts, are left out by publicDomainNames.
 */
export const APIGATEWAY_DOMAIN_NAME_UNIQUE: DeployRule = {
  id: "ApiGatewayDomainNameUnique",
  title: "No two API Gateway custom domains (REST, HTTP or WebSocket) of a plan have one name in one region",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-custom-domains.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    const first = new Map<string, DomainNameClaim>();
    for (const claim of publicDomainNames(graph, context)) {
      const { domain, name } = claim;
      const keys = claimKeys(claim);
      const held = keys.map((key) => first.get(key)).find((holder) => holder !== undefined);
      for (const key of keys) if (!first.has(key)) first.set(key, claim);
      if (!held) continue;
      const holder = held.domain;
      const webSocket = servesWebSocket(graph, domain) || servesWebSocket(graph, holder);
      const { place, why } = meeting(claim, held);
      findings.push(
        finding(
          "ApiGatewayDomainNameUnique",
          domain,
          `is custom domain ${name} ${place} which ${holder.type} ${holder.name} of this plan also creates: ${why}, so CreateDomainName is refused for the second${webSocket ? "; and a WebSocket API cannot share a custom domain with a REST or HTTP API" : ""}`,
          webSocket
            ? `give the WebSocket API a host name of its own (e.g. live.${name.split(".").slice(1).join(".")}), with a certificate that covers it`
            : claim.key === held.key
              ? `create the domain once and map both APIs to it under different base paths (aws.apigateway.BasePathMapping, aws.apigatewayv2.ApiMapping), or give one of them another host name`
              : `give one of them another host name, or make both regional (endpointConfiguration.types "REGIONAL", with a regionalCertificateArn): regional names are unique within their region only`,
        ),
      );
    }
    return findings;
  },
};

/** The certificate ARNs a domain names: a REST domain's regional (or edge) certificate, a v2 domain's configuration's. */
function domainCertificateArns(domain: RecordedResource): string[] {
  const arns = domain.type === REST_DOMAIN ? [domain.inputs.regionalCertificateArn, domain.inputs.certificateArn] : [domain.inputs.domainNameConfiguration?.certificateArn];
  return arns.filter((arn): arn is string => typeof arn === "string" && arn !== "");
}

/**
 * "Before setting up a custom domain name for an API, you must have an SSL/TLS certificate ready in AWS Certificate
 * Manager", and ACM issues a requested public certificate only once the domain's owner has validated the request.
 * CreateDomainName on a certificate still pending validation is refused: "BadRequestException: Certificate arn:aws:acm:…
 * not yet issued (… Error Code: RequestInProgressException …)" (hashicorp/terraform-provider-aws#32025), and the
 * provider does not retry it (internal/service/apigatewayv2/domain_name.go `resourceDomainNameCreate` calls
 * CreateDomainName once). So a domain must depend on an aws.acm.CertificateValidation of a certificate the plan
 * requests: the check is certificateIssuedFindings (acm.ts), which CertificateIssuedBeforeUse runs for CloudFront and Cognito.
 */
export const APIGATEWAY_DOMAIN_CERTIFICATE_ISSUED: DeployRule = {
  id: "ApiGatewayDomainCertificateIssued",
  title: "An API Gateway custom domain on a certificate the plan requests waits for that certificate's CertificateValidation",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-specify-certificate-for-custom-domain-name.html",
  check(graph) {
    return customDomains(graph).flatMap((domain) =>
      certificateIssuedFindings(graph, "ApiGatewayDomainCertificateIssued", {
        consumer: domain,
        arns: domainCertificateArns(domain),
        what: "the domain",
        why: "so CreateDomainName can run before ACM has issued the certificate and is refused",
        refusal: (arn) => `"Certificate ${arn} not yet issued"`,
      }),
    );
  },
};

/**
 * A custom domain's certificate covers its name. API Gateway: "For an API Gateway Regional custom domain name, you must
 * request or import the certificate in the same Region as your API. The certificate must be signed by a publicly
 * trusted Certificate Authority and cover the custom domain name" (Getting certificates ready in AWS Certificate
 * Manager, English text read on the stored older page how-to-custom-domains-prerequisites.html; its current page, the
 * rule's source, says "The certificate must cover the custom domain name" in its Chinese, Japanese and Portuguese
 * versions, where its current English wording was not read).
 * Edge-optimized REST domains: CreateDomainName answers "BadRequestException: Unable to associate certificate … with
 * CloudFront. … Please ensure the certificate domain name matches the requested domain name"
 * (amplify-education/serverless-domain-manager#161). Regional domains (REST `regionalCertificateArn`, and every v2
 * domain, HTTP and WebSocket: "Only Regional custom domain names are supported", websocket-api-custom-domain-names.html): **not confirmed**
 * that CreateDomainName refuses a certificate that does not cover the name; if it is accepted, API Gateway serves that
 * certificate for the name and every HTTPS client fails the host-name check ("SSL: no alternative certificate subject
 * name matches target hostname", https://repost.aws/knowledge-center/api-gateway-domain-certificate), so the domain
 * is unusable either way and a finding is never a false refusal. The usual way in: a second `pulumi up` that renames
 * the domain (domainName is ForceNew, so a new DomainName is created) on the certificate requested for the old name.
 * Judged only when the ARN is that of an aws.acm.Certificate the plan requests (directly, or passed on by a
 * CertificateValidation's `certificateArn`) and its names are in its inputs (certificateNames: not an imported one);
 * the names are an Output of another resource, so components cannot check this at construction (review 106 #1).
 * The same helpers as CloudFrontAliasCertificate and CognitoCustomDomainCertificate (certificateCovers: a wildcard
 * covers exactly one label; names compared case-insensitively).
 */
export const APIGATEWAY_DOMAIN_CERTIFICATE_COVERS: DeployRule = {
  id: "ApiGatewayDomainCertificateCovers",
  title: "An API Gateway custom domain's ACM certificate, when the plan requests it, covers the domain name",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-specify-certificate-for-custom-domain-name.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const domain of customDomains(graph)) {
      const host = domain.inputs.domainName;
      if (typeof host !== "string" || !host) continue;
      for (const arn of domainCertificateArns(domain)) {
        const certificate = referenced(graph, CERTIFICATE, arn);
        const names = certificate && certificateNames(certificate);
        if (!certificate || !names || names.some((n) => certificateCovers(n, host))) continue;
        // A REST domain's `certificateArn` is its edge-optimized certificate (`regionalCertificateArn` the regional one).
        const edge = domain.type === REST_DOMAIN && arn === domain.inputs.certificateArn;
        findings.push(
          finding(
            "ApiGatewayDomainCertificateCovers",
            domain,
            `is custom domain ${host}, which certificate ${certificate.name} (${names.join(", ")}) does not cover: ${
              edge
                ? 'CreateDomainName refuses it ("Please ensure the certificate domain name matches the requested domain name")'
                : "API Gateway requires a certificate that covers the custom domain name, and HTTPS clients refuse the one it would serve (whether regional CreateDomainName refuses it first is not confirmed)"
            }`,
            `add ${host} to ${certificate.name}'s domainName or subjectAlternativeNames (a wildcard covers one label), or pass a certificate that covers it`,
          ),
        );
      }
    }
    return findings;
  },
};

/** The account field of an ACM certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<id>), or undefined. */
function certificateAccount(arn: string): string | undefined {
  return /^arn:[^:]+:acm:[^:]*:(\d{12}):certificate\//.exec(arn)?.[1];
}

/**
 * A custom domain's ACM certificate is one of the deploying account's: CreateDomainName refuses another account's with
 * "Invalid request provided: The certificate provided must be owned by the account creating the domain." (BadRequestException,
 * HTTP 400; recorded on a regional REST domain in aws/aws-cdk#10529 and aws/aws-cdk#13512). ACM certificates are resources
 * of the account that requested or imported them ("A resource owner is the AWS account that created a resource",
 * https://docs.aws.amazon.com/acm/latest/userguide/authen-overview.html). **Not confirmed:** an AWS page stating the
 * refusal, or that ACM cannot share a certificate with another account; the quoted error is the evidence. Checked
 * for REST regional and edge certificates and v2 domain configurations (HTTP, WebSocket, and REST through v2), when the
 * plan knows its account (`context.account`); components cannot know it at construction (review 89 #4). Only ARNs from
 * outside the plan are judged (as SnsSubscriptionDeadLetterQueueTarget judges only queues outside it): a certificate the
 * plan requests or imports (an aws.acm.Certificate, whose `arn` a CertificateValidation's `certificateArn` passes on) is
 * created by its provider's account, which the plan's mocked ARN (account 123456789012) does not tell (review 101 #1, #6).
 */
export const APIGATEWAY_DOMAIN_CERTIFICATE_ACCOUNT: DeployRule = {
  id: "ApiGatewayDomainCertificateAccount",
  title: "An API Gateway custom domain uses an ACM certificate of the account that creates it",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-specify-certificate-for-custom-domain-name.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    if (!context.account) return findings;
    for (const domain of customDomains(graph)) {
      for (const arn of domainCertificateArns(domain)) {
        const owner = certificateAccount(arn);
        if (owner === undefined || owner === context.account || referenced(graph, CERTIFICATE, arn)) continue;
        findings.push(
          finding(
            "ApiGatewayDomainCertificateAccount",
            domain,
            `is a custom domain of account ${context.account} with certificate ${arn} from account ${owner}; API Gateway refuses it ("The certificate provided must be owned by the account creating the domain")`,
            `request (or import) a certificate for ${domain.inputs.domainName} in account ${context.account} and the domain's region, and pass its ARN`,
          ),
        );
      }
    }
    return findings;
  },
};

/** One stack's custom domain name in one region. */
interface DomainClaim extends DomainNameClaim {
  stack: string;
}

/**
 * ApiGatewayDomainNameUnique across the stacks of a project: "A custom domain name must be unique within a Region across
 * all AWS accounts" (how-to-custom-domains.html), so two stacks — in one account or two — whose REST or v2 domains have one
 * name in one region cannot both deploy: the second stack's CreateDomainName is refused (hashicorp/terraform-provider-aws#27358).
 * Private REST domains are left out ("Custom domain names for private APIs don't need to be unique across multiple
 * accounts", apigateway-private-custom-domains.html); one stack's own duplicates are ApiGatewayDomainNameUnique's (review 94 #5).
 */
export const APIGATEWAY_DOMAIN_NAME_UNIQUE_ACROSS_STACKS: ProjectDeployRule = {
  id: "ApiGatewayDomainNameUniqueAcrossStacks",
  title: "No two stacks of the project create an API Gateway custom domain of one name in one region",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-custom-domains.html",
  check(stacks) {
    const claims: DomainClaim[] = stacks.flatMap(({ graph, context }) => publicDomainNames(graph, context).map((claim) => ({ stack: context.stack, ...claim })));
    // By region, then edge-optimized names in every region: each domain once, with the others the first key gives.
    const byRegion = sharedAcrossStacks(claims, (c) => c.key);
    const found = new Set(byRegion.map(({ claim }) => claim));
    const edge = sharedAcrossStacks(claims, (c) => c.edgeKey).filter(({ claim }) => !found.has(claim));
    return [...byRegion, ...edge].map(({ claim, others }) =>
      finding(
        "ApiGatewayDomainNameUniqueAcrossStacks",
        claim.domain,
        claim.key === others[0].key
          ? `is custom domain ${claim.name.toLowerCase()} in ${claim.region}, as is ${others.map((o) => `${o.stack}: ${o.domain.name}`).join(", ")}; API Gateway custom domain names are unique within a region across all AWS accounts, so whichever stack deploys second fails CreateDomainName`
          : `is edge-optimized custom domain ${claim.name.toLowerCase()} in ${claim.region}, as is ${others.map((o) => `${o.stack}: ${o.domain.name} (${o.region})`).join(", ")}; an edge-optimized domain name is a CloudFront alternate domain name, unique in every region and account, so whichever stack deploys second fails CreateDomainName (CNAMEAlreadyExists)`,
        `give each stack its own host name from its config (e.g. ${claim.stack}.${claim.name.toLowerCase()}), or leave the domain unset in all but one`,
        claim.stack,
      ),
    );
  },
};

export const APIGATEWAYV2_RULES: DeployRule[] = [APIGWV2_ROUTE_KEY, APIGWV2_INTEGRATION_TYPE, APIGWV2_INTEGRATION_METHOD, APIGWV2_INTEGRATION_TIMEOUT, APIGWV2_HTTP_COUNTS, APIGWV2_WEBSOCKET_AUTHORIZER, APIGWV2_WEBSOCKET_DEPLOYMENT, APIGWV2_STAGE_AUTO_DEPLOY_DEPLOYMENT, APIGATEWAY_DOMAIN_NAME_UNIQUE, APIGATEWAY_DOMAIN_CERTIFICATE_ISSUED, APIGATEWAY_DOMAIN_CERTIFICATE_ACCOUNT, APIGATEWAY_DOMAIN_CERTIFICATE_COVERS];
/** API Gateway v2's warning rules: part of DEPLOY_WARNING_RULES, not of DEPLOY_RULES. */
export const APIGATEWAYV2_WARNING_RULES: DeployRule[] = [APIGWV2_HTTP_STAGE_EXECUTION_LOGS];
export const APIGATEWAYV2_PROJECT_RULES: ProjectDeployRule[] = [APIGATEWAY_DOMAIN_NAME_UNIQUE_ACROSS_STACKS];
