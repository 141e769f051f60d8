/** Lambda deploy rules: the function configuration quotas CreateFunction and UpdateFunctionConfiguration enforce, alias names CreateAlias accepts, the resource-based policy size and SourceArn form AddPermission enforces. */
import { asArray, isUnknown, ofType, policyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { AUTONAME_RANDOM_LENGTH } from "../../components/autoname";
import { LAMBDA_ENVIRONMENT_KEY, LAMBDA_LAYER_VERSION_ARN, RESERVED_ENVIRONMENT_KEYS } from "../../components/lambda/function";
import { LAMBDA_ALIAS_NAME_LENGTH } from "../../components/serverless-api/validate";
import { functionNameParts } from "../../local/lambda-function-name";
import { configsByFunction, functionIndex, functionOf, permissionFunction } from "./lambda-ref";
import { LAMBDA_ONE_RESOURCE_POLICY } from "./one-policy";
import { accountScope, finding, referenced, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext } from "./rule";

/**
 * Lambda quotas, "Function configuration, deployment, and execution": memory 128 MB–10,240 MB in
 * 1-MB increments, timeout 900 seconds, /tmp storage 512 MB–10,240 MB, environment variables
 * 4 KB "for all environment variables associated with the function, in aggregate", 5 layers.
 * Lambda measures the variables as their JSON serialisation (its error quotes the "String measured"). Variable names
 * match `[a-zA-Z]([a-zA-Z0-9_])+` (API_Environment), so at least two characters, and are not the runtime's reserved ones. Layers are layer version ARNs.
 */
export const LAMBDA_LIMITS: DeployRule = {
  id: "LambdaLimits",
  title: "Lambda memory, timeout, /tmp, environment and layers are within Lambda's quotas",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const fn of ofType(graph, "aws:lambda/function:Function")) {
      const i = fn.inputs;
      const report = (problem: string, fix: string) => findings.push(finding("LambdaLimits", fn, problem, fix));
      if (i.memorySize !== undefined && !(Number.isInteger(i.memorySize) && i.memorySize >= 128 && i.memorySize <= 10240)) {
        report(`has memorySize ${i.memorySize}; Lambda takes a whole number of MB from 128 to 10240`, "set memorySize between 128 and 10240");
      }
      if (i.timeout !== undefined && !(Number.isInteger(i.timeout) && i.timeout >= 1 && i.timeout <= 900)) {
        report(`has timeout ${i.timeout}; Lambda takes 1 to 900 seconds`, "set timeout between 1 and 900 (use Step Functions or a queue for longer work)");
      }
      const storage = i.ephemeralStorage?.size;
      if (storage !== undefined && !(Number.isInteger(storage) && storage >= 512 && storage <= 10240)) {
        report(`has ${storage} MB of ephemeral storage; Lambda takes 512 to 10240 MB`, "set ephemeralStorage.size between 512 and 10240");
      }
      const variables = i.environment?.variables;
      if (variables) {
        const bytes = Buffer.byteLength(JSON.stringify(variables));
        if (bytes > 4096) report(`has ${bytes} bytes of environment variables; Lambda allows 4 KB in total`, "move large values to SSM Parameter Store or Secrets Manager, or into the bundle");
        const badKeys = Object.keys(variables).filter((key) => !LAMBDA_ENVIRONMENT_KEY.test(key));
        if (badKeys.length > 0) report(`has environment variable names Lambda refuses (${badKeys.join(", ")}): a name is at least two letters, digits and underscores, starting with a letter`, "rename them (e.g. A → A_VALUE)");
        // "The keys for these environment variables are reserved and cannot be set in your function configuration"
        // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-runtime.html); LambdaFunction refuses them too.
        const reserved = Object.keys(variables).filter((key) => RESERVED_ENVIRONMENT_KEYS.has(key));
        if (reserved.length > 0) report(`sets environment variables the Lambda runtime reserves (${reserved.join(", ")}), which CreateFunction refuses`, "remove them (the runtime sets them) or rename them");
      }
      const layers: unknown[] = i.layers ?? [];
      if (layers.length > 5) report(`has ${layers.length} layers; Lambda allows 5`, "merge layers or bundle their code");
      // Layers are version ARNs: the pattern LambdaFunction checks (LAMBDA_LAYER_VERSION_ARN). The mocks give an
      // aws.lambda.LayerVersion's `arn` that shape, so a string failing it is the program's (review 115, finding 6).
      const unversioned = layers.filter((layer): layer is string => typeof layer === "string" && !LAMBDA_LAYER_VERSION_ARN.test(layer));
      if (unversioned.length > 0) report(`has layers that are not layer version ARNs (${unversioned.join(", ")}), which CreateFunction refuses`, "name each layer by its LayerVersionArn, ending in :<version>");
    }
    return findings;
  },
};

