/**
 * EventBridge schedule expressions — `rate(value unit)` and `cron(minutes hours day-of-month month
 * day-of-week year)` — parsed once, for two jobs: construction-time validation (LambdaFunction's
 * `schedule`, DataTier's export) and the local scheduler's "when does it fire next" (`npm start`).
 *
 * Syntax and limits (EventBridge Scheduler and scheduled rules share them):
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 */

export type ParsedSchedule =
  | { kind: "rate"; expression: string; value: number; unit: "minute" | "hour" | "day"; intervalMinutes: number }
  | { kind: "cron"; expression: string; fields: CronFields };

export interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  /** `undefined` when the field is `?`. */
  dayOfMonth?: DayOfMonthField;
  months: Set<number>;
  dayOfWeek?: DayOfWeekField;
  /** `undefined` for `*`: every year. */
  years?: Set<number>;
}

interface DayOfMonthField {
  days: Set<number>;
  /** `L`: the last day of the month. */
  last: boolean;
  /** `nW`: the weekday nearest day n. */
  nearestWeekday?: number;
}

interface DayOfWeekField {
  /** 1 = Sunday … 7 = Saturday, as EventBridge numbers them. */
  days: Set<number>;
  /** `nL`: the last weekday n of the month. */
  last?: number;
  /** `n#k`: the k-th weekday n of the month. */
  nth?: { day: number; k: number };
}

export class ScheduleExpressionError extends Error {}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/**
 * Parses an expression or throws ScheduleExpressionError saying what is wrong with it.
 * "A rate expression consists of a value as a positive integer, and a unit with the following
 * options: minute | minutes | hour | hours | day | days" — with the singular for a value of 1 and
 * the plural above it (scheduled rules: "If the value is equal to 1, then the unit must be
 * singular"). Cron: six fields; "You can't specify the Day-of-month and Day-of-week fields in the
 * same cron expression. If you specify a value or a * in one of the fields, you must use a ? in
 * the other"; "Cron expressions that lead to rates faster than 1 minute are not supported."
 */
export function parseScheduleExpression(expression: string): ParsedSchedule {
  const text = expression.trim();
  const rate = /^rate\((.*)\)$/.exec(text);
  if (rate) return parseRate(text, rate[1].trim());
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron) return { kind: "cron", expression: text, fields: parseCron(cron[1].trim()) };
  throw new ScheduleExpressionError('is neither rate(value unit) nor cron(minutes hours day-of-month month day-of-week year)');
}

function parseRate(expression: string, body: string): ParsedSchedule {
  const match = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!match) throw new ScheduleExpressionError("is not rate(value unit) with a whole number and minute(s), hour(s) or day(s)");
  const value = Number(match[1]);
  if (value < 1) throw new ScheduleExpressionError("has a rate below one per minute's granularity: the value must be a positive integer");
  const plural = match[2].endsWith("s");
  if (value === 1 && plural) throw new ScheduleExpressionError(`uses the plural "${match[2]}" with 1; a value of 1 takes the singular unit`);
  if (value > 1 && !plural) throw new ScheduleExpressionError(`uses the singular "${match[2]}" with ${value}; values above 1 take the plural unit`);
  const unit = match[2].replace(/s$/, "") as "minute" | "hour" | "day";
  const intervalMinutes = value * { minute: 1, hour: 60, day: 1440 }[unit];
  return { kind: "rate", expression, value, unit, intervalMinutes };
}

function parseCron(body: string): CronFields {
  const parts = body.split(/\s+/);
  if (parts.length !== 6) throw new ScheduleExpressionError(`has ${parts.length} cron fields; EventBridge cron takes six (minutes hours day-of-month month day-of-week year)`);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    throw new ScheduleExpressionError("must have ? in exactly one of day-of-month and day-of-week (a value or * in one, ? in the other)");
  }
  return {
    minutes: numbers("minutes", minutes, 0, 59),
    hours: numbers("hours", hours, 0, 23),
    dayOfMonth: dayOfMonth === "?" ? undefined : parseDayOfMonth(dayOfMonth),
    months: numbers("month", month, 1, 12, MONTHS),
    dayOfWeek: dayOfWeek === "?" ? undefined : parseDayOfWeek(dayOfWeek),
    years: year === "*" ? undefined : numbers("year", year, 1970, 2199),
  };
}

/** A list of `*`, `n`, `a-b`, `a/step`, `*\/step`, `a-b/step` (names allowed where the field has them). */
function numbers(field: string, text: string, min: number, max: number, names: string[] = []): Set<number> {
  const value = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    const n = named >= 0 ? named + 1 : /^\d+$/.test(token) ? Number(token) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new ScheduleExpressionError(`has ${field} "${token}", outside ${min}–${max}${names.length ? ` (or ${names[0]}–${names[names.length - 1]})` : ""}`);
    return n;
  };
  const result = new Set<number>();
  for (const item of text.split(",")) {
    if (item === "") throw new ScheduleExpressionError(`has an empty item in ${field} "${text}"`);
    const [range, stepText, extra] = item.split("/");
    if (extra !== undefined) throw new ScheduleExpressionError(`has ${field} "${item}" with two increments`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleExpressionError(`has ${field} increment "${stepText}", not a positive whole number`);
    let from: number;
    let to: number;
    if (range === "*") [from, to] = [min, max];
    else if (range.includes("-")) {
      const [a, b] = range.split("-");
      [from, to] = [value(a), value(b)];
      if (from > to) throw new ScheduleExpressionError(`has ${field} range "${range}" that runs backwards`);
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    for (let n = from; n <= to; n += step) result.add(n);
  }
  return result;
}

function parseDayOfMonth(text: string): DayOfMonthField {
  if (text === "L") return { days: new Set(), last: true };
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) {
    const day = Number(weekday[1]);
    if (day < 1 || day > 31) throw new ScheduleExpressionError(`has day-of-month "${text}", outside 1–31`);
    return { days: new Set(), last: false, nearestWeekday: day };
  }
  return { days: numbers("day-of-month", text, 1, 31), last: false };
}

