import { describe, expect, it } from "vitest";
import { compareReports } from "./compare-reports";
import type { CheckResult, ValidationReport } from "./types";

function result(name: string, actual: number | null, passed = true, kind: CheckResult["kind"] = "builtin"): CheckResult {
  return {
    name,
    kind,
    description: "",
    sql: "SELECT 1",
    expectation: "≥ 0",
    actual,
    passed,
    severity: "block",
    message: "",
    durationMs: 1,
  };
}

function report(...results: CheckResult[]): ValidationReport {
  return { passed: results.every((r) => r.passed), startedAt: "2026-11-24T02:00:00.000Z", finishedAt: "2026-11-24T02:00:01.000Z", results };
}

describe("compareReports", () => {
  it("gives the absolute and percentage change of each check in both reports", () => {
    const comparison = compareReports(
      report(result("loans", 200), result("orphans", 0)),
      report(result("loans", 150), result("orphans", 0)),
    );
    expect(comparison.checks).toEqual([
      {
        name: "loans",
        kind: "builtin",
        previousActual: 200,
        currentActual: 150,
        change: -50,
        changePercent: -25,
        previousPassed: true,
        currentPassed: true,
      },
      {
        name: "orphans",
        kind: "builtin",
        previousActual: 0,
        currentActual: 0,
        change: 0,
        changePercent: 0,
        previousPassed: true,
        currentPassed: true,
      },
    ]);
  });

  it("has no percentage from zero, and no change without numbers", () => {
    const comparison = compareReports(
      report(result("orphans", 0), result("gone", null, false), result("neg", -10)),
      report(result("orphans", 3, false), result("gone", 5), result("neg", -5)),
    );
    expect(comparison.checks[0]).toMatchObject({ change: 3, changePercent: null, previousPassed: true, currentPassed: false });
    expect(comparison.checks[1]).toMatchObject({ change: null, changePercent: null, previousPassed: false, currentPassed: true });
    expect(comparison.checks[2]).toMatchObject({ change: 5, changePercent: 50 });
  });

  it("lists checks present in only one report, keeping built-ins and configured checks apart", () => {
    const comparison = compareReports(
      report(result("a", 1), result("old", 1), result("same-name", 1, true, "builtin")),
      report(result("a", 1), result("new", 1), result("same-name", 1, true, "configured")),
    );
    expect(comparison.checks.map((c) => c.name)).toEqual(["a"]);
    expect(comparison.onlyInPrevious).toEqual(["old", "same-name"]);
    expect(comparison.onlyInCurrent).toEqual(["new", "same-name"]);
  });
});
