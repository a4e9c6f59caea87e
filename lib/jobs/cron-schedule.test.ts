import { describe, expect, it } from "vitest";
import { parseCron, previousCronFire } from "./cron-schedule";

const at = (iso: string) => new Date(iso);
const fire = (expression: string, iso: string) => previousCronFire(expression, at(iso))?.toISOString() ?? null;

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

  it("says never for a date that does not come within a year, and refuses nonsense", () => {
    expect(fire("0 0 31 2 *", "2026-11-25T00:00:00Z")).toBeNull();
    expect(() => parseCron("daily")).toThrow(/not a cron expression/);
    expect(() => parseCron("61 * * * *")).toThrow(/out of range/);
    expect(() => parseCron("*/0 * * * *")).toThrow(/bad step/);
  });
});