function parseDayOfWeek(text: string): DayOfWeekField {
  const day = (token: string) => [...numbers("day-of-week", token, 1, 7, WEEKDAYS)][0];
  // `L` alone is the last day of the week, Saturday (7).
  if (text === "L") return { days: new Set([7]) };
  const last = /^(\w+)L$/.exec(text);
  if (last) return { days: new Set(), last: day(last[1]) };
  const nth = /^(\w+)#(\d)$/.exec(text);
  if (nth) {
    const k = Number(nth[2]);
    if (k < 1 || k > 5) throw new ScheduleExpressionError(`has day-of-week "${text}"; the instance after # is 1–5`);
    return { days: new Set(), nth: { day: day(nth[1]), k } };
  }
  if (text.includes("#")) throw new ScheduleExpressionError(`has day-of-week "${text}"; with # the field holds one expression only`);
  return { days: numbers("day-of-week", text, 1, 7, WEEKDAYS) };
}

/**
 * The shortest gap between two firings, in minutes: the rate's interval, or the closest two minutes of a cron day
 * (wrapping around midnight). Used where a component has a floor: LambdaFunction's `minimumIntervalMinutes`,
 * BackupPlan's hourly maximum. Days a cron skips only lengthen the wrap-around gap, never the gaps within a day.
 */
export function shortestIntervalMinutes(parsed: ParsedSchedule): number {
  if (parsed.kind === "rate") return parsed.intervalMinutes;
  const times = [...parsed.fields.hours].flatMap((h) => [...parsed.fields.minutes].map((m) => h * 60 + m)).sort((a, b) => a - b);
  if (times.length === 1) return 24 * 60;
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  return Math.min(...gaps, times[0] + 24 * 60 - times[times.length - 1]);
}

/** True when `timeZone` is an IANA time zone name this runtime (and so Scheduler's tz database) knows. */
export function isTimeZone(timeZone: string): boolean {
  // The stacks' default zone, answered without ICU: the first DateTimeFormat loads the zone database (≈10 ms of a plan).
  if (timeZone === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return /^[A-Za-z_+\-0-9/]+$/.test(timeZone);
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ when it fires (local scheduler)

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 1 = Sunday … 7 = Saturday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(instant: number, timeZone: string): WallClock {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", weekday: "short" });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(String(parts.weekday).toUpperCase().slice(0, 3)) + 1,
  };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekdayOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

function dayMatches(fields: CronFields, c: WallClock): boolean {
  if (!fields.months.has(c.month) || (fields.years && !fields.years.has(c.year))) return false;
  const length = daysIn(c.year, c.month);
  if (fields.dayOfMonth) {
    const f = fields.dayOfMonth;
    if (f.last) return c.day === length;
    if (f.nearestWeekday !== undefined) return c.day === nearestWeekday(c.year, c.month, Math.min(f.nearestWeekday, length));
    return f.days.has(c.day);
  }
  const f = fields.dayOfWeek!;
  if (f.last !== undefined) return c.weekday === f.last && c.day + 7 > length;
  if (f.nth) return c.weekday === f.nth.day && Math.ceil(c.day / 7) === f.nth.k;
  return f.days.has(c.weekday);
}

/** The weekday (Mon–Fri) nearest `day` within the month, as cron's `W` means it. */
function nearestWeekday(year: number, month: number, day: number): number {
  const weekday = weekdayOf(year, month, day);
  if (weekday === 7) return day === 1 ? day + 2 : day - 1; // Saturday → Friday (or Monday the 3rd)
  if (weekday === 1) return day === daysIn(year, month) ? day - 2 : day + 1; // Sunday → Monday (or Friday)
  return day;
}

/**
 * The first instant strictly after `after` (epoch ms) at which the schedule fires, evaluated in
 * `timeZone` as Scheduler evaluates cron expressions; `undefined` when it never fires again within
 * `horizonYears`. Rate schedules fire every interval from `start`.
 */
export function nextFireTime(schedule: ParsedSchedule, after: number, options: { timeZone?: string; start?: number; horizonYears?: number } = {}): number | undefined {
  const minute = 60_000;
  if (schedule.kind === "rate") {
    const start = options.start ?? after;
    const interval = schedule.intervalMinutes * minute;
    return start + (Math.floor(Math.max(0, after - start) / interval) + 1) * interval;
  }
  const timeZone = options.timeZone ?? "UTC";
  const end = after + (options.horizonYears ?? 5) * 366 * 24 * 60 * minute;
  let t = Math.floor(after / minute) * minute + minute;
  while (t <= end) {
    const c = wallClock(t, timeZone);
    if (!dayMatches(schedule.fields, c)) {
      t += (24 * 60 - (c.hour * 60 + c.minute)) * minute; // to the next wall-clock midnight
      continue;
    }
    if (!schedule.fields.hours.has(c.hour)) {
      t += (60 - c.minute) * minute;
      continue;
    }
    if (schedule.fields.minutes.has(c.minute)) return t;
    t += minute;
  }
  return undefined;
}