/**
 * CreateAlias, Name: "Length Constraints: Minimum length of 1. Maximum length of 128. Pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"
 * — letters, digits, hyphens and underscores, not all digits (an all-digit name would read as a version number).
 */
export const LAMBDA_ALIAS_NAME: DeployRule = {
  id: "LambdaAliasName",
  title: "Lambda alias names are 1–128 letters, digits, hyphens and underscores, not all digits",
  source: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const alias of ofType(graph, "aws:lambda/alias:Alias")) {
      const name = String(alias.inputs.name ?? "");
      let problem: string | undefined;
      if (name.length < 1 || name.length > LAMBDA_ALIAS_NAME_LENGTH) problem = `has alias name "${name}" of ${name.length} characters; Lambda takes 1 to ${LAMBDA_ALIAS_NAME_LENGTH}`;
      else if (/^[0-9]+$/.test(name)) problem = `has alias name "${name}", all digits, which Lambda refuses (it would read as a version)`;
      else if (!/^[A-Za-z0-9_-]+$/.test(name)) problem = `has alias name "${name}"; Lambda alias names take only letters, digits, hyphens and underscores`;
      if (problem) findings.push(finding("LambdaAliasName", alias, problem, "rename the alias (for ServerlessApi: the stage, or the canary's stageVariableOverrides.alias) to e.g. prod or prod-canary"));
    }
    return findings;
  },
};

/**
 * A function kept on delete (`retainOnDelete`) must keep what it runs with: "Lambda automatically assumes your execution
 * role when you invoke your function" (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html),
 * so a kept function whose role a destroy deleted fails every invocation, one whose inline policies or attached
 * policies were deleted loses their permissions, and one whose log group was deleted logs nowhere (its role may not
 * create one). Kept means `retainOnDelete`, or `deletedWith` the function (then deleted only when it is). For a
 * Lambda@Edge function, CloudFront's replicas keep running as the role after the distribution lets go of them.
 */
export const LAMBDA_RETAINED_FUNCTION_PARTS: DeployRule = {
  id: "LambdaRetainedFunctionParts",
  title: "A function kept on delete keeps its role, the role's policies and its log group",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const fn of ofType(graph, "aws:lambda/function:Function").filter((f) => f.retainOnDelete)) {
      const kept = (r: RecordedResource) => r.retainOnDelete || r.deletedWith === fn.urn;
      const report = (r: RecordedResource, what: string, consequence: string) =>
        findings.push(finding("LambdaRetainedFunctionParts", r, `is ${what} of ${fn.name}, which is kept on delete, but it is not: a destroy deletes it, and the kept function ${consequence}`, `give it retainOnDelete: true (or deletedWith: ${fn.name})`));
      const role = ofType(graph, "aws:iam/role:Role").find((r) => r.state.arn !== undefined && r.state.arn === fn.inputs.role);
      if (role) {
        if (!kept(role)) report(role, "the execution role", "cannot run");
        const roleNames = [role.id, role.state.name].filter((n) => n !== undefined);
        for (const policy of ofType(graph, "aws:iam/rolePolicy:RolePolicy").filter((p) => roleNames.includes(p.inputs.role) && !kept(p) && !grantsOnlyOnDeleted(graph, p))) {
          report(policy, "an inline policy of the role", "loses the permissions it grants");
        }
        for (const attachment of ofType(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => roleNames.includes(a.inputs.role) && !kept(a))) {
          report(attachment, "a policy attachment of the role", "loses the permissions it grants");
        }
      }
      const groupName = fn.inputs.loggingConfig?.logGroup;
      const logGroup = groupName === undefined ? undefined : ofType(graph, "aws:cloudwatch/logGroup:LogGroup").find((l) => l.state.name === groupName);
      if (logGroup && !kept(logGroup)) report(logGroup, "the log group", "logs nowhere");
    }
    return findings;
  },
};

/**
 * An inline policy whose every statement grants only on resources of this plan that a destroy deletes too (a
 * MessageQueue's consumer permission on its queue): keeping it would leave a grant on ARNs that no longer exist, an
 * inline policy the stack no longer tracks, on which a later DeleteRole fails with DeleteConflict.
 */
function grantsOnlyOnDeleted(graph: readonly RecordedResource[], policy: RecordedResource): boolean {
  const deletedArns = new Set(graph.filter((r) => !r.retainOnDelete && typeof r.state.arn === "string").map((r) => r.state.arn as string));
  // Every statement must name its resources: one with NotResource (or none) grants beyond them.
  const statements = policyDocument(policy.inputs.policy).Statement;
  return statements.length > 0 && statements.every((statement) => {
    const resources = asArray<string>(statement.Resource);
    return statement.NotResource === undefined && resources.length > 0 && resources.every((arn) => deletedArns.has(arn));
  });
}

