/**
 * A stand-in for the SQS queues events end up in locally (Lambda's on-failure destinations, a
 * schedule's dead-letter queue): messages kept in memory and appended, one JSON line each, to
 * `<dir>/<queue>.jsonl`, so `npm start` users can read them and tests can count them. A queue the local SQS server
 * serves (a MessageQueue's, `forward`) gets its messages there instead, as SQS would.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

export interface QueuedMessage {
  queue: string;
  sentAt: string;
  body: unknown;
}

/** Delivers a message elsewhere (the local SQS server); false when it could not, and the message stays here. */
export type QueueForward = (body: unknown) => boolean;

export class LocalQueues {
  private readonly messagesByQueue = new Map<string, QueuedMessage[]>();
  private readonly forwards = new Map<string, QueueForward>();

  /** `dir` undefined: memory only. */
  constructor(private readonly dir?: string) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  /** Sends what goes to `queue` to `deliver` from now on; the returned function stops it. */
  forward(queue: string, deliver: QueueForward): () => void {
    this.forwards.set(queue, deliver);
    return () => {
      if (this.forwards.get(queue) === deliver) this.forwards.delete(queue);
    };
  }

  send(queue: string, body: unknown): QueuedMessage {
    const message = { queue, sentAt: new Date().toISOString(), body };
    if (this.forwards.get(queue)?.(body)) return message;
    this.messagesByQueue.set(queue, [...(this.messagesByQueue.get(queue) ?? []), message]);
    if (this.dir) appendFileSync(join(this.dir, `${queue.replace(/[^A-Za-z0-9._-]/g, "_")}.jsonl`), `${JSON.stringify(message)}\n`);
    return message;
  }

  /** Messages sent to `queue`, oldest first. */
  messages(queue: string): QueuedMessage[] {
    return [...(this.messagesByQueue.get(queue) ?? [])];
  }

  queues(): string[] {
    return [...this.messagesByQueue.keys()];
  }
}
