import { formatDuration, formatUtc } from "@/lib/format";
import { formatMinutes } from "@/lib/incidents/measure-objectives";
import type { DrillRowCount, DrillView } from "@/lib/restore/drill/drill-model";

// A drill's cells in words, shared by the table and its narrow-screen layout.

/** What each drill method restores, as a heading or a label reads it. */
export const METHOD_LABELS: Record<DrillView["method"], string> = { logical: "logical restore", pitr: "point-in-time restore" };

const TRIGGER_LABELS: Record<DrillView["trigger"], string> = { schedule: "Schedule", person: "Person", token: "API token" };

/** Who or what started the drill: "Schedule" with the fire it was for, or the person or token by name. */
export function startedByOf(drill: Pick<DrillView, "trigger" | "startedBy" | "scheduledFor">): { kind: string; name: string } {
  const name = drill.trigger === "schedule" && drill.scheduledFor ? `fire of ${formatUtc(drill.scheduledFor, "minute")}` : drill.startedBy;
  return { kind: TRIGGER_LABELS[drill.trigger], name };
}

/** "12 of 12 passed", or "not run" when validation did not finish. */
export function checksText(checks: DrillView["checks"]): string {
  if (!checks) return "not run";
  return `${checks.total - checks.failed.length} of ${checks.total} passed`;
}

/** The manifest's row counts against the copy's: a summary and the tables that differ. */
export function rowCountsOf(drill: Pick<DrillView, "rowCounts" | "checks">): { text: string; differing: DrillRowCount[] } {
  const { rowCounts } = drill;
  if (rowCounts.length === 0) return { text: drill.checks ? "no manifest counts" : "not counted", differing: [] };
  const differing = rowCounts.filter((r) => r.restored !== r.manifest);
  const text =
    differing.length === 0
      ? rowCounts.length === 1
        ? "1 table matches"
        : `${rowCounts.length} tables match`
      : `${differing.length} of ${rowCounts.length} table${rowCounts.length === 1 ? "" : "s"} ${differing.length === 1 ? "differs" : "differ"}`;
  return { text, differing };
}

/** One differing table: "orders: 95 restored, 100 in the manifest" (or missing from the copy). */
export function rowCountDifference(row: DrillRowCount): string {
  const restored = row.restored === null ? "missing from the copy" : `${row.restored.toLocaleString("en")} restored`;
  return `${row.table}: ${restored}, ${row.manifest.toLocaleString("en")} in the manifest`;
}

/** "1.2 s of 2 h": the time to a validated copy against the RTO objective ("—" before one). */
export function rtoText(drill: Pick<DrillView, "durationMs" | "rtoMaxMinutes">): string {
  return drill.durationMs === null ? "—" : `${formatDuration(drill.durationMs)} of ${formatMinutes(drill.rtoMaxMinutes)}`;
}

/** "11 passed, 1 failed": the drills counted by outcome (outcomes no drill had are left out). */
export function outcomesText(drills: ReadonlyArray<Pick<DrillView, "outcome">>): string {
  const outcomes = ["passed", "failed", "cancelled", "running"] as const;
  return outcomes
    .map((outcome) => [drills.filter((d) => d.outcome === outcome).length, outcome] as const)
    .filter(([count]) => count > 0)
    .map(([count, outcome]) => `${count} ${outcome}`)
    .join(", ");
}
