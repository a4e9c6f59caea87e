import { describe, expect, it } from "vitest";
import { axisTicks } from "./axis-ticks";

const at = (iso: string) => Date.parse(iso);

describe("axisTicks", () => {
  it("picks the smallest round step that fits, on round times", () => {
    const ticks = axisTicks(at("2026-11-29T10:07:00Z"), at("2026-11-29T12:52:00Z"), "UTC");
    expect(ticks.map((t) => t.label)).toEqual(["10:30", "11:00", "11:30", "12:00", "12:30"]);
  });

  it("rounds on the zone's own clock, not UTC's", () => {
    const ticks = axisTicks(at("2026-11-29T00:10:00Z"), at("2026-11-29T05:50:00Z"), "Asia/Kolkata");
    // Kolkata is UTC+5:30: its round hours fall on UTC half-hours.
    expect(ticks[0]).toEqual({ at: at("2026-11-29T00:30:00Z"), label: "06:00" });
    expect(ticks.map((t) => t.label)).toEqual(["06:00", "07:00", "08:00", "09:00", "10:00", "11:00"]);
  });

  it("names the day at midnight across days, and days alone for a week", () => {
    const days = axisTicks(at("2026-11-27T20:00:00Z"), at("2026-11-29T04:00:00Z"), "UTC");
    expect(days.map((t) => t.label)).toEqual(["Nov 28", "06:00", "12:00", "18:00", "Nov 29"]);
    const week = axisTicks(at("2026-11-01T00:00:00Z"), at("2026-11-30T00:00:00Z"), "UTC");
    expect(week.every((t) => /^Nov \d+$/.test(t.label))).toBe(true);
    expect(week.length).toBeLessThanOrEqual(6);
  });

  it("has nothing for an empty span", () => {
    expect(axisTicks(5, 5, "UTC")).toEqual([]);
  });
});
