/**
 * An embedded dynalite with the gallery table's schema (CONTEXT.md / DataTier's
 * `gallery` table), for handler tests, and API Gateway REST proxy events to call handlers with.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startPatchedDynalite } from "../../local/dynamodb";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { startLocalSecrets } from "../../local/secrets-server";
import { startLocalSqs, type LocalSqsServer } from "../../local/sqs-server";
import { queueDefinition } from "../local/sqs-helpers";
import type { PhotoRemoval } from "../../handlers/shared/photo-removals";
import { ALBUM_EVENTS_SOURCE } from "../../handlers/shared/gallery-keys";
import { startLocalEventBridge, type EventBridgeEvent, type LocalEventBridgeServer } from "../../local/eventbridge-server";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";

/** The cursor key's secret id and value the gallery API handlers read (CURSOR_SECRET_ID, through Powertools). */
export const CURSOR_SECRET = { id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-cursor-secret-AbCdEf", value: "test-cursor-secret" };

export interface GalleryTable {
  endpoint: string;
  /** A local GetSecretValue holding CURSOR_SECRET. */
  secretsEndpoint: string;
  stop(): Promise<void>;
}

export async function startGalleryTable(tableName = "gallery"): Promise<GalleryTable> {
  // The local runtime's DynamoDB (every dynalite patch, transactions, tables named by their ARNs), without its stream proxy.
  const dynamo = await startPatchedDynalite({ region: "us-east-1" });
  const endpoint = dynamo.endpoint;
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
        { AttributeName: "gsi1pk", AttributeType: "S" },
        { AttributeName: "gsi1sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "gsi1",
          KeySchema: [
            { AttributeName: "gsi1pk", KeyType: "HASH" },
            { AttributeName: "gsi1sk", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    }),
  );
  // DataTier's idempotency table (IDEMPOTENCY_TABLE): Powertools' default key attribute.
  await client.send(
    new CreateTableCommand({
      TableName: IDEMPOTENCY_TABLE_NAME,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    }),
  );
  client.destroy();
  const secrets = await startLocalSecrets({ secretsManager: new Map([[CURSOR_SECRET.id, CURSOR_SECRET.value]]), ssm: new Map() });
  return {
    endpoint,
    secretsEndpoint: secrets.endpoint,
    stop: async () => {
      await secrets.stop();
      await dynamo.close();
    },
  };
}

/** Name of the idempotency table startGalleryTable creates beside the gallery table. */
export const IDEMPOTENCY_TABLE_NAME = "idempotency";

export interface EventInput {
  method: string;
  /** Route resource, e.g. `/api/albums/{albumId}`. */
  resource: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** The verified user; omitted: no authorizer claims. */
  sub?: string;
  stage?: string;
}

/** An API Gateway REST proxy event as a Cognito-authorised route receives it. */
export function apiEvent(input: EventInput): APIGatewayProxyEvent {
  const path = input.resource.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => input.pathParameters?.[name] ?? "");
  const body = input.body === undefined ? null : typeof input.body === "string" ? input.body : JSON.stringify(input.body);
  const headers = { ...(body !== null ? { "content-type": "application/json" } : {}), ...(input.headers ?? {}) };
  const stage = input.stage ?? "dev";
  return {
    httpMethod: input.method,
    path,
    resource: input.resource,
    pathParameters: input.pathParameters ?? null,
    queryStringParameters: input.query ?? null,
    multiValueQueryStringParameters: input.query ? Object.fromEntries(Object.entries(input.query).map(([k, v]) => [k, [v]])) : null,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body,
    isBase64Encoded: false,
    stageVariables: { alias: stage },
    requestContext: {
      accountId: "123456789012",
      apiId: "local",
      stage,
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      httpMethod: input.method,
      path: `/${stage}${path}`,
      resourcePath: input.resource,
      resourceId: "res",
      protocol: "HTTP/1.1",
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: "127.0.0.1" } as APIGatewayProxyEvent["requestContext"]["identity"],
      authorizer: input.sub ? { claims: { sub: input.sub, token_use: "id" } } : null,
    } as APIGatewayProxyEvent["requestContext"],
  } as APIGatewayProxyEvent;
}

export const lambdaContext = { functionName: "test", awsRequestId: "test", getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/** What a gallery API handler gets from Lambda and the program, pointed at the test's table (call before importing a handler). */
export function useGalleryApiEnvironment(table: Pick<GalleryTable, "endpoint" | "secretsEndpoint">): void {
  Object.assign(process.env, {
    TABLE_NAME: "gallery",
    UPLOAD_BUCKET_NAME: "uploads",
    CURSOR_SECRET_ID: CURSOR_SECRET.id,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: table.secretsEndpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    POWERTOOLS_DEV: "true",
    POWERTOOLS_LOG_LEVEL: "ERROR",
    POWERTOOLS_METRICS_DISABLED: "true",
  });
}

/** The photo-removals queue's name on the local SQS server that startRemovalsQueue starts. */
export const REMOVALS_QUEUE = "photo-removals";

/** A local SQS server with the photo-removals queue (no delay), its URL and region set as index.ts sets them for a sender. */
export async function startRemovalsQueue(): Promise<LocalSqsServer> {
  const sqs = await startLocalSqs({ queues: [{ ...queueDefinition(REMOVALS_QUEUE, "us-east-1"), visibilityTimeoutSeconds: 60 }] });
  Object.assign(process.env, { PHOTO_REMOVALS_QUEUE_URL: sqs.queueUrl(REMOVALS_QUEUE), PHOTO_REMOVALS_QUEUE_REGION: "us-east-1" });
  return sqs;
}

/** The removals sent to the photo-removals queue since the last call, in order; taken off the queue. */
export async function removalsSent(sqs: LocalSqsServer): Promise<PhotoRemoval[]> {
  const received = [];
  for (let batch = await sqs.sqs.receive(REMOVALS_QUEUE, { max: 10 }); batch.length > 0; batch = await sqs.sqs.receive(REMOVALS_QUEUE, { max: 10 })) {
    for (const message of batch) sqs.sqs.delete(REMOVALS_QUEUE, message.receiptHandle);
    received.push(...batch);
  }
  return received.map((m) => JSON.parse(m.body) as PhotoRemoval);
}

/** The gallery bus's name on the local EventBridge that startGalleryEventBus starts. */
export const GALLERY_BUS = "gallery-events";

/**
 * A local EventBridge with the gallery bus and one rule matching every event the albums API puts (source
 * gallery.albums), EVENT_BUS_NAME and its endpoint set as index.ts and the local runtime set them; `events` are what
 * the rule was delivered, in order.
 */
export async function startGalleryEventBus(): Promise<LocalEventBridgeServer & { events: EventBridgeEvent[] }> {
  const events: EventBridgeEvent[] = [];
  const server = await startLocalEventBridge({
    buses: [
      {
        name: GALLERY_BUS,
        arn: `arn:aws:events:us-east-1:${MOCK_ACCOUNT_ID}:event-bus/${GALLERY_BUS}`,
        region: "us-east-1",
        account: MOCK_ACCOUNT_ID,
        rules: [{ arn: `arn:aws:events:us-east-1:${MOCK_ACCOUNT_ID}:rule/${GALLERY_BUS}/albums`, pattern: { source: [ALBUM_EVENTS_SOURCE] }, deliver: (event) => void events.push(event) }],
      },
    ],
  });
  Object.assign(process.env, { EVENT_BUS_NAME: GALLERY_BUS, AWS_ENDPOINT_URL_EVENTBRIDGE: server.endpoint });
  return Object.assign(server, { events });
}
