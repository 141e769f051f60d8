import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argFailer } from "../errors";
import type { LambdaFunction, LambdaFunctionSpec } from "../lambda/function";
import { registerSpec } from "../spec-registry";
import type { EdgeAssociation } from "./associations";
import { createCloudFrontFunction, createEdgeLambda, createEdgeLogGroups, createKeyValueStore } from "./resources";
import { normalise, validateArgs, type EdgeLambdaSpec, type EdgeLogicArgs, type EdgeLogicSpec } from "./spec";

export { DEFAULT_BEHAVIOUR, EDGE_EVENT_TYPES, FUNCTION_EVENT_TYPES, associationSlot } from "./associations";
export type { EdgeAssociation, EdgeEventType, FunctionEventType } from "./associations";
export { EDGE_LIMITS, EDGE_LOG_REGIONS } from "./spec";
export type { EdgeFunctionArgs, EdgeFunctionSpec, EdgeLambdaArgs, EdgeLogicArgs } from "./spec";
export { CLOUDFRONT_FUNCTION_RUNTIME, EDGE_TAGS, edgeStackTagValue } from "./resources";

/** EdgeLogic's normalised spec, with each Lambda@Edge function's LambdaFunction spec (what the local runtime runs). */
export interface EdgeLogicRegisteredSpec extends EdgeLogicSpec {
  lambdas: Array<EdgeLambdaSpec & { function: LambdaFunctionSpec }>;
}

/**
 * Code at the edge (seeds 002–004): CloudFront Functions (cloudfront-js-2.0) on viewer
 * events, with an optional KeyValueStore, and Lambda@Edge functions on any of CloudFront's
 * four trigger points, built by LambdaFunction in us-east-1 as published versions.
 * Pass `associations` to StaticSite's `edge` argument to attach them to its behaviours.
 *
 * @example
 * const edge = new EdgeLogic("edge", {
 *   keyValueStore: { data: { "/old-about": "/about" } },
 *   functions: {
 *     "viewer-request": { file: "handlers/edge/viewer-request.js", eventType: "viewer-request", keyValueStore: true, config: { cleanUrls: "html" } },
 *   },
 *   lambdas: {
 *     auth: { entry: "handlers/edge/auth.ts", eventType: "viewer-request", pathPatterns: ["/account/*"], define: { __EDGE_AUTH_CONFIG__: JSON.stringify(auth) } },
 *   },
 * });
 * const site = new StaticSite("site", { path: "site", edge: edge.associations });
 */
export class EdgeLogic extends pulumi.ComponentResource {
  readonly spec: EdgeLogicRegisteredSpec;
  /**
   * Every function's behaviour and event type, with its ARN (CloudFront Functions) or
   * published-version `qualifiedArn` (Lambda@Edge). Plain data with Output ARNs, so that
   * StaticSite can check the behaviours at construction.
   */
  readonly associations: readonly EdgeAssociation[];
  /** CloudFront Function ARNs by key. */
  readonly functionArns: pulumi.Output<Record<string, string>>;
  /** Lambda@Edge published-version ARNs by key. */
  readonly lambdaQualifiedArns: pulumi.Output<Record<string, string>>;
  /** The underlying resources, for users who need to extend them. */
  readonly nodes: {
    readonly functions: Readonly<Record<string, aws.cloudfront.Function>>;
    readonly lambdas: Readonly<Record<string, LambdaFunction>>;
    readonly keyValueStore?: aws.cloudfront.KeyValueStore;
    /** Each Lambda@Edge function's log groups, one per `logs.regions` entry. */
    readonly logGroups: Readonly<Record<string, readonly aws.cloudwatch.LogGroup[]>>;
  };

  constructor(name: string, args: EdgeLogicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:EdgeLogic", name, {}, opts);
    validateArgs(argFailer("EdgeLogic", name), name, args);
    const spec = normalise(name, args);

    const kvs = createKeyValueStore(name, spec, this);
    const functions = Object.fromEntries(spec.functions.map((fn) => [fn.key, createCloudFrontFunction(name, fn, kvs, this)]));
    const lambdas = Object.fromEntries(spec.lambdas.map((lambda) => [lambda.key, createEdgeLambda(name, lambda, this)]));
    const logGroups = Object.fromEntries(spec.lambdas.map((lambda) => [lambda.key, createEdgeLogGroups(name, spec, lambda, lambdas[lambda.key], this)]));

    this.spec = { ...spec, lambdas: spec.lambdas.map((lambda) => ({ ...lambda, function: lambdas[lambda.key].spec })) };
    this.associations = [
      ...spec.functions.flatMap((fn) =>
        fn.pathPatterns.map((pathPattern): EdgeAssociation => ({ pathPattern, eventType: fn.eventType, kind: "function", edgeLogic: name, key: fn.key, arn: functions[fn.key].arn })),
      ),
      ...spec.lambdas.flatMap((lambda) =>
        lambda.pathPatterns.map((pathPattern): EdgeAssociation => ({
          pathPattern, eventType: lambda.eventType, kind: "lambda", edgeLogic: name, key: lambda.key,
          // CloudFront only accepts a numbered version, never $LATEST or an alias. The version reaches the
          // distribution once its log groups exist, so no invocation creates one without retention first.
          arn: pulumi.all([lambdas[lambda.key].qualifiedArn, ...logGroups[lambda.key].map((group) => group.arn)]).apply(([arn]) => arn),
          includeBody: lambda.includeBody,
          servesErrorDocument: lambda.servesErrorDocument,
        })),
      ),
    ];
    this.functionArns = pulumi.all(Object.fromEntries(Object.entries(functions).map(([key, fn]) => [key, fn.arn])));
    this.lambdaQualifiedArns = pulumi.all(Object.fromEntries(Object.entries(lambdas).map(([key, fn]) => [key, fn.qualifiedArn])));
    this.nodes = { functions, lambdas, keyValueStore: kvs?.store, logGroups };
    registerSpec("EdgeLogic", name, this.spec);
    this.registerOutputs({ functionArns: this.functionArns, lambdaQualifiedArns: this.lambdaQualifiedArns });
  }
}