/**
 * "Function resource-based policy | 20 KB", among the quotas that "cannot be changed"
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); a function, each version and each alias has
 * a policy of its own ("Resource-based policies apply to a single function, version, alias, or layer version",
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html). AddPermission past it answers
 * PolicyLengthExceededException "The final policy size (20749) is bigger than the limit (20480)" (adobe/helix-deploy#24,
 * SeanRoy/lambda-maven-plugin#42), so 20,480 bytes.
 *
 * The size is an ESTIMATE: each aws:lambda/permission:Permission is written as the statement Lambda stores for it, in
 * the shape access-control-resource-based.html shows (`{"Sid","Effect":"Allow","Principal":{"Service":...},"Action",
 * "Resource":<function ARN>,"Condition":{"StringEquals":{"AWS:SourceAccount":...},"ArnLike":{"AWS:SourceArn":...}}}`
 * inside `{"Version":"2012-10-17","Id":"default","Statement":[...]}`), as compact JSON, summed per function and
 * qualifier. An account principal is written as `arn:aws:iam::<id>:root`. An autonamed statement id is its logical
 * name, "-" and 7 random characters (components/autoname.ts). Statements the function already has from outside the
 * program are not counted, and Lambda's own measure is not documented: treat a plan near the limit as over it.
 */
export const LAMBDA_POLICY_BYTES = 20_480;

export const LAMBDA_POLICY_SIZE: DeployRule = {
  id: "LambdaPolicySize",
  title: "A Lambda function's (or version's, or alias's) resource-based policy stays within 20 KB (estimated from its permissions)",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    const policies = new Map<string, { name: string; bytes: number; statements: number; reported: boolean }>();
    const lookUp = functionIndex(graph);
    for (const permission of ofType(graph, "aws:lambda/permission:Permission")) {
      const target = permissionTarget(graph, context, permission, lookUp);
      if (!target) continue;
      const key = JSON.stringify([target.region, target.name, target.qualifier]);
      const policy = policies.get(key) ?? { name: target.qualifier ? `${target.name}:${target.qualifier}` : target.name, bytes: POLICY_WRAPPER_BYTES, statements: 0, reported: false };
      policy.bytes += Buffer.byteLength(JSON.stringify(permissionStatement(permission, target))) + (policy.statements > 0 ? 1 : 0);
      policy.statements += 1;
      policies.set(key, policy);
      if (policy.bytes > LAMBDA_POLICY_BYTES && !policy.reported) {
        policy.reported = true;
        findings.push(
          finding(
            "LambdaPolicySize",
            permission,
            `brings the resource-based policy of function ${policy.name} to about ${policy.bytes} bytes (an estimate of the JSON Lambda stores, ${policy.statements} statements); Lambda allows ${LAMBDA_POLICY_BYTES} (20 KB), a quota that cannot be raised`,
            "grant fewer, broader statements (one per source, e.g. BucketEvents' one per bucket and function; a wildcard sourceArn), or spread the sources over several functions",
          ),
        );
      }
    }
    return findings;
  },
};

/** `{"Version":"2012-10-17","Id":"default","Statement":[]}`: the policy around its statements. */
const POLICY_WRAPPER_BYTES = Buffer.byteLength(JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: [] }));

interface PermissionTarget {
  region: string;
  account: string;
  name: string;
  qualifier?: string;
  arn: string;
}

/** The function (name, region, account) and qualifier whose policy a permission adds to (permissionFunction); undefined when its function is unknown. */
function permissionTarget(graph: Graph, context: DeployRuleContext, permission: RecordedResource, lookUp: (reference: unknown) => RecordedResource | undefined): PermissionTarget | undefined {
  const target = permissionFunction(graph, context, permission, lookUp);
  if (!target) return undefined;
  const { region, name, qualifier } = target;
  const account = target.account ?? (typeof permission.inputs.sourceAccount === "string" ? permission.inputs.sourceAccount : "123456789012");
  return { region, account, name, qualifier, arn: `arn:aws:lambda:${region}:${account}:function:${name}${qualifier ? `:${qualifier}` : ""}` };
}

