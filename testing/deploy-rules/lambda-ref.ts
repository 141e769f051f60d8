/**
 * How the deploy rules read a reference to a Lambda function (an input that names one: a Permission's `function`, an
 * event source mapping's `functionName`, a target's ARN) and find the plan's function it names.
 */
import { ofType, referencedResource, type Graph } from "../../local/offline/graph";
import { functionNameParts } from "../../local/lambda-function-name";
import type { RecordedResource } from "../../local/offline/mocks";
import { referenced, referencedIndex, regionOf, type DeployRuleContext } from "./rule";

const FUNCTION = "aws:lambda/function:Function";

/**
 * A function reference taken apart as Lambda reads a FunctionName (local/lambda-function-name.ts functionNameParts, the
 * one reading the local Invoke API and StatesLambdaTasks use too): an ARN, a partial ARN `<account>:function:<name>` or
 * a name, each with an optional `:<qualifier>` ("You can append a version number or alias to any of the formats",
 * API_AddPermission); the region and account only when the reference names them; undefined for anything else, such as
 * another service's ARN.
 */
export type FunctionReference = NonNullable<ReturnType<typeof functionNameParts>>;

/** `reference` without its qualifier, as the function's own ARN or name reads; undefined when it has none. */
export const unqualified = (reference: string): string | undefined => {
  const qualifier = functionNameParts(reference)?.qualifier;
  return qualifier ? reference.slice(0, -qualifier.length - 1) : undefined;
};

/** The plan's function a (possibly qualified) function ARN or name points at. One question: no index is built. */
export function functionOf(graph: Graph, reference: unknown): RecordedResource | undefined {
  const bare = typeof reference === "string" ? unqualified(reference) : undefined;
  return referenced(graph, FUNCTION, reference) ?? (bare ? referenced(graph, FUNCTION, bare) : undefined);
}

/**
 * functionOf for many references: the plan's functions are read once. The look-up reflects `graph` as it was when
 * functionIndex was called: build it once per rule run.
 */
export function functionIndex(graph: Graph): (reference: unknown) => RecordedResource | undefined {
  const find = referencedIndex(graph, FUNCTION);
  return (reference) => {
    const bare = typeof reference === "string" ? unqualified(reference) : undefined;
    return find(reference) ?? (bare ? find(bare) : undefined);
  };
}

/** The function policy an aws.lambda.Permission adds its statement to. */
export interface PermissionFunction extends FunctionReference {
  /** The `function` input as the provider receives it: a string, or the id of a Function given as the resource. */
  reference: string;
  region: string;
  /** The plan's function, when the reference names one in the Permission's region (or by full ARN). */
  fn?: RecordedResource;
}

/**
 * Where a Permission's statement goes: its `function` (a name, partial ARN or ARN, or a Function resource, which the
 * provider receives as the function's id: pulumi-aws PermissionArgs.function is `Input<string | Function>`) with its
 * `qualifier` (given apart, else appended), in the reference's region, else the Permission's own (regionOf: a name is
 * resolved in the region AddPermission is called in). Undefined when the function is unknown or not a Lambda
 * reference. `lookUp` finds the plan's function (functionIndex's: its callers ask for every Permission of the plan).
 */
export function permissionFunction(graph: Graph, context: DeployRuleContext, permission: RecordedResource, lookUp: (reference: unknown) => RecordedResource | undefined): PermissionFunction | undefined {
  const given = permission.inputs.function;
  const reference = typeof given === "string" ? given : referencedResource(graph, given)?.id;
  if (typeof reference !== "string" || reference === "") return undefined;
  const named = functionNameParts(reference);
  if (!named) return undefined;
  const region = named.region ?? regionOf(graph, permission, context);
  const qualifier = (typeof permission.inputs.qualifier === "string" && permission.inputs.qualifier) || named.qualifier;
  const fn = lookUp(reference);
  // A name or partial ARN names the function of the Permission's region; the plan's same-named function elsewhere is another one.
  const inRegion = fn && (named.region !== undefined || regionOf(graph, fn, context) === region) ? fn : undefined;
  return { ...named, reference, region, qualifier, fn: inRegion };
}

/**
 * The resources of `type` (a function's configuration: provisioned concurrency, runtime management, asynchronous
 * invocation) by the function of the plan their `functionName` names, as name, partial ARN or ARN: a name or partial ARN
 * names the function in the configuration's region, any qualifier. Internal: the rules that judge a function's
 * configurations by the function (LambdaEdgeFeatures, LambdaEdgeSettingsIgnored, LambdaSnapStartFeatures).
 */
export function configsByFunction(graph: Graph, type: string, context: DeployRuleContext): Map<RecordedResource, RecordedResource[]> {
  const byFunction = new Map<RecordedResource, RecordedResource[]>();
  for (const config of ofType(graph, type)) {
    const reference = config.inputs.functionName;
    if (typeof reference !== "string") continue;
    const fn = functionOf(graph, reference) ?? partialArnFunction(graph, reference);
    if (!fn || regionOf(graph, fn, context) !== (functionNameParts(reference)?.region ?? regionOf(graph, config, context))) continue;
    byFunction.set(fn, [...(byFunction.get(fn) ?? []), config]);
  }
  return byFunction;
}

/**
 * The plan's function a partial ARN (`123456789012:function:name`, with or without a qualifier) names: by its name, when
 * the account is the function's own (its ARN's) or its ARN is unknown. A partial ARN is no identity of the function
 * (ids, names and full ARNs are), so functionOf does not find it. In a recorded plan the function's ARN names the
 * mocks' account (MOCK_ACCOUNT_ID, which `aws.getCallerIdentity` answers too), so a partial ARN built from the caller's
 * identity matches and one written with a literal account id does not: missed, never refused wrongly.
 */
function partialArnFunction(graph: Graph, reference: string): RecordedResource | undefined {
  const named = functionNameParts(reference);
  if (!named || named.account === undefined || named.region !== undefined || reference.startsWith("arn:")) return undefined;
  const fn = functionOf(graph, named.name);
  const fnAccount = typeof fn?.state.arn === "string" ? fn.state.arn.split(":")[4] : undefined;
  return fnAccount === undefined || fnAccount === named.account ? fn : undefined;
}
