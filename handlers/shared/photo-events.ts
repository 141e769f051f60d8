/**
 * "Your photo is ready" (or failed), pushed to the owner's open browser tabs over the gallery's
 * WebSocket API (components/realtime-api): only the owner's connections, found by user in the
 * connections table. Best-effort: the photo's status is already stored and the page still sees it
 * on its next load, so a push that fails is logged, never thrown (throwing would retry the whole
 * thumbnail event, which the idempotency record then ends as already processed).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { connectionsFromEnvironment, REALTIME_ENVIRONMENT, type Connections } from "../../components/realtime-api/connections";

const logger = new Logger({ serviceName: "photo-events" });
let connections: Connections | undefined;

/** What the browser receives (site/src/live.ts). */
export interface PhotoEvent {
  type: "photo";
  albumId: string;
  photoId: string;
  status: "ready" | "failed";
}

/** Posts `event` to every open connection of `sub`; a no-op where the function has no RealtimeApi environment. */
export async function notifyOwner(sub: string, event: PhotoEvent): Promise<void> {
  if (!process.env[REALTIME_ENVIRONMENT.tableName] || !process.env[REALTIME_ENVIRONMENT.endpoint]) return;
  try {
    connections ??= connectionsFromEnvironment();
    const { sent, gone } = await connections.postToUser(sub, event);
    logger.info("pushed", { photoId: event.photoId, status: event.status, sent: sent.length, gone: gone.length });
  } catch (error) {
    logger.warn("push failed", { photoId: event.photoId, error: (error as Error).message });
  }
}
