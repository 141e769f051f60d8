/**
 * The dev app's local SQS queues on a clock the test moves (StartOptions.queueClock): the photo-removals queue holds
 * each message back 1 s (index.ts, delaySeconds), which every test that waited for its consumer waited out on a core
 * the suite could have used (issue 15).
 */
import type { LocalQueuesService } from "../../local/services/queues";
import type { LocalApp } from "../../local/start";

/** Date.now(), moved on by what `advance` added. */
export class QueueClock {
  private offset = 0;
  readonly now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

/**
 * Until `name` has nothing visible, in flight or delayed: its consumer ran. Call it once whatever sends to the queue
 * has made its writes (the API answered, the execution ended): a message received before them could find what it
 * names still there, fail, and come back only after the visibility timeout. While the queue holds delayed messages
 * alone, its clock moves on by the queue's DelaySeconds (1 s at least) and its long polls wake to look again: the
 * delay still holds each message back, on the queue's clock. How long this takes is never asserted.
 */
export async function untilDrained(app: LocalApp, clock: QueueClock, name: string): Promise<void> {
  const sqs = (app.services.find((service) => service.name === "sqs") as LocalQueuesService).server.sqs;
  for (;;) {
    const a = sqs.attributes(name);
    const [visible, inFlight, delayed] = [a.ApproximateNumberOfMessages, a.ApproximateNumberOfMessagesNotVisible, a.ApproximateNumberOfMessagesDelayed].map(Number);
    if (visible + inFlight + delayed === 0) return;
    if (visible === 0 && inFlight === 0) {
      clock.advance(Math.max(1, Number(a.DelaySeconds)) * 1000);
      // Read after the clock's own reading: on that clock the queues' time is never behind it; on Date.now() it is a delay behind.
      const moved = clock.now();
      if (sqs.now() < moved) throw new Error("the app's queues do not run on this clock: start it with startDevApp(prefix, { queueClock: clock.now })");
      sqs.wake();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
