/**
 * The REST API's resource tree, methods and integrations: Lambda proxy (calling the
 * stage's alias through `${stageVariables.alias}`), mock, HTTP and AWS service (with the
 * method and integration responses non-proxy integrations need); request validators and
 * JSON-schema models; CORS preflights and gateway responses. Every API Gateway part is
 * created through the API's `ApiSnapshot`, so the deployment waits for all of them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, policyJson } from "../iam";
import type { LambdaFunction, LambdaFunctionArgs } from "../lambda/function";
import { apiFunction, apiFunctionArguments, type ApiFunctionOwner } from "./api-function";
import { declaredMethodParameter, functionIntegrationTimeoutMs, type RestVpcLink } from "./args";
import type { ApiSnapshot } from "./snapshot";
import type { RouteSpec, ServerlessApiSpec } from "./spec";
import { restVpcLinks, type VpcLinks } from "./vpc-link";

export interface RouteResources {
  /** Route functions by resource name. */
  functions: Map<string, LambdaFunction>;
}

export function createRestApi(name: string, spec: ServerlessApiSpec, parent: pulumi.Resource): aws.apigateway.RestApi {
  return new aws.apigateway.RestApi(
    `${name}-api`,
    {
      description: `${name} (serverless-fullstack ServerlessApi)`,
      endpointConfiguration: {
        types: spec.endpointType,
        vpcEndpointIds: spec.endpointType === "PRIVATE" ? spec.vpcEndpointIds : undefined,
      },
      apiKeySource: "HEADER",
      disableExecuteApiEndpoint: false,
      region: spec.region,
    },
    { parent },
  );
}

/**
 * The paths of the REST API's resources, parents first: every distinct prefix of every route's full path (the base
 * path's segments included), without the root, which API Gateway creates with the API. createResourceTree creates one
 * aws.apigateway.Resource per path, and validate.ts counts them against API Gateway's resources per API with this.
 */
export function resourcePaths(routes: ReadonlyArray<Pick<RouteSpec, "fullPath">>): string[] {
  const paths = new Set<string>();
  for (const route of routes) {
    const segments = route.fullPath === "/" ? [] : route.fullPath.slice(1).split("/");
    for (let i = 1; i <= segments.length; i++) paths.add(`/${segments.slice(0, i).join("/")}`);
  }
  return [...paths].sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
}

/** One aws.apigateway.Resource per distinct path prefix; returns path → resource id. */
function createResourceTree(name: string, spec: ServerlessApiSpec, api: aws.apigateway.RestApi, snapshot: ApiSnapshot) {
  const ids = new Map<string, pulumi.Input<string>>([["/", api.rootResourceId]]);
  for (const path of resourcePaths(spec.routes)) {
    const parentPath = path.slice(0, path.lastIndexOf("/")) || "/";
    const resource = snapshot.resource(`${name}-res${resourceSlug(path)}`, { parentId: ids.get(parentPath)!, pathPart: path.slice(path.lastIndexOf("/") + 1) });
    ids.set(path, resource.id);
  }
  return ids;
}

