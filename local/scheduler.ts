/**
 * EventBridge Scheduler for `npm start`: every LambdaFunction `schedule` of the program fires at its
 * rate, or at its cron expression's times in its time zone (components/schedule-expression.ts), and
 * invokes its function asynchronously with the schedule's input — the function's retries and
 * failure queue apply (local/async-invoke.ts). `triggerNow(name)` fires one at once, for tests and
 * for trying a job without waiting for it.
 */
import { randomUUID } from "node:crypto";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { nextFireTime, parseScheduleExpression, type ParsedSchedule } from "../components/schedule-expression";
import { invokeAsync, type AsyncInvokeOptions, type Invoke } from "./async-invoke";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";

export interface LocalSchedule {
  /** The function's name (LambdaFunction resource name): what `triggerNow` takes. */
  name: string;
  function: LambdaFunctionSpec;
  invoke: Invoke;
  /**
   * The schedule's ARN as the program recorded it (its `aws:scheduler/schedule:Schedule`'s `arn`), what
   * `<aws.scheduler.schedule-arn>` becomes. Absent (a schedule outside a program run, unit tests): one in the default
   * group, named `<name>-schedule`, in the options' region and the mocks' account.
   */
  arn?: string;
}

interface Armed {
  schedule: LocalSchedule;
  parsed: ParsedSchedule;
  next?: number;
  timer?: NodeJS.Timeout;
}

/** setTimeout takes at most 2^31-1 ms; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class LocalScheduler {
  private readonly armed = new Map<string, Armed>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly started = Date.now();
  private running = false;

  constructor(schedules: LocalSchedule[], private readonly options: AsyncInvokeOptions & { now?: () => number }) {
    for (const schedule of schedules) {
      if (!schedule.function.schedule) throw new Error(`${schedule.name} has no schedule`);
      this.armed.set(schedule.name, { schedule, parsed: parseScheduleExpression(schedule.function.schedule.expression) });
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  start(): void {
    this.running = true;
    for (const armed of this.armed.values()) if (armed.schedule.function.schedule!.enabled) this.arm(armed);
  }

  stop(): void {
    this.running = false;
    for (const armed of this.armed.values()) clearTimeout(armed.timer);
  }

  /** When each enabled schedule fires next. */
  nextFireTimes(): Record<string, Date | undefined> {
    return Object.fromEntries([...this.armed].map(([name, a]) => [name, a.next === undefined ? undefined : new Date(a.next)]));
  }

  names(): string[] {
    return [...this.armed.keys()];
  }

  /** Fires `name` now; resolves when the invocation (with its retries) is over. */
  async triggerNow(name: string): Promise<"succeeded" | "failed"> {
    const armed = this.armed.get(name);
    if (!armed) throw new Error(`no schedule named ${name}; schedules: ${this.names().join(", ") || "(none)"}`);
    return this.fire(armed);
  }

  /** Waits for invocations under way. */
  async drained(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Sets the timer for the schedule's next fire time after now, or after `fired` (the time it just fired for) when the clock has not reached it yet. */
  private arm(armed: Armed, fired?: number): void {
    const spec = armed.schedule.function.schedule!;
    armed.next = nextFireTime(armed.parsed, Math.max(this.now(), fired ?? -Infinity), { timeZone: spec.timezone, start: this.started });
    if (armed.next === undefined || !this.running) return;
    const wait = Math.max(0, armed.next - this.now());
    armed.timer = setTimeout(() => {
      if (!this.running) return;
      if (this.now() + 5 < armed.next!) return this.arm(armed); // a capped wait: not yet due
      // Up to 5 ms early counts as due (timers and Date.now() are different clocks); the next fire time is after this one even then.
      void this.fire(armed, armed.next);
      this.arm(armed, armed.next);
    }, Math.min(wait, MAX_TIMER_MS));
    armed.timer.unref();
  }

  private fire(armed: Armed, scheduledTime = this.now()): Promise<"succeeded" | "failed"> {
    const spec = armed.schedule.function.schedule!;
    const input = withContextAttributes(spec.input, {
      "<aws.scheduler.schedule-arn>": armed.schedule.arn ?? `arn:aws:scheduler:${this.options.region ?? "us-east-1"}:${MOCK_ACCOUNT_ID}:schedule/default/${armed.schedule.name}-schedule`,
      "<aws.scheduler.scheduled-time>": new Date(Math.floor(scheduledTime / 60_000) * 60_000).toISOString().replace(".000Z", "Z"),
      "<aws.scheduler.execution-id>": randomUUID(),
      "<aws.scheduler.attempt-number>": "1",
    });
    const delivery = invokeAsync(armed.schedule.function, armed.schedule.invoke, input, this.options);
    const tracked = delivery.catch(() => "failed" as const).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return delivery;
  }
}

/** The input with Scheduler's context attributes replaced, as Scheduler does in string values. */
function withContextAttributes(input: unknown, values: Record<string, string>): unknown {
  if (typeof input === "string") return Object.entries(values).reduce((text, [name, value]) => text.split(name).join(value), input);
  if (Array.isArray(input)) return input.map((item) => withContextAttributes(item, values));
  if (input && typeof input === "object") return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, withContextAttributes(v, values)]));
  return input;
}
