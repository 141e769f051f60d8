import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argFailer } from "../errors";
import { grantStatement, type PolicyStatement } from "../iam";
import type { LambdaFunction } from "../lambda/function";
import { regionOf, regionWhereCreated } from "../region";
import { regionalCertificate } from "../regional-domain";
import { apiFunction, apiFunctionArguments } from "../serverless-api/api-function";
import { inputsDigest, withoutPropertyDependencies } from "../serverless-api/snapshot";
import { registerSpec } from "../spec-registry";
import { CONNECTIONS_TABLE, REALTIME_ENVIRONMENT } from "./schema";
import { normalise, routeSlug, validateArgs, type RealtimeApiArgs, type RealtimeApiSpec, type RealtimeRouteSpec } from "./spec";
import { dependsOnList, warnAccountRoleUndecided } from "../serverless-api/stages";

export type { RealtimeApiArgs, RealtimeApiSpec, RealtimeAuthorizer, RealtimeRoute, RealtimeRouteSpec } from "./spec";
export { PREDEFINED_ROUTE_KEYS } from "./spec";
export { CONNECTIONS_TABLE, MAX_CONNECTION_SECONDS, REALTIME_ENVIRONMENT, connectionsTableArgs } from "./schema";

/** Access log fields of a WebSocket stage (JSON, one object per connect, message and disconnect). https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html */
export const REALTIME_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  user: "$context.authorizer.principalId",
  connectionId: "$context.connectionId",
  eventType: "$context.eventType",
  routeKey: "$context.routeKey",
  requestTime: "$context.requestTime",
  status: "$context.status",
  integrationStatus: "$context.integration.status",
  integrationLatencyMs: "$context.integration.latency",
  error: "$context.error.message",
  authorizeError: "$context.authorizer.error",
  stage: "$context.stage",
});

/**
 * A WebSocket API on API Gateway (v2): API Gateway keeps the connections (Lambda is
 * ephemeral), each route key runs a LambdaFunction, a Lambda REQUEST authorizer guards `$connect`
 * (the browser sends the UserAuth id token in the query string, since it cannot set headers on
 * the upgrade), and handlers post to connections with `Connections` (./connections.ts), which
 * forgets connections API Gateway reports gone. Its own component rather than a `kind` of
 * ServerlessApi: it shares no route table, methods, stages-with-aliases, usage plans or canaries
 * with REST, and carries a connections table and a posting grant REST has no use for.
 *
 * @example
 * const data = new DataTier("data", { tables: { connections: connectionsTableArgs() } });
 * const live = new RealtimeApi("live", {
 *   connectionsTable: data.tables.connections,
 *   authorizer: { handler: "handlers/realtime/authorizer.ts", function: auth.authorizerFunction() },
 *   routes: {
 *     $connect: { handler: "handlers/realtime/connections.ts", export: "connect", function: { permissions: data.tables.connections.grants.write(["dynamodb:PutItem"]) } },
 *     $disconnect: { handler: "handlers/realtime/connections.ts", export: "disconnect", function: { permissions: data.tables.connections.grants.write(["dynamodb:DeleteItem"]) } },
 *     $default: { handler: "handlers/realtime/connections.ts", export: "message", postsToConnections: true },
 *   },
 * });
 * new LambdaFunction("notifier", { entry: "…", environment: live.publisherEnvironment(), permissions: live.publisherPermissions() });
 */
