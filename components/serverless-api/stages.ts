/**
 * Deployments, stages and function aliases: a new deployment whenever a part
 * of the API changes (snapshot.ts), a stage per environment with stage variables, JSON access logs,
 * execution logging, X-Ray and throttling, an alias per function and stage (the stage
 * variable `alias` names it), and canary releases.
 *
 * Canary, and how to promote it (all in stack config; docs/api-gateway-deployments.md walks each `up`):
 * 1. Ship the new code with `canary: { percentTraffic: 10 }` on the stage, API changes included. The stage's own
 *    alias and deployment (`<name>-deployment`) stay where they were (ignoreChanges while the canary runs); the
 *    canary gets `<name>-canary-deployment`, a snapshot of the API as the program now has it, and the
 *    `<stage>-canary` alias on the new version. Stages without a canary follow the canary's deployment.
 * 2. Promote: remove the canary. The next `pulumi up` moves the stage alias to the new version and, when the API
 *    changed during the canary, the stage to a new `<name>-deployment` (otherwise it stays on the one it serves), and
 *    deletes the canary alias and deployment. Remove routes only after promotion: until then the frozen
 *    `<name>-deployment` still sends the base traffic to them.
 *    Roll back: set percentTraffic to 0 (nobody reaches the canary), then fix forward.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy } from "../iam";
import type { LambdaFunction } from "../lambda/function";
import type { ApiSnapshot } from "./snapshot";
import type { RouteSpec, ServerlessApiSpec, StageSpec } from "./spec";

/** Access log fields (JSON, one object per request). */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  caller: "$context.identity.caller",
  user: "$context.authorizer.principalId",
  sub: "$context.authorizer.claims.sub",
  apiKeyId: "$context.identity.apiKeyId",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationLatencyMs: "$context.integration.latency",
  integrationStatus: "$context.integration.status",
  stage: "$context.stage",
  canary: "$context.isCanaryRequest",
  error: "$context.error.message",
  authorizeError: "$context.authorize.error",
  xrayTraceId: "$context.xrayTraceId",
});

/**
 * The logical names of the resources made for each stage (REST kind). Each joins the API's or a route function's resource
 * name and the stage's name with "-", which stage and route names may hold too, so two stages can meet in one name;
 * validate.ts builds the same names to refuse that, as Pulumi refuses a second resource of one type and name under one
 * parent. A stage's Stage and MethodSettings (`<api>-stage-<stage>`, `<api>-settings-<stage>`) are the only ones of their
 * type, one per stage, so distinct stages cannot meet there. Never change a name: deployed stacks know their resources
 * by these (their URNs).
 */
export const stageResourceNames = {
  /** A stage's execution log group. */
  executionLogs: (apiName: string, stage: string) => `${apiName}-execution-logs-${stage}`,
  /** The execution log group of a stage's canary. */
  canaryExecutionLogs: (apiName: string, stage: string) => `${apiName}-execution-logs-${stage}-canary`,
  /** A route function's alias for a stage, or for the stage's canary. */
  alias: (functionName: string, stage: string, canary: boolean) => `${functionName}-${stage}${canary ? "-canary" : ""}`,
  /** The permission to invoke that alias: the alias's name and "-invoke", so it meets another exactly where the alias does. */
  aliasPermission: (functionName: string, stage: string, canary: boolean) => `${stageResourceNames.alias(functionName, stage, canary)}-invoke`,
};

export interface StageResources {
  /**
   * The deployment the stages serve when no canary runs. While one runs, only the stage(s) with a canary serve it (the
   * base traffic), frozen on its snapshot (see `createDeployments`); the other stages serve `canaryDeployment`.
   */
  deployment: aws.apigateway.Deployment;
  /** While a stage runs a canary, the snapshot of the API as the program has it, which the canary serves, and so does every stage without a canary. */
  canaryDeployment?: aws.apigateway.Deployment;
  stages: Map<string, aws.apigateway.Stage>;
  accessLogs: aws.cloudwatch.LogGroup;
  /** Each stage's execution log group, by stage name (see `executionLogGroupName`). */
  executionLogs: Map<string, aws.cloudwatch.LogGroup>;
  /** The canary's execution log group of each stage with a canary, by stage name (see `canaryExecutionLogGroupName`). */
  canaryExecutionLogs: Map<string, aws.cloudwatch.LogGroup>;
  /** The canary's access log group while any stage has a canary (see `canaryAccessLogGroupName`). */
  canaryAccessLogs?: aws.cloudwatch.LogGroup;
  account?: aws.apigateway.Account;
  aliases: aws.lambda.Alias[];
  permissions: aws.lambda.Permission[];
}

