import type { CheckResult, ValidationReport } from "./types";

export interface CheckComparison {
  name: string;
  kind: CheckResult["kind"];
  previousActual: number | null;
  currentActual: number | null;
  /** current − previous; null when either has no number. */
  change: number | null;
  /** The change as a percentage of the previous value; null when that is undefined (no number, or from 0 to non-zero). */
  changePercent: number | null;
  previousPassed: boolean;
  currentPassed: boolean;
}

export interface ReportComparison {
  /** Checks present in both reports, in the current report's order. */
  checks: CheckComparison[];
  /** Names of checks only in the previous report (e.g. a configured check since removed). */
  onlyInPrevious: string[];
  /** Names of checks only in the current report. */
  onlyInCurrent: string[];
}

// A configured check may share a built-in's name, so both parts identify a result.
const keyOf = (result: Pick<CheckResult, "kind" | "name">) => `${result.kind}\u0000${result.name}`;

function changeBetween(previous: number | null, current: number | null): Pick<CheckComparison, "change" | "changePercent"> {
  if (previous === null || current === null) return { change: null, changePercent: null };
  const change = current - previous;
  if (previous === 0) return { change, changePercent: change === 0 ? 0 : null };
  return { change, changePercent: (change / Math.abs(previous)) * 100 };
}

/** How each check's number moved between two runs, so results can be kept and compared. */
export function compareReports(previous: ValidationReport, current: ValidationReport): ReportComparison {
  const before = new Map(previous.results.map((result) => [keyOf(result), result]));
  const currentKeys = new Set(current.results.map(keyOf));
  const checks: CheckComparison[] = [];
  const onlyInCurrent: string[] = [];
  for (const result of current.results) {
    const earlier = before.get(keyOf(result));
    if (!earlier) {
      onlyInCurrent.push(result.name);
      continue;
    }
    checks.push({
      name: result.name,
      kind: result.kind,
      previousActual: earlier.actual,
      currentActual: result.actual,
      ...changeBetween(earlier.actual, result.actual),
      previousPassed: earlier.passed,
      currentPassed: result.passed,
    });
  }
  const onlyInPrevious = previous.results.filter((result) => !currentKeys.has(keyOf(result))).map((result) => result.name);
  return { checks, onlyInPrevious, onlyInCurrent };
}
