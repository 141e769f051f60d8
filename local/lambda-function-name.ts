/**
 * How Lambda's Invoke reads a FunctionName and Qualifier: one reading for the local Invoke API
 * (local/lambda-invoke-server.ts), Step Functions' optimized lambda:invoke and aws-sdk:lambda:invoke
 * (local/sfn-server.ts, local/sfn-integrations.ts) and the deploy rule StatesLambdaTasks, so the ARN IAM is asked
 * about is the same everywhere. A module of its own so the plan's rules load it without the Lambda runtime.
 */

/**
 * FunctionName as API_Invoke constrains it: "Function name – my-function (name-only), my-function:v1 (with alias).
 * Function ARN – arn:aws:lambda:us-west-2:123456789012:function:my-function. Partial ARN –
 * 123456789012:function:my-function." The pattern is the reference's (API_InvokeAsync prints the same one).
 */
export const FUNCTION_NAME_PATTERN = /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?$/;

/** A FunctionName's parts, each as the name gives it (none: the caller's default). */
export interface FunctionNameParts {
  partition?: string;
  region?: string;
  account?: string;
  name: string;
  qualifier?: string;
}

/** A FunctionName's parts as Invoke reads them (FUNCTION_NAME_PATTERN); undefined for a name of no form it takes. */
export function functionNameParts(functionName: string): FunctionNameParts | undefined {
  const parts = FUNCTION_NAME_PATTERN.exec(functionName);
  return parts ? { partition: parts[2], region: parts[3]?.slice(0, -1), account: parts[8]?.slice(0, -1), name: parts[10], qualifier: parts[12] } : undefined;
}

/** Where a FunctionName that names no partition, region or account is taken to be. */
export interface InvokeDefaults {
  partition: string;
  region: string;
  account: string;
}

/** The function an Invoke request names, and the ARN lambda:InvokeFunction is checked on (`arn`, qualified when the request is). */
export interface InvokeTarget {
  /** The qualifier invoked: the Qualifier given, else the one the FunctionName carries. */
  qualifier?: string;
  /** Qualifier given and FunctionName's own differ: Invoke refuses it (InvalidParameterValueException). */
  conflict: boolean;
  unqualifiedArn: string;
  arn: string;
}

/**
 * Invoke's ValidationException message for a Qualifier outside API_Invoke's constraint ("Length Constraints: Minimum
 * length of 1. Maximum length of 128. Pattern: (|[a-zA-Z0-9$_-]+)"); undefined for one it takes, or none.
 */
export function qualifierInvalid(qualifier: string | undefined): string | undefined {
  if (qualifier === undefined || /^[a-zA-Z0-9$_-]{1,128}$/.test(qualifier)) return undefined;
  return `1 validation error detected: Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`;
}

/** Invoke's InvalidParameterValueException message for a FunctionName whose qualifier is not the Qualifier given (InvokeTarget.conflict). */
export const QUALIFIER_CONFLICT = "The derived qualifier from the function name does not match the specified qualifier.";

/** A Qualifier as Invoke is sent it: a non-string one as its JSON text (`1` as "1", as an SDK Task writes a string member: LocalStack's StringShape coercion). */
export const qualifierText = (qualifier: unknown): string | undefined => (qualifier === undefined ? undefined : typeof qualifier === "string" ? qualifier : JSON.stringify(qualifier));

/**
 * The one reading of an Invoke's FunctionName and Qualifier, for the local Invoke API, Step Functions' optimized
 * lambda:invoke and its aws-sdk:lambda:invoke alike: the name's parts (functionNameParts), the rest from `defaults`,
 * and the qualifier as qualifierText reads it, so the ARN checked is the one invoked. IAM matches the qualified ARN: a
 * policy on the unqualified ARN does not cover `<arn>:<qualifier>`
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html). Undefined for a FunctionName of no
 * form Invoke takes.
 */
export function invokeTarget(functionName: string, qualifierParameter: unknown, defaults: InvokeDefaults): InvokeTarget | undefined {
  const parts = functionNameParts(functionName);
  return parts && targetOfParts(parts, qualifierParameter, defaults);
}

/** invokeTarget of a FunctionName already read (functionNameParts): for a caller whose defaults depend on the name. */
export function targetOfParts(parts: FunctionNameParts, qualifierParameter: unknown, defaults: InvokeDefaults): InvokeTarget {
  const given = qualifierText(qualifierParameter);
  const unqualifiedArn = `arn:${parts.partition ?? defaults.partition}:lambda:${parts.region ?? defaults.region}:${parts.account ?? defaults.account}:function:${parts.name}`;
  const qualifier = given ?? parts.qualifier;
  return { qualifier, conflict: given !== undefined && parts.qualifier !== undefined && given !== parts.qualifier, unqualifiedArn, arn: qualifier ? `${unqualifiedArn}:${qualifier}` : unqualifiedArn };
}

/**
 * Lambda's ResourceNotFoundException message for an Invoke of `target` that has no such function or qualifier: an
 * unqualified name is named `<arn>:$LATEST` (AWS-recorded through Step Functions' lambda:invoke: LocalStack's
 * test_task_service_lambda.snapshot.json, test_no_such_function, "Function not found:
 * arn:…:function:no_such_…:$LATEST"). A qualified one names its qualifier (not recorded).
 */
export const functionNotFound = (target: InvokeTarget): string => `Function not found: ${target.qualifier === undefined ? `${target.unqualifiedArn}:$LATEST` : target.arn}`;

/** What Invoke knows of a function's versions: the one the program published ("$LATEST" without `publish`), and its aliases (alias name → version). */
export interface FunctionVersions {
  version: string;
  aliases: ReadonlyMap<string, string>;
}

/**
 * The version a qualifier runs (Invoke's X-Amz-Executed-Version, Step Functions' lambda:invoke `ExecutedVersion`):
 * `$LATEST` unqualified, an alias's version, or a version itself: the one published, or an older one an alias still
 * points at (Lambda keeps it: "You can't delete a version that an alias references", API_DeleteFunction). Undefined for
 * a qualifier the function has not, which Invoke refuses as ResourceNotFoundException ("Function not found: <qualified
 * arn>"). Older versions no alias points at are unknown here, so they are refused, though AWS may still keep them. One
 * reading for the local Invoke API, Step Functions' optimized lambda:invoke and a direct function-ARN Task, so all
 * report the same version. An alias's weighted routing (RoutingConfig) is not modelled: it runs its primary version.
 */
export function executedVersion(fn: FunctionVersions, qualifier: string | undefined): string | undefined {
  if (qualifier === undefined || qualifier === "$LATEST") return "$LATEST";
  if (fn.aliases.has(qualifier)) return fn.aliases.get(qualifier);
  return qualifier === fn.version || [...fn.aliases.values()].includes(qualifier) ? qualifier : undefined;
}
