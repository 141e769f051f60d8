/**
 * The REST API's resource tree, methods and integrations: Lambda proxy (calling the
 * stage's alias through `${stageVariables.alias}`), mock, HTTP and AWS service; request
 * validators and JSON-schema models; CORS preflights and gateway responses.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, policyJson } from "../iam";
import { LambdaFunction } from "../lambda/function";
import type { RouteSpec, ServerlessApiSpec } from "./spec";

export interface RouteResources {
  /** Route functions by resource name. */
  functions: Map<string, LambdaFunction>;
  methods: aws.apigateway.Method[];
  integrations: aws.apigateway.Integration[];
  /** Everything a deployment must wait for. */
  deploymentDependencies: pulumi.Resource[];
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

/** One aws.apigateway.Resource per distinct path prefix; returns path → resource id. */
function createResourceTree(name: string, spec: ServerlessApiSpec, api: aws.apigateway.RestApi, parent: pulumi.Resource) {
  const ids = new Map<string, pulumi.Input<string>>([["/", api.rootResourceId]]);
  const resources: aws.apigateway.Resource[] = [];
  const paths = new Set<string>();
  for (const route of spec.routes) {
    const segments = route.fullPath === "/" ? [] : route.fullPath.slice(1).split("/");
    for (let i = 1; i <= segments.length; i++) paths.add(`/${segments.slice(0, i).join("/")}`);
  }
  for (const path of [...paths].sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b))) {
    const parentPath = path.slice(0, path.lastIndexOf("/")) || "/";
    const resource = new aws.apigateway.Resource(
      `${name}-res${resourceSlug(path)}`,
      { restApi: api.id, parentId: ids.get(parentPath)!, pathPart: path.slice(path.lastIndexOf("/") + 1), region: spec.region },
      { parent },
    );
    ids.set(path, resource.id);
    resources.push(resource);
  }
  return { ids, resources };
}

