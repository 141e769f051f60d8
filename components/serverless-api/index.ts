import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { regionOf, regionWhereCreated } from "../region";
import { argFailer } from "../errors";
import type { LambdaFunction } from "../lambda/function";
import { registerSpec } from "../spec-registry";
import { createAuthorizers } from "./authorizers";
import { createDomain } from "./domain";
import { createHttpApi, type HttpApiResources } from "./http-api";
import { createResourcePolicy } from "./policy";
import { apiQuotaWarnings } from "./quotas";
import { createRestApi, createRoutes } from "./routes";
import { ApiSnapshot } from "./snapshot";
import { ApiKind, normalise, validateArgs, type ServerlessApiArgs, type ServerlessApiSpec } from "./spec";
import { createStages, dependsOnList, warnAccountRoleUndecided } from "./stages";
import { createUsagePlans } from "./usage-plans";
import { integrationTimeoutQuotaWarnings } from "./validate";
import { canaryVpcLinkWarning } from "./vpc-link";

export type {
  ApiAuthorizer,
  ApiCanary,
  ApiCors,
  ApiDomain,
  ApiDomainIpAddressType,
  ApiFunctionArgs,
  ApiResourcePolicy,
  ApiRoute,
  ApiRouteAuth,
  ApiStage,
  ApiThrottle,
  ApiUsagePlan,
  AwsServiceIntegration,
  HttpApiVpcLink,
  HttpIntegration,
  MockIntegration,
  RestVpcLink,
  ServerlessApiArgs,
  ServerlessApiSpec,
} from "./spec";
export { ACCESS_LOG_FORMAT } from "./stages";
export { API_BUNDLE_EXTERNALS, ApiKind } from "./args";
export { HTTP_ACCESS_LOG_FORMAT } from "./http-api";
export type { HttpApiResources } from "./http-api";

/**
 * A REST API on API Gateway (v1) whose routes are data: each Lambda
 * route is its own function with its own least-privilege role, published versions and
 * an alias per stage that the stage picks with `${stageVariables.alias}`; mock, HTTP and
 * AWS-service integrations; Cognito, Lambda and IAM authorisation per route; usage
 * plans with API keys; canary releases from config; JSON access logs, execution
 * logging, X-Ray, throttling and request validation on every stage.
 *
 * @example
 * const api = new ServerlessApi("api", {
 *   basePath: "api",
 *   stages: { prod: { canary: { percentTraffic: 10 } } },
 *   authorizers: { cognito: { type: "cognito", userPoolArns: [auth.userPoolArn] } },
 *   defaultAuth: { authorizer: "cognito" },
 *   functionDefaults: { environment: { TABLE_NAME: data.tableName("gallery") } },
 *   routes: {
 *     "GET /health": { handler: "handlers/api/health.ts", auth: "none" },
 *     "GET /albums": { handler: "handlers/api/albums.ts", export: "list", function: { permissions: [readAlbums] } },
 *   },
 * });
 * new StaticSite("site", { path: "site", routes: [api.siteRoute("prod")] });
 */
