/**
 * Lambda@Edge deploy rules: what CloudFront checks when a distribution associates a Lambda
 * function (CreateDistribution/UpdateDistribution fail with InvalidLambdaFunctionAssociation), and that such a
 * function is kept on delete (Lambda refuses to delete it while CloudFront still holds its replicas).
 */
import { EDGE_LIMITS } from "../../components/edge-logic/spec";
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { describeAssociation, edgeAssociations, VIEWER_EVENTS, type EdgeAssociation } from "./cloudfront";
import { trustsService } from "./iam";
import { configsByFunction } from "./lambda-ref";
import { arnRegion, finding, referenced, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext } from "./rule";

const FUNCTION = "aws:lambda/function:Function";
const PROVISIONED_CONCURRENCY = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig";
const RUNTIME_MANAGEMENT = "aws:lambda/runtimeManagementConfig:RuntimeManagementConfig";
const LAMBDA_EDGE_RESTRICTIONS = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html";

/** `arn:aws:lambda:us-east-1:123456789012:function:name:7` → the function's unqualified ARN and its qualifier. */
function splitLambdaArn(arn: string): { functionArn: string; qualifier?: string } {
  const parts = arn.split(":");
  return parts.length > 7 ? { functionArn: parts.slice(0, 7).join(":"), qualifier: parts.slice(7).join(":") } : { functionArn: arn };
}

/** Lambda@Edge associations with the function resource they run, when this program creates it. */
function edgeFunctions(graph: Graph): Array<{ fn: RecordedResource; associations: EdgeAssociation[] }> {
  const byFunction = new Map<RecordedResource, EdgeAssociation[]>();
  for (const a of edgeAssociations(graph).filter((x) => x.kind === "Lambda@Edge")) {
    const fn = referenced(graph, FUNCTION, splitLambdaArn(a.arn).functionArn);
    if (fn) byFunction.set(fn, [...(byFunction.get(fn) ?? []), a]);
  }
  return [...byFunction].map(([fn, associations]) => ({ fn, associations }));
}

/**
 * "You must use a numbered version of the Lambda function, not $LATEST or aliases." and
 * "The Lambda function must be in the US East (N. Virginia) Region."
 */
export const LAMBDA_EDGE_NUMBERED_VERSION: DeployRule = {
  id: "LambdaEdgeNumberedVersion",
  title: "Lambda@Edge associations name a numbered version of a us-east-1 function",
  source: LAMBDA_EDGE_RESTRICTIONS,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const a of edgeAssociations(graph).filter((x) => x.kind === "Lambda@Edge")) {
      const { qualifier } = splitLambdaArn(a.arn);
      if (!qualifier || !/^\d+$/.test(qualifier)) {
        const what = !qualifier ? "an unqualified function ARN" : qualifier === "$LATEST" ? "$LATEST" : `alias ${qualifier}`;
        findings.push(finding("LambdaEdgeNumberedVersion", a.distribution, `behaviour ${a.path} ${describeAssociation(a)} names ${what}; CloudFront only accepts a numbered version`, "publish the function (publish: true) and associate its qualifiedArn"));
      }
      const region = arnRegion(a.arn);
      if (region !== "us-east-1") {
        findings.push(finding("LambdaEdgeNumberedVersion", a.distribution, `behaviour ${a.path} ${describeAssociation(a)} is a function in ${region ?? "(no region)"}; Lambda@Edge functions must be in us-east-1`, 'create the function in us-east-1 (region: "us-east-1" on the function, or a us-east-1 provider)'));
      }
    }
    return findings;
  },
};

/**
 * The "Lambda features" Lambda@Edge does not support: VPC access, dead-letter queues, environment
 * variables, layers, X-Ray, container images, the arm64 architecture, more than 512 MB of ephemeral
 * storage, a customer managed key for the .zip package, "Lambda provisioned concurrency" (an
 * aws.lambda.ProvisionedConcurrencyConfig whose functionName names the function, as name, partial ARN or ARN, in its
 * region: any qualifier, as the page refuses the feature for the function, not for one version), and "Lambda runtime
 * management configurations other than Auto (default)" (an aws.lambda.RuntimeManagementConfig naming the function alike
 * whose updateRuntimeOn is set to another mode, FunctionUpdate or Manual; unset is not judged). Plus "Lambda Region":
 * us-east-1 only. The two configurations are resources of their own, which Lambda takes (PutProvisionedConcurrencyConfig,
 * PutRuntimeManagementConfig); whether CloudFront then refuses the association or Lambda@Edge misbehaves is not
 * confirmed, only that the page lists the features as not supported.
 */
