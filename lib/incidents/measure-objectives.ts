import { z } from "zod";
import type { Objectives } from "@/lib/config/schema";

// RTO and RPO as achieved, next to the environment's objectives for the method used. Pure and
// fed plain data, so the restore engine can hand a run over as it is.

export const RESTORE_METHODS = ["pitr", "logical", "crossRegion"] as const;
export type RestoreMethod = (typeof RESTORE_METHODS)[number];

export const RESTORE_METHOD_LABELS: Readonly<Record<RestoreMethod, string>> = {
  pitr: "PITR",
  logical: "Logical restore",
  crossRegion: "Cross-region restore",
};

const Instant = z.coerce.date();

/** A restore as measured: when it started, when its validation passed, the point it restored to. */
export const RecoveryRun = z.object({
  runId: z.uuid().nullish(),
  method: z.enum(RESTORE_METHODS),
  startedAt: Instant,
  /** When validation passed: the data is back. Null while the run is still going. */
  validatedAt: Instant.nullish(),
  /** The PITR target time, or the dump's taken-at time. */
  restorePointAt: Instant.nullish(),
  steps: z
    .array(z.object({ name: z.string().min(1).max(200), startedAt: Instant, finishedAt: Instant.nullish() }))
    .max(100)
    .default([]),
});
export type RecoveryRun = z.infer<typeof RecoveryRun>;
export type RecoveryRunInput = z.input<typeof RecoveryRun>;

export type Verdict = "met" | "missed" | "pending";

export interface Measurement {
  method: RestoreMethod;
  rto: {
    /** "incident-start" for an incident; "run-start" for a run measured on its own. */
    from: "incident-start" | "run-start";
    fromAt: string;
    toAt: string | null;
    achievedMinutes: number | null;
    objective: { minMinutes: number; maxMinutes: number };
    verdict: Verdict;
  };
  rpo: {
    /** The last known good time, else the incident (or run) start. */
    from: "last-known-good" | "incident-start" | "run-start";
    fromAt: string;
    restorePointAt: string | null;
    achievedMinutes: number | null;
    objectiveMinutes: number;
    verdict: Verdict;
  };
  steps: Array<{ name: string; minutes: number | null }>;
}

const minutesBetween = (from: Date, to: Date) => Math.round(((to.getTime() - from.getTime()) / 60_000) * 10) / 10;

function verdict(achieved: number | null, limit: number): Verdict {
  if (achieved === null) return "pending";
  return achieved <= limit ? "met" : "missed";
}

/** A method's RPO objective: a cross-region restore replays a logical dump, so it has the logical one. */
export function rpoObjectiveMinutes(objectives: Objectives, method: RestoreMethod): number {
  return objectives.rpo[method === "pitr" ? "pitr" : "logical"].minutes;
}

/**
 * Achieved RTO: incident start (or the run's start, for a run alone) to validated restore.
 * Achieved RPO: last known good (else the start) back to the restore point actually used.
 */
export function measureObjectives({
  objectives,
  incident,
  run: runInput,
}: {
  objectives: Objectives;
  incident?: { startedAt: Date | string; lastKnownGoodAt?: Date | string | null } | null;
  run: RecoveryRunInput | RecoveryRun;
}): Measurement {
  const run = RecoveryRun.parse(runInput);
  const rtoFrom = incident ? new Date(incident.startedAt) : run.startedAt;
  const rtoMinutes = run.validatedAt ? minutesBetween(rtoFrom, run.validatedAt) : null;
  const rtoObjective = objectives.rto[run.method];

  const lastKnownGood = incident?.lastKnownGoodAt ? new Date(incident.lastKnownGoodAt) : null;
  const rpoFrom = lastKnownGood ?? rtoFrom;
  // Restoring to a point after the last known good loses nothing that was good.
  const rpoMinutes = run.restorePointAt ? Math.max(0, minutesBetween(run.restorePointAt, rpoFrom)) : null;
  const rpoObjective = rpoObjectiveMinutes(objectives, run.method);

  return {
    method: run.method,
    rto: {
      from: incident ? "incident-start" : "run-start",
      fromAt: rtoFrom.toISOString(),
      toAt: run.validatedAt?.toISOString() ?? null,
      achievedMinutes: rtoMinutes,
      objective: { minMinutes: rtoObjective.minMinutes, maxMinutes: rtoObjective.maxMinutes },
      verdict: verdict(rtoMinutes, rtoObjective.maxMinutes),
    },
    rpo: {
      from: lastKnownGood ? "last-known-good" : incident ? "incident-start" : "run-start",
      fromAt: rpoFrom.toISOString(),
      restorePointAt: run.restorePointAt?.toISOString() ?? null,
      achievedMinutes: rpoMinutes,
      objectiveMinutes: rpoObjective,
      verdict: verdict(rpoMinutes, rpoObjective),
    },
    steps: run.steps.map((step) => ({
      name: step.name,
      minutes: step.finishedAt ? minutesBetween(step.startedAt, step.finishedAt) : null,
    })),
  };
}

/** 42 min, 3 h 5 min, 1 d 2 h: durations as the objectives are written. */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return "—";
  if (minutes < 60) return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} min`;
  const whole = Math.round(minutes);
  if (whole < 24 * 60) return whole % 60 ? `${Math.floor(whole / 60)} h ${whole % 60} min` : `${whole / 60} h`;
  const days = Math.floor(whole / 1440);
  const hours = Math.round((whole % 1440) / 60);
  return hours ? `${days} d ${hours} h` : `${days} d`;
}

/** "15–45 min", "30 min–2 h": an RTO objective's range. */
export function formatMinutesRange(min: number, max: number): string {
  return min < 60 && max < 60 ? `${min}–${max} min` : `${formatMinutes(min)}–${formatMinutes(max)}`;
}