/** The statement Lambda stores for a permission (see LAMBDA_POLICY_SIZE: an estimate). */
function permissionStatement(permission: RecordedResource, target: PermissionTarget): Record<string, unknown> {
  const i = permission.inputs;
  const principal = String(i.principal ?? "");
  const condition: Record<string, Record<string, string>> = {};
  const equals = (key: string, value: unknown) => {
    if (typeof value === "string" && value !== "") (condition.StringEquals ??= {})[key] = value;
  };
  equals("AWS:SourceAccount", i.sourceAccount);
  equals("aws:PrincipalOrgID", i.principalOrgId);
  equals("lambda:EventSourceToken", i.eventSourceToken);
  equals("lambda:FunctionUrlAuthType", i.functionUrlAuthType);
  if (typeof i.sourceArn === "string" && i.sourceArn !== "") condition.ArnLike = { "AWS:SourceArn": i.sourceArn };
  return {
    Sid: typeof i.statementId === "string" ? i.statementId : `${i.statementIdPrefix ?? `${permission.name}-`}${"x".repeat(AUTONAME_RANDOM_LENGTH)}`,
    Effect: "Allow",
    Principal: principal === "*" ? "*" : /^\d{12}$/.test(principal) ? { AWS: `arn:aws:iam::${principal}:root` } : principal.startsWith("arn:") ? { AWS: principal } : { Service: principal },
    Action: i.action,
    Resource: target.arn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

/**
 * AddPermission's SourceArn pattern (https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html, and
 * AWS::Lambda::Permission's in the CloudFormation template reference): a partition, a service, a region or nothing, an
 * account of 12 digits or nothing, then the resource part, which alone may hold a wildcard. Lambda refuses any other
 * value: "Value '…' at 'sourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern"
 * (ValidationException, claudiajs/claudia#3), so `arn:aws:sns:us-east-1:*:*`, a wildcard account IAM policies take
 * (api-gateway-control-access-using-iam-policies-to-invoke-api.html), fails at `pulumi up`.
 */
const LAMBDA_SOURCE_ARN = /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;

const LAMBDA_PERMISSION_SOURCE_ARN: DeployRule = {
  id: "LambdaPermissionSourceArn",
  title: "A Lambda permission's sourceArn has the form AddPermission takes: wildcards only in the resource part",
  source: "https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const permission of ofType(graph, "aws:lambda/permission:Permission")) {
      const sourceArn = permission.inputs.sourceArn;
      if (typeof sourceArn !== "string" || sourceArn === "" || LAMBDA_SOURCE_ARN.test(sourceArn)) continue;
      findings.push(
        finding(
          this.id,
          permission,
          `has sourceArn ${JSON.stringify(sourceArn)}, which AddPermission refuses (ValidationException): it takes arn:<partition>:<service>:<region or nothing>:<12-digit account or nothing>:<resource>, a wildcard only in the resource part`,
          "give the source's ARN with its region and account written out (or left empty where the service's ARNs have none, as S3's), and put any wildcard in the part after the account",
        ),
      );
    }
    return findings;
  },
};

/**
 * Provisioned concurrency goes on a published version or an alias: "Provisioned Concurrency is not supported on the
 * unpublished version of the function ($LATEST)" (https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html),
 * and PutProvisionedConcurrencyConfig's ProvisionedConcurrentExecutions has "Minimum value of 1". A qualifier of
 * "$LATEST" (also what the `version` of a function that does not publish is) is refused at `pulumi up`. The components create none; this reads hand-built ones.
 */
export const LAMBDA_PROVISIONED_CONCURRENCY: DeployRule = {
  id: "LambdaProvisionedConcurrency",
  title: "Provisioned concurrency is on a published version or an alias, at least 1",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    // An alias qualifier stands for the version it points at: "you can't allocate provisioned concurrency on an alias
    // that points to the unpublished version ($LATEST)", and "Each version of a function can only have one provisioned
    // concurrency configuration" (provisioned-concurrency.html), whether named by its number or through aliases.
    const aliasVersion = new Map(ofType(graph, "aws:lambda/alias:Alias").map((alias) => [`${alias.inputs.functionName} ${alias.inputs.name}`, alias.inputs.functionVersion as unknown]));
    const configsOfVersion = new Map<string, string>();
    for (const config of ofType(graph, "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")) {
      const qualifier = config.inputs.qualifier;
      const viaAlias = aliasVersion.get(`${config.inputs.functionName} ${qualifier}`);
      const version = viaAlias ?? qualifier;
      // A function that does not publish has the version "$LATEST", so its `version` as qualifier reads the same.
      if (version === "$LATEST") {
        const on = viaAlias === undefined ? "$LATEST, the unpublished version" : `alias ${qualifier}, which points at $LATEST, the unpublished version`;
        findings.push(finding("LambdaProvisionedConcurrency", config, `puts provisioned concurrency on ${on}, which Lambda refuses`, "publish the function (publish: true) and give the version number or an alias of a published version as qualifier"));
      } else if (typeof version === "string") {
        const key = `${config.inputs.functionName} ${version}`;
        const earlier = configsOfVersion.get(key);
        if (earlier !== undefined) {
          findings.push(finding("LambdaProvisionedConcurrency", config, `puts provisioned concurrency on version ${version} of ${config.inputs.functionName}, which ${earlier} already provisions; Lambda allows one configuration per version`, "keep one configuration per version (on the version or on one alias of it)"));
        } else configsOfVersion.set(key, config.name);
      }
      const amount = Number(config.inputs.provisionedConcurrentExecutions);
      if (!Number.isInteger(amount) || amount < 1) {
        findings.push(finding("LambdaProvisionedConcurrency", config, `asks for ${config.inputs.provisionedConcurrentExecutions} provisioned executions; Lambda takes a whole number from 1`, "ask for 1 or more, or remove the configuration"));
      }
    }
    return findings;
  },
};