export class RealtimeApi extends pulumi.ComponentResource {
  readonly spec: RealtimeApiSpec;
  readonly apiId: pulumi.Output<string>;
  /** `arn:aws:execute-api:<region>:<account>:<api-id>` */
  readonly executionArn: pulumi.Output<string>;
  /** What browsers connect to: `wss://<api-id>.execute-api.<region>.amazonaws.com/<stage>`, or `wss://<domain>` with a custom domain. */
  readonly url: pulumi.Output<string>;
  /** The stage's @connections endpoint for the management API: `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`. */
  readonly connectionsEndpoint: pulumi.Output<string>;
  /** The custom domain's regional target, for Route 53 alias records: A, and AAAA when `domain.ipAddressType` is `"dualstack"` (the default). */
  readonly customDomain?: { targetDomainName: pulumi.Output<string>; hostedZoneId: pulumi.Output<string> };
  readonly nodes: {
    readonly api: aws.apigatewayv2.Api;
    readonly routes: ReadonlyMap<string, aws.apigatewayv2.Route>;
    readonly integrations: ReadonlyMap<string, aws.apigatewayv2.Integration>;
    readonly authorizer?: aws.apigatewayv2.Authorizer;
    readonly deployment: aws.apigatewayv2.Deployment;
    readonly stage: aws.apigatewayv2.Stage;
    readonly accessLogs: aws.cloudwatch.LogGroup;
    readonly functions: ReadonlyMap<string, LambdaFunction>;
    readonly domainName?: aws.apigatewayv2.DomainName;
  };
  /** The name and inputs of every route, integration and authorizer: what the deployment snapshots, and redeploys for. */
  private readonly deployedInputs: pulumi.Output<unknown>[] = [];

  constructor(name: string, args: RealtimeApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:RealtimeApi", name, {}, opts);
    // The stack's region counts too: a certificate from another region fails CreateDomainName ("This certificate must be in the
    // same Region as your API", https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html),
    // so refuse it now rather than in regionalCertificate's apply, an error only the deployment would show.
    validateArgs(argFailer("RealtimeApi", name), name, args, regionWhereCreated(args.region, this, "aws:apigatewayv2/domainName:DomainName").region);
    this.spec = normalise(name, args);
    const spec = this.spec;
    const region = regionOf(spec.region, this);

    const api = new aws.apigatewayv2.Api(
      `${name}-api`,
      { protocolType: "WEBSOCKET", routeSelectionExpression: spec.routeSelectionExpression, description: `${name} (serverless-fullstack RealtimeApi)`, region: spec.region },
      { parent: this },
    );
    this.apiId = api.id;
    this.executionArn = api.executionArn;
    this.connectionsEndpoint = pulumi.interpolate`https://${api.id}.execute-api.${region}.amazonaws.com/${spec.stage}`;
    spec.apiId = api.id;

    const authorizer = spec.authorizer && this.createAuthorizer(name, api);
    const functions = new Map<string, LambdaFunction>(authorizer ? [[spec.authorizer!.functionName, authorizer.fn]] : []);
    const routes = new Map<string, aws.apigatewayv2.Route>();
    const integrations = new Map<string, aws.apigatewayv2.Integration>();
    for (const route of spec.routes) {
      const created = this.createRoute(name, api, route, route.key === "$connect" ? authorizer?.authorizer : undefined);
      functions.set(route.functionName, created.fn);
      routes.set(route.key, created.route);
      integrations.set(route.key, created.integration);
    }

    // The component's own dependsOn (e.g. the account's CloudWatch role setting: a stage that logs is refused
    // before it exists) also orders the stage: Pulumi does not pass a component's dependsOn to its children.
    const after = dependsOnList(opts);
    // The program cannot read the account setting (no data source); the same warning as ServerlessApi's.
    warnAccountRoleUndecided("RealtimeApi", name, spec.region, `its stage logs (access logs${spec.executionLogLevel === "OFF" ? "" : ` and ${spec.executionLogLevel} execution logs`})`, args.accountCloudWatchRole, after, this);
    const { deployment, stage, accessLogs } = this.createStage(name, api, [...routes.values(), ...integrations.values(), ...(authorizer ? [authorizer.authorizer] : [])], after);
    const domain = spec.domain && this.createDomain(name, api, stage, region);
    this.url = domain ? pulumi.output(`wss://${spec.domain!.name}`) : pulumi.interpolate`${api.apiEndpoint}/${spec.stage}`;
    this.customDomain = domain && {
      targetDomainName: domain.domainNameConfiguration.apply((c) => c.targetDomainName!),
      hostedZoneId: domain.domainNameConfiguration.apply((c) => c.hostedZoneId!),
    };

    for (const [fnName, fn] of functions) spec.functions[fnName] = fn.spec;
    this.nodes = { api, routes, integrations, authorizer: authorizer?.authorizer, deployment, stage, accessLogs, functions, domainName: domain };
    registerSpec("RealtimeApi", name, spec);
    this.registerOutputs({ apiId: this.apiId, url: this.url, connectionsEndpoint: this.connectionsEndpoint });
  }