export function createStages(
  name: string,
  spec: ServerlessApiSpec,
  api: aws.apigateway.RestApi,
  functions: Map<string, LambdaFunction>,
  snapshot: ApiSnapshot,
  parent: pulumi.Resource,
  /** The component's own dependsOn (e.g. another API's account setting), which Pulumi does not pass to its children. */
  after: pulumi.Input<pulumi.Resource>[] = [],
): StageResources {
  const region = spec.region;
  const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays: spec.logRetentionDays, region }, { parent });
  const account = spec.accountCloudWatchRole ? createAccountLogging(name, spec, parent) : undefined;
  const canaryRunning = spec.stages.some((s) => s.canary);
  // While a canary runs, API Gateway writes its access logs to the access log group's name with "/Canary" appended,
  // and would create that group itself, with no retention, outside the stack (canary-release.html).
  const canaryAccessLogs = canaryRunning
    ? new aws.cloudwatch.LogGroup(`${name}-access-logs-canary`, { name: canaryAccessLogGroupName(accessLogs.name), retentionInDays: spec.logRetentionDays, region }, { parent })
    : undefined;

  const { deployment, canaryDeployment } = createDeployments(name, spec, api, snapshot, canaryRunning, parent);
  // What the API as the program has it is served by: the canary's deployment while a canary runs, else the one.
  const newest = canaryDeployment ?? deployment;

  const stages = new Map<string, aws.apigateway.Stage>();
  const executionLogs = new Map<string, aws.cloudwatch.LogGroup>();
  const canaryExecutionLogs = new Map<string, aws.cloudwatch.LogGroup>();
  for (const stageSpec of spec.stages) {
    // API Gateway would create this group itself on the first logged request, with no retention and outside
    // the stack (kept forever, left behind by destroy); created here first, it is ours and API Gateway writes to it.
    const executionLog = new aws.cloudwatch.LogGroup(
      stageResourceNames.executionLogs(name, stageSpec.name),
      { name: executionLogGroupName(api.id, stageSpec.name), retentionInDays: spec.logRetentionDays, region },
      { parent },
    );
    executionLogs.set(stageSpec.name, executionLog);
    // A canary's requests are logged to a second group as well, which API Gateway would likewise create itself and
    // keep forever. It goes when the canary does (promotion or removal): its requests are in the stage's group too.
    const canaryLog = stageSpec.canary
      ? new aws.cloudwatch.LogGroup(
          stageResourceNames.canaryExecutionLogs(name, stageSpec.name),
          { name: canaryExecutionLogGroupName(api.id, stageSpec.name), retentionInDays: spec.logRetentionDays, region },
          { parent },
        )
      : undefined;
    if (canaryLog) canaryExecutionLogs.set(stageSpec.name, canaryLog);
    const logging = [...after, ...(account ? [account] : []), executionLog, ...(canaryLog ? [canaryLog, canaryAccessLogs!] : [])];
    const stage = new aws.apigateway.Stage(
      `${name}-stage-${stageSpec.name}`,
      {
        restApi: api.id,
        stageName: stageSpec.name,
        // A stage running a canary keeps serving the frozen snapshot; every other stage serves the newest.
        deployment: stageSpec.canary ? deployment.id : newest.id,
        variables: stageSpec.variables,
        xrayTracingEnabled: spec.tracing,
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
        // The canary runs the newest snapshot (required by the provider's type); percentTraffic is
        // validated to 0–100 (validate.ts). https://docs.aws.amazon.com/apigateway/latest/api/API_CanarySettings.html
        canarySettings: stageSpec.canary && {
          deploymentId: newest.id,
          percentTraffic: stageSpec.canary.percentTraffic,
          stageVariableOverrides: stageSpec.canary.stageVariableOverrides,
          useStageCache: false,
        },
        region,
      },
      // Its deployment's id does not change while the canary runs (it is frozen); this also keeps a stage that an
      // earlier version left on an older deployment there until promotion.
      { parent, dependsOn: logging, ignoreChanges: stageSpec.canary ? ["deployment"] : [] },
    );
    new aws.apigateway.MethodSettings(
      `${name}-settings-${stageSpec.name}`,
      {
        restApi: api.id,
        stageName: stage.stageName,
        methodPath: "*/*",
        settings: {
          loggingLevel: spec.executionLogLevel,
          metricsEnabled: true,
          // Full request/response bodies in logs would leak users' data.
          dataTraceEnabled: false,
          throttlingRateLimit: stageSpec.throttle.rateLimit,
          throttlingBurstLimit: stageSpec.throttle.burstLimit,
        },
        region,
      },
      { parent, dependsOn: logging },
    );
    stages.set(stageSpec.name, stage);
  }

  const { aliases, permissions } = createAliases(name, spec, api, functions, parent);
  return { deployment, canaryDeployment, stages, accessLogs, canaryAccessLogs, executionLogs, canaryExecutionLogs, account, aliases, permissions };
}

