// Live updates over the gallery's WebSocket API (RealtimeApi; docs/realtime.md). The page connects
// with its id token in the query string (browsers cannot send headers on the upgrade; the $connect
// authorizer verifies it), hands each message to `onMessage`, keeps the connection alive with a ping
// before API Gateway's 10-minute idle timeout, and reconnects with capped, jittered exponential backoff.
// Without a URL, WebSocket support or a token it stays off: the page then polls as before.

const PING_MS = 5 * 60 * 1000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60 * 1000;
/** WebSocket.OPEN, as a constant: without WebSocket support that global is missing, and reading it would throw. */
const OPEN = 1;

export type LiveState = "off" | "connecting" | "connected" | "reconnecting";

/** A message the thumbnail function pushes (handlers/shared/photo-events.ts). */
export interface LiveMessage {
  type: string;
  albumId?: string;
  photoId?: string;
  status?: string;
}

export interface LiveOptions {
  url: string;
  /** The current id token, or undefined when signed out. */
  token: () => string | undefined;
  onMessage: (message: LiveMessage) => void;
  onState?: (state: LiveState) => void;
}

export interface Live {
  /** True while the socket is open. */
  connected(): boolean;
  close(): void;
}

/** Delay before reconnect attempt `attempt` (0-based): base × 2^attempt, capped, with full jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt));
}

export function connectLive({ url, token, onMessage, onState = () => {} }: LiveOptions): Live {
  let socket: WebSocket | undefined;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const state = (value: LiveState): void => {
    document.documentElement.dataset.live = value;
    onState(value);
  };

  function open(): void {
    const idToken = token();
    if (closed || !url || typeof WebSocket === "undefined" || !idToken) return state("off");
    state("connecting");
    const current = new WebSocket(`${url}?token=${encodeURIComponent(idToken)}`);
    socket = current;
    current.addEventListener("open", () => {
      attempt = 0;
      state("connected");
      ping = setInterval(() => current.readyState === OPEN && current.send(JSON.stringify({ action: "ping" })), PING_MS);
    });
    current.addEventListener("message", (event: MessageEvent) => {
      let message: LiveMessage | undefined;
      try {
        message = JSON.parse(String(event.data)) as LiveMessage;
      } catch {
        return;
      }
      if (message && message.type !== "pong") onMessage(message);
    });
    current.addEventListener("close", () => {
      clearInterval(ping);
      if (closed) return state("off");
      // Refused (e.g. an expired token) or dropped (API Gateway closes connections after 2 hours): try again later.
      state("reconnecting");
      retry = setTimeout(open, backoffMs(attempt++));
    });
  }

  open();
  return {
    connected: () => socket?.readyState === OPEN,
    close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(ping);
      socket?.close();
      state("off");
    },
  };
}
