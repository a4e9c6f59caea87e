import { formatDuration } from "@/lib/format";
import { isActive } from "./engine/state";
import type { RestoreProgressView, RestoreRunView, RestoreStepView } from "./restore-run-views";

// What the run page shows between two fetches. The server's durations are taken when it answered
// and its progress is the last report of whichever step sent one; the page keeps its own clock
// and shows a report only while the step that sent it runs. Pure, for the tests and the browser.

export interface RunClock {
  /** From the run's start (its creation while queued) to now, or to its end once it has ended. */
  elapsedMs: number | null;
  /** While the run waits for a person (swap confirmation, accepting failures): for how long. */
  waitingMs: number | null;
}

type ClockRun = Pick<RestoreRunView, "status" | "createdAt" | "startedAt" | "durationMs">;
type ClockStep = Pick<RestoreStepView, "finishedAt" | "attempts">;

const since = (from: string, now: number) => Math.max(0, now - Date.parse(from));

/** A run stops for a person right after its last step (or a deferred attempt) ended. */
function waitingSince(steps: readonly ClockStep[]): string | null {
  const ends = steps.flatMap((step) => [step.finishedAt, ...step.attempts.map((attempt) => attempt.finishedAt)]);
  return ends.reduce<string | null>((latest, end) => (end !== null && (latest === null || end > latest) ? end : latest), null);
}

/**
 * The run's clock at `now` (ms since the epoch; null while server-rendering, which shows the
 * server's figure). It keeps running while the run is active, waiting for a person included, and
 * an ended run shows the server's start-to-end duration.
 */
export function runClock(run: ClockRun, steps: readonly ClockStep[], now: number | null): RunClock {
  if (now === null || !isActive(run.status)) return { elapsedMs: run.durationMs, waitingMs: null };
  const elapsedMs = since(run.startedAt ?? run.createdAt, now);
  const waiting = run.status === "awaiting-swap" ? waitingSince(steps) : null;
  return { elapsedMs, waitingMs: waiting === null ? null : since(waiting, now) };
}

/** A ticking duration in whole seconds ("0 s", "42 s", "3 min 5 s"): tenths that change every second only flicker. */
export function formatTicking(ms: number): string {
  return ms < 1000 ? "0 s" : formatDuration(Math.floor(ms / 1000) * 1000);
}

/** How long a run has waited for a person, in whole minutes ("3 min", "1 h 2 min"). */
export function formatWait(ms: number): string {
  return ms < 60_000 ? "less than a minute" : formatDuration(Math.floor(ms / 60_000) * 60_000);
}

/** A step's duration at `now`: a running step's keeps growing between fetches. */
export function stepElapsedMs(step: Pick<RestoreStepView, "status" | "startedAt" | "durationMs">, now: number | null): number | null {
  return step.status === "running" && step.startedAt !== null && now !== null ? since(step.startedAt, now) : step.durationMs;
}

/**
 * The progress to show: only a report of the step running now, sent during its current attempt.
 * The run keeps the restore step's last report ("committing", nothing left to read) after that
 * step ended; shown again while the swap runs, it would claim a finished step is still going.
 */
export function progressOfRunningStep(
  progress: RestoreProgressView | null,
  run: Pick<RestoreRunView, "status">,
  steps: readonly { name: string; status: string; startedAt: string | null }[],
): RestoreProgressView | null {
  if (progress === null || run.status !== "running") return null;
  const step = steps.find((s) => s.name === progress.step);
  if (step?.status !== "running") return null;
  // A report from an earlier attempt (before another worker took the run over) is not this one's.
  if (step.startedAt !== null && Date.parse(progress.at) < Date.parse(step.startedAt)) return null;
  return progress;
}

/** The time left worth saying: none once everything is read, since committing takes what it takes. */
export function remainingMs(progress: Pick<RestoreProgressView, "phase" | "etaMs">): number | null {
  return progress.phase === "committing" || progress.etaMs === null || progress.etaMs <= 0 ? null : progress.etaMs;
}