export class ServerlessApi extends pulumi.ComponentResource {
  readonly spec: ServerlessApiSpec;
  /** The API's id: the REST API's, or with `kind: ApiKind.Http` the HTTP API's. */
  readonly restApiId: pulumi.Output<string>;
  readonly executionArn: pulumi.Output<string>;
  /** Host name of the execute-api endpoint, e.g. `abc123.execute-api.us-east-1.amazonaws.com` (a CloudFront origin). */
  readonly domainName: pulumi.Output<string>;
  /** Invoke URL per stage. */
  readonly urls: pulumi.Output<Record<string, string>>;
  /** Invoke URL of the first stage. */
  readonly url: pulumi.Output<string>;
  /** API key values by key name (secret). */
  readonly apiKeys: pulumi.Output<Record<string, string>>;
  /** The custom domain's regional target, for a Route 53 alias record. */
  readonly customDomain?: { regionalDomainName: pulumi.Output<string>; regionalZoneId: pulumi.Output<string> };
  /** The underlying resources, for users who need to extend them (REST ones are absent on the HTTP kind, which has `http`). */
  readonly nodes: {
    readonly restApi?: aws.apigateway.RestApi;
    /**
     * The deployment the stages serve when no canary runs (REST kind). While one runs, only the stage(s) with a canary
     * serve it, frozen on the snapshot they had; every other stage serves `canaryDeployment`.
     */
    readonly deployment?: aws.apigateway.Deployment;
    /** While a stage runs a canary, the deployment of the API as the program has it: the canary's, and every other stage's. */
    readonly canaryDeployment?: aws.apigateway.Deployment;
    readonly stages: ReadonlyMap<string, aws.apigateway.Stage>;
    readonly functions: ReadonlyMap<string, LambdaFunction>;
    readonly authorizers: readonly aws.apigateway.Authorizer[];
    readonly aliases: readonly aws.lambda.Alias[];
    readonly accessLogs: aws.cloudwatch.LogGroup;
    /** Each REST stage's execution log group (`API-Gateway-Execution-Logs_<api-id>/<stage>`), by stage name; empty on the HTTP kind. */
    readonly executionLogs: ReadonlyMap<string, aws.cloudwatch.LogGroup>;
    /** The canary's execution log group (`API-Gateway-Execution-Logs_<api-id>/<stage>/Canary`) of each REST stage with a canary, by stage name. */
    readonly canaryExecutionLogs: ReadonlyMap<string, aws.cloudwatch.LogGroup>;
    /** The canary's access log group (`<access log group>/Canary`) while a stage has a canary (REST kind). */
    readonly canaryAccessLogs?: aws.cloudwatch.LogGroup;
    readonly usagePlans: readonly aws.apigateway.UsagePlan[];
    readonly domainName?: aws.apigateway.DomainName;
    /**
     * The account-wide CloudWatch Logs role setting, when this API owns it (`accountCloudWatchRole: true`):
     * other APIs of the stack whose stages log (e.g. a RealtimeApi) must be created after it (`dependsOn`).
     */
    readonly account?: aws.apigateway.Account;
    /** The HTTP kind's API, routes, integrations, JWT authorizers and auto-deploying stages. */
    readonly http?: HttpApiResources;
  };

