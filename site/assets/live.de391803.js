// Live updates over the gallery's WebSocket API (RealtimeApi; docs/realtime.md). The page connects
// with its id token in the query string (browsers cannot send headers on the upgrade; the $connect
// authorizer verifies it), hands each message to `onMessage`, keeps the connection alive with a ping
// before API Gateway's 10-minute idle timeout, and reconnects with capped, jittered exponential backoff.
// Without a URL, WebSocket support or a token it stays off: the page then polls as before.

const PING_MS = 5 * 60 * 1000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60 * 1000;
/** WebSocket.OPEN */
const OPEN = 1;

/** Delay before reconnect attempt `attempt` (0-based): base × 2^attempt, capped, with full jitter. */
export function backoffMs(attempt, random = Math.random) {
  return Math.round(random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt));
}

/**
 * Opens the live connection. `token()` gives the current id token (or nothing: signed out).
 * Returns `{ connected(), close() }`; `connected()` is true while the socket is open.
 */
export function connectLive({ url, token, onMessage, onState = () => {} }) {
  let socket;
  let attempt = 0;
  let retry;
  let ping;
  let closed = false;

  const state = (value) => {
    document.documentElement.dataset.live = value;
    onState(value);
  };

  function open() {
    const idToken = token();
    if (closed || !url || typeof WebSocket === "undefined" || !idToken) return state("off");
    state("connecting");
    socket = new WebSocket(`${url}?token=${encodeURIComponent(idToken)}`);
    socket.addEventListener("open", () => {
      attempt = 0;
      state("connected");
      ping = setInterval(() => socket.readyState === OPEN && socket.send(JSON.stringify({ action: "ping" })), PING_MS);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message?.type !== "pong") onMessage(message);
    });
    socket.addEventListener("close", () => {
      clearInterval(ping);
      if (closed) return state("off");
      // Refused (e.g. an expired token) or dropped (API Gateway closes connections after 2 hours): try again later.
      state("reconnecting");
      retry = setTimeout(open, backoffMs(attempt++));
    });
  }

  open();
  return {
    // Not `WebSocket.OPEN`: without WebSocket support that global is missing, and reading it would throw.
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
