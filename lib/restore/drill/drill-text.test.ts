import { describe, expect, it } from "vitest";
import { checksText, outcomesText, rowCountDifference, rowCountsOf, rtoText, startedByOf } from "@/lib/restore/drill/drill-text";

describe("drill wording", () => {
  it("names what started a drill", () => {
    expect(startedByOf({ trigger: "schedule", startedBy: "schedule 0 3 * * * (UTC)", scheduledFor: "2026-11-29T03:00:00.000Z" })).toEqual({
      kind: "Schedule",
      name: "fire of 2026-11-29 03:00 UTC",
    });
    expect(startedByOf({ trigger: "token", startedBy: "ci-drills", scheduledFor: null })).toEqual({ kind: "API token", name: "ci-drills" });
  });

  it("counts the checks that passed", () => {
    expect(checksText({ total: 12, failed: [], warnings: [] })).toBe("12 of 12 passed");
    expect(checksText({ total: 12, failed: ["orders not empty"], warnings: [] })).toBe("11 of 12 passed");
    expect(checksText(null)).toBe("not run");
  });

  it("compares the row counts with the manifest and names the tables that differ", () => {
    const checks = { total: 1, failed: [], warnings: [] };
    expect(rowCountsOf({ checks, rowCounts: [{ table: "a", manifest: 3, restored: 3 }] }).text).toBe("1 table matches");
    const differing = rowCountsOf({
      checks,
      rowCounts: [
        { table: "a", manifest: 3, restored: 3 },
        { table: "b", manifest: 1200, restored: 1100 },
        { table: "c", manifest: 5, restored: null },
      ],
    });
    expect(differing.text).toBe("2 of 3 tables differ");
    expect(differing.differing.map(rowCountDifference)).toEqual([
      "b: 1,100 restored, 1,200 in the manifest",
      "c: missing from the copy, 5 in the manifest",
    ]);
    expect(rowCountsOf({ checks, rowCounts: [{ table: "c", manifest: 5, restored: 4 }] }).text).toBe("1 of 1 table differs");
    expect(rowCountsOf({ checks: null, rowCounts: [] }).text).toBe("not counted");
  });

  it("puts the time to a validated copy against the objective", () => {
    expect(rtoText({ durationMs: 1_200, rtoMaxMinutes: 120 })).toBe("1.2 s of 2 h");
    expect(rtoText({ durationMs: null, rtoMaxMinutes: 120 })).toBe("—");
  });

  it("counts the drills by outcome", () => {
    expect(outcomesText([{ outcome: "passed" }, { outcome: "failed" }, { outcome: "passed" }])).toBe("2 passed, 1 failed");
    expect(outcomesText([{ outcome: "running" }])).toBe("1 running");
  });
});
