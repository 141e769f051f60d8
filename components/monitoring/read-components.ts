import type { ArgFailure } from "../errors";

/**
 * The components monitoringTargets has read. It takes a component's subscriptions as they are at the call (their
 * dead-letter queues and rules become alarms then), so a subscription added afterwards would go unwatched without a
 * word: adding one is refused instead, at plan time (checkNotMonitoredYet).
 */
const readComponents = new WeakSet<object>();

export function noteMonitoringRead(component: object): void {
  readComponents.add(component);
}

/** Refuses a subscription added to `component` after monitoringTargets read it. */
export function checkNotMonitoredYet(fail: ArgFailure, at: string, name: string, component: object): void {
  if (!readComponents.has(component)) return;
  fail(
    at,
    name,
    "is added after monitoringTargets read this component, so its dead-letter queue (and rule) would go unwatched",
    "Make every subscription before calling monitoringTargets: call it after the last subscribe.",
  );
}