  /**
   * Exactly what posting to this API's connections needs: `execute-api:ManageConnections` on the stage's
   * `POST/@connections/*` (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-control-access-iam.html).
   */
  manageConnectionsGrant(): PolicyStatement[] {
    // A grant's Sid, numbered when two APIs' grants meet in one policy rather than refused as a user's (grantStatement).
    return [grantStatement({ sid: "RealtimePostToConnections", actions: ["execute-api:ManageConnections"], resources: [pulumi.interpolate`${this.executionArn}/${this.spec.stage}/POST/@connections/*`] })];
  }

  /** For a function outside the API that pushes to users (`Connections.postToUser`): the table and endpoint variables. */
  publisherEnvironment(): Record<string, pulumi.Input<string>> {
    return { [REALTIME_ENVIRONMENT.tableName]: this.spec.connectionsTable.name, [REALTIME_ENVIRONMENT.endpoint]: this.connectionsEndpoint };
  }

  /** What `Connections.postToUser` needs: Query on the `byUser` index, DeleteItem of gone connections, and posting. */
  publisherPermissions(): PolicyStatement[] {
    const table = this.spec.connectionsTable.arn;
    return [
      grantStatement({ sid: "RealtimeConnectionsByUser", actions: ["dynamodb:Query"], resources: [pulumi.interpolate`${table}/index/${CONNECTIONS_TABLE.userIndex}`] }),
      grantStatement({ sid: "RealtimeForgetGone", actions: ["dynamodb:DeleteItem"], resources: [table] }),
      ...this.manageConnectionsGrant(),
    ];
  }

  /**
   * A route's (or the authorizer's) LambdaFunction, with the table and endpoint variables (publisherEnvironment) and
   * `extra` permissions. Its refusals are this component's, under the argument the user wrote (apiFunctionArguments):
   * the functions take the API's logRetentionDays and region. Their names are checked by validateArgs with
   * LambdaFunction's own rules (functionResources), so a `name` refusal does not reach here; were one to, a route's
   * would be its key's, the authorizer's the API's name's.
   */
  private routeFunction(route: Pick<RealtimeRouteSpec, "functionName" | "entry" | "export" | "function">, extra: PolicyStatement[], where: string): LambdaFunction {
    const owner = apiFunctionArguments({ component: "RealtimeApi", apiName: this.spec.name, logRetentionDays: "logRetentionDays" }, where, where === "authorizer" ? { name: "name" } : {});
    const settings = {
      ...route.function,
      environment: { ...this.publisherEnvironment(), ...route.function.environment },
      permissions: [...route.function.permissions, ...extra],
      logRetentionDays: this.spec.logRetentionDays,
    };
    return apiFunction(owner, { functionName: route.functionName, entry: route.entry, export: route.export, settings }, { region: this.spec.region }, this);
  }

