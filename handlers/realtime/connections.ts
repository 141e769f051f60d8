/**
 * The gallery WebSocket API's routes. API Gateway holds the sockets; these keep the connections
 * table (components/realtime-api/connections.ts) that lets the thumbnail function find a user's tabs.
 *
 * - `$connect`: records the connection with the user the authorizer verified;
 * - `$disconnect`: forgets it (best-effort: API Gateway may not deliver it, hence the TTL and 410 clean-up);
 * - `ping` (`{"action":"ping"}`): answers `{"type":"pong"}`, the page's keep-alive against the 10-minute idle timeout;
 * - `$default`: any other message gets `{"type":"error"}` naming the actions there are.
 */
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2WithRequestContext } from "aws-lambda";
import { connectionsFromEnvironment, type Connections } from "../../components/realtime-api/connections";

type WebSocketEvent = APIGatewayProxyWebsocketEventV2WithRequestContext<{
  connectionId: string;
  routeKey: string;
  eventType: "CONNECT" | "MESSAGE" | "DISCONNECT";
  authorizer?: { principalId?: string; sub?: string };
}>;

let connections: Connections | undefined;
const store = () => (connections ??= connectionsFromEnvironment());
const ok: APIGatewayProxyResult = { statusCode: 200, body: "" };

export async function connect(event: WebSocketEvent): Promise<APIGatewayProxyResult> {
  const user = event.requestContext.authorizer?.sub ?? event.requestContext.authorizer?.principalId;
  // The authorizer guards $connect; without its principal there is nobody to deliver to.
  if (!user) return { statusCode: 401, body: "" };
  await store().add(event.requestContext.connectionId, user);
  return ok;
}

export async function disconnect(event: WebSocketEvent): Promise<APIGatewayProxyResult> {
  await store().remove(event.requestContext.connectionId);
  return ok;
}

export async function ping(event: WebSocketEvent): Promise<APIGatewayProxyResult> {
  await store().post(event.requestContext.connectionId, { type: "pong" });
  return ok;
}

export async function message(event: WebSocketEvent): Promise<APIGatewayProxyResult> {
  await store().post(event.requestContext.connectionId, { type: "error", message: 'Unknown action; send {"action":"ping"}' });
  return ok;
}