/**
 * The deployments: `<name>-deployment`, after every part of the API and anew exactly when one of them changes
 * (snapshot.ts; function code and stage settings are not in it, they ship through versions, aliases and stages), and
 * while a canary runs, `<name>-canary-deployment` besides it.
 *
 * A stage running a canary must keep serving the snapshot it had, and API Gateway refuses to delete a deployment a
 * stage serves ("Active stages pointing to this deployment must be moved or deleted", pulumi/pulumi-aws#5711). So
 * `<name>-deployment` must not be replaced while the canary runs: `triggers` are ForceNew (terraform-provider-aws
 * internal/service/apigateway/deployment.go), a replacement is create-first, and the engine deletes the old copy at
 * the end of the update with the DEPLOYED `retainOnDelete` (pulumi pkg/resource/deploy/step.go `DeleteStep.Apply`:
 * `} else if s.old.RetainOnDelete {`), so neither the stage's `ignoreChanges` nor a `retainOnDelete` set in the same
 * update saves it. It ignores its triggers (and its description, an in-place patch that would misname the snapshot)
 * instead, and the API as the program has it goes to a second deployment for the canary, which later changes
 * replace with nothing serving the old copy (the stage's canary moves first). At promotion the freeze lifts:
 * `<name>-deployment` is replaced if the API changed, the stage moves to it and drops its canary in one UpdateStage,
 * and both old deployments, served by nothing, are deleted at the end.
 */
function createDeployments(
  name: string,
  spec: ServerlessApiSpec,
  api: aws.apigateway.RestApi,
  snapshot: ApiSnapshot,
  canaryRunning: boolean,
  parent: pulumi.Resource,
): { deployment: aws.apigateway.Deployment; canaryDeployment?: aws.apigateway.Deployment } {
  const snapshotTaken = snapshot.seal();
  const deploymentArgs = (label: string): aws.apigateway.DeploymentArgs => ({
    restApi: api.id,
    description: snapshotTaken.digest.apply((digest) => `${label} ${digest.slice(0, 12)}`),
    triggers: { snapshot: snapshotTaken.digest },
    region: spec.region,
  });
  const afterEveryPart = { parent, dependsOn: [...snapshotTaken.parts] };
  const deployment = new aws.apigateway.Deployment(`${name}-deployment`, deploymentArgs("snapshot"), {
    ...afterEveryPart,
    ignoreChanges: canaryRunning ? ["triggers", "description"] : [],
  });
  const canaryDeployment = canaryRunning ? new aws.apigateway.Deployment(`${name}-canary-deployment`, deploymentArgs("canary snapshot"), afterEveryPart) : undefined;
  return { deployment, canaryDeployment };
}

/**
 * The log group API Gateway writes a REST stage's execution logs to: "The log group is named
 * API-Gateway-Execution-Logs_{rest-api-id}/{stage_name}", and API Gateway manages the name (it cannot be chosen).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-execution-logging.html
 */
export function executionLogGroupName(restApiId: pulumi.Input<string>, stageName: string): pulumi.Output<string> {
  return pulumi.interpolate`API-Gateway-Execution-Logs_${restApiId}/${stageName}`;
}

/**
 * The group API Gateway writes a canary's access logs to: the stage's access log group's name with "/Canary"
 * appended, as the canary-release page describes it (not checked against an account).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html
 */
export function canaryAccessLogGroupName(accessLogGroupName: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`${accessLogGroupName}/Canary`;
}