/** `/api/albums/{albumId}` → `-api-albums-albumId`. */
export function resourceSlug(path: string): string {
  return path === "/" ? "-root" : path.replace(/[{}+]/g, "").replace(/\//g, "-");
}

/** `GET` and `/api/albums/{albumId}` → `get-api-albums-albumId`: what a route's resources (method, integration, role) are named after. */
export function routeSlug(method: string, fullPath: string): string {
  return `${method.toLowerCase()}${resourceSlug(fullPath)}`;
}

/**
 * An AWS-service route's integration role: Pulumi autonames it `<this>-<7 hex>`, which IAM must take (validate.ts
 * checks it with validateAutonames at construction).
 */
export function integrationRoleName(apiName: string, slug: string): string {
  return `${apiName}-integration-role-${slug}`;
}

export function createRoutes(
  name: string,
  spec: ServerlessApiSpec,
  api: aws.apigateway.RestApi,
  snapshot: ApiSnapshot,
  authorizerIds: Map<string, pulumi.Output<string>>,
  regionName: pulumi.Output<string>,
  parent: pulumi.Resource,
): RouteResources {
  const region = spec.region;
  const ids = createResourceTree(name, spec, api, snapshot);
  const validators = createValidators(name, snapshot);
  const functions = new Map<string, LambdaFunction>();
  const vpcLinks = restVpcLinks(name, spec.region, parent);

  for (const route of spec.routes) {
    const resourceId = ids.get(route.fullPath)!;
    const slug = routeSlug(route.method, route.fullPath);
    // One name per route for the method's operation and its body model (which is named after it).
    const operation = operationName(route);
    let modelName: pulumi.Output<string> | undefined;
    if (route.requestSchema) {
      // Keyed by the model's own name, which is unique per REST API and has no base path in it: with a key that
      // changed with the base path, Pulumi would create the "new" model before deleting the old one, and API
      // Gateway refuses a second model of one name. Stacks deployed before keep theirs under the old key (alias).
      const identifier = modelIdentifier(operation);
      const model = snapshot.model(
        modelResourceName(name, operation),
        { name: identifier, contentType: "application/json", schema: JSON.stringify(route.requestSchema) },
        { aliases: [{ name: `${name}-model-${slug}` }] },
      );
      modelName = model.name;
    }
    const authorizer = route.auth.type === "authorizer" ? spec.authorizers.find((a) => a.name === (route.auth as { authorizer: string }).authorizer)! : undefined;
    const method = snapshot.method(`${name}-method-${slug}`, {
      resourceId,
      httpMethod: route.method,
      authorization: route.auth.type === "none" ? "NONE" : route.auth.type === "iam" ? "AWS_IAM" : authorizer!.type === "cognito" ? "COGNITO_USER_POOLS" : "CUSTOM",
      authorizerId: authorizer ? authorizerIds.get(authorizer.name) : undefined,
      authorizationScopes: route.auth.type === "authorizer" && route.auth.scopes.length > 0 ? route.auth.scopes : undefined,
      apiKeyRequired: route.apiKeyRequired,
      requestValidatorId: modelName ? validators.body.id : validators.parameters.id,
      requestModels: modelName ? { "application/json": modelName } : undefined,
      requestParameters: methodRequestParameters(route),
      operationName: operation,
    }, METHOD_OPTIONS);

    if (route.auth.type === "none" && route.method !== "OPTIONS") {
      // Public on purpose: say so where API Gateway documents the method (and security rule APIG4 looks).
      // Documentation is versioned apart from deployments, so it is not a snapshot part.
      new aws.apigateway.DocumentationPart(
        `${name}-doc-${slug}`,
        {
          restApiId: api.id,
          location: { type: "METHOD", method: route.method === "ANY" ? "*" : route.method, path: route.fullPath },
          properties: JSON.stringify({ summary: `${route.key} (public)`, "x-public": true }),
          region,
        },
        { parent },
      );
    }
    createIntegration(name, slug, spec, route, snapshot, resourceId, method, regionName, functions, vpcLinks, parent);
  }

  if (spec.cors) createCorsPreflights(name, spec, snapshot, ids);
  createGatewayResponses(name, spec, snapshot);
  return { functions };
}

/**
 * A method is replaced delete-first: its identity is its API, resource and HTTP method, and a second PutMethod on that
 * identity (Pulumi's default create-first replacement, e.g. `pulumi up --replace`) is refused with ConflictException
 * "Method already exists for this resource" (aws/aws-cli#3992, pulumi/pulumi-aws#1085; deploy rule
 * TransitionRestMethodReplacedCreateFirst). Its integration and responses name its `httpMethod` output, so the
 * replacement replaces them as well rather than leaving them in the state after DeleteMethod took them. The engine
 * deletes those first; the deployment is not among them (its trigger names no part, snapshot.ts), so the stage keeps
 * serving it and a new one is made only when the digest's value changes.
 */
const METHOD_OPTIONS = { deleteBeforeReplace: true };

function createValidators(name: string, snapshot: ApiSnapshot) {
  const body = snapshot.requestValidator(`${name}-validate-body`, { name: "body-and-parameters", validateRequestBody: true, validateRequestParameters: true });
  const parameters = snapshot.requestValidator(`${name}-validate-parameters`, { name: "parameters", validateRequestBody: false, validateRequestParameters: true });
  return { body, parameters };
}

/**
 * The method's request parameters: its path parameters (required, checked by the parameters
 * validator), and the headers and query strings an AWS-service integration maps from (optional).
 * API Gateway refuses a mapping from a method request parameter the method does not declare.
 */
function methodRequestParameters(route: RouteSpec): Record<string, boolean> | undefined {
  const declared: Record<string, boolean> = {};
  for (const match of route.fullPath.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)) declared[`method.request.path.${match[1]}`] = true;
  if (route.integration.type === "aws") {
    for (const source of Object.values(route.integration.requestParameters)) {
      const parameter = declaredMethodParameter(source);
      if (parameter && parameter.location !== "path") declared[parameter.key] ??= false;
    }
  }
  return Object.keys(declared).length ? declared : undefined;
}