export const LAMBDA_EDGE_FEATURES: DeployRule = {
  id: "LambdaEdgeFeatures",
  title: "Lambda@Edge functions use only what Lambda@Edge supports, in us-east-1",
  source: LAMBDA_EDGE_RESTRICTIONS,
  check(graph, context) {
    const findings: DeployFinding[] = [];
    const provisioned = configsByFunction(graph, PROVISIONED_CONCURRENCY, context);
    const runtimeManagement = configsByFunction(graph, RUNTIME_MANAGEMENT, context);
    for (const { fn } of edgeFunctions(graph)) {
      const i = fn.inputs;
      const report = (problem: string, fix: string) => findings.push(finding("LambdaEdgeFeatures", fn, `is a Lambda@Edge function ${problem}`, fix));
      const region = regionOf(graph, fn, context);
      if (region !== "us-east-1") report(`created in ${region}; Lambda@Edge functions must be in us-east-1`, 'set region: "us-east-1" on the function');
      const architectures: string[] = i.architectures ?? ["x86_64"];
      if (architectures.some((a) => a !== "x86_64")) report(`built for ${architectures.join(", ")}; Lambda@Edge runs x86_64 only`, 'set architectures: ["x86_64"]');
      const variables = Object.keys(i.environment?.variables ?? {});
      if (variables.length > 0) report(`with environment variables (${variables.join(", ")}), which Lambda@Edge does not support`, "remove the environment and bake configuration into the bundle at build time");
      if ((i.layers ?? []).length > 0) report("with layers, which Lambda@Edge does not support", "bundle the layer's code into the function and remove layers");
      if ((i.vpcConfig?.subnetIds ?? []).length > 0) report("attached to a VPC, which Lambda@Edge does not support", "remove vpcConfig");
      if (i.deadLetterConfig?.targetArn) report("with a dead-letter queue, which Lambda@Edge does not support", "remove deadLetterConfig");
      if (i.packageType === "Image" || i.imageUri) report("defined as a container image, which Lambda@Edge does not support", "deploy a .zip package with a managed runtime");
      if (i.tracingConfig?.mode === "Active") report("with active X-Ray tracing, which Lambda@Edge does not support", "remove tracingConfig (or set mode PassThrough)");
      if (Number(i.ephemeralStorage?.size ?? 512) > 512) report(`with ${i.ephemeralStorage.size} MB of ephemeral storage; Lambda@Edge allows at most 512 MB`, "remove ephemeralStorage (512 MB)");
      if (i.sourceKmsKeyArn) report("with its .zip package encrypted by a customer managed key, which Lambda@Edge does not support", "remove sourceKmsKeyArn");
      provisioned.get(fn)?.forEach((config) =>
        findings.push(
          finding(
            "LambdaEdgeFeatures",
            config,
            `puts provisioned concurrency on Lambda@Edge function ${fn.name} (qualifier ${config.inputs.qualifier}), which Lambda@Edge does not support`,
            "remove the ProvisionedConcurrencyConfig (Lambda@Edge functions share the Region's concurrency), or move the work to a regional function",
          ),
        ),
      );
      runtimeManagement
        .get(fn)
        ?.filter((config) => typeof config.inputs.updateRuntimeOn === "string" && config.inputs.updateRuntimeOn !== "Auto")
        .forEach((config) =>
          findings.push(
            finding(
              "LambdaEdgeFeatures",
              config,
              `sets the runtime update mode of Lambda@Edge function ${fn.name} to ${config.inputs.updateRuntimeOn}; Lambda@Edge supports only Auto (the default) among Lambda's runtime management configurations`,
              'set updateRuntimeOn: "Auto" (or remove the RuntimeManagementConfig: Auto is the default)',
            ),
          ),
        );
    }
    return findings;
  },
};

const { viewer: VIEWER, origin: ORIGIN } = EDGE_LIMITS;
/**
 * Quotas on Lambda@Edge: viewer request and viewer response functions get 128 MB of memory and a
 * 5-second timeout; origin request and origin response functions a 30-second timeout (EdgeLogic's EDGE_LIMITS, which
 * EdgeLogic checks its functions against at construction; the rule covers any program's functions).
 */