/**
 * Log-level filtering needs JSON logs: "To use log-level filtering, your function must be configured to use the JSON
 * log format" (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html). CreateFunction
 * and UpdateFunctionConfiguration refuse `ApplicationLogLevel` or `SystemLogLevel` beside `LogFormat` "Text": "LogLevel is
 * not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "Json" and
 * try again." (the error as CloudFormation relayed it, quoted in aws/aws-cdk#28045, which made the CDK refuse it at
 * synth). pulumi-aws requires `loggingConfig.logFormat` (terraform-provider-aws `log_format` Required: no loggingConfig
 * reaches AWS without it) and takes `Text` or `JSON`; the provider does not check the pair, so `pulumi preview` passes.
 * Its expandLoggingConfig sends a level only when set (the levels default to ""), so a loggingConfig of `logFormat` "Text"
 * alone sends no level and is not a refusal. LambdaFunction writes JSON with its levels (components/lambda/function.ts).
 */
export const LAMBDA_LOG_LEVEL_FORMAT: DeployRule = {
  id: "LambdaLogLevelFormat",
  title: "A function that sets an application or system log level logs in JSON",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const fn of ofType(graph, "aws:lambda/function:Function")) {
      const logging = fn.inputs.loggingConfig;
      if (!logging || typeof logging.logFormat !== "string" || logging.logFormat === "JSON") continue;
      const levels = ["applicationLogLevel", "systemLogLevel"].filter((level) => typeof logging[level] === "string" && logging[level] !== "");
      if (levels.length === 0) continue;
      findings.push(
        finding(
          this.id,
          fn,
          `sets loggingConfig.${levels.join(" and loggingConfig.")} with loggingConfig.logFormat ${JSON.stringify(logging.logFormat)}; Lambda filters log levels of JSON logs only, and refuses the configuration: LogLevel is not supported when LogFormat is set to "Text"`,
          `set loggingConfig.logFormat "JSON", or drop ${levels.join(" and ")}`,
        ),
      );
    }
    return findings;
  },
};

/**
 * The managed runtimes SnapStart runs on: Java 11 and later, Python 3.12 and later, .NET 8 and later
 * (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html; Python and .NET since November 2024: "Python 3.12 and
 * higher and .NET 8 and higher managed runtimes", https://infoq.com/news/2024/12/aws-lambda-snapstart-python-net).
 */
const SNAPSTART_RUNTIME = /^(java(\d+)(\.al2)?|python3\.(\d+)|dotnet(\d+))$/;

/** Whether SnapStart runs on `runtime` (a managed runtime identifier, e.g. java21, python3.13, dotnet8). */
function snapStartRuns(runtime: string): boolean {
  const m = SNAPSTART_RUNTIME.exec(runtime);
  if (!m) return false;
  if (m[2] !== undefined) return Number(m[2]) >= 11;
  if (m[4] !== undefined) return Number(m[4]) >= 12;
  return Number(m[5]) >= 8;
}

/**
 * SnapStart (`snapStart.applyOn: "PublishedVersions"`) is refused on a managed runtime it does not support:
 * CreateFunction answers InvalidParameterValueException "nodejs22.x is not supported for SnapStart enabled functions."
 * (recorded against AWS by LocalStack, localstack/localstack#12458, March 2025; AWS's list: snapStartRuns). Only the
 * Node.js refusal is recorded; the others (Ruby, OS-only `provided*`, Java 8, Python before 3.12, .NET before 8) rest on
 * the documented list, not on a recorded answer. In December 2024 AWS briefly took SnapStart on every runtime
 * (localstack/localstack#12006), and refused it again by March 2025. A container image function (no `runtime`) is not
 * judged: SnapStart takes images, Lambda's Java 11+, Python 3.12+ and .NET 8+ base images as they are and any other
 * (provided.al2023, Node.js, Ruby, an own base) with the SnapStart hooks or label
 * (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-custom.html). Only `applyOn` "PublishedVersions"
 * is read: terraform-provider-aws also takes "None" (enum.Validate[SnapStartApplyOn], though pulumi-aws's docs list only
 * PublishedVersions), which turns SnapStart off on any runtime. Judged whether the function publishes or not: the
 * runtime is CreateFunction's (and UpdateFunctionConfiguration's) check, not PublishVersion's (localstack/localstack#12006
 * removed its parity check from "snapstart creation and updates"). Python and .NET SnapStart is not offered in every
 * region (CreateFunction answered "python3.12 is not supported for SnapStart enabled functions." in one without it,
 * aws-samples/bedrock-chat#617): not judged, as the regions' list changes; missed, never refused wrongly.
 */
