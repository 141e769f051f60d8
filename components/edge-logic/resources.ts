/** The resources EdgeLogic creates from its spec: CloudFront Functions, a KeyValueStore, Lambda@Edge functions. */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { LambdaFunction, type LambdaFunctionSpec } from "../lambda/function";
import type { EdgeFunctionSpec, EdgeLambdaSpec, EdgeLogicSpec } from "./spec";

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

/** A Lambda@Edge function through the Lambda building block (`edge: true`: us-east-1, published, retained, edgelambda trust, no env). */
export function createEdgeLambda(name: string, lambda: EdgeLambdaSpec, parent: pulumi.Resource): LambdaFunction {
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
    },
    { parent },
  );
}

export type { LambdaFunctionSpec };
