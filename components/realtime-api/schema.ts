/**
 * The connections table's schema and the environment variable names of RealtimeApi's runtime helper: one
 * description, used by the component (and DataTier through `connectionsTableArgs()`) and by the helper in
 * ./connections.ts. Apart from the helper so that loading the component does not load the AWS SDK clients the
 * helper uses (≈30 ms of every plan: issue 15).
 */
import type { TableArgs } from "../data-tier/spec";

/** Attribute and index names of a connections table. */
export const CONNECTIONS_TABLE = {
  partitionKey: "connectionId",
  userAttribute: "userId",
  /** Global index by user: a user's open connections (every browser tab) in one Query. */
  userIndex: "byUser",
  /** Epoch seconds after which DynamoDB deletes the record. */
  ttlAttribute: "expiresAt",
} as const;

/** API Gateway closes a WebSocket connection after 2 hours (its "Connection duration for WebSocket API" quota). */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60;

/** Environment variables the helper reads; RealtimeApi sets them on its route functions and gives them with `publisherEnvironment()`. */
export const REALTIME_ENVIRONMENT = {
  tableName: "CONNECTIONS_TABLE_NAME",
  /** `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`: the @connections endpoint of the stage. */
  endpoint: "REALTIME_ENDPOINT",
  /**
   * Set only by `npm start`: the local execute-api server's origin. The helper then posts to
   * `<origin>/<api-id>/<stage>` (path-style, one local server for every API) instead of AWS.
   */
  localOrigin: "AWS_ENDPOINT_URL_EXECUTE_API",
} as const;

/**
 * The connections table for a DataTier: `tables: { connections: connectionsTableArgs() }`. On-demand,
 * TTL on `expiresAt`, the `byUser` index (KEYS_ONLY: the connection id is the table key). PITR stays on
 * (DataTier's default, security rule DDB3), though a restored connection is only a pointer to a closed socket.
 */
export function connectionsTableArgs(): TableArgs {
  return {
    attributes: { [CONNECTIONS_TABLE.partitionKey]: "S", [CONNECTIONS_TABLE.userAttribute]: "S" },
    partitionKey: CONNECTIONS_TABLE.partitionKey,
    globalIndexes: { [CONNECTIONS_TABLE.userIndex]: { partitionKey: CONNECTIONS_TABLE.userAttribute, projection: "KEYS_ONLY" } },
    ttlAttribute: CONNECTIONS_TABLE.ttlAttribute,
  };
}
