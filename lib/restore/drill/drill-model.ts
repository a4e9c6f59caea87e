// What the Drills page, the API, the metrics and the evidence report show of a drill: plain data,
// safe for the browser.

/** A table the manifest counts, as the drill found it in its copy (null: the table was missing). */
export interface DrillRowCount {
  table: string;
  manifest: number;
  restored: number | null;
}

export type DrillOutcome = "passed" | "failed" | "cancelled" | "running";

export interface DrillView {
  id: string;
  environment: string;
  /** The run's status (queued, running, succeeded, failed, cancelled, interrupted). */
  status: string;
  outcome: DrillOutcome;
  /** A dump restored (logical), or the PITR source restored to a random point of its window. */
  method: "logical" | "pitr";
  trigger: "schedule" | "person" | "token";
  startedBy: string;
  scheduledFor: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The backup restored and when it was taken; for a PITR drill, "PITR of <database>" and the point it restored to (id null). */
  backup: { id: string | null; name: string; takenAt: string };
  backupChoice: string;
  target: string;
  scratchDatabase: string;
  /** From the run's start to a validated copy: what the RTO objective is about (null until validated). */
  durationMs: number | null;
  restoreMs: number | null;
  validateMs: number | null;
  rtoMaxMinutes: number;
  /** Whether the validated copy came within the RTO objective (null when there is none). */
  withinRto: boolean | null;
  /** Checks run on the copy and the blocking ones that failed (null when validation did not finish). */
  checks: { total: number; failed: string[]; warnings: string[] } | null;
  rowCounts: DrillRowCount[];
  /** Whether the copy was dropped (by its drop step, or after the drill stopped). */
  copyDropped: boolean;
  error: string | null;
}

export interface DrillScheduleView {
  cron: string;
  timeZone: string;
  /** Where logical drills restore (null: only point-in-time drills). */
  target: string | null;
  /** Whether each fire also restores the PITR source to a random point of its window. */
  pitr: boolean;
  backup: string;
  next: string | null;
  /** The latest fire acted on (null before the schedule was first seen by a worker). */
  lastFireAt: string | null;
  /** Why that fire started no drill, if it did not. */
  lastError: string | null;
}

export interface DrillEnvironmentView {
  environment: string;
  /** Null when the environment has no drills configured. */
  schedule: DrillScheduleView | null;
  /** The longest restore each method's RTO objective allows, in minutes. */
  rtoMaxMinutes: number;
  pitrRtoMaxMinutes: number;
  /** Newest first, within the period asked for. */
  drills: DrillView[];
}

export interface DrillsOverview {
  from: string;
  to: string;
  environments: DrillEnvironmentView[];
}

/** The outcome a person reads, from the run's status. */
export function drillOutcomeOf(status: string): DrillOutcome {
  if (status === "succeeded") return "passed";
  if (status === "cancelled") return "cancelled";
  if (status === "failed" || status === "interrupted") return "failed";
  return "running";
}