/** `postAlbumsAlbumIdPhotos` (the operation of `POST /albums/{albumId}/photos`) → `PostAlbumsAlbumIdPhotosBody` (models need alphanumeric names). */
function modelIdentifier(operation: string): string {
  return `${operation[0].toUpperCase()}${operation.slice(1)}Body`;
}

/**
 * A body model's logical name, `<api>-model-<Operation>Body`: two routes of one operation name (`POST /a_b` and
 * `POST /a/b`) would meet in it, which validate.ts refuses. Never change it: deployed stacks know their models by it.
 */
export function modelResourceName(apiName: string, operation: string): string {
  return `${apiName}-model-${modelIdentifier(operation)}`;
}

/** What separates the words of a path: everything but letters and digits. */
const NON_ALPHANUMERIC = /[^A-Za-z0-9]+/;

/** A name SDK generators use, e.g. `getAlbumsAlbumId`: the method and the words of the path as declared (without the base path). */
export function operationName(route: Pick<RouteSpec, "method" | "path">): string {
  const words = [route.method.toLowerCase(), ...route.path.split(NON_ALPHANUMERIC).filter(Boolean)];
  return words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");
}

/**
 * One answer of a non-proxy integration: the method response (the status and headers callers may
 * get) and the integration response that selects it and shapes the body. API Gateway answers 500
 * "No match for output mapping" when a non-proxy integration has no integration response that fits.
 */
interface ResponseSpec {
  statusCode: string;
  /**
   * Regex API Gateway matches against the backend's HTTP status (HTTP and AWS backends); none makes
   * this the default response. https://docs.aws.amazon.com/apigateway/latest/api/API_IntegrationResponse.html
   */
  selectionPattern?: string;
  /** `Header-Name` → its source, e.g. `integration.response.header.Content-Type` or `'static'`. */
  headers?: Record<string, string>;
  templates?: Record<string, pulumi.Input<string>>;
  models?: Record<string, string>;
}

/**
 * The logical names of a non-proxy route's method and integration response, from what they are named after: a mock's
 * (and a CORS preflight's) route slug, an AWS-service route's slug and status (awsServiceResponseSlug). A route on
 * `<path>/400` has the slug an AWS-service route on `<path>` gives its 400 response, which validate.ts refuses. Never
 * change them: deployed stacks know their resources by them.
 */
export function responseNames(apiName: string, responseSlug: string): { method: string; integration: string } {
  return { method: `${apiName}-response-${responseSlug}`, integration: `${apiName}-integration-response-${responseSlug}` };
}

function createResponse(
  snapshot: ApiSnapshot,
  names: { method: string; integration: string },
  target: { resourceId: pulumi.Input<string>; httpMethod: pulumi.Input<string> },
  integration: aws.apigateway.Integration,
  response: ResponseSpec,
): void {
  const headers = Object.entries(response.headers ?? {});
  // The default response (no selectionPattern) of a mock or CORS preflight is named after its route, not its status,
  // so a changed `statusCode` (a mock's 200 → 503) keeps the URN. Updated in place or replaced create-first (pulumi-aws
  // gives aws_api_gateway_integration_response no DeleteBeforeReplace), the provider's PutIntegrationResponse
  // (terraform-provider-aws internal/service/apigateway/integration_response.go: Update is the create function) puts a
  // second default beside the old one, which API Gateway refuses: ConflictException "Integration response with
  // selection pattern default already exists" (observed, hashicorp/terraform#5893; not in AWS's documentation). So a
  // status change replaces both responses delete-first (the method response's replacement takes its dependent
  // integration response with it). Live traffic is unaffected: a REST stage serves the snapshot of its deployment
  // ("Every time you update an API, you must redeploy the API to an existing stage or to a new stage",
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-deploy-api.html), and the new Deployment,
  // whose trigger digests every part (snapshot.ts), is created after both responses are put again. An AWS-service
  // route's default (its 500) has its status in its name, so the option never fires there.
  const replace = response.selectionPattern === undefined ? { replaceOnChanges: ["statusCode"], deleteBeforeReplace: true } : {};
  const methodResponse = snapshot.methodResponse(
    names.method,
    {
      ...target,
      statusCode: response.statusCode,
      responseParameters: headers.length ? Object.fromEntries(headers.map(([header]) => [`method.response.header.${header}`, true])) : undefined,
      responseModels: response.models,
    },
    replace,
  );
  snapshot.integrationResponse(
    names.integration,
    {
      ...target,
      statusCode: methodResponse.statusCode,
      selectionPattern: response.selectionPattern,
      responseParameters: headers.length ? Object.fromEntries(headers.map(([header, source]) => [`method.response.header.${header}`, source])) : undefined,
      responseTemplates: response.templates,
    },
    // PutIntegrationResponse needs the integration and the method response of its status.
    { dependsOn: [integration, methodResponse], ...replace },
  );
}