export const LAMBDA_SNAPSTART_RUNTIME: DeployRule = {
  id: "LambdaSnapStartRuntime",
  title: "SnapStart is on a function whose runtime SnapStart supports (Java 11+, Python 3.12+, .NET 8+)",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html",
  check(graph) {
    return ofType(graph, "aws:lambda/function:Function")
      .filter((fn) => fn.inputs.snapStart?.applyOn === "PublishedVersions" && typeof fn.inputs.runtime === "string" && !snapStartRuns(fn.inputs.runtime))
      .map((fn) =>
        finding(
          this.id,
          fn,
          `turns SnapStart on (snapStart.applyOn "PublishedVersions") with runtime ${fn.inputs.runtime}; SnapStart runs on Java 11+, Python 3.12+ and .NET 8+ only, and CreateFunction refuses it ("${fn.inputs.runtime} is not supported for SnapStart enabled functions")`,
          "remove snapStart (for Node.js, provisioned concurrency on an alias keeps environments initialised), or move the function to a supported runtime",
        ),
      );
  },
};

/**
 * An EFS access point's ARN (arn:<partition>:elasticfilesystem:…). A function's fileSystemConfig.arn may also name an
 * Amazon S3 Files access point (pulumi-aws 7.48 FunctionFileSystemConfig); whether SnapStart takes those is not stated,
 * so only EFS is judged.
 */
const EFS_ACCESS_POINT_ARN = /^arn:[^:]+:elasticfilesystem:/;

/**
 * The EFS access point `fn` mounts (its `fileSystemConfig.arn`): an EFS access point's ARN, or the ARN of the plan's
 * `aws.efs.AccessPoint` (a recorded plan's access point has the mocks' ARN, `arn:aws:efs:…`, not the `elasticfilesystem`
 * one AWS gives it). Undefined for no file system, an S3 Files access point, or an ARN unknown at preview (which of the
 * two it is cannot be told).
 */
function efsAccessPointOf(graph: Graph, fn: RecordedResource): string | undefined {
  const arn: unknown = fn.inputs.fileSystemConfig?.arn;
  if (typeof arn !== "string") return undefined;
  return EFS_ACCESS_POINT_ARN.test(arn) || referenced(graph, "aws:efs/accessPoint:AccessPoint", arn) ? arn : undefined;
}

/** The most ephemeral storage (/tmp) a SnapStart function may have, in MB: "ephemeral storage greater than 512 MB" is not supported (snapstart.html). */
const SNAPSTART_EPHEMERAL_STORAGE_MB = 512;

/**
 * What SnapStart does not support: "SnapStart does not support provisioned concurrency, Amazon Elastic File System
 * (Amazon EFS), or ephemeral storage greater than 512 MB" (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html,
 * "Supported features and limitations"; earlier versions of the page also listed arm64, the Extensions API and X-Ray,
 * since dropped, so those are not judged). Judged on an `aws.lambda.Function` with `snapStart.applyOn`
 * "PublishedVersions" that publishes (`publish: true`): its `fileSystemConfig` naming an EFS access point, its `ephemeralStorage.size` over 512, and
 * each `aws.lambda.ProvisionedConcurrencyConfig` whose `functionName` names it (name, partial ARN or ARN in the
 * configuration's region, any qualifier: configsByFunction, as LambdaEdgeFeatures reads them; the finding is on the
 * configuration). The AWS CDK refuses the first two at synth ("SnapStart is currently not supported using EFS",
 * "… using more than 512 MiB Ephemeral Storage", aws-lambda/lib/function.ts configureSnapStart), and says provisioned
 * concurrency "is configured at the version level, so it can't be checked at function set up time"; terraform-provider-aws
 * checks none of the three (internal/service/lambda/function.go validates each setting alone), so `pulumi preview` passes.
 * NOT CONFIRMED: Lambda's error text and which call refuses (CreateFunction/UpdateFunctionConfiguration with
 * InvalidParameterValueException, as for an unsupported runtime, or PublishVersion, or
 * PutProvisionedConcurrencyConfig on a version published with SnapStart); no recorded answer was found. So a function
 * that never publishes is not judged: if only publishing is refused, Lambda takes it.
 */