export const LAMBDA_EDGE_LIMITS: DeployRule = {
  id: "LambdaEdgeLimits",
  title: `Lambda@Edge memory and timeout fit the event type (viewer ≤ ${VIEWER.memoryMb} MB and ${VIEWER.timeoutSeconds} s, origin ≤ ${ORIGIN.timeoutSeconds} s)`,
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const { fn, associations } of edgeFunctions(graph)) {
      // Lambda's defaults when unset: 128 MB and 3 s.
      const memory = Number(fn.inputs.memorySize ?? 128);
      const timeout = Number(fn.inputs.timeout ?? 3);
      const viewer = associations.filter((a) => VIEWER_EVENTS.includes(a.eventType));
      if (viewer.length > 0 && memory > VIEWER.memoryMb) {
        findings.push(finding("LambdaEdgeLimits", fn, `has ${memory} MB of memory but runs on ${viewer.map((a) => a.eventType).join(", ")}, where Lambda@Edge allows ${VIEWER.memoryMb} MB`, `set memorySize: ${VIEWER.memoryMb}, or move the function to an origin event`));
      }
      if (viewer.length > 0 && timeout > VIEWER.timeoutSeconds) {
        findings.push(finding("LambdaEdgeLimits", fn, `has a ${timeout}-second timeout but runs on ${viewer.map((a) => a.eventType).join(", ")}, where Lambda@Edge allows ${VIEWER.timeoutSeconds} seconds`, `set timeout to ${VIEWER.timeoutSeconds} or less`));
      } else if (timeout > ORIGIN.timeoutSeconds) {
        findings.push(finding("LambdaEdgeLimits", fn, `has a ${timeout}-second timeout; Lambda@Edge origin events allow ${ORIGIN.timeoutSeconds} seconds`, `set timeout to ${ORIGIN.timeoutSeconds} or less`));
      }
    }
    return findings;
  },
};

/**
 * "The IAM execution role associated with the Lambda function must allow the service principals
 * lambda.amazonaws.com and edgelambda.amazonaws.com to assume the role."
 */
export const LAMBDA_EDGE_ROLE_TRUST: DeployRule = {
  id: "LambdaEdgeRoleTrust",
  title: "Lambda@Edge execution roles trust lambda.amazonaws.com and edgelambda.amazonaws.com",
  source: LAMBDA_EDGE_RESTRICTIONS,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const { fn } of edgeFunctions(graph)) {
      const role = referenced(graph, "aws:iam/role:Role", fn.inputs.role);
      if (!role) continue;
      // No `on`: AWS documents no aws:SourceArn either principal sends when it assumes the role, so conditions are not judged.
      const missing = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"].filter((p) => !trustsService(role, p));
      if (missing.length > 0) {
        findings.push(finding("LambdaEdgeRoleTrust", role, `is the role of Lambda@Edge function ${fn.name} but does not trust ${missing.join(" and ")}`, "allow both lambda.amazonaws.com and edgelambda.amazonaws.com to sts:AssumeRole in the role's trust policy"));
      }
    }
    return findings;
  },
};


/**
 * "You can delete a Lambda@Edge function only when the replicas of the function have been deleted by CloudFront",
 * which happens after the last association is removed or the last distribution deleted: "Replicas are typically deleted
 * within a few hours. You cannot manually delete Lambda@Edge function replicas." Until then DeleteFunction answers
 * "Lambda was unable to delete … because it is a replicated function"; the provider retries that only for the
 * resource's delete timeout, 10 minutes by default (terraform-provider-aws internal/service/lambda/function.go
 * resourceFunctionDelete: `RetryWhenIsAErrorMessageContains[*awstypes.InvalidParameterValueException](ctx,
 * d.Timeout(schema.TimeoutDelete), …, "because it is a replicated function")`, `Delete: schema.DefaultTimeout(10 *
 * time.Minute)`). So the destroy that deletes the distribution, or the update that drops the association and the
 * function together, fails on the function, with the distribution already gone. A function whose version a
 * distribution associates is kept: `retainOnDelete` (the engine never calls the delete), or the provider's
 * `skipDestroy` (the same function.go skips DeleteFunction: `if v, ok := d.GetOk(names.AttrSkipDestroy); ok && v.(bool)`).
 * A longer delete timeout is not accepted: AWS gives no upper bound ("typically … within a few hours").
 * LambdaRetainedFunctionParts then keeps the kept function's role, policies and log group.
 */
export const LAMBDA_EDGE_RETAINED: DeployRule = {
  id: "LambdaEdgeRetained",
  title: "Lambda@Edge functions a distribution associates are kept on delete",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-delete-replicas.html",
  check(graph) {
    return edgeFunctions(graph)
      .filter(({ fn }) => !fn.retainOnDelete && fn.inputs.skipDestroy !== true)
      .map(({ fn, associations }) =>
        finding(
          "LambdaEdgeRetained",
          fn,
          `is a Lambda@Edge function (${[...new Set(associations.map((a) => `${a.distribution.name} ${a.path} ${a.eventType}`))].join(", ")}) deleted with the stack: CloudFront deletes its replicas only hours after the distribution lets go of it, and until then Lambda refuses DeleteFunction ("because it is a replicated function"), longer than the provider retries (10 minutes), so \`pulumi destroy\` fails after the distribution is gone`,
          "set retainOnDelete: true on the function (LambdaFunction does for Lambda@Edge; keep its role and policies too), and delete it once CloudFront has removed its replicas, hours after the destroy (docs/edge.md)",
        ),
      );
  },
};

const INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/**
 * Settings of an associated Lambda@Edge function that Lambda takes and that never act, so what the program asks for
 * (retries, destinations, a retention, a key) does not happen. A warning: nothing is refused.
 *
 * - An aws.lambda.FunctionEventInvokeConfig naming the function (configsByFunction): it configures asynchronous
 *   invocation only, and CloudFront invokes a Lambda@Edge function synchronously ("Amazon CloudFront via Lambda@Edge"
 *   under synchronous invocation, https://docs.aws.amazon.com/lambda/latest/operatorguide/invocation-modes.html), so its
 *   retries, event age and destinations never act. `LambdaFunction` refuses `asyncInvoke` with `edge: true`.
 * - An aws.cloudwatch.LogGroup named `/aws/lambda/<function name>` with a retention or a KMS key, while the function sets
 *   no custom log group (`loggingConfig.logGroup`): "When sending logs to CloudWatch, Lambda@Edge automatically adds the
 *   us-east-1 prefix to the function name, so the log group name is /aws/lambda/us-east-1.<FunctionName>", in every
 *   Region where the function runs, and "If you create a custom log group and specify the same name as the default
 *   /aws/lambda/<FunctionName>, Lambda@Edge adds the us-east-1 prefix" (Edge function logs). So the group gets no edge
 *   log, and its settings cover none. `LambdaFunction` refuses `logRetentionDays` and `logKmsKeyArn` with `edge: true`;
 *   EdgeLogic creates the prefixed groups in the regions it is given (`logs.regions`).
 */
export const LAMBDA_EDGE_SETTINGS_IGNORED: DeployRule = {
  id: "LambdaEdgeSettingsIgnored",
  title: "Lambda@Edge functions get no asynchronous invocation settings, and no log group settings under the name Lambda@Edge never writes to",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    const invokeConfigs = configsByFunction(graph, INVOKE_CONFIG, context);
    const logGroups = ofType(graph, LOG_GROUP);
    for (const { fn } of edgeFunctions(graph)) {
      invokeConfigs.get(fn)?.forEach((config) =>
        findings.push(
          finding(
            "LambdaEdgeSettingsIgnored",
            config,
            `configures asynchronous invocation (retries, event age, destinations) of Lambda@Edge function ${fn.name}, which CloudFront invokes synchronously: none of it ever acts`,
            "remove the FunctionEventInvokeConfig; an edge function's errors go back to CloudFront with the request, so handle them in the function and watch its logs and metrics",
          ),
        ),
      );
      const name = typeof fn.state.name === "string" ? fn.state.name : fn.inputs.name;
      // A custom log group of another name gets the edge logs unprefixed; one named /aws/lambda/<name> does not: "If you
      // create a custom log group and specify the same name as the default /aws/lambda/<FunctionName>, Lambda@Edge adds
      // the us-east-1 prefix" (edge-functions-logs.html).
      const customGroup: unknown = fn.inputs.loggingConfig?.logGroup;
      if (typeof name !== "string" || (typeof customGroup === "string" && customGroup !== `/aws/lambda/${name}`)) continue;
      for (const group of logGroups.filter((g) => g.inputs.name === `/aws/lambda/${name}`)) {
        const settings = [group.inputs.retentionInDays !== undefined && "retentionInDays", group.inputs.kmsKeyId !== undefined && "kmsKeyId"].filter((s): s is string => s !== false);
        if (settings.length === 0) continue;
        findings.push(
          finding(
            "LambdaEdgeSettingsIgnored",
            group,
            `sets ${settings.join(" and ")} on /aws/lambda/${name}, but Lambda@Edge function ${fn.name} writes its logs to /aws/lambda/us-east-1.${name} in each Region where it runs, never to this group, so the settings cover none of its logs`,
            `create /aws/lambda/us-east-1.${name} with these settings in each Region that runs the function (EdgeLogic's logs.regions and logs.retentionDays do), with a KMS key of that Region, and remove this group`,
          ),
        );
      }
    }
    return findings;
  },
};

/** Lambda@Edge warnings: settings Lambda takes that never act on an edge function. */
export const LAMBDA_EDGE_WARNING_RULES: DeployRule[] = [LAMBDA_EDGE_SETTINGS_IGNORED];

export const LAMBDA_EDGE_RULES: DeployRule[] = [LAMBDA_EDGE_NUMBERED_VERSION, LAMBDA_EDGE_FEATURES, LAMBDA_EDGE_LIMITS, LAMBDA_EDGE_ROLE_TRUST, LAMBDA_EDGE_RETAINED];
