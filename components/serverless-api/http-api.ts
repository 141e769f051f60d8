/**
 * ServerlessApi's HTTP kind (`kind: ApiKind.Http`): the same route table as an API Gateway v2 HTTP
 * API — Lambda proxy integrations with payload format 2.0, HTTP proxies (private ones through a VPC link v2,
 * vpc-link.ts), the native JWT authorizer
 * on the Cognito pool (issuer + audience), IAM routes, CORS answered by API Gateway, and one stage
 * per environment that auto-deploys, with JSON access logs and default route throttling. What REST
 * has and HTTP lacks is refused in validate.ts (docs/http-api.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LambdaFunction } from "../lambda/function";
import { regionOf } from "../region";
import { regionalCertificate } from "../regional-domain";
import { functionIntegrationTimeoutMs, type HttpApiVpcLink } from "./args";
import { routeFunction, routeSlug } from "./routes";
import type { RouteSpec, ServerlessApiSpec } from "./spec";
import { httpApiVpcLinks, overwritePath, serverNameToVerify } from "./vpc-link";
import { httpIdentitySource } from "./identity-source";
import { argFailer, type ArgFailure } from "../errors";

/** Access log fields of an HTTP API stage. https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html */
export const HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  sub: "$context.authorizer.claims.sub",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationLatencyMs: "$context.integration.latency",
  integrationStatus: "$context.integration.status",
  integrationError: "$context.integrationErrorMessage",
  stage: "$context.stage",
  error: "$context.error.message",
  authorizeError: "$context.authorizer.error",
});

export interface HttpApiResources {
  api: aws.apigatewayv2.Api;
  routes: Map<string, aws.apigatewayv2.Route>;
  integrations: Map<string, aws.apigatewayv2.Integration>;
  authorizers: aws.apigatewayv2.Authorizer[];
  stages: Map<string, aws.apigatewayv2.Stage>;
  functions: Map<string, LambdaFunction>;
  accessLogs: aws.cloudwatch.LogGroup;
  domainName?: aws.apigatewayv2.DomainName;
}

/**
 * A Cognito user pool ARN: "arn:aws:cognito-idp:{region}:{account_id}:userpool/{user_pool_id}" (CreateAuthorizer
 * `providerARNs`, https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html), the pool id as Cognito's
 * API patterns a `UserPoolId`, `[\w-]+_[0-9a-zA-Z]+` (e.g. https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPool.html).
 */
const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool\/([\w-]+_[0-9a-zA-Z]+)$/;

/**
 * Refuses `value` when it is not a user pool ARN the HTTP kind can derive its JWT issuer from. A pool id
 * (`us-east-1_AbC123`, which UserAuth exposes beside the ARN) would otherwise fail inside the issuer's apply with a
 * TypeError naming neither the component nor the argument, and a truncated ARN would give a wrong issuer (every token
 * 401). One check for both places: a plain string at construction (validate.ts), an Output once it resolves (issuerOf).
 */
export function checkUserPoolArn(fail: ArgFailure, authorizer: string, value: string): void {
  if (USER_POOL_ARN.test(value)) return;
  const argument = `authorizers.${authorizer}.userPoolArns[0]`;
  fail(
    argument,
    value,
    "is not a Cognito user pool ARN; the HTTP kind derives its JWT authorizer's issuer (https://cognito-idp.<region>.amazonaws.com/<pool id>) from it",
    `Pass the pool's ARN, e.g. auth.userPoolArn (arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>), in ${argument}.`,
  );
}

/** `arn:aws:cognito-idp:<region>:<account>:userpool/<id>` → the pool's issuer, `https://cognito-idp.<region>.amazonaws.com/<id>`. */
export function cognitoIssuerOf(userPoolArn: string): string {
  const [, region, poolId] = USER_POOL_ARN.exec(userPoolArn)!;
  return `https://cognito-idp.${region}.amazonaws.com/${poolId}`;
}

/** The issuer of an HTTP-kind authorizer's pool, refusing (as construction does for a plain string) an ARN that is not a pool's once it resolves. */
function issuerOf(name: string, authorizer: string, userPoolArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(userPoolArn).apply((arn) => {
    checkUserPoolArn(argFailer("ServerlessApi", name), authorizer, arn);
    return cognitoIssuerOf(arn);
  });
}


