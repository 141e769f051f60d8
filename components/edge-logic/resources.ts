/** The resources EdgeLogic creates from its spec: CloudFront Functions, a KeyValueStore, Lambda@Edge functions. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LambdaFunction, type LambdaFunctionSpec } from "../lambda/function";
import { edgePackageLimit, type EdgeFunctionSpec, type EdgeLambdaSpec, type EdgeLogicSpec } from "./spec";

export const CLOUDFRONT_FUNCTION_RUNTIME = "cloudfront-js-2.0";

export interface KeyValueStoreNodes {
  store: aws.cloudfront.KeyValueStore;
  keys: aws.cloudfront.KeyvaluestoreKeysExclusive;
}

/** The store, and its keys managed exclusively: what `data` says is what the store holds. */
export function createKeyValueStore(name: string, spec: EdgeLogicSpec, parent: pulumi.Resource): KeyValueStoreNodes | undefined {
  if (!spec.keyValueStore) return undefined;
  const store = new aws.cloudfront.KeyValueStore(`${name}-kvs`, { comment: spec.keyValueStore.comment }, { parent });
  const keys = new aws.cloudfront.KeyvaluestoreKeysExclusive(
    `${name}-kvs-keys`,
    {
      keyValueStoreArn: store.arn,
      resourceKeyValuePairs: Object.entries(spec.keyValueStore.data).map(([key, value]) => ({ key, value })),
    },
    { parent },
  );
  return { store, keys };
}

export function createCloudFrontFunction(
  name: string,
  fn: EdgeFunctionSpec,
  kvs: KeyValueStoreNodes | undefined,
  parent: pulumi.Resource,
): aws.cloudfront.Function {
  return new aws.cloudfront.Function(
    `${name}-${fn.key}`,
    {
      runtime: CLOUDFRONT_FUNCTION_RUNTIME,
      comment: fn.comment,
      code: fn.code,
      // Publish to LIVE: distributions run the live stage.
      publish: true,
      keyValueStoreAssociations: fn.keyValueStore && kvs ? [kvs.store.arn] : undefined,
    },
    // The keys must be in the store before code that reads them goes live.
    { parent, dependsOn: fn.keyValueStore && kvs ? [kvs.keys] : [] },
  );
}

/**
 * Tags on every Lambda@Edge function: the function outlives its stack (retained on delete, since its
 * replicas take hours to go), and `npm run edge-cleanup` finds a stack's leftovers by these.
 */
export const EDGE_TAGS = {
  /** `<project>/<stack>` of the program that created the function. */
  stack: "serverless-fullstack:stack",
  /** The EdgeLogic component's name. */
  edgeLogic: "serverless-fullstack:edge-logic",
} as const;

export function edgeStackTagValue(project: string, stack: string): string {
  return `${project}/${stack}`;
}

/** A Lambda@Edge function through the Lambda building block (`edge: true`: us-east-1, published, retained, edgelambda trust, no env). */
export function createEdgeLambda(name: string, lambda: EdgeLambdaSpec, parent: pulumi.Resource): LambdaFunction {
  const tags = { [EDGE_TAGS.stack]: edgeStackTagValue(pulumi.getProject(), pulumi.getStack()), [EDGE_TAGS.edgeLogic]: name };
  const limit = edgePackageLimit(lambda.eventType);
  return new LambdaFunction(
    `${name}-${lambda.key}`,
    {
      entry: lambda.entry,
      handler: lambda.handler,
      edge: true,
      memorySize: lambda.memorySize,
      timeout: lambda.timeout,
      description: `Lambda@Edge ${name} ${lambda.key} (${lambda.eventType})`,
      bundle: { define: lambda.define, external: lambda.external },
      // LambdaFunction's deploy-time check names only itself: the limit carries the EdgeLogic argument and event type.
      packageLimit: { ...limit, what: `${limit.what} (${lambda.eventType}; EdgeLogic "${name}" lambdas.${lambda.key}.entry)` },
    },
    // LambdaFunction takes no tags; the transformation adds them to its aws.lambda.Function only.
    { parent, transformations: [(resource) => (resource.type === "aws:lambda/function:Function" ? { props: { ...resource.props, tags: { ...resource.props.tags, ...tags } }, opts: resource.opts } : undefined)] },
  );
}

/**
 * Lambda@Edge writes to `/aws/lambda/us-east-1.<function name>` in whichever region runs it ("When sending
 * logs to CloudWatch, Lambda@Edge automatically adds the us-east-1 prefix to the function name ... This prefix
 * remains part of the log group name, even in other Regions"), creating the group, without retention, on first
 * use. https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html
 * Created here first, each with the spec's retention (v7's per-resource `region`).
 */
export function createEdgeLogGroups(name: string, spec: EdgeLogicSpec, lambda: EdgeLambdaSpec, fn: LambdaFunction, parent: pulumi.Resource): aws.cloudwatch.LogGroup[] {
  return spec.logs.regions.map(
    (region) =>
      new aws.cloudwatch.LogGroup(
        `${name}-${lambda.key}-edge-logs-${region}`,
        { name: pulumi.interpolate`/aws/lambda/us-east-1.${fn.functionName}`, retentionInDays: spec.logs.retentionDays, region },
        { parent },
      ),
  );
}

export type { LambdaFunctionSpec };
