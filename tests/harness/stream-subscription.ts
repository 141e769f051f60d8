/**
 * A StreamSubscriptionSpec for local DynamoDB tests that subscribe a function to a table's stream directly: what
 * DataTier normalises a subscription of `t.items` to with its defaults (batches of 100, no batching window, bisect on
 * error, 2 retries, a day's record age, LATEST, partial batch responses), a placeholder function, and any other field
 * the test needs.
 */
import type { StreamSubscriptionSpec } from "../../components/data-tier/stream";
import type { LambdaFunctionSpec } from "../../components/lambda/function";

export function streamSubscriptionSpec(overrides: Partial<StreamSubscriptionSpec> = {}): StreamSubscriptionSpec {
  return {
    name: "capture",
    dataTier: "t",
    table: "items",
    function: {} as LambdaFunctionSpec,
    batchSize: 100,
    maximumBatchingWindowInSeconds: 0,
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: 2,
    maximumRecordAgeInSeconds: 86400,
    startingPosition: "LATEST",
    deadLetterRetentionDays: 14,
    reportBatchItemFailures: true,
    ...overrides,
  };
}
