/**
 * The runtime half of RealtimeApi, for Lambda handlers: a helper that records, finds and posts to
 * connections, on the connections table's schema (./schema.ts, re-exported here).
 *
 * No Pulumi imports here: handlers bundle this file (esbuild keeps only what they use).
 *
 * API Gateway holds the WebSocket (Lambda is ephemeral); handlers only know connection
 * ids. A connection id is valid until the client leaves or API Gateway closes it (2 hours at most,
 * 10 minutes idle: https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html), so
 * records carry a TTL just past that, and a post to a connection that is gone (410 GoneException:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html)
 * deletes its record — $disconnect is best-effort and can be missed.
 */
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { CONNECTIONS_TABLE, MAX_CONNECTION_SECONDS, REALTIME_ENVIRONMENT } from "./schema";

export { CONNECTIONS_TABLE, MAX_CONNECTION_SECONDS, REALTIME_ENVIRONMENT, connectionsTableArgs } from "./schema";

/**
 * The @connections endpoint for `deployed` (REALTIME_ENDPOINT): itself in AWS; locally (`localOrigin`
 * set) the local server's `<origin>/<api-id>/<stage>`.
 */
export function managementEndpoint(deployed: string, localOrigin?: string): string {
  if (!localOrigin) return deployed;
  const url = new URL(deployed);
  const apiId = url.hostname.split(".")[0];
  return `${localOrigin.replace(/\/$/, "")}/${apiId}${url.pathname.replace(/\/$/, "")}`;
}

export interface ConnectionsOptions {
  tableName: string;
  /** The stage's @connections endpoint (`https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`). */
  endpoint: string;
  dynamo?: DynamoDBDocumentClient;
  management?: ApiGatewayManagementApiClient;
  /** Seconds a record lives. @default MAX_CONNECTION_SECONDS plus a minute */
  ttlSeconds?: number;
}

export interface PostResult {
  /** Connections the message reached. */
  sent: string[];
  /** Connections API Gateway said are gone (410); their records were deleted. */
  gone: string[];
}

export class Connections {
  readonly dynamo: DynamoDBDocumentClient;
  readonly management: ApiGatewayManagementApiClient;
  private readonly ttlSeconds: number;

  constructor(private readonly options: ConnectionsOptions) {
    this.dynamo = options.dynamo ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));
    this.management = options.management ?? new ApiGatewayManagementApiClient({ endpoint: options.endpoint });
    this.ttlSeconds = options.ttlSeconds ?? MAX_CONNECTION_SECONDS + 60;
  }

  /** Records a connection of `userId` ($connect). */
  async add(connectionId: string, userId: string, now = Date.now()): Promise<void> {
    await this.dynamo.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: { [CONNECTIONS_TABLE.partitionKey]: connectionId, [CONNECTIONS_TABLE.userAttribute]: userId, [CONNECTIONS_TABLE.ttlAttribute]: Math.floor(now / 1000) + this.ttlSeconds, connectedAt: now },
      }),
    );
  }

  /** Forgets a connection ($disconnect, or a post that found it gone). */
  async remove(connectionId: string): Promise<void> {
    await this.dynamo.send(new DeleteCommand({ TableName: this.options.tableName, Key: { [CONNECTIONS_TABLE.partitionKey]: connectionId } }));
  }

  /** The user's open connections (the `byUser` index; eventually consistent, which a $connect a moment ago may miss). */
  async ofUser(userId: string): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: CONNECTIONS_TABLE.userIndex,
          KeyConditionExpression: "#user = :user",
          ExpressionAttributeNames: { "#user": CONNECTIONS_TABLE.userAttribute },
          ExpressionAttributeValues: { ":user": userId },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item[CONNECTIONS_TABLE.partitionKey]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }

  /** Sends `message` (JSON-serialised unless a string) to one connection; true if sent, false if it was gone (and is now forgotten). */
  async post(connectionId: string, message: unknown): Promise<boolean> {
    try {
      await this.management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: typeof message === "string" ? message : JSON.stringify(message) }));
      return true;
    } catch (error) {
      // By name: the handler's bundle and this module may hold different copies of the SDK's error class.
      if ((error as { name?: string }).name !== "GoneException") throw error;
      await this.remove(connectionId);
      return false;
    }
  }

  /** Sends `message` to every open connection of `userId`, and only to those. */
  async postToUser(userId: string, message: unknown): Promise<PostResult> {
    const result: PostResult = { sent: [], gone: [] };
    for (const connectionId of await this.ofUser(userId)) {
      (await this.post(connectionId, message) ? result.sent : result.gone).push(connectionId);
    }
    return result;
  }
}

/** A Connections for this function, from RealtimeApi's environment variables; throws naming the missing one. */
export function connectionsFromEnvironment(env: Record<string, string | undefined> = process.env, clients: Pick<ConnectionsOptions, "dynamo" | "management"> = {}): Connections {
  const tableName = env[REALTIME_ENVIRONMENT.tableName];
  const deployed = env[REALTIME_ENVIRONMENT.endpoint];
  if (!tableName || !deployed) {
    throw new Error(`${REALTIME_ENVIRONMENT.tableName} and ${REALTIME_ENVIRONMENT.endpoint} must be set (RealtimeApi sets them on its routes; other functions take realtime.publisherEnvironment())`);
  }
  return new Connections({ tableName, endpoint: managementEndpoint(deployed, env[REALTIME_ENVIRONMENT.localOrigin]), ...clients });
}