  constructor(name: string, args: ServerlessApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:ServerlessApi", name, {}, opts);
    // The stack's region counts too: a certificate from another region fails CreateDomainName ("The certificate must be in
    // the same Region as your API"), so refuse it now, not in regionalCertificate's apply, which only the deployment shows.
    const apiRegion = regionWhereCreated(args.region, this, "aws:apigateway/domainName:DomainName").region;
    validateArgs(argFailer("ServerlessApi", name), name, args, apiRegion);
    this.spec = normalise(name, args);
    // Timeouts past API Gateway's default 29 s that the account's quota may allow: told, not refused.
    for (const warning of integrationTimeoutQuotaWarnings(name, args)) pulumi.log.warn(warning, this);
    // Authorizers, stages, REST resources and resource policy past API Gateway's default per-API quotas: told, not refused.
    for (const warning of apiQuotaWarnings(name, this.spec, apiRegion)) pulumi.log.warn(warning, this);
    if (this.spec.kind === ApiKind.Http) {
      const http = createHttpApi(name, this.spec, this);
      const region = regionOf(this.spec.region, this);
      for (const [fnName, fn] of http.functions) this.spec.functions[fnName] = fn.spec;
      this.nodes = { stages: new Map(), functions: http.functions, authorizers: [], aliases: [], accessLogs: http.accessLogs, executionLogs: new Map(), canaryExecutionLogs: new Map(), usagePlans: [], http };
      this.restApiId = http.api.id;
      this.executionArn = http.api.executionArn;
      this.domainName = pulumi.interpolate`${http.api.id}.execute-api.${region}.amazonaws.com`;
      this.urls = pulumi.all(Object.fromEntries(this.spec.stages.map((s) => [s.name, pulumi.interpolate`${http.api.apiEndpoint}/${s.name}`])));
      this.url = pulumi.interpolate`${http.api.apiEndpoint}/${this.spec.stages[0].name}`;
      this.apiKeys = pulumi.secret(pulumi.output<Record<string, string>>({}));
      this.customDomain = http.domainName && {
        regionalDomainName: http.domainName.domainNameConfiguration.apply((c) => c.targetDomainName!),
        regionalZoneId: http.domainName.domainNameConfiguration.apply((c) => c.hostedZoneId!),
      };
      registerSpec("ServerlessApi", name, this.spec);
      this.registerOutputs({ restApiId: this.restApiId, domainName: this.domainName, urls: this.urls });
      return;
    }

    const api = createRestApi(name, this.spec, this);
    // Every part of the API a deployment snapshots is created through this, before the deployment.
    const snapshot = new ApiSnapshot(api, this.spec.region, this, this.spec.endpointType);
    createResourcePolicy(name, this.spec, api, snapshot);
    const authorizers = createAuthorizers(name, this.spec, api, snapshot, this);
    const region = regionOf(this.spec.region, this);
    const routes = createRoutes(name, this.spec, api, snapshot, authorizers.ids, region, this);
    // The component's own dependsOn (e.g. the account setting another API of the stack owns: a stage that logs is
    // refused before it exists, deploy rule ApiStageLoggingAfterAccount) also orders the stages and their method settings.
    const after = dependsOnList(opts);
    const stages = createStages(name, this.spec, api, routes.functions, snapshot, this, after);
    warnAccountRoleUndecided("ServerlessApi", name, this.spec.region, `its stages log (access logs and ${this.spec.executionLogLevel} execution logs)`, args.accountCloudWatchRole, after, this);
    // A route's NLB changed while a canary runs would fail the update at the end: told, not refused (the state is not visible here).
    const linkWarning = canaryVpcLinkWarning(name, this.spec);
    if (linkWarning) pulumi.log.warn(linkWarning, this);
    const plans = createUsagePlans(name, this.spec, api, stages.stages, this);
    const domain = createDomain(name, this.spec, api, stages.stages, region, this);

    const functions = new Map([...routes.functions, ...authorizers.functions]);
    for (const [fnName, fn] of functions) this.spec.functions[fnName] = fn.spec;
    this.nodes = {
      restApi: api,
      deployment: stages.deployment,
      canaryDeployment: stages.canaryDeployment,
      stages: stages.stages,
      functions,
      authorizers: authorizers.authorizers,
      aliases: stages.aliases,
      accessLogs: stages.accessLogs,
      executionLogs: stages.executionLogs,
      canaryExecutionLogs: stages.canaryExecutionLogs,
      canaryAccessLogs: stages.canaryAccessLogs,
      usagePlans: plans.plans,
      domainName: domain?.domainName,
      account: stages.account,
    };
    this.restApiId = api.id;
    this.executionArn = api.executionArn;
    this.domainName = pulumi.interpolate`${api.id}.execute-api.${region}.amazonaws.com`;
    this.urls = pulumi.all(Object.fromEntries([...stages.stages].map(([stageName, stage]) => [stageName, stage.invokeUrl])));
    this.url = stages.stages.values().next().value!.invokeUrl;
    this.apiKeys = pulumi.secret(pulumi.all(Object.fromEntries([...plans.keys].map(([keyName, key]) => [keyName, key.value]))));
    this.customDomain = domain && { regionalDomainName: domain.domainName.regionalDomainName, regionalZoneId: domain.domainName.regionalZoneId };
    registerSpec("ServerlessApi", name, this.spec);
    this.registerOutputs({ restApiId: this.restApiId, domainName: this.domainName, urls: this.urls });
  }

  /**
   * A StaticSite route sending `/<basePath>/*` to this API's stage through CloudFront,
   * so the browser talks to one origin. The origin id is the API's name (the local
   * front door finds the local API under it).
   */
  siteRoute(stage?: string): { pathPattern: string; originId: string; domainName: pulumi.Output<string>; originPath: string } {
    const fail = argFailer("ServerlessApi", this.spec.name);
    if (this.spec.endpointType === "PRIVATE") {
      // "A private API is a REST API that is only callable from within an Amazon VPC."
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html
      fail(
        "endpointType",
        "PRIVATE",
        "cannot back a StaticSite route (siteRoute()): a private API answers only through its VPC endpoints, and CloudFront reaches origins over the internet",
        'Use "REGIONAL" for the API the site serves under its path, or leave this API out of the site\'s routes and call it from inside the VPC.',
      );
    }
    const stageName = stage ?? this.spec.stages[0].name;
    if (!this.spec.stages.some((s) => s.name === stageName)) {
      fail("siteRoute(stage)", stageName, "is not a stage of this API", `Use one of ${this.spec.stages.map((s) => s.name).join(", ")}.`);
    }
    return {
      pathPattern: this.spec.basePath ? `/${this.spec.basePath}/*` : "/*",
      originId: this.spec.name,
      domainName: this.domainName,
      originPath: `/${stageName}`,
    };
  }
}