/**
 * The group API Gateway writes a stage's canary requests to: "the canary release execution log group is named
 * API-Gateway-Execution-Logs/{rest-api-id}/{stage-name}/Canary", i.e. the stage's group with `/Canary` appended.
 * That page writes the stage's own group with a "/" after "Execution-Logs" where the execution-logging page (and
 * `executionLogGroupName`) has "_"; the stage group's documented name is used as the base here.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html
 */
export function canaryExecutionLogGroupName(restApiId: pulumi.Input<string>, stageName: string): pulumi.Output<string> {
  return pulumi.interpolate`${executionLogGroupName(restApiId, stageName)}/Canary`;
}

/**
 * The AWS managed policy API Gateway documents for its CloudWatch Logs role: "The
 * AmazonAPIGatewayPushToCloudWatchLogs managed policy has all the required permissions."
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 */
const API_GATEWAY_PUSH_TO_CLOUDWATCH_LOGS = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs";

/** The account-wide CloudWatch role's logical name, which Pulumi autonames (`<this>-<7 hex>`) within IAM's 64 (validate.ts checks it). */
export function accountCloudWatchRoleName(apiName: string): string {
  return `${apiName}-cloudwatch-role`;
}

/**
 * API Gateway writes every REST API's execution and access logs in this account and region with
 * the one role set on `aws.apigateway.Account`.
 *
 * Least privilege versus "any stage": the role serves APIs this stack does not know about (other
 * stacks, other tools), whose execution log groups (`API-Gateway-Execution-Logs_<api-id>/<stage>`)
 * and access log groups (any name) appear after this deploy. A policy naming only this API's log
 * groups would break every other API's logging the day this stack owns the setting. So the role
 * gets AWS's managed policy, which is broader than writing (it also reads log events, on `*`) but
 * is the documented one and follows API Gateway's needs; only apigateway.amazonaws.com can assume
 * the role, and it has nothing else.
 *
 * Retained on delete, with its role and policy: terraform-provider-aws v6 (under @pulumi/aws v7)
 * resets the setting when the resource is deleted, and `reset_on_delete` is gone
 * (https://github.com/hashicorp/terraform-provider-aws/pull/42226); a destroy would turn off every
 * other API's stage logging in the region and fail their next update.
 */
function createAccountLogging(name: string, spec: ServerlessApiSpec, parent: pulumi.Resource): aws.apigateway.Account {
  const retained = { parent, retainOnDelete: true };
  const role = new aws.iam.Role(accountCloudWatchRoleName(name), { assumeRolePolicy: assumeRolePolicy(["apigateway.amazonaws.com"]) }, retained);
  const policy = new aws.iam.RolePolicyAttachment(`${name}-cloudwatch-policy`, { role: role.name, policyArn: API_GATEWAY_PUSH_TO_CLOUDWATCH_LOGS }, retained);
  return new aws.apigateway.Account(`${name}-account`, { cloudwatchRoleArn: role.arn, region: spec.region }, { ...retained, dependsOn: [policy] });
}

/**
 * API Gateway's refusal of logging before the account's CloudWatch Logs role is set (sst/ion#373 quotes it for a
 * WebSocket stage; the deploy rule ApiStageLoggingAfterAccount and RealtimeApi's warning quote it too).
 */
export const ACCOUNT_ROLE_REFUSAL = "CloudWatch Logs role ARN must be set in account settings to enable logging";

/** A component's `dependsOn` option as a list (one resource, a list, or nothing); an Output stays one element. */
export function dependsOnList(opts: pulumi.ResourceOptions | undefined): pulumi.Input<pulumi.Resource>[] {
  const dependsOn = opts?.dependsOn;
  if (dependsOn === undefined) return [];
  return Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}

/**
 * Whether `after` may order a stage after the account's CloudWatch Logs role setting: an aws.apigateway.Account; a
 * component that owns one (a ServerlessApi with accountCloudWatchRole: true, its `nodes.account` set: Pulumi waits for
 * a component's children when a resource depends on the component); or an Output, which cannot be read here.
 */
function mayOrderAfterAccount(after: pulumi.Input<pulumi.Resource>[]): boolean {
  return after.some((r) => {
    if (pulumi.Output.isInstance(r) || r instanceof Promise) return true;
    if (aws.apigateway.Account.isInstance(r)) return true;
    const account = (r as { nodes?: { account?: unknown } }).nodes?.account;
    return account !== undefined && aws.apigateway.Account.isInstance(account);
  });
}

