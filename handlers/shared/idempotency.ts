/**
 * Powertools idempotency for the gallery's event handlers: records in the DataTier's idempotency
 * table (IDEMPOTENCY_TABLE_NAME; DataTier `idempotency` and `idempotencyGrants()`), so an event
 * Lambda delivers twice — an S3 event retried, a stream batch redelivered — has one effect.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { Context } from "aws-lambda";

let store: DynamoDBPersistenceLayer | undefined;

function persistenceStore(): DynamoDBPersistenceLayer {
  const tableName = process.env.IDEMPOTENCY_TABLE_NAME;
  if (!tableName) throw new Error("IDEMPOTENCY_TABLE_NAME is not set");
  store ??= new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: new DynamoDBClient({}) });
  return store;
}

/**
 * `fn` made idempotent on its first argument (or on `eventKeyJmesPath` of it); any further arguments are passed through
 * unhashed (not part of the key). Call `context(ctx)` at the start of each invocation so an in-progress record expires
 * with the invocation's time left.
 */
export function idempotent<A, R, Rest extends unknown[] = []>(fn: (arg: A, ...rest: Rest) => Promise<R>, options: { eventKeyJmesPath?: string; expiresAfterSeconds?: number } = {}) {
  const config = new IdempotencyConfig({ eventKeyJmesPath: options.eventKeyJmesPath ?? "", expiresAfterSeconds: options.expiresAfterSeconds ?? 24 * 60 * 60 });
  let wrapped: ((arg: A, ...rest: Rest) => Promise<R>) | undefined;
  return {
    context(context: Context): void {
      config.registerLambdaContext(context);
    },
    run(arg: A, ...rest: Rest): Promise<R> {
      // The table name is read on first use, so modules load without it (tests, the local runtime's cold start).
      // Only the first argument is hashed (makeIdempotent's default when the second is no Lambda context).
      wrapped ??= makeIdempotent(fn, { persistenceStore: persistenceStore(), config }) as (arg: A, ...rest: Rest) => Promise<R>;
      return wrapped(arg, ...rest);
    },
  };
}
