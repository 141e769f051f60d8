/**
 * Whole-number ranges: the one check every component uses for a count, a size or a duration that AWS takes as an
 * integer between two limits (Lambda's memory, SQS's retention, Cognito's token validity, a stream mapping's batch
 * size, …). The limits themselves, and the documents they come from, live next to each component's table of limits
 * (LAMBDA_LIMITS, MESSAGE_QUEUE_LIMITS, STREAM_MAPPING_LIMITS, …); this module only words the refusal, the same way
 * everywhere.
 */
import type { ArgFailure } from "./errors";

/** An inclusive range of whole numbers, as the components' tables of limits write them: `{ min: 1, max: 14 }`. */
export interface WholeNumberRange {
  readonly min: number;
  readonly max: number;
}

export interface WholeNumberRangeOptions {
  /** What the number counts, written after the range: "days", "MB", "messages per batch". */
  unit?: string;
  /**
   * Whose limit the range is, as the message reads before "of 1–14 days": "Lambda's range", "SQS's message
   * retention". Without it the message gives the bare range ("is outside 1–10000").
   */
  limit?: string;
  /** Values taken besides the range, e.g. -1 for "never" (MaximumRecordAgeInSeconds). */
  allowed?: readonly number[];
  /** The fix, when the argument has better advice than "Use a whole number from 1 to 64." ("…, e.g. 8"). */
  fix?: string;
}

/**
 * Fails unless `value` is absent, one of `options.allowed`, or a whole number from `range.min` to `range.max`:
 * - a whole number outside the range "is outside Lambda's range of 128–10240 MB";
 * - anything else (a fraction, NaN, a string) "is not a whole number", adding ", nor in <range>" for a number outside
 *   the range (a fraction is not "outside" a range it may lie inside);
 * - the fix is "Use a whole number from 128 to 10240 MB." (with "(or -1)" for allowed values) unless `options.fix` gives one.
 */
export function checkWholeNumberInRange(fail: ArgFailure, argument: string, value: unknown, range: WholeNumberRange, options: WholeNumberRangeOptions = {}): void {
  const allowed = options.allowed ?? [];
  if (value === undefined || (typeof value === "number" && allowed.includes(value))) return;
  const { min, max } = range;
  const unit = options.unit ? ` ${options.unit}` : "";
  const span = `${options.limit ? `${options.limit} of ` : ""}${min}–${max}${unit}`;
  const fix = options.fix ?? `Use a whole number from ${min} to ${max}${unit}${allowed.length > 0 ? ` (or ${allowed.join(" or ")})` : ""}.`;
  const inside = typeof value === "number" && value >= min && value <= max;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    fail(argument, value, `is not a whole number${inside || !Number.isFinite(value) ? "" : `, nor in ${span}`}`, fix);
  } else if (!inside) {
    fail(argument, value, `is outside ${span}`, fix);
  }
}
