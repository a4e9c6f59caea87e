"use client";

import { formatDuration } from "@/lib/format";
import { useIncidentClock } from "@/lib/client/use-incident-clock";
import { isActive } from "@/lib/restore/engine/state";
import { formatTicking, formatWait, runClock, stepElapsedMs } from "@/lib/restore/live-run";
import type { RestoreRunView, RestoreStepView } from "@/lib/restore/restore-run-views";

// Only these small parts subscribe to the one-second clock, so the rest of the run page does not
// re-render every second; an ended run or step does not subscribe at all.

function TickingRunElapsed({ run, steps, waitingFor }: { run: RestoreRunView; steps: readonly RestoreStepView[]; waitingFor: string }) {
  const { elapsedMs, waitingMs } = runClock(run, steps, useIncidentClock());
  return (
    <>
      {elapsedMs !== null && <span className="tabular-nums text-muted">{formatTicking(elapsedMs)}</span>}
      {waitingMs !== null && (
        <span className="tabular-nums text-warning-text">
          waiting for {waitingFor} for {formatWait(waitingMs)}
        </span>
      )}
    </>
  );
}

/** The run's elapsed time, ticking until it ends; while it waits for a person, for how long (`waitingFor`: "you", "an admin"). */
export function RunElapsed({ run, steps, waitingFor }: { run: RestoreRunView; steps: readonly RestoreStepView[]; waitingFor: string }) {
  if (isActive(run.status)) return <TickingRunElapsed run={run} steps={steps} waitingFor={waitingFor} />;
  return run.durationMs === null ? null : <span className="tabular-nums text-muted">{formatDuration(run.durationMs)}</span>;
}

function TickingStepDuration({ step }: { step: RestoreStepView }) {
  const elapsedMs = stepElapsedMs(step, useIncidentClock());
  return <>{elapsedMs === null ? "" : formatTicking(elapsedMs)}</>;
}

/** A step's duration; a running step's grows every second. */
export function StepDuration({ step }: { step: RestoreStepView }) {
  if (step.status === "running") return <TickingStepDuration step={step} />;
  return <>{step.durationMs === null ? "" : formatDuration(step.durationMs)}</>;
}