/**
 * How an AWS-service integration answers (a non-proxy integration: without these, every call is a
 * 500). 2xx passes through with the service's Content-Type; the service's errors are not: their
 * bodies name buckets, queues, ARNs and account ids, so callers get a short JSON message with the
 * request id, and the service's own error stays in the execution logs. 4xx → 400; everything else
 * (5xx, and a 3xx such as S3's PermanentRedirect for a bucket in another region) → 500.
 */
const AWS_SERVICE_RESPONSES: readonly ResponseSpec[] = [
  { statusCode: "200", selectionPattern: "2\\d{2}", headers: { "Content-Type": "integration.response.header.Content-Type" } },
  { statusCode: "400", selectionPattern: "4\\d{2}", templates: { "application/json": '{"message":"Bad request","requestId":"$context.requestId"}' } },
  { statusCode: "500", templates: { "application/json": '{"message":"Internal server error","requestId":"$context.requestId"}' } },
];

/**
 * An AWS-service route's responses: with response templates, the 200 is the templates' output, so the service's own
 * Content-Type (e.g. DynamoDB's application/x-amz-json-1.0) is not copied onto it.
 */
function awsServiceResponses(responseTemplates: Record<string, string>): readonly ResponseSpec[] {
  if (Object.keys(responseTemplates).length === 0) return AWS_SERVICE_RESPONSES;
  return AWS_SERVICE_RESPONSES.map((response) => (response.statusCode === "200" ? { statusCode: "200", selectionPattern: response.selectionPattern, templates: responseTemplates } : response));
}

/** The statuses an AWS-service route answers with, each a method and integration response of its own. */
export const AWS_SERVICE_STATUS_CODES: readonly string[] = AWS_SERVICE_RESPONSES.map((response) => response.statusCode);

/** `get-a` and `400` → `get-a-400`: what an AWS-service route's response for one status is named after (responseNames). */
export function awsServiceResponseSlug(slug: string, statusCode: string): string {
  return `${slug}-${statusCode}`;
}

/** ServerlessApi as the owner of its route and authorizer functions: they take `functionDefaults.logRetentionDays`. */
export function serverlessApiFunctions(apiName: string): ApiFunctionOwner {
  return { component: "ServerlessApi", apiName, logRetentionDays: "functionDefaults.logRetentionDays" };
}

/**
 * A route's function, the same on both kinds: its code, and the settings the route resolved (functionDefaults merged:
 * memory, timeout, environment, permissions, the secrets' names in the environment with their read grant, the VPC,
 * log retention, bundling). A route names its function with `name`. REST routes publish numbered versions for their
 * stages' aliases; HTTP routes do not.
 */
export function routeFunction(
  route: RouteSpec,
  integration: Extract<RouteSpec["integration"], { type: "lambda" }>,
  options: { apiName: string; publish?: boolean; region: LambdaFunctionArgs["region"] },
  parent: pulumi.Resource,
): LambdaFunction {
  const where = `routes["${route.key}"]`;
  return apiFunction(
    apiFunctionArguments(serverlessApiFunctions(options.apiName), where, { name: `${where}.name` }),
    { functionName: integration.functionName, entry: integration.entry, export: integration.export, settings: route.function! },
    options,
    parent,
  );
}