/**
 * Without the account's CloudWatch role, API Gateway refuses stages with access logging and method
 * settings with a logging level ("CloudWatch Logs role ARN must be set in account settings to enable
 * logging"), at deploy time. The program cannot read the account setting (the provider has no data
 * source for it), so when the user has not said who owns it (`accountCloudWatchRole` unset) and the
 * component's dependsOn orders it after no such setting (mayOrderAfterAccount), the component says what must
 * be true before `pulumi up`. An explicit `false` means "owned elsewhere". One warning for ServerlessApi and
 * RealtimeApi; `logs` names what the stages log.
 */
export function warnAccountRoleUndecided(
  component: "ServerlessApi" | "RealtimeApi",
  name: string,
  region: string | undefined,
  logs: string,
  accountCloudWatchRole: boolean | undefined,
  after: pulumi.Input<pulumi.Resource>[],
  parent: pulumi.Resource,
): void {
  if (accountCloudWatchRole !== undefined || mayOrderAfterAccount(after)) return;
  void pulumi.log.warn(
    `${component} "${name}": ${logs}, which API Gateway refuses with "${ACCOUNT_ROLE_REFUSAL}" until API Gateway's account-wide CloudWatch Logs ` +
      `role is set in ${region ?? "the provider's region"}; accountCloudWatchRole is unset and this ${component} is ordered after no such setting. ` +
      `Let exactly one stack per account and region own it (a ServerlessApi with accountCloudWatchRole: true) and order the others after that API ` +
      `({ dependsOn: [api] } or { dependsOn: [api.nodes.account] }); when another stack or a one-off setup has set it, pass accountCloudWatchRole: false to say so: docs/api-gateway-account.md.`,
    parent,
  );
}

/** `/api/albums/{albumId}` → `api/albums/*` (execute-api ARNs carry actual path values). */
export function sourceArnPath(route: RouteSpec): string {
  const method = route.method === "ANY" ? "*" : route.method;
  const path = route.fullPath.replace(/\{[^}]+\}/g, "*").replace(/^\//, "");
  return `${method}/${path}`;
}

function createAliases(name: string, spec: ServerlessApiSpec, api: aws.apigateway.RestApi, functions: Map<string, LambdaFunction>, parent: pulumi.Resource) {
  const aliases: aws.lambda.Alias[] = [];
  const permissions: aws.lambda.Permission[] = [];
  for (const route of spec.routes) {
    if (route.integration.type !== "lambda") continue;
    const functionName = route.integration.functionName;
    const fn = functions.get(functionName)!;
    for (const stage of spec.stages) {
      const targets: Array<{ alias: string; canary: boolean; frozen: boolean }> = [{ alias: stage.name, canary: false, frozen: Boolean(stage.canary) }];
      if (stage.canary) targets.push({ alias: stage.canary.alias, canary: true, frozen: false });
      for (const target of targets) {
        const alias = new aws.lambda.Alias(
          stageResourceNames.alias(functionName, stage.name, target.canary),
          {
            functionName: fn.functionName,
            functionVersion: fn.version,
            name: target.alias,
            description: target.canary ? `canary of stage ${stage.name}` : `stage ${stage.name}`,
            region: spec.region,
          },
          // A running canary freezes the stage's own alias on the version it had (see the file comment).
          { parent, ignoreChanges: target.frozen ? ["functionVersion"] : [] },
        );
        aliases.push(alias);
        permissions.push(aliasPermission(stageResourceNames.aliasPermission(functionName, stage.name, target.canary), spec, api, route, stage, fn, alias, parent));
      }
    }
  }
  return { aliases, permissions };
}


function aliasPermission(
  resourceName: string,
  spec: ServerlessApiSpec,
  api: aws.apigateway.RestApi,
  route: RouteSpec,
  stage: StageSpec,
  fn: LambdaFunction,
  alias: aws.lambda.Alias,
  parent: pulumi.Resource,
): aws.lambda.Permission {
  return new aws.lambda.Permission(
    resourceName,
    {
      action: "lambda:InvokeFunction",
      function: fn.functionName,
      qualifier: alias.name,
      principal: "apigateway.amazonaws.com",
      // Only this API, this stage, this method and path may invoke this alias.
      sourceArn: pulumi.interpolate`${api.executionArn}/${stage.name}/${sourceArnPath(route)}`,
      region: spec.region,
    },
    { parent },
  );
}