  private createAuthorizer(name: string, api: aws.apigatewayv2.Api) {
    const spec = this.spec.authorizer!;
    const fn = this.routeFunction(spec, [], "authorizer");
    // WebSocket authorizers are REQUEST only; payload format, caching and simple responses are HTTP-API-only settings.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
    const authorizer = this.deployedPart(aws.apigatewayv2.Authorizer, `${name}-authorizer`, {
      apiId: api.id,
      name: `${name}-connect`,
      authorizerType: "REQUEST",
      authorizerUri: fn.invokeArn,
      identitySources: spec.identitySources,
      region: this.spec.region,
    });
    new aws.lambda.Permission(
      `${name}-authorizer-invoke`,
      { action: "lambda:InvokeFunction", function: fn.functionName, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/${authorizer.id}`, region: this.spec.region },
      { parent: this },
    );
    return { fn, authorizer };
  }

  private createRoute(name: string, api: aws.apigatewayv2.Api, route: RealtimeRouteSpec, authorizer: aws.apigatewayv2.Authorizer | undefined) {
    const slug = routeSlug(route.key);
    const fn = this.routeFunction(route, route.postsToConnections ? this.manageConnectionsGrant() : [], `routes["${route.key}"]`);
    if (route.postsToConnections && route.function.vpc && !route.function.vpc.internetEgress) {
      // A VPC the component did not make is invisible to the plan (deploy rule LambdaVpcServiceReach judges the subnets a
      // plan creates): say what PostToConnection needs where the route is declared, unless the user says it has it.
      void pulumi.log.warn(
        `RealtimeApi "${this.spec.name}": routes["${route.key}"] posts to connections from a VPC. PostToConnection reaches this public WebSocket API only through a NAT gateway: an execute-api interface endpoint does not serve public APIs, and with private DNS on it answers the API's name with 403 (docs/realtime.md). If the subnets do route to a NAT gateway, set vpc.internetEgress: true.`,
        this,
      );
    }
    // Lambda proxy; WebSocket APIs take payload format 1.0 only (2.0 is HTTP APIs'). https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
    const integration = this.deployedPart(aws.apigatewayv2.Integration, `${name}-integration-${slug}`, {
      apiId: api.id,
      integrationType: "AWS_PROXY",
      integrationMethod: "POST",
      integrationUri: fn.invokeArn,
      region: this.spec.region,
    });
    const created = this.deployedPart(aws.apigatewayv2.Route, `${name}-route-${slug}`, {
      apiId: api.id,
      routeKey: route.key,
      target: pulumi.interpolate`integrations/${integration.id}`,
      authorizationType: authorizer ? "CUSTOM" : "NONE",
      authorizerId: authorizer?.id,
      region: this.spec.region,
    });
    new aws.lambda.Permission(
      `${name}-${slug}-invoke`,
      // Only this API's stage, on this route key: arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<route-key>.
      { action: "lambda:InvokeFunction", function: fn.functionName, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${api.executionArn}/${this.spec.stage}/${route.key}`, region: this.spec.region },
      { parent: this },
    );
    return { fn, integration, route: created };
  }

  /**
   * A route, integration or authorizer: a part of what a deployment snapshots. Its resolved inputs go into the
   * deployment's trigger, so replacing or changing it (a new integration id in a route's target, a new invoke ARN)
   * redeploys: "every time you update an API, you must redeploy it".
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-set-up-websocket-deployment.html
   */
  private deployedPart<A extends object, R extends pulumi.CustomResource>(Type: new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => R, name: string, args: A): R {
    const part = new Type(name, args, { parent: this });
    this.deployedInputs.push(pulumi.output({ name, args }));
    return part;
  }

  /**
   * A deployment after every route, integration and authorizer (CreateDeployment snapshots what exists,
   * and refuses an API with no routes), anew when any of them changes (`deployedPart`); the stage serves it with
   * JSON access logs and default route throttling.
   */
  private createStage(name: string, api: aws.apigatewayv2.Api, parts: pulumi.Resource[], after: pulumi.Input<pulumi.Resource>[]) {
    const spec = this.spec;
    // The access log group is the only one created here. Execution logs (`executionLogLevel` ERROR or INFO) go to a group
    // API Gateway creates itself ("API Gateway manages the CloudWatch Logs. The process includes creating log groups",
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html), which keeps its logs
    // forever and outlives destroy. ServerlessApi creates REST's first, with retention, because AWS names it
    // (`API-Gateway-Execution-Logs_{rest-api-id}/{stage_name}`, rest-api-execution-logging.html); for WebSocket APIs no
    // AWS page names it, and the names in circulation are copies of REST's text (knowledge-center api-gateway-logs,
    // written for REST and WebSocket alike, even has `API-Gateway-Execution-Logs/{rest-api-id}/…` with a "/") or access
    // log groups users named themselves (`/aws/apigateway/…`). A group of a wrong name stays empty; one of the right name
    // fails CreateLogGroup (ResourceAlreadyExistsException) on every deployed stack whose stage has logged, until imported.
    // So none is created until the name is confirmed against an account (docs/realtime.md, "Execution log groups are not
    // managed here"); the plan test "creates no log group named like one API Gateway manages" pins this.
    const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays: spec.logRetentionDays, region: spec.region }, { parent: this });
    // The trigger names no part as its source; `dependsOn: parts` alone orders the deployment after them. A part the
    // engine replaces delete-first would otherwise take the deployment with it, deleted first while the stage still
    // serves it, which API Gateway refuses (snapshot.ts withoutPropertyDependencies, pulumi step_generator.go
    // calculateDependentReplacements). The authorizer is such a part: `name` is its pulumi-aws autoname field, set here,
    // so the bridge replaces it delete-first (pulumi-terraform-bridge pkg/tfbridge/schema.go nameRequiresDeleteBeforeReplace;
    // api_id is its ForceNew input, terraform-provider-aws apigatewayv2/authorizer.go), on an API replacement or a
    // `--replace`; and a v2 deployment's `triggers` is ForceNew (apigatewayv2/deployment.go). pulumi-aws's own overrides
    // replace no apigatewayv2 part delete-first (provider/resource_overrides.go at 015d343812852f40a045a28e7f6e04bca69548f3).
    const snapshot = withoutPropertyDependencies(inputsDigest([pulumi.output({ selection: spec.routeSelectionExpression }), ...this.deployedInputs]));
    const deployment = new aws.apigatewayv2.Deployment(
      `${name}-deployment`,
      { apiId: api.id, description: `${name} routes`, triggers: { snapshot }, region: spec.region },
      { parent: this, dependsOn: parts },
    );
    const stage = new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: api.id,
        name: spec.stage,
        deploymentId: deployment.id,
        accessLogSettings: { destinationArn: accessLogs.arn, format: REALTIME_ACCESS_LOG_FORMAT },
        defaultRouteSettings: {
          throttlingRateLimit: spec.throttle.rateLimit,
          throttlingBurstLimit: spec.throttle.burstLimit,
          loggingLevel: spec.executionLogLevel,
          // Message bodies in logs would leak users' data.
          dataTraceEnabled: false,
          detailedMetricsEnabled: true,
        },
        region: spec.region,
      },
      { parent: this, dependsOn: after },
    );
    return { deployment, stage, accessLogs };
  }

  private createDomain(name: string, api: aws.apigatewayv2.Api, stage: aws.apigatewayv2.Stage, region: pulumi.Output<string>): aws.apigatewayv2.DomainName {
    const domain = new aws.apigatewayv2.DomainName(
      `${name}-domain`,
      {
        domainName: this.spec.domain!.name,
        domainNameConfiguration: {
          certificateArn: regionalCertificate("RealtimeApi", name, this.spec.domain!, region),
          endpointType: "REGIONAL",
          securityPolicy: "TLS_1_2",
          // Dualstack as ServerlessApi's domains: a WebSocket API's custom domain is IPv4-only by default too, and takes
          // "dualstack to allow both IPv4 and IPv6 addresses to invoke your domain" (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-custom-domain-names-ip-address-type.html,
          // "The default IP address type for API Gateway custom domain names is IPv4"). The API itself stays IPv4:
          // "Your API can be mapped to a custom domain name with a different IP address type than your API"
          // (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-ip-address-type.html).
          // terraform-provider-aws's apigatewayv2/domain_name.go has ip_address_type Optional+Computed without
          // ForceNew and updates it with UpdateDomainName, so changing it keeps the domain.
          ipAddressType: this.spec.domain!.ipAddressType,
        },
        region: this.spec.region,
      },
      { parent: this },
    );
    new aws.apigatewayv2.ApiMapping(`${name}-mapping`, { apiId: api.id, domainName: domain.id, stage: stage.id, region: this.spec.region }, { parent: this });
    return domain;
  }
}
