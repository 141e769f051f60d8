/**
 * Local Step Functions' timers (TaskClock: Task timeouts, Retry intervals) on Node's, which a test fires early instead
 * of waiting them out (issue 15): the ClaimAgain Retry's 4 s in album-deletion.test.ts, a Task's TimeoutSeconds.
 */
import type { TaskClock } from "../../local/sfn-server";

/** Node's timers, each of which the test may fire at once (`fire`); one it leaves fires in its time. */
export class StepFunctionsClock implements TaskClock {
  private readonly timers = new Map<number, { fire: () => void; ms: number; handle: ReturnType<typeof setTimeout> }>();
  private ids = 0;

  readonly setTimeout = (fire: () => void, ms: number): number => {
    const id = ++this.ids;
    const handle = setTimeout(() => {
      this.timers.delete(id);
      fire();
    }, ms);
    this.timers.set(id, { fire, ms, handle });
    return id;
  };

  readonly clearTimeout = (id: unknown): void => {
    const timer = this.timers.get(id as number);
    if (!timer) return;
    clearTimeout(timer.handle);
    this.timers.delete(id as number);
  };

  /** What the timers set and not yet fired wait, in ms, shortest first. */
  pending(): number[] {
    return [...this.timers.values()].map((timer) => timer.ms).sort((a, b) => a - b);
  }

  /** Fires the timer set to wait `ms` now; throws when none is set. */
  fire(ms: number): void {
    const found = [...this.timers].find(([, timer]) => timer.ms === ms);
    if (!found) throw new Error(`no ${ms} ms timer is set on this clock (${this.pending().join(", ") || "none"})`);
    clearTimeout(found[1].handle);
    this.timers.delete(found[0]);
    found[1].fire();
  }

  /**
   * Fires the `ms` timer as soon as it is set. `passed`: whether what the timer holds back has happened anyway (the
   * next attempt ran): the runtime then does not wait on this clock, and this throws rather than let a test pass by
   * waiting the real time out.
   */
  async fireOnceSet(ms: number, passed: () => Promise<boolean>): Promise<void> {
    for (;;) {
      if (this.pending().includes(ms)) return this.fire(ms);
      if (await passed()) throw new Error("local Step Functions do not run on this clock: start the app with startDevApp(prefix, { stepFunctionsClock: clock })");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