export const LAMBDA_SNAPSTART_FEATURES: DeployRule = {
  id: "LambdaSnapStartFeatures",
  title: "A function that publishes with SnapStart has no EFS file system, no more than 512 MB of /tmp, and no provisioned concurrency",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    const provisioned = configsByFunction(graph, "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig", context);
    const snapStarted = ofType(graph, "aws:lambda/function:Function").filter((fn) => fn.inputs.snapStart?.applyOn === "PublishedVersions" && fn.inputs.publish === true);
    for (const fn of snapStarted) {
      const report = (resource: RecordedResource, problem: string, fix: string) => findings.push(finding(this.id, resource, problem, fix));
      const fileSystem = efsAccessPointOf(graph, fn);
      if (fileSystem !== undefined) {
        report(fn, `turns SnapStart on (snapStart.applyOn "PublishedVersions") and mounts an EFS file system (fileSystemConfig.arn ${fileSystem}); SnapStart does not support Amazon EFS`, "remove fileSystemConfig (keep the files in S3, or in /tmp of at most 512 MB), or remove snapStart");
      }
      const storage = Number(fn.inputs.ephemeralStorage?.size ?? SNAPSTART_EPHEMERAL_STORAGE_MB);
      if (storage > SNAPSTART_EPHEMERAL_STORAGE_MB) {
        report(fn, `turns SnapStart on (snapStart.applyOn "PublishedVersions") with ${storage} MB of ephemeral storage; SnapStart supports at most ${SNAPSTART_EPHEMERAL_STORAGE_MB} MB`, `set ephemeralStorage.size to ${SNAPSTART_EPHEMERAL_STORAGE_MB} (or remove ephemeralStorage), or remove snapStart`);
      }
      // SnapStart runs on published versions only, never on $LATEST (snapstart.html); provisioned concurrency on $LATEST
      // is refused for that reason alone (LambdaProvisionedConcurrency), not for SnapStart.
      for (const config of (provisioned.get(fn) ?? []).filter((c) => c.inputs.qualifier !== "$LATEST")) {
        // A qualifier unknown at preview (a version the function publishes in this update) is a version all the same.
        const qualifier = isUnknown(config.inputs.qualifier) ? "unknown at preview" : config.inputs.qualifier;
        report(config, `puts provisioned concurrency on function ${fn.name} (qualifier ${qualifier}), which publishes its versions with SnapStart (snapStart.applyOn "PublishedVersions"); SnapStart does not support provisioned concurrency`, 'keep one of the two: remove the ProvisionedConcurrencyConfig (SnapStart already shortens cold starts), or remove snapStart (or set applyOn "None")');
      }
    }
    return findings;
  },
};

/**
 * A function mounts an EFS file system through the file system's mount targets in its VPC: "Create a file system in
 * Amazon EFS with a mount target in every Availability Zone that your function connects to"
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html), so a function with `fileSystemConfig`
 * naming an EFS access point and no `vpcConfig` subnets is refused at `pulumi up`: "Function must be configured to
 * execute in a VPC to reference access point arn:aws:elasticfilesystem:…" (as CloudFormation relayed it,
 * aws-cloudformation/cfn-lint#4369; cfn-lint#4408 made `VpcConfig` required beside `FileSystemConfigs`). pulumi-aws
 * checks only the access point's ARN and the mount path (terraform-provider-aws function.go `file_system_config`), so
 * `pulumi preview` passes. A `vpcConfig` with no subnets is no VPC (the provider takes the empty block as "not in a
 * VPC"). An Amazon S3 Files access point (pulumi-aws 7.48 also takes one) is not judged: whether it needs a VPC is not
 * confirmed. Which call refuses (CreateFunction/UpdateFunctionConfiguration) and its exception are not confirmed.
 */
export const LAMBDA_FILE_SYSTEM_VPC: DeployRule = {
  id: "LambdaFileSystemVpc",
  title: "A function that mounts an EFS file system runs in a VPC",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html",
  check(graph) {
    return ofType(graph, "aws:lambda/function:Function")
      .filter((fn) => {
        const vpcConfig: unknown = fn.inputs.vpcConfig;
        // A vpcConfig (or its subnetIds) unknown at preview may hold subnets: not judged.
        if (isUnknown(vpcConfig) || isUnknown(fn.inputs.vpcConfig?.subnetIds)) return false;
        return efsAccessPointOf(graph, fn) !== undefined && asArray(fn.inputs.vpcConfig?.subnetIds).length === 0;
      })
      .map((fn) =>
        finding(
          this.id,
          fn,
          `mounts EFS access point ${fn.inputs.fileSystemConfig.arn} without a VPC (no vpcConfig subnets); Lambda reaches the file system through its mount targets in the VPC and refuses the function ("Function must be configured to execute in a VPC to reference access point …")`,
          "give the function vpcConfig with subnets where the file system has mount targets and a security group allowing NFS (TCP 2049) to them, or remove fileSystemConfig",
        ),
      );
  },
};

const EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";