function createIntegration(
  name: string,
  slug: string,
  spec: ServerlessApiSpec,
  route: RouteSpec,
  snapshot: ApiSnapshot,
  resourceId: pulumi.Input<string>,
  method: aws.apigateway.Method,
  region: pulumi.Output<string>,
  functions: Map<string, LambdaFunction>,
  vpcLinks: VpcLinks<RestVpcLink>,
  parent: pulumi.Resource,
): aws.apigateway.Integration {
  const target = { resourceId, httpMethod: method.httpMethod };
  const opts = { dependsOn: [method] };
  const integration = route.integration;
  switch (integration.type) {
    case "lambda": {
      // Aliases need numbered versions: each stage's alias points at one.
      const fn = routeFunction(route, integration, { apiName: name, publish: true, region: spec.region }, parent);
      functions.set(integration.functionName, fn);
      return snapshot.integration(
        `${name}-integration-${slug}`,
        {
          ...target,
          type: "AWS_PROXY",
          integrationHttpMethod: "POST",
          // Seed 000: the stage picks the function version through a stage variable.
          uri: pulumi.interpolate`arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${fn.arn}:\${stageVariables.alias}/invocations`,
          timeoutMilliseconds: functionIntegrationTimeoutMs(route.function!.timeout),
        },
        opts,
      );
    }
    case "mock": {
      const mock = snapshot.integration(
        `${name}-integration-${slug}`,
        { ...target, type: "MOCK", requestTemplates: { "application/json": JSON.stringify({ statusCode: integration.statusCode }) }, passthroughBehavior: "WHEN_NO_TEMPLATES" },
        opts,
      );
      createResponse(snapshot, responseNames(name, slug), target, mock, {
        statusCode: String(integration.statusCode),
        models: { "application/json": "Empty" },
        templates: { "application/json": integration.body },
      });
      return mock;
    }
    case "http":
      return snapshot.integration(
        `${name}-integration-${slug}`,
        {
          ...target,
          type: "HTTP_PROXY",
          integrationHttpMethod: integration.method,
          // Through a VPC link, `uri` still names the backend: "The uri parameter in the private integration points to
          // an HTTP/HTTPS endpoint in the VPC, but is used instead to set up the integration request's Host header", and
          // for HTTPS "is used to verify the stated domain name against the one in the certificate"
          // (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-api-with-vpclink-using-swagger.html).
          uri: integration.uri,
          // The link's id as an Output when ServerlessApi creates the link, so the integration (and the deployment that
          // snapshots it) is deleted before the link, which API Gateway refuses to delete while referenced (vpc-link.ts).
          ...(integration.vpcLink ? { connectionType: "VPC_LINK", connectionId: vpcLinks.connectionId(integration.vpcLink as RestVpcLink) } : {}),
          timeoutMilliseconds: integration.timeoutMs,
          requestParameters: Object.fromEntries(
            [...integration.uri.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => [`integration.request.path.${m[1]}`, `method.request.path.${m[1]}`]),
          ),
        },
        opts,
      );
    case "aws": {
      const role = new aws.iam.Role(integrationRoleName(name, slug), { assumeRolePolicy: assumeRolePolicy(["apigateway.amazonaws.com"]) }, { parent });
      const policy = new aws.iam.RolePolicy(`${name}-integration-policy-${slug}`, { role: role.id, policy: policyJson(integration.permissions) }, { parent });
      const templated = Object.keys(integration.requestTemplates).length > 0;
      const service = snapshot.integration(
        `${name}-integration-${slug}`,
        {
          ...target,
          type: "AWS",
          integrationHttpMethod: integration.method,
          // `arn:aws:apigateway:{region}:{subdomain.service|service}:{path|action}/{service_api}` (service-actions.ts).
          uri:
            integration.action !== undefined
              ? pulumi.interpolate`arn:aws:apigateway:${region}:${integration.service}:action/${integration.action}`
              : pulumi.interpolate`arn:aws:apigateway:${region}:${integration.service}:path/${integration.path}`,
          credentials: role.arn,
          requestParameters: integration.requestParameters,
          // The templates are integration inputs, so the snapshot's digest (the deployment's trigger) changes with them.
          requestTemplates: templated ? integration.requestTemplates : undefined,
          // With templates, a request of another content type is refused with 415 instead of reaching the service as the
          // client wrote it (a body naming another table or stream): "WHEN_NO_TEMPLATES | The request is rejected with an
          // HTTP 415 Unsupported Media Type response", and a request without Content-Type is read as application/json
          // (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
          // (spec.ts: WHEN_NO_TEMPLATES with templates unless the route sets passthroughBehavior; AWS's three values,
          // API_Integration passthroughBehavior.)
          passthroughBehavior: integration.passthroughBehavior,
        },
        { dependsOn: [method, policy] },
      );
      for (const response of awsServiceResponses(integration.responseTemplates)) {
        createResponse(snapshot, responseNames(name, awsServiceResponseSlug(slug, response.statusCode)), target, service, response);
      }
      return service;
    }
  }
}

