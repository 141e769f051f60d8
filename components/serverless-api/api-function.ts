/**
 * The LambdaFunction of an API's route or Lambda authorizer, for every API component (ServerlessApi, both kinds, and
 * RealtimeApi): the function the user declared in the component's arguments, whose refusals read as the component's.
 */
import type * as pulumi from "@pulumi/pulumi";
import { asComponentError, type ChildFunctionArguments } from "../errors";
import { LambdaFunction, type LambdaFunctionArgs } from "../lambda/function";
import { apiBundleOptions, type ApiFunctionArgs } from "./args";

/** The API component a function belongs to, and which of its arguments the functions' shared settings come from. */
export interface ApiFunctionOwner {
  component: "ServerlessApi" | "RealtimeApi";
  apiName: string;
  /** The component's argument the functions' log retention comes from: `functionDefaults.logRetentionDays`, `logRetentionDays`. */
  logRetentionDays: string;
}

/**
 * How an API component names the arguments of a route's or a Lambda authorizer's LambdaFunction. `where` is where the
 * user declared it (`routes["GET /"]`, `authorizers.jwt`, `authorizer`); `declared.name` is the argument its name comes
 * from when not `where` (a route's own `name`; the component's name for RealtimeApi's authorizer, `<name>-authorizer`),
 * and `declared.exports: false` says it has no `export` argument (its file must export `handler`). Every function
 * takes the API's `region`.
 */
export function apiFunctionArguments(owner: ApiFunctionOwner, where: string, declared: { name?: string; exports?: false } = {}): ChildFunctionArguments {
  const renames: Record<string, string> = { logRetentionDays: owner.logRetentionDays, region: "region" };
  if (declared.name !== undefined) renames.name = declared.name;
  if (declared.exports === false) renames.handler = `${where}.handler`;
  return { component: owner.component, resourceName: owner.apiName, where, renames };
}

/**
 * A route's or authorizer's own `function` over the component's `functionDefaults`: scalars (reservedConcurrency too) and `vpc` replace,
 * environment and secrets merge by name, permissions, layers (the defaults' first, as Lambda applies them in order)
 * and bundle externals add up.
 */
export function mergeApiFunctionArgs(defaults: ApiFunctionArgs, own: ApiFunctionArgs | undefined) {
  return {
    memorySize: own?.memorySize ?? defaults.memorySize,
    timeout: own?.timeout ?? defaults.timeout,
    reservedConcurrency: own?.reservedConcurrency ?? defaults.reservedConcurrency,
    environment: { ...(defaults.environment ?? {}), ...(own?.environment ?? {}) },
    permissions: [...(defaults.permissions ?? []), ...(own?.permissions ?? [])],
    secrets: { ...(defaults.secrets ?? {}), ...(own?.secrets ?? {}) },
    vpc: own?.vpc ?? defaults.vpc,
    layers: [...(defaults.layers ?? []), ...(own?.layers ?? [])],
    bundle: apiBundleOptions({ ...defaults.bundle, ...own?.bundle, external: [...(defaults.bundle?.external ?? []), ...(own?.bundle?.external ?? [])] }),
  };
}

/** A route's or authorizer's function as the component resolved it (its `function` over `functionDefaults`). */
export interface ApiFunctionSpec {
  /** The LambdaFunction's resource name. */
  functionName: string;
  entry: string;
  /** The exported handler. @default LambdaFunction's, "handler" */
  export?: string;
  /** Memory, timeout, environment, permissions, secrets, VPC, layers, reserved concurrency, log retention and bundling. */
  settings: ApiFunctionArgs & { logRetentionDays: number };
}

/**
 * The function, created as `fn` says; a refusal of the LambdaFunction is rethrown as `owner`'s, under the argument the
 * user wrote (`routes["ping"].export`, not the LambdaFunction's `handler`), so its fix points at the component's
 * arguments rather than at a function the user never constructed.
 */
export function apiFunction(owner: ChildFunctionArguments, fn: ApiFunctionSpec, options: { publish?: boolean; region: LambdaFunctionArgs["region"] }, parent: pulumi.Resource): LambdaFunction {
  const { settings } = fn;
  try {
    return new LambdaFunction(
      fn.functionName,
      {
        entry: fn.entry,
        handler: fn.export,
        memorySize: settings.memorySize,
        timeout: settings.timeout,
        environment: settings.environment,
        permissions: settings.permissions,
        secrets: settings.secrets,
        vpc: settings.vpc,
        layers: settings.layers?.length ? settings.layers : undefined,
        reservedConcurrency: settings.reservedConcurrency,
        logRetentionDays: settings.logRetentionDays,
        bundle: settings.bundle,
        ...(options.publish ? { publish: true } : {}),
        region: options.region,
      },
      { parent },
    );
  } catch (error) {
    throw asComponentError(error, owner);
  }
}
