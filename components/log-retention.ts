/**
 * CloudWatch Logs retention: PutRetentionPolicy (and CreateLogGroup's retention) takes only these day counts; any
 * other number fails at `pulumi up` with InvalidParameterException.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
import type { ArgFailure } from "./errors";

export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Refuses a log group retention CloudWatch Logs does not offer, under the component's own argument name. */
export function validateLogRetention(fail: ArgFailure, argument: string, days: number | undefined): void {
  if (days !== undefined && !LOG_RETENTION_DAYS.includes(days)) {
    fail(argument, days, "is not a retention CloudWatch Logs offers", `Use one of ${LOG_RETENTION_DAYS.join(", ")}.`);
  }
}
