import { describe, expect, it } from "vitest";
import type { DrillView } from "@/lib/restore/drill/drill-model";
import { durationAxis, durationAxisFor, durationPoints, durationSummary, periodFraction } from "./duration-chart-model";

const MINUTE = 60_000;

function drill(overrides: Partial<DrillView>): DrillView {
  return {
    id: "run",
    environment: "demo",
    status: "succeeded",
    outcome: "passed",
    method: "logical",
    trigger: "schedule",
    startedBy: "schedule 0 3 * * * (UTC)",
    scheduledFor: null,
    createdAt: "2026-11-29T03:00:00.000Z",
    startedAt: "2026-11-29T03:00:01.000Z",
    finishedAt: "2026-11-29T03:00:05.000Z",
    backup: { id: null, name: "demo.dump", takenAt: "2026-11-29T00:00:00.000Z" },
    backupChoice: "newest-verified",
    target: "scratch",
    scratchDatabase: "drill_x",
    durationMs: 1_200,
    restoreMs: 800,
    validateMs: 300,
    rtoMaxMinutes: 120,
    withinRto: true,
    checks: { total: 3, failed: [], warnings: [] },
    rowCounts: [],
    copyDropped: true,
    error: null,
    ...overrides,
  };
}

describe("durationPoints", () => {
  it("keeps passed drills with a measured time, oldest first", () => {
    const points = durationPoints([
      drill({ id: "new", createdAt: "2026-11-29T03:00:00.000Z" }),
      drill({ id: "failed", outcome: "failed", status: "failed", durationMs: 900 }),
      drill({ id: "running", outcome: "running", status: "running", durationMs: null }),
      drill({ id: "old", createdAt: "2026-11-20T03:00:00.000Z", durationMs: 3_400 }),
    ]);
    expect(points.map((p) => p.id)).toEqual(["old", "new"]);
  });
});

describe("durationAxis", () => {
  it("picks round gridlines, at most five steps, reaching above the highest value", () => {
    expect(durationAxis(3_400)).toEqual({ max: 4_000, ticks: [0, 1_000, 2_000, 3_000, 4_000] });
    const objective = durationAxis(120 * MINUTE);
    expect(objective.max).toBe(150 * MINUTE);
    expect(objective.ticks).toHaveLength(6);
  });

  it("reaches the objective unless asked to fit the drills", () => {
    const points = durationPoints([drill({ durationMs: 3_400 })]);
    expect(durationAxisFor(points, 120, false).max).toBeGreaterThan(120 * MINUTE);
    expect(durationAxisFor(points, 120, true).max).toBe(4_000);
    // Nothing to fit: the objective still gives the scale.
    expect(durationAxisFor([], 120, true).max).toBeGreaterThan(120 * MINUTE);
  });
});

describe("periodFraction", () => {
  it("runs from the first day's start to the last day's end, in UTC", () => {
    const period = { from: "2026-11-28", to: "2026-11-29" };
    expect(periodFraction("2026-11-28T00:00:00.000Z", period)).toBe(0);
    expect(periodFraction("2026-11-29T00:00:00.000Z", period)).toBe(0.5);
    expect(periodFraction("2026-11-30T00:00:00.000Z", period)).toBe(1);
    expect(periodFraction("2026-12-05T00:00:00.000Z", period)).toBe(1);
  });
});

describe("durationSummary", () => {
  it("names the latest, the first, the slowest and the objective", () => {
    const points = durationPoints([
      drill({ id: "a", createdAt: "2026-11-01T03:00:00.000Z", durationMs: 1_000 }),
      drill({ id: "b", createdAt: "2026-11-20T03:00:00.000Z", durationMs: 3_400 }),
      drill({ id: "c", createdAt: "2026-11-29T03:00:00.000Z", durationMs: 1_200 }),
    ]);
    expect(durationSummary(points, 120)).toBe(
      "Latest 1.2 s on 2026-11-29 (first of the period 1 s on 2026-11-01); slowest 3.4 s on 2026-11-20; objective 2 h; 3 of 3 passed drills within it.",
    );
  });

  it("says when there is nothing to draw", () => {
    expect(durationSummary([], 120)).toBe("No passed drill in this period; objective 2 h.");
  });
});
