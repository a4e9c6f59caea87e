import type { DrillOutcome, DrillView } from "@/lib/restore/drill/drill-model";
import { addDays, periodLength, utcDayOf, type DrillPeriod } from "@/lib/restore/drill/drill-period";

// One cell per day of the period for the heat strip: what that day's drills came to.

/** A day as the strip colours it: the most telling of its drills' outcomes, or none. */
export type DayState = DrillOutcome | "none";

export interface DrillDay {
  /** UTC day, "2026-11-29". */
  day: string;
  state: DayState;
  counts: Record<DrillOutcome, number>;
  /** What the cell says in words: "2026-11-29: 1 passed, 1 failed" or "2026-11-29: no drill". */
  label: string;
}

// A failure outweighs everything else that day (it is what needs looking at), then a drill still
// running, then a pass; a day whose only drills were cancelled says so.
const PRECEDENCE: readonly DrillOutcome[] = ["failed", "running", "passed", "cancelled"];
// The order the counts are read out in.
const READING_ORDER: readonly DrillOutcome[] = ["passed", "failed", "cancelled", "running"];

function labelOf(day: string, counts: Record<DrillOutcome, number>): string {
  const parts = READING_ORDER.filter((outcome) => counts[outcome] > 0).map((outcome) => `${counts[outcome]} ${outcome}`);
  return `${day}: ${parts.length > 0 ? parts.join(", ") : "no drill"}`;
}

/** Every day of the period, oldest first, with its drills counted by the UTC day they were created. */
export function drillDays(drills: ReadonlyArray<Pick<DrillView, "createdAt" | "outcome">>, period: DrillPeriod): DrillDay[] {
  const byDay = new Map<string, Record<DrillOutcome, number>>();
  for (const drill of drills) {
    const day = utcDayOf(drill.createdAt);
    const counts = byDay.get(day) ?? { passed: 0, failed: 0, cancelled: 0, running: 0 };
    counts[drill.outcome] += 1;
    byDay.set(day, counts);
  }
  return Array.from({ length: Math.max(0, periodLength(period)) }, (_, index) => {
    const day = addDays(period.from, index);
    const counts = byDay.get(day) ?? { passed: 0, failed: 0, cancelled: 0, running: 0 };
    return { day, state: PRECEDENCE.find((outcome) => counts[outcome] > 0) ?? "none", counts, label: labelOf(day, counts) };
  });
}

/** The whole strip in one sentence: "90 days: 84 with a pass, 2 with a failure, 4 without a drill." */
export function drillDaysSummary(days: readonly DrillDay[]): string {
  const count = (state: DayState) => days.filter((d) => d.state === state).length;
  const parts = [
    [count("passed"), "with a pass"],
    [count("failed"), "with a failure"],
    [count("running"), "with a drill running"],
    [count("cancelled"), "with only cancelled drills"],
    [count("none"), "without a drill"],
  ] as const;
  const said = parts.filter(([n]) => n > 0).map(([n, text]) => `${n} ${text}`);
  return `${days.length} day${days.length === 1 ? "" : "s"}: ${said.join(", ")}.`;
}
