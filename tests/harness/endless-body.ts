/**
 * A request whose body never ends: chunked, no length, written until the answer comes or until `giveUpAfter` bytes have
 * gone (after which only a refusal made while reading can answer: without one, none ever comes). For the local servers'
 * body caps, which must answer while the body is still being sent.
 */
import { request, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";

export async function sendEndless(
  url: string | URL,
  method: string,
  headers: OutgoingHttpHeaders,
  giveUpAfter: number,
  { opening = "{", piece = Buffer.alloc(1024 * 1024, "x") }: { opening?: string; piece?: Buffer } = {},
): Promise<{ status: number; text: string; answered: boolean }> {
  const out = request(url, { method, headers: { ...headers, "transfer-encoding": "chunked" } });
  out.on("error", () => {});
  let answered = false;
  const answer = new Promise<{ status: number; text: string }>((resolve) => {
    out.once("response", (res: IncomingMessage) => {
      answered = true;
      void res.toArray().then((parts) => resolve({ status: res.statusCode!, text: Buffer.concat(parts).toString() }));
    });
  });
  try {
    out.write(opening);
    for (let sent = 0; !answered && sent <= giveUpAfter; sent += piece.length) {
      if (!out.write(piece)) await Promise.race([new Promise((resolve) => out.once("drain", resolve)), answer]);
    }
    return { ...(await answer), answered };
  } finally {
    out.destroy();
  }
}