/**
 * The sources whose mappings Lambda keeps one per function: SQS queues, Kinesis streams and DynamoDB streams, for which
 * LocalStack checked the refusal against AWS (localstack/localstack#9996). Kafka, MQ and DocumentDB sources are left
 * out: whether mappings of one cluster or broker with other topics or queues are refused is not confirmed.
 */
const ONE_MAPPING_PER_FUNCTION_SOURCE = /^arn:[^:]+:(sqs|kinesis|dynamodb):/;

/**
 * The pair Lambda keeps one event source mapping of: the event source's ARN and the function, named without its
 * qualifier, in the mapping's region (`region`: regionOf the mapping), as a key; undefined for a mapping without an
 * ARN source, of a source not in ONE_MAPPING_PER_FUNCTION_SOURCE, or whose function is not a plain string. Keyed
 * without the qualifier (an alias or version): whether Lambda tells mappings of one source to two qualifiers of one
 * function apart is not confirmed, so they count as one function.
 */
export function eventSourceMappingPair(graph: Graph, mapping: RecordedResource, region: string): string | undefined {
  const [source, reference] = [mapping.inputs.eventSourceArn, mapping.inputs.functionName];
  if (typeof source !== "string" || !ONE_MAPPING_PER_FUNCTION_SOURCE.test(source) || typeof reference !== "string" || !reference) return undefined;
  const fn = functionOf(graph, reference);
  const named = functionNameParts(reference);
  const fnName = typeof fn?.state.name === "string" ? fn.state.name : (named?.name ?? reference);
  return JSON.stringify([source, fnName, named?.region ?? region]);
}

/**
 * Lambda keeps one event source mapping per event source and function: CreateEventSourceMapping for a pair that has one
 * is refused with ResourceConflictException (API_CreateEventSourceMapping lists it: "The resource already exists, or
 * another operation is in progress"). That it is the pair AWS checks is observed, not in AWS's text: "The event source
 * arn (…) and function (…) provided mapping already exists. Please update or delete the existing mapping with UUID …"
 * (hashicorp/terraform-provider-aws#33352 for a DynamoDB stream, aws/serverless-application-model#1320; LocalStack
 * raises it for SQS, Kinesis and DynamoDB streams after checking AWS, localstack/localstack#9996). Two mappings of one
 * plan on one pair: the first deploy stops at the second. Compared per account too (accountScope, as LogGroupNameUnique):
 * a mapping is created in its provider's account, and same-named functions of two accounts are two functions, so
 * mappings made through providers into two accounts do not collide. The mapping's account is the key, not the source
 * ARN's (one source may feed functions of several accounts).
 */
export const LAMBDA_EVENT_SOURCE_MAPPING_UNIQUE: DeployRule = {
  id: "LambdaEventSourceMappingUnique",
  title: "No two event source mappings of a plan map one event source to one function",
  source: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html",
  check(graph, context) {
    // The mappings of each pair in each account, in plan order: every one after the first is refused.
    const byPair = new Map<string, RecordedResource[]>();
    for (const mapping of ofType(graph, EVENT_SOURCE_MAPPING)) {
      const pair = eventSourceMappingPair(graph, mapping, regionOf(graph, mapping, context));
      // The pair ([source, function, region]) with the mapping's account after it.
      const key = pair === undefined ? undefined : JSON.stringify([...(JSON.parse(pair) as string[]), accountScope(graph, mapping)]);
      if (key !== undefined) byPair.set(key, [...(byPair.get(key) ?? []), mapping]);
    }
    return [...byPair].flatMap(([key, [earlier, ...later]]) => {
      const [source, fnName] = JSON.parse(key) as string[];
      return later.map((mapping) =>
        finding(
          this.id,
          mapping,
          `maps ${source} to function ${fnName}, as ${earlier.name} already does; Lambda keeps one mapping per event source and function and refuses the second CreateEventSourceMapping (ResourceConflictException "The event source arn (…) and function (…) provided mapping already exists")`,
          "keep one mapping of the pair and handle everything the function does with that source in it (DataTier: one subscribe(...) per function and table), or map the source to another function",
        ),
      );
    });
  },
};

export const LAMBDA_RULES: DeployRule[] = [LAMBDA_LIMITS, LAMBDA_ALIAS_NAME, LAMBDA_RETAINED_FUNCTION_PARTS, LAMBDA_POLICY_SIZE, LAMBDA_PERMISSION_SOURCE_ARN, LAMBDA_PROVISIONED_CONCURRENCY, LAMBDA_EVENT_SOURCE_MAPPING_UNIQUE, LAMBDA_ONE_RESOURCE_POLICY, LAMBDA_LOG_LEVEL_FORMAT, LAMBDA_SNAPSTART_RUNTIME, LAMBDA_SNAPSTART_FEATURES, LAMBDA_FILE_SYSTEM_VPC];
