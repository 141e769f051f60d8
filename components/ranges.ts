/**
 * Whole-number ranges: the one check every component uses for a count, a size or a duration that AWS takes as an
 * integer between two limits (Lambda's memory, SQS's retention, Cognito's token validity, a stream mapping's batch
 * size, …). The limits themselves, and the documents they come from, live next to each component's table of limits
 * (LAMBDA_LIMITS, MESSAGE_QUEUE_LIMITS, STREAM_MAPPING_LIMITS, …); this module only words the refusal, the same way
 * everywhere. checkNumberInRange words it the same for the few arguments AWS takes as a Double (a canary's share of
 * traffic, a target utilization), where a fraction is valid.
 */
import type { ArgFailure } from "./errors";

/** The problem of a value that is no number at all: no reason about the range follows it. */
const NOT_A_NUMBER = "is not a number";

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
  /**
   * Why the range is what it is, when the limit's name alone does not say: written after the problem and a semicolon
   * ("is outside 0–86400 seconds; an HTTP API's CORS MaxAge takes …").
   */
  reason?: string;
}

/** Why a value is refused, worded as checkWholeNumberInRange words it: the problem after the value, and the fix. */
export interface RangeRefusal {
  problem: string;
  fix: string;
}

/**
 * Fails unless `value` is absent, one of `options.allowed`, or a whole number from `range.min` to `range.max`:
 * - a whole number outside the range "is outside Lambda's range of 128–10240 MB";
 * - a value that is no number at all (`"5"`, `true`, `null`) "is not a number";
 * - any other number (a fraction, ±Infinity, NaN) "is not a whole number", adding ", nor in <range>" for one outside
 *   the range, ±Infinity included (a fraction is not "outside" a range it may lie inside; NaN is neither in nor
 *   outside one);
 * - `options.reason`, when given, follows the problem after a semicolon, except "is not a number";
 * - a range of one value is written as that value ("Lambda@Edge's range for viewer events of 128 MB");
 * - the fix is "Use a whole number from 128 to 10240 MB." (with "(or -1)" for allowed values) unless `options.fix` gives one.
 */
export function checkWholeNumberInRange(fail: ArgFailure, argument: string, value: unknown, range: WholeNumberRange, options: WholeNumberRangeOptions = {}): void {
  const refusal = wholeNumberRangeRefusal(value, range, options);
  if (refusal) fail(argument, value, refusal.problem, refusal.fix);
}

/**
 * checkWholeNumberInRange's refusal of `value`, or undefined when it takes it: for a check that reports a problem
 * instead of throwing (a deploy rule over a recorded plan, which words "<input> <value> <problem>" itself).
 */
export function wholeNumberRangeRefusal(value: unknown, range: WholeNumberRange, options: WholeNumberRangeOptions = {}): RangeRefusal | undefined {
  const allowed = options.allowed ?? [];
  if (value === undefined || (typeof value === "number" && allowed.includes(value))) return undefined;
  const { span, refusal } = wording(range, options, "a whole number");
  if (typeof value !== "number") return refusal(NOT_A_NUMBER);
  const outside = value < range.min || value > range.max; // false for NaN, true for ±Infinity
  if (!Number.isInteger(value)) return refusal(`is not a whole number${outside ? `, nor in ${span}` : ""}`);
  return outside ? refusal(`is outside ${span}`) : undefined;
}

/**
 * checkWholeNumberInRange for an argument a fraction is valid for (API Gateway's canary percentTraffic, a Double; a
 * build timer's seconds): fails unless `value` is absent, one of `options.allowed`, or a finite number from `range.min` to
 * `range.max`, in the same words: "is outside API Gateway's range of 0–100 percent" (±Infinity included), "is not a
 * number" (for NaN as for `"5"`), and the fix "Use a number from 0 to 100 percent." unless `options.fix` gives one.
 * Only for arguments a fraction is valid for (AWS's Doubles, a build timer's seconds): a count, a size or a duration
 * that AWS takes as an integer takes checkWholeNumberInRange.
 */
export function checkNumberInRange(fail: ArgFailure, argument: string, value: unknown, range: WholeNumberRange, options: WholeNumberRangeOptions = {}): void {
  const allowed = options.allowed ?? [];
  if (value === undefined || (typeof value === "number" && allowed.includes(value))) return;
  const { span, refusal } = wording(range, options, "a number");
  const problem = typeof value !== "number" || Number.isNaN(value) ? refusal(NOT_A_NUMBER) : value < range.min || value > range.max ? refusal(`is outside ${span}`) : undefined;
  if (problem) fail(argument, value, problem.problem, problem.fix);
}

/** The range as the refusals write it ("Lambda's range of 128–10240 MB"), and the refusal of a problem, with the reason and fix. */
function wording(range: WholeNumberRange, options: WholeNumberRangeOptions, what: string): { span: string; refusal: (problem: string) => RangeRefusal } {
  const { min, max } = range;
  const allowed = options.allowed ?? [];
  const unit = options.unit ? ` ${options.unit}` : "";
  const span = `${options.limit ? `${options.limit} of ` : ""}${min === max ? min : `${min}–${max}`}${unit}`;
  const fix = options.fix ?? `Use ${what} from ${min} to ${max}${unit}${allowed.length > 0 ? ` (or ${allowed.join(" or ")})` : ""}.`;
  // The reason explains the range and its unit: not what a value that is no number at all lacks.
  return { span, refusal: (problem) => ({ problem: options.reason && problem !== NOT_A_NUMBER ? `${problem}; ${options.reason}` : problem, fix }) };
}
