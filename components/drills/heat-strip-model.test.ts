import { describe, expect, it } from "vitest";
import { drillDays, drillDaysSummary } from "./heat-strip-model";

const period = { from: "2026-11-27", to: "2026-11-29" };

describe("drillDays", () => {
  it("has one day per day of the period, both ends included, and empty days count as none", () => {
    const days = drillDays([], period);
    expect(days.map((d) => d.day)).toEqual(["2026-11-27", "2026-11-28", "2026-11-29"]);
    expect(days.every((d) => d.state === "none")).toBe(true);
    expect(days[0]?.label).toBe("2026-11-27: no drill");
  });

  it("shows a day with a failed and a passed drill as failed, and says both", () => {
    const [, day] = drillDays(
      [
        { createdAt: "2026-11-28T02:00:00.000Z", outcome: "passed" },
        { createdAt: "2026-11-28T14:00:00.000Z", outcome: "failed" },
      ],
      period,
    );
    expect(day?.state).toBe("failed");
    expect(day?.label).toBe("2026-11-28: 1 passed, 1 failed");
  });

  it("puts a running drill before a pass, and a cancelled-only day as cancelled", () => {
    const days = drillDays(
      [
        { createdAt: "2026-11-27T05:00:00.000Z", outcome: "cancelled" },
        { createdAt: "2026-11-29T01:00:00.000Z", outcome: "passed" },
        { createdAt: "2026-11-29T03:00:00.000Z", outcome: "running" },
      ],
      period,
    );
    expect(days.map((d) => d.state)).toEqual(["cancelled", "none", "running"]);
  });

  it("buckets by the UTC day, whatever the instant's offset", () => {
    const days = drillDays(
      [
        { createdAt: "2026-11-27T23:59:59.999Z", outcome: "passed" },
        // 01:30 in +02:00 is still the 27th in UTC.
        { createdAt: "2026-11-28T01:30:00+02:00", outcome: "passed" },
        { createdAt: "2026-11-29T00:00:00.000Z", outcome: "passed" },
      ],
      period,
    );
    expect(days.map((d) => d.counts.passed)).toEqual([2, 0, 1]);
  });

  it("leaves out drills outside the period", () => {
    const days = drillDays([{ createdAt: "2026-11-30T00:00:00.000Z", outcome: "failed" }], period);
    expect(days.every((d) => d.state === "none")).toBe(true);
  });
});

describe("drillDaysSummary", () => {
  it("counts the days by state, leaving out states no day has", () => {
    const days = drillDays(
      [
        { createdAt: "2026-11-27T02:00:00.000Z", outcome: "passed" },
        { createdAt: "2026-11-28T02:00:00.000Z", outcome: "failed" },
      ],
      period,
    );
    expect(drillDaysSummary(days)).toBe("3 days: 1 with a pass, 1 with a failure, 1 without a drill.");
  });
});