/** `GET /api/albums/{albumId}` → `GET/api/albums/*` (the tail of the execute-api ARN API Gateway invokes with, any stage). */
function sourceArnTail(route: RouteSpec): string {
  return `${route.method === "ANY" ? "*" : route.method}${route.fullPath.replace(/\{[^}]+\}/g, "*")}`;
}

export function createHttpApi(name: string, spec: ServerlessApiSpec, parent: pulumi.Resource): HttpApiResources {
  const region = spec.region;
  const api = new aws.apigatewayv2.Api(
    `${name}-http-api`,
    {
      protocolType: "HTTP",
      description: `${name} (serverless-fullstack ServerlessApi, HTTP kind)`,
      // API Gateway answers preflights itself and adds the headers to integration responses (http-api-cors.html);
      // whether its own errors (JWT 401/403, 5xx) carry them is not documented (README "Local vs AWS").
      corsConfiguration: spec.cors && {
        allowOrigins: spec.cors.allowOrigins,
        allowHeaders: spec.cors.allowHeaders,
        allowMethods: [...new Set(spec.routes.flatMap((r) => (r.method === "ANY" ? ["*"] : [r.method])))],
        maxAge: spec.cors.maxAgeSeconds,
      },
      region,
    },
    { parent },
  );
  const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays: spec.logRetentionDays, region }, { parent });

  const authorizerIds = new Map<string, pulumi.Output<string>>();
  const authorizers: aws.apigatewayv2.Authorizer[] = [];
  for (const a of spec.authorizers) {
    if (a.type !== "cognito") continue; // validate.ts refuses Lambda authorizers on the HTTP kind
    const authorizer = new aws.apigatewayv2.Authorizer(
      `${name}-authorizer-${a.name}`,
      {
        apiId: api.id,
        name: a.name,
        authorizerType: "JWT",
        identitySources: [httpIdentitySource(a.identitySource)],
        // The pool's issuer and its app clients: API Gateway checks signature, expiry, iss and aud/client_id.
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
        jwtConfiguration: { issuer: a.issuer ?? issuerOf(name, a.name, a.userPoolArns[0]), audiences: a.audience },
        region,
      },
      { parent },
    );
    authorizerIds.set(a.name, authorizer.id);
    authorizers.push(authorizer);
  }

  const functions = new Map<string, LambdaFunction>();
  const routes = new Map<string, aws.apigatewayv2.Route>();
  const integrations = new Map<string, aws.apigatewayv2.Integration>();
  const vpcLinks = httpApiVpcLinks(name, region, parent);
  for (const route of spec.routes) {
    const slug = routeSlug(route.method, route.fullPath);
    let integration: aws.apigatewayv2.Integration;
    if (route.integration.type === "lambda") {
      const fn = routeFunction(route, route.integration, { apiName: name, region }, parent);
      functions.set(route.integration.functionName, fn);
      integration = new aws.apigatewayv2.Integration(
        `${name}-integration-${slug}`,
        {
          apiId: api.id,
          integrationType: "AWS_PROXY",
          integrationMethod: "POST",
          integrationUri: fn.invokeArn,
          payloadFormatVersion: "2.0",
          timeoutMilliseconds: functionIntegrationTimeoutMs(route.function!.timeout),
          region,
        },
        { parent },
      );
      new aws.lambda.Permission(
        `${route.integration.functionName}-invoke`,
        // This API, any of its stages, this method and path only.
        { action: "lambda:InvokeFunction", function: fn.functionName, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${api.executionArn}/*/${sourceArnTail(route)}`, region },
        { parent },
      );
    } else if (route.integration.type === "http") {
      // The timeout as given: validate.ts refuses one over the HTTP API's 30,000 ms rather than cutting it down.
      const { uri, method, timeoutMs } = route.integration;
      const vpcLink = route.integration.vpcLink as HttpApiVpcLink | undefined;
      integration = new aws.apigatewayv2.Integration(
        `${name}-integration-${slug}`,
        {
          apiId: api.id,
          integrationType: "HTTP_PROXY",
          integrationMethod: method,
          timeoutMilliseconds: timeoutMs,
          ...(vpcLink
            ? {
                // A private integration names the listener, not a URL; the backend gets `uri`'s path and, for https,
                // API Gateway verifies its certificate against `uri`'s host ("If you specify a server name, API Gateway
                // uses it to verify the hostname on the integration's certificate", pulumi-aws 7.48
                // apigatewayv2 IntegrationTlsConfig.serverNameToVerify). The link's id is an Output of the link when
                // ServerlessApi creates it, so the integration is deleted before the link (vpc-link.ts).
                integrationUri: vpcLink.listenerArn,
                connectionType: "VPC_LINK",
                connectionId: vpcLinks.connectionId(vpcLink),
                requestParameters: { "overwrite:path": overwritePath(uri) },
                // A TLS configuration is also what makes the traffic HTTPS ("If you specify a TLS configuration, private
                // integration traffic uses the HTTPS protocol", apigatewayv2 TlsConfigInput): https in `uri`, TLS to the
                // listener. Not replaceOnChanges: whether the provider's update clears it (it sends an empty, non-nil
                // TlsConfigInput when the block goes, apigatewayv2/integration.go) is unconfirmed; docs/http-api.md says so.
                tlsConfig: serverNameToVerify(uri) ? { serverNameToVerify: serverNameToVerify(uri) } : undefined,
              }
            : { integrationUri: uri }),
          region,
        },
        { parent },
      );
    } else {
      throw new Error(`unreachable: validate.ts refuses ${route.integration.type} integrations on the HTTP kind`);
    }
    integrations.set(route.key, integration);
    const auth = route.auth;
    routes.set(
      route.key,
      new aws.apigatewayv2.Route(
        `${name}-route-${slug}`,
        {
          apiId: api.id,
          routeKey: `${route.method} ${route.fullPath}`,
          target: pulumi.interpolate`integrations/${integration.id}`,
          authorizationType: auth.type === "none" ? "NONE" : auth.type === "iam" ? "AWS_IAM" : "JWT",
          authorizerId: auth.type === "authorizer" ? authorizerIds.get(auth.authorizer) : undefined,
          authorizationScopes: auth.type === "authorizer" && auth.scopes.length > 0 ? auth.scopes : undefined,
          region,
        },
        { parent },
      ),
    );
  }

  const stages = new Map<string, aws.apigatewayv2.Stage>();
  for (const stageSpec of spec.stages) {
    stages.set(
      stageSpec.name,
      new aws.apigatewayv2.Stage(
        `${name}-stage-${stageSpec.name}`,
        {
          apiId: api.id,
          name: stageSpec.name,
          // Every route change deploys itself: no deployment resource to order.
          autoDeploy: true,
          stageVariables: stageSpec.variables,
          accessLogSettings: { destinationArn: accessLogs.arn, format: HTTP_ACCESS_LOG_FORMAT },
          defaultRouteSettings: { throttlingRateLimit: stageSpec.throttle.rateLimit, throttlingBurstLimit: stageSpec.throttle.burstLimit, detailedMetricsEnabled: true },
          region,
        },
        { parent, dependsOn: [...routes.values()] },
      ),
    );
  }

  let domainName: aws.apigatewayv2.DomainName | undefined;
  if (spec.domain) {
    domainName = new aws.apigatewayv2.DomainName(
      `${name}-domain`,
      {
        domainName: spec.domain.name,
        // Dualstack as the REST domain (domain.ts): an HTTP API's custom domain is IPv4-only by default too
        // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-custom-domain-names-ip-address-type.html,
        // "The default IP address type for API Gateway custom domain names is IPv4"). terraform-provider-aws's
        // apigatewayv2/domain_name.go has ip_address_type Optional+Computed without ForceNew and updates it with
        // UpdateDomainName, so changing it keeps the domain.
        domainNameConfiguration: {
          certificateArn: regionalCertificate("ServerlessApi", name, spec.domain, regionOf(region, parent)),
          endpointType: "REGIONAL",
          securityPolicy: "TLS_1_2",
          ipAddressType: spec.domain.ipAddressType,
        },
        region,
      },
      { parent },
    );
    new aws.apigatewayv2.ApiMapping(
      `${name}-mapping`,
      { apiId: api.id, domainName: domainName.id, stage: stages.get(spec.domain.stage)!.id, apiMappingKey: spec.domain.basePath || undefined, region },
      { parent },
    );
  }
  return { api, routes, integrations, authorizers, stages, functions, accessLogs, domainName };
}