/** `/api/albums/{albumId}` → `-api-albums-albumId`. */
export function resourceSlug(path: string): string {
  return path === "/" ? "-root" : path.replace(/[{}+]/g, "").replace(/\//g, "-");
}

export function createRoutes(
  name: string,
  spec: ServerlessApiSpec,
  api: aws.apigateway.RestApi,
  authorizerIds: Map<string, pulumi.Output<string>>,
  regionName: pulumi.Output<string>,
  parent: pulumi.Resource,
): RouteResources {
  const region = spec.region;
  const tree = createResourceTree(name, spec, api, parent);
  const validators = createValidators(name, spec, api, parent);
  const functions = new Map<string, LambdaFunction>();
  const methods: aws.apigateway.Method[] = [];
  const integrations: aws.apigateway.Integration[] = [];
  const dependencies: pulumi.Resource[] = [...tree.resources];

  for (const route of spec.routes) {
    const resourceId = tree.ids.get(route.fullPath)!;
    const slug = `${route.method.toLowerCase()}${resourceSlug(route.fullPath)}`;
    let modelName: pulumi.Output<string> | undefined;
    if (route.requestSchema) {
      const model = new aws.apigateway.Model(
        `${name}-model-${slug}`,
        {
          restApi: api.id,
          name: modelIdentifier(route),
          contentType: "application/json",
          schema: JSON.stringify(route.requestSchema),
          region,
        },
        { parent },
      );
      modelName = model.name;
      dependencies.push(model);
    }
    const authorizer = route.auth.type === "authorizer" ? spec.authorizers.find((a) => a.name === (route.auth as { authorizer: string }).authorizer)! : undefined;
    const method = new aws.apigateway.Method(
      `${name}-method-${slug}`,
      {
        restApi: api.id,
        resourceId,
        httpMethod: route.method,
        authorization: route.auth.type === "none" ? "NONE" : route.auth.type === "iam" ? "AWS_IAM" : authorizer!.type === "cognito" ? "COGNITO_USER_POOLS" : "CUSTOM",
        authorizerId: authorizer ? authorizerIds.get(authorizer.name) : undefined,
        authorizationScopes: route.auth.type === "authorizer" && route.auth.scopes.length > 0 ? route.auth.scopes : undefined,
        apiKeyRequired: route.apiKeyRequired,
        requestValidatorId: modelName ? validators.body.id : validators.parameters.id,
        requestModels: modelName ? { "application/json": modelName } : undefined,
        requestParameters: pathParameters(route.fullPath),
        operationName: operationName(route),
        region,
      },
      { parent },
    );
    methods.push(method);

    if (route.auth.type === "none" && route.method !== "OPTIONS") {
      // Public on purpose: say so where API Gateway documents the method (and security rule APIG4 looks).
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
    const integration = createIntegration(name, slug, spec, route, api, resourceId, method, regionName, functions, parent);
    integrations.push(integration);
    dependencies.push(method, integration);
  }

  if (spec.cors) dependencies.push(...createCorsPreflights(name, spec, api, tree.ids, parent));
  dependencies.push(...createGatewayResponses(name, spec, api, parent));
  return { functions, methods, integrations, deploymentDependencies: dependencies };
}

function createValidators(name: string, spec: ServerlessApiSpec, api: aws.apigateway.RestApi, parent: pulumi.Resource) {
  const body = new aws.apigateway.RequestValidator(
    `${name}-validate-body`,
    { restApi: api.id, name: "body-and-parameters", validateRequestBody: true, validateRequestParameters: true, region: spec.region },
    { parent },
  );
  const parameters = new aws.apigateway.RequestValidator(
    `${name}-validate-parameters`,
    { restApi: api.id, name: "parameters", validateRequestBody: false, validateRequestParameters: true, region: spec.region },
    { parent },
  );
  return { body, parameters };
}

/** Path parameters as required method request parameters (validated by the parameters validator). */
function pathParameters(path: string): Record<string, boolean> | undefined {
  const names = [...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => m[1]);
  return names.length ? Object.fromEntries(names.map((n) => [`method.request.path.${n}`, true])) : undefined;
}

/** `POST /albums/{albumId}/photos` → `PostAlbumsAlbumIdPhotos` (models need alphanumeric names). */
function modelIdentifier(route: RouteSpec): string {
  return `${operationName(route).replace(/^./, (c) => c.toUpperCase())}Body`;
}

/** A name SDK generators use, e.g. `getAlbumsAlbumId`. */
export function operationName(route: RouteSpec): string {
  const words = [route.method.toLowerCase(), ...route.path.split(/[^A-Za-z0-9]+/).filter(Boolean)];
  return words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");
}

function createIntegration(
  name: string,
  slug: string,
  spec: ServerlessApiSpec,
  route: RouteSpec,
  api: aws.apigateway.RestApi,
  resourceId: pulumi.Input<string>,
  method: aws.apigateway.Method,
  region: pulumi.Output<string>,
  functions: Map<string, LambdaFunction>,
  parent: pulumi.Resource,
): aws.apigateway.Integration {
  const common = { restApi: api.id, resourceId, httpMethod: method.httpMethod, region: spec.region };
  const opts = { parent, dependsOn: [method] };
  const integration = route.integration;
  switch (integration.type) {
    case "lambda": {
      const fn = new LambdaFunction(
        integration.functionName,
        {
          entry: integration.entry,
          handler: integration.export,
          memorySize: route.function!.memorySize,
          timeout: route.function!.timeout,
          environment: route.function!.environment,
          permissions: route.function!.permissions,
          logRetentionDays: route.function!.logRetentionDays,
          bundle: route.function!.bundle,
          // Aliases need numbered versions: each stage's alias points at one.
          publish: true,
          region: spec.region,
        },
        { parent },
      );
      functions.set(integration.functionName, fn);
      return new aws.apigateway.Integration(
        `${name}-integration-${slug}`,
        {
          ...common,
          type: "AWS_PROXY",
          integrationHttpMethod: "POST",
          // Seed 000: the stage picks the function version through a stage variable.
          uri: pulumi.interpolate`arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${fn.arn}:\${stageVariables.alias}/invocations`,
          timeoutMilliseconds: Math.min(29000, (route.function!.timeout ?? 10) * 1000 + 1000),
        },
        opts,
      );
    }
    case "mock": {
      const mock = new aws.apigateway.Integration(
        `${name}-integration-${slug}`,
        { ...common, type: "MOCK", requestTemplates: { "application/json": JSON.stringify({ statusCode: integration.statusCode }) }, passthroughBehavior: "WHEN_NO_TEMPLATES" },
        opts,
      );
      const response = new aws.apigateway.MethodResponse(
        `${name}-response-${slug}`,
        { restApi: api.id, resourceId, httpMethod: method.httpMethod, statusCode: String(integration.statusCode), responseModels: { "application/json": "Empty" }, region: spec.region },
        opts,
      );
      new aws.apigateway.IntegrationResponse(
        `${name}-integration-response-${slug}`,
        { restApi: api.id, resourceId, httpMethod: method.httpMethod, statusCode: response.statusCode, responseTemplates: { "application/json": integration.body }, region: spec.region },
        { parent, dependsOn: [mock, response] },
      );
      return mock;
    }
    case "http":
      return new aws.apigateway.Integration(
        `${name}-integration-${slug}`,
        {
          ...common,
          type: "HTTP_PROXY",
          integrationHttpMethod: integration.method,
          uri: integration.uri,
          timeoutMilliseconds: integration.timeoutMs,
          requestParameters: Object.fromEntries(
            [...integration.uri.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => [`integration.request.path.${m[1]}`, `method.request.path.${m[1]}`]),
          ),
        },
        opts,
      );
    case "aws": {
      const role = new aws.iam.Role(`${name}-integration-role-${slug}`, { assumeRolePolicy: assumeRolePolicy(["apigateway.amazonaws.com"]) }, { parent });
      const policy = new aws.iam.RolePolicy(`${name}-integration-policy-${slug}`, { role: role.id, policy: policyJson(integration.permissions) }, { parent });
      return new aws.apigateway.Integration(
        `${name}-integration-${slug}`,
        {
          ...common,
          type: "AWS",
          integrationHttpMethod: integration.method,
          uri: pulumi.interpolate`arn:aws:apigateway:${region}:${integration.service}:path/${integration.path}`,
          credentials: role.arn,
          requestParameters: integration.requestParameters,
          passthroughBehavior: "WHEN_NO_MATCH",
        },
        { parent, dependsOn: [method, policy] },
      );
    }
  }
}

/** An OPTIONS mock per resource with routes, answering the browser's preflight. */
function createCorsPreflights(name: string, spec: ServerlessApiSpec, api: aws.apigateway.RestApi, ids: Map<string, pulumi.Input<string>>, parent: pulumi.Resource): pulumi.Resource[] {
  const created: pulumi.Resource[] = [];
  const byPath = new Map<string, Set<string>>();
  for (const route of spec.routes) byPath.set(route.fullPath, (byPath.get(route.fullPath) ?? new Set()).add(route.method));
  for (const [path, methodsOnPath] of byPath) {
    if (methodsOnPath.has("OPTIONS")) continue;
    const slug = `options${resourceSlug(path)}`;
    const resourceId = ids.get(path)!;
    const common = { restApi: api.id, resourceId, httpMethod: "OPTIONS", region: spec.region };
    const method = new aws.apigateway.Method(`${name}-method-${slug}`, { ...common, authorization: "NONE" }, { parent });
    const integration = new aws.apigateway.Integration(
      `${name}-integration-${slug}`,
      { ...common, type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 204}' } },
      { parent, dependsOn: [method] },
    );
    const headers = corsHeaderValues(spec, [...methodsOnPath]);
    const response = new aws.apigateway.MethodResponse(
      `${name}-response-${slug}`,
      { ...common, statusCode: "204", responseParameters: Object.fromEntries(Object.keys(headers).map((h) => [`method.response.header.${h}`, true])) },
      { parent, dependsOn: [method] },
    );
    const integrationResponse = new aws.apigateway.IntegrationResponse(
      `${name}-integration-response-${slug}`,
      { ...common, statusCode: "204", responseParameters: Object.fromEntries(Object.entries(headers).map(([h, v]) => [`method.response.header.${h}`, `'${v}'`])) },
      { parent, dependsOn: [integration, response] },
    );
    created.push(method, integration, response, integrationResponse);
  }
  return created;
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
function createGatewayResponses(name: string, spec: ServerlessApiSpec, api: aws.apigateway.RestApi, parent: pulumi.Resource): pulumi.Resource[] {
  const corsParameters = spec.cors ? { "gatewayresponse.header.Access-Control-Allow-Origin": `'${spec.cors.allowOrigins[0]}'` } : undefined;
  const responses: pulumi.Resource[] = [
    new aws.apigateway.Response(
      `${name}-gateway-bad-body`,
      {
        restApiId: api.id,
        responseType: "BAD_REQUEST_BODY",
        statusCode: "400",
        responseTemplates: { "application/json": '{"message":"Request body is invalid","errors":{"(body)":["$context.error.validationErrorString"]}}' },
        responseParameters: corsParameters,
        region: spec.region,
      },
      { parent },
    ),
  ];
  if (spec.cors) {
    for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
      responses.push(
        new aws.apigateway.Response(`${name}-gateway-${type.toLowerCase().replace("_", "-")}`, { restApiId: api.id, responseType: type, responseParameters: corsParameters, region: spec.region }, { parent }),
      );
    }
  }
  return responses;
}
