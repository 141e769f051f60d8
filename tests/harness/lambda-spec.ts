/**
 * A LambdaFunctionSpec for local runtime tests that start a LocalLambda directly: what LambdaFunction normalises to for
 * a small Node function (128 MB, 1 s, no tracing), with the entry and any other field the test needs.
 */
import type { LambdaFunctionSpec } from "../../components/lambda/function";

export function localLambdaSpec(overrides: Partial<LambdaFunctionSpec> & Pick<LambdaFunctionSpec, "name" | "entry">): LambdaFunctionSpec {
  return {
    handler: "handler",
    memorySize: 128,
    timeout: 1,
    ephemeralStorageSize: 512,
    architecture: "arm64",
    publish: false,
    tracing: false,
    edge: false,
    logRetentionDays: 30,
    environment: {},
    permissions: [],
    layers: [],
    bundle: {},
    retainOnDelete: false,
    ...overrides,
  };
}
