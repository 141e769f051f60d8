/** rate()/cron() parsing and the next firing time the local scheduler waits for (time zones, DST, L, W, #). */
import { describe, expect, it } from "vitest";
import { nextFireTime, parseScheduleExpression, shortestIntervalMinutes } from "../../components/schedule-expression";

const at = (iso: string) => Date.parse(iso);
const next = (expression: string, after: string, timeZone = "UTC") => {
  const t = nextFireTime(parseScheduleExpression(expression), at(after), { timeZone });
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe("schedule expressions", () => {
  it("parses rates into intervals and knows the shortest gap of a cron day", () => {
    expect(parseScheduleExpression("rate(1 minute)")).toMatchObject({ kind: "rate", intervalMinutes: 1 });
    expect(parseScheduleExpression(" rate(12 hours) ")).toMatchObject({ kind: "rate", intervalMinutes: 720 });
    expect(shortestIntervalMinutes(parseScheduleExpression("rate(2 days)"))).toBe(2880);
    expect(shortestIntervalMinutes(parseScheduleExpression("cron(0/15 * * * ? *)"))).toBe(15);
    expect(shortestIntervalMinutes(parseScheduleExpression("cron(0 8,20 * * ? *)"))).toBe(720);
    expect(shortestIntervalMinutes(parseScheduleExpression("cron(30 23 * * ? *)"))).toBe(1440);
  });

  it("accepts EventBridge's cron wildcards and names", () => {
    for (const e of ["cron(0 10 * * ? *)", "cron(15 12 * * ? *)", "cron(0 18 ? * MON-FRI *)", "cron(0 8 1 * ? *)", "cron(0/10 * ? * MON-FRI *)", "cron(0/5 8-17 ? * MON-FRI *)", "cron(0 9 ? * 2#1 *)", "cron(0 0 L * ? *)", "cron(0 0 15W * ? *)", "cron(0 0 ? * 6L 2030-2035)", "cron(0 12 ? JAN,JUL SUN *)"]) {
      expect(() => parseScheduleExpression(e), e).not.toThrow();
    }
    for (const e of ["cron(0 9 ? * 2#1,3#2 *)", "cron(0 9 32 * ? *)", "cron(0 9 * 13 ? *)", "cron(0 9 ? * 8 *)", "cron(0 9 * * ? 1969)", "cron(5-1 * * * ? *)", "cron(*/0 * * * ? *)", "at(2026-01-01T00:00:00)"]) {
      expect(() => parseScheduleExpression(e), e).toThrow();
    }
  });

  it("finds the next firing of rates from their start and of crons in UTC", () => {
    expect(new Date(nextFireTime(parseScheduleExpression("rate(5 minutes)"), at("2026-03-01T00:07:00Z"), { start: at("2026-03-01T00:00:00Z") })!).toISOString()).toBe("2026-03-01T00:10:00.000Z");
    expect(next("cron(0 3 * * ? *)", "2026-03-01T03:00:00Z")).toBe("2026-03-02T03:00:00.000Z");
    expect(next("cron(0/15 * * * ? *)", "2026-03-01T10:07:30Z")).toBe("2026-03-01T10:15:00.000Z");
    expect(next("cron(0 18 ? * MON-FRI *)", "2026-03-06T18:00:00Z")).toBe("2026-03-09T18:00:00.000Z"); // Friday → Monday
  });

  it("evaluates cron in the schedule's time zone, through daylight saving changes", () => {
    // 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer (DST began 2026-03-29).
    expect(next("cron(0 3 * * ? *)", "2026-03-27T12:00:00Z", "Europe/Berlin")).toBe("2026-03-28T02:00:00.000Z");
    expect(next("cron(0 3 * * ? *)", "2026-03-28T12:00:00Z", "Europe/Berlin")).toBe("2026-03-29T01:00:00.000Z");
    expect(next("cron(30 9 ? * MON *)", "2026-07-01T00:00:00Z", "America/New_York")).toBe("2026-07-06T13:30:00.000Z");
  });

  it("knows L, W and # days", () => {
    expect(next("cron(0 0 L * ? *)", "2026-02-02T00:00:00Z")).toBe("2026-02-28T00:00:00.000Z");
    expect(next("cron(0 0 L * ? *)", "2028-02-02T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
    expect(next("cron(0 9 ? * 2#1 *)", "2026-03-01T00:00:00Z")).toBe("2026-03-02T09:00:00.000Z"); // first Monday of March 2026
    expect(next("cron(0 9 ? * 6L *)", "2026-03-01T00:00:00Z")).toBe("2026-03-27T09:00:00.000Z"); // last Friday
    expect(next("cron(0 9 15W * ? *)", "2026-03-01T00:00:00Z")).toBe("2026-03-16T09:00:00.000Z"); // the 15th is a Sunday
    expect(next("cron(0 9 1 1 ? 2025)", "2026-01-01T00:00:00Z")).toBeUndefined();
  });
});