/**
 * The paths that get a CORS preflight (with cors set): every path with routes but no OPTIONS route of its own, with
 * its routes' methods (the preflight allows them) and the first route on it (the one a refusal names).
 */
export function corsPreflightPaths<R extends { fullPath: string; method: string }>(routes: readonly R[]): Map<string, { methods: string[]; first: R }> {
  const byPath = new Map<string, { methods: Set<string>; first: R }>();
  for (const route of routes) {
    const onPath = byPath.get(route.fullPath) ?? { methods: new Set<string>(), first: route };
    byPath.set(route.fullPath, { ...onPath, methods: onPath.methods.add(route.method) });
  }
  return new Map([...byPath].filter(([, { methods }]) => !methods.has("OPTIONS")).map(([path, { methods, first }]) => [path, { methods: [...methods], first }]));
}

/** An OPTIONS mock per resource with routes, answering the browser's preflight. */
function createCorsPreflights(name: string, spec: ServerlessApiSpec, snapshot: ApiSnapshot, ids: Map<string, pulumi.Input<string>>): void {
  for (const [path, { methods: methodsOnPath }] of corsPreflightPaths(spec.routes)) {
    const slug = routeSlug("OPTIONS", path);
    const method = snapshot.method(`${name}-method-${slug}`, { resourceId: ids.get(path)!, httpMethod: "OPTIONS", authorization: "NONE" }, METHOD_OPTIONS);
    // Its parts name the method's httpMethod output, not "OPTIONS": a replaced method (delete-first, METHOD_OPTIONS)
    // then replaces them too, as a route's do (createIntegration's target).
    const target = { resourceId: ids.get(path)!, httpMethod: method.httpMethod };
    const integration = snapshot.integration(`${name}-integration-${slug}`, { ...target, type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 204}' } }, { dependsOn: [method] });
    const headers = Object.fromEntries(Object.entries(corsHeaderValues(spec, methodsOnPath)).map(([header, value]) => [header, `'${value}'`]));
    createResponse(snapshot, responseNames(name, slug), target, integration, { statusCode: "204", headers });
  }
}

export function corsHeaderValues(spec: ServerlessApiSpec, methods: string[]): Record<string, string> {
  const cors = spec.cors!;
  const allowed = methods.includes("ANY") ? ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] : methods;
  return {
    "Access-Control-Allow-Origin": cors.allowOrigins[0],
    "Access-Control-Allow-Methods": [...new Set([...allowed, "OPTIONS"])].join(","),
    "Access-Control-Allow-Headers": cors.allowHeaders.join(","),
    "Access-Control-Max-Age": String(cors.maxAgeSeconds),
  };
}

/**
 * Gateway responses: validation failures name the fields (like our handlers' 400s),
 * and with CORS, API Gateway's own 4xx/5xx carry the CORS header so browsers can read them.
 */
function createGatewayResponses(name: string, spec: ServerlessApiSpec, snapshot: ApiSnapshot): void {
  const corsParameters = spec.cors ? { "gatewayresponse.header.Access-Control-Allow-Origin": `'${spec.cors.allowOrigins[0]}'` } : undefined;
  snapshot.gatewayResponse(`${name}-gateway-bad-body`, {
    responseType: "BAD_REQUEST_BODY",
    statusCode: "400",
    responseTemplates: { "application/json": '{"message":"Request body is invalid","errors":{"(body)":["$context.error.validationErrorString"]}}' },
    responseParameters: corsParameters,
  });
  if (spec.cors) {
    for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
      snapshot.gatewayResponse(`${name}-gateway-${type.toLowerCase().replace("_", "-")}`, { responseType: type, responseParameters: corsParameters });
    }
  }
}
