import { describe, expect, it } from "vitest";
import { Objectives } from "@/lib/config/schema";
import { formatMinutes, formatMinutesRange, measureObjectives } from "./measure-objectives";

// The runbook's values: PITR 15–45 min / 5 min, logical 30–120 min / 24 h, cross-region 60–180 min.
const objectives = Objectives.parse({});

describe("measured RTO and RPO", () => {
  it("a PITR run: incident start to validation, last known good back to the target time", () => {
    const m = measureObjectives({
      objectives,
      incident: { startedAt: "2026-11-25T10:00:00Z", lastKnownGoodAt: "2026-11-25T09:55:00Z" },
      run: {
        method: "pitr",
        startedAt: "2026-11-25T10:06:00Z",
        validatedAt: "2026-11-25T10:38:00Z",
        restorePointAt: "2026-11-25T09:52:00Z",
        steps: [
          { name: "create restored cluster", startedAt: "2026-11-25T10:06:00Z", finishedAt: "2026-11-25T10:20:30Z" },
          { name: "validate", startedAt: "2026-11-25T10:35:00Z", finishedAt: "2026-11-25T10:38:00Z" },
          { name: "switch connections", startedAt: "2026-11-25T10:38:00Z", finishedAt: null },
        ],
      },
    });
    expect(m.rto).toMatchObject({
      from: "incident-start",
      achievedMinutes: 38,
      objective: { minMinutes: 15, maxMinutes: 45 },
      verdict: "met",
    });
    expect(m.rpo).toMatchObject({ from: "last-known-good", achievedMinutes: 3, objectiveMinutes: 5, verdict: "met" });
    expect(m.steps).toEqual([
      { name: "create restored cluster", minutes: 14.5 },
      { name: "validate", minutes: 3 },
      { name: "switch connections", minutes: null },
    ]);
  });

  it("a logical run whose dump is older than the RPO: the RPO is missed, the RTO met", () => {
    const m = measureObjectives({
      objectives,
      incident: { startedAt: "2026-11-25T10:00:00Z", lastKnownGoodAt: null },
      run: {
        method: "logical",
        startedAt: "2026-11-25T10:10:00Z",
        validatedAt: "2026-11-25T11:40:00Z",
        // Last night's dump failed; the one before is 32 hours old.
        restorePointAt: "2026-11-24T02:00:00Z",
      },
    });
    expect(m.rto).toMatchObject({ achievedMinutes: 100, objective: { minMinutes: 30, maxMinutes: 120 }, verdict: "met" });
    expect(m.rpo).toMatchObject({ from: "incident-start", achievedMinutes: 32 * 60, objectiveMinutes: 24 * 60, verdict: "missed" });
    expect(formatMinutes(m.rpo.achievedMinutes)).toBe("1 d 8 h");
  });

  it("a run measured alone counts from its own start; unfinished parts are pending", () => {
    const m = measureObjectives({
      objectives,
      run: { method: "pitr", startedAt: "2026-11-25T10:00:00Z", restorePointAt: "2026-11-25T09:50:00Z" },
    });
    expect(m.rto).toMatchObject({ from: "run-start", achievedMinutes: null, verdict: "pending" });
    expect(m.rpo).toMatchObject({ from: "run-start", achievedMinutes: 10, verdict: "missed" });
  });

  it("an RTO beyond the objective's upper bound is missed", () => {
    const m = measureObjectives({
      objectives,
      incident: { startedAt: "2026-11-25T10:00:00Z" },
      run: {
        method: "pitr",
        startedAt: "2026-11-25T10:00:00Z",
        validatedAt: "2026-11-25T10:45:30Z",
        restorePointAt: "2026-11-25T10:00:00Z",
      },
    });
    expect(m.rto.verdict).toBe("missed");
    expect(m.rpo).toMatchObject({ achievedMinutes: 0, verdict: "met" });
  });

  it("a cross-region restore uses its own RTO and the logical RPO; configured objectives win", () => {
    const custom = Objectives.parse({ rto: { crossRegion: { minMinutes: 10, maxMinutes: 20 } }, rpo: { logical: { minutes: 60 } } });
    const m = measureObjectives({
      objectives: custom,
      incident: { startedAt: "2026-11-25T10:00:00Z", lastKnownGoodAt: "2026-11-25T09:30:00Z" },
      run: {
        method: "crossRegion",
        startedAt: "2026-11-25T10:00:00Z",
        validatedAt: "2026-11-25T10:25:00Z",
        restorePointAt: "2026-11-25T09:00:00Z",
      },
    });
    expect(m.rto).toMatchObject({ achievedMinutes: 25, objective: { minMinutes: 10, maxMinutes: 20 }, verdict: "missed" });
    expect(m.rpo).toMatchObject({ achievedMinutes: 30, objectiveMinutes: 60, verdict: "met" });
  });

  it("formats durations the way the objectives read", () => {
    expect(formatMinutes(null)).toBe("—");
    expect(formatMinutes(38)).toBe("38 min");
    expect(formatMinutes(14.5)).toBe("14.5 min");
    expect(formatMinutes(120)).toBe("2 h");
    expect(formatMinutes(185)).toBe("3 h 5 min");
    expect(formatMinutes(1440)).toBe("1 d");
    expect(formatMinutesRange(15, 45)).toBe("15–45 min");
    expect(formatMinutesRange(30, 120)).toBe("30 min–2 h");
  });
});
