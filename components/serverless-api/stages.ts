/**
 * Deployments, stages and function aliases (seed 001): a new deployment whenever a part
 * of the API changes (snapshot.ts), a stage per environment with stage variables, JSON access logs,
 * execution logging, X-Ray and throttling, an alias per function and stage (the stage
 * variable `alias` names it), and canary releases.
 *
 * Canary, and how to promote it (all in stack config):
 * 1. Ship the new code with `canary: { percentTraffic: 10 }` on the stage. The stage's own
 *    alias and deployment stay where they were (ignoreChanges while the canary runs); the
 *    canary gets the new deployment and the `<stage>-canary` alias on the new version.
 * 2. Promote: remove the canary. The next `pulumi up` moves the stage alias to the new
 *    version and the stage to the new deployment, and deletes the canary alias.
 *    Roll back: set percentTraffic to 0 (nobody reaches the canary), then fix forward.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson, assumeRolePolicy } from "../iam";
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

export interface StageResources {
  deployment: aws.apigateway.Deployment;
  stages: Map<string, aws.apigateway.Stage>;
  accessLogs: aws.cloudwatch.LogGroup;
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
  regionName: pulumi.Output<string>,
  parent: pulumi.Resource,
): StageResources {
  const region = spec.region;
  const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays: spec.logRetentionDays, region }, { parent });
  const account = spec.accountCloudWatchRole ? createAccountLogging(name, spec, accessLogs, regionName, parent) : undefined;
  const canaryRunning = spec.stages.some((s) => s.canary);

  // After every part of the API exists, and anew exactly when one of them changes (snapshot.ts):
  // function code and stage settings are not in it, they ship through versions, aliases and stages.
  const snapshotTaken = snapshot.seal();
  const deployment = new aws.apigateway.Deployment(
    `${name}-deployment`,
    {
      restApi: api.id,
      description: snapshotTaken.digest.apply((digest) => `snapshot ${digest.slice(0, 12)}`),
      triggers: { snapshot: snapshotTaken.digest },
      region,
    },
    // While a canary runs its stage still points at the previous deployment, which must outlive replacement.
    { parent, dependsOn: [...snapshotTaken.parts], retainOnDelete: canaryRunning },
  );

  const stages = new Map<string, aws.apigateway.Stage>();
  for (const stageSpec of spec.stages) {
    const stage = new aws.apigateway.Stage(
      `${name}-stage-${stageSpec.name}`,
      {
        restApi: api.id,
        stageName: stageSpec.name,
        deployment: deployment.id,
        variables: stageSpec.variables,
        xrayTracingEnabled: spec.tracing,
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
        // The canary runs the newest deployment (required by the provider's type); percentTraffic is
        // validated to 0–100 (validate.ts). https://docs.aws.amazon.com/apigateway/latest/api/API_CanarySettings.html
        canarySettings: stageSpec.canary && {
          deploymentId: deployment.id,
          percentTraffic: stageSpec.canary.percentTraffic,
          stageVariableOverrides: stageSpec.canary.stageVariableOverrides,
          useStageCache: false,
        },
        region,
      },
      { parent, dependsOn: account ? [account] : [], ignoreChanges: stageSpec.canary ? ["deployment"] : [] },
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
      { parent, dependsOn: account ? [account] : [] },
    );
    stages.set(stageSpec.name, stage);
  }

  const { aliases, permissions } = createAliases(name, spec, api, functions, parent);
  return { deployment, stages, accessLogs, account, aliases, permissions };
}

/**
 * API Gateway writes execution logs (and access logs) with one role per account and
 * region, set on `aws.apigateway.Account`. Its policy names exactly the log groups it writes.
 */
function createAccountLogging(name: string, spec: ServerlessApiSpec, accessLogs: aws.cloudwatch.LogGroup, region: pulumi.Output<string>, parent: pulumi.Resource): aws.apigateway.Account {
  const role = new aws.iam.Role(`${name}-cloudwatch-role`, { assumeRolePolicy: assumeRolePolicy(["apigateway.amazonaws.com"]) }, { parent });
  const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const executionLogs = pulumi.interpolate`arn:aws:logs:${region}:${accountId}:log-group:API-Gateway-Execution-Logs_*`;
  const policy = new aws.iam.RolePolicy(
    `${name}-cloudwatch-policy`,
    {
      role: role.id,
      policy: policyJson([
        {
          sid: "WriteApiGatewayLogs",
          actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"],
          resources: [executionLogs, pulumi.interpolate`${executionLogs}:*`, accessLogs.arn, pulumi.interpolate`${accessLogs.arn}:*`],
        },
      ]),
    },
    { parent },
  );
  return new aws.apigateway.Account(`${name}-account`, { cloudwatchRoleArn: role.arn, region: spec.region }, { parent, dependsOn: [policy] });
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
      const targets: Array<{ alias: string; suffix: string; frozen: boolean }> = [{ alias: stage.name, suffix: "", frozen: Boolean(stage.canary) }];
      if (stage.canary) targets.push({ alias: stage.canary.alias, suffix: "-canary", frozen: false });
      for (const target of targets) {
        const alias = new aws.lambda.Alias(
          `${functionName}-${stage.name}${target.suffix}`,
          {
            functionName: fn.functionName,
            functionVersion: fn.version,
            name: target.alias,
            description: target.suffix ? `canary of stage ${stage.name}` : `stage ${stage.name}`,
            region: spec.region,
          },
          // A running canary freezes the stage's own alias on the version it had (see the file comment).
          { parent, ignoreChanges: target.frozen ? ["functionVersion"] : [] },
        );
        aliases.push(alias);
        permissions.push(aliasPermission(`${functionName}-${stage.name}${target.suffix}-invoke`, spec, api, route, stage, fn, alias, parent));
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
