import { describe, expect, it } from "vitest";
import { cronProblem, isTimeZone, nextCronFire, previousCronFire } from "./cron-schedule";

const at = (iso: string) => new Date(iso);
const fire = (expression: string, iso: string, timeZone?: string) => previousCronFire(expression, at(iso), timeZone)?.toISOString() ?? null;

describe("previousCronFire", () => {
  it("finds the last hourly, daily and every-n-minutes fire at or before a time (UTC)", () => {
    expect(fire("0 * * * *", "2026-11-25T10:59:59Z")).toBe("2026-11-25T10:00:00.000Z");
    expect(fire("0 * * * *", "2026-11-25T10:00:00Z")).toBe("2026-11-25T10:00:00.000Z");
    expect(fire("0 2 * * *", "2026-11-25T01:00:00Z")).toBe("2026-11-24T02:00:00.000Z");
    expect(fire("*/15 * * * *", "2026-11-25T10:44:00Z")).toBe("2026-11-25T10:30:00.000Z");
    expect(fire("30 6-8/2 * * *", "2026-11-25T09:00:00Z")).toBe("2026-11-25T08:30:00.000Z");
    expect(fire("0 0 1 1 *", "2026-11-25T09:00:00Z")).toBe("2026-01-01T00:00:00.000Z");
  });

  it("reads names, Sunday as 7, and either day field when both are restricted", () => {
    expect(fire("0 3 * * MON-FRI", "2026-11-29T12:00:00Z")).toBe("2026-11-27T03:00:00.000Z"); // Sunday → Friday
    expect(fire("0 3 * * 7", "2026-11-30T12:00:00Z")).toBe("2026-11-29T03:00:00.000Z");
    expect(fire("0 0 * JUN *", "2026-11-25T00:00:00Z")).toBe("2026-06-30T00:00:00.000Z");
    // The 1st of the month or any Monday, whichever came last.
    expect(fire("0 0 1 * MON", "2026-11-25T12:00:00Z")).toBe("2026-11-23T00:00:00.000Z");
    // Six fields: seconds first.
    expect(fire("0 0 * * * *", "2026-11-25T10:30:00Z")).toBe("2026-11-25T10:00:00.000Z");
  });

  it("reads the schedule in its time zone, daylight saving included", () => {
    // 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer.
    expect(fire("0 3 * * *", "2026-11-25T12:00:00Z", "Europe/Berlin")).toBe("2026-11-25T02:00:00.000Z");
    expect(fire("0 3 * * *", "2026-07-01T12:00:00Z", "Europe/Berlin")).toBe("2026-07-01T01:00:00.000Z");
    expect(nextCronFire("0 3 * * *", at("2026-11-25T12:00:00Z"), "America/New_York")?.toISOString()).toBe("2026-11-26T08:00:00.000Z");
  });

  it("refuses nonsense, dates that never come and unknown zones", () => {
    expect(cronProblem("0 2 * * *")).toBeNull();
    expect(cronProblem("daily")).toBe("1 field where 5 are expected");
    expect(cronProblem("0 2 * *")).toBe("4 fields where 5 are expected");
    expect(cronProblem("61 * * * *")).toMatch(/expected range 0-59/);
    expect(cronProblem("*/0 * * * *")).toMatch(/cannot repeat at every 0 time/);
    expect(cronProblem("0 0 31 2 *")).toMatch(/day of month/);
    expect(() => previousCronFire("daily", at("2026-11-25T00:00:00Z"))).toThrow(/not a cron expression/);
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
