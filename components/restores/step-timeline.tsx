import { Check, Circle, CircleDashed, LoaderCircle, X } from "lucide-react";
import type { StepStatus } from "@/lib/restore/engine/state";
import type { RestoreStepView, StepAttemptView } from "@/lib/restore/restore-run-views";
import { Time } from "@/components/ui/time";
import { cx } from "@/components/ui/cx";
import { StepDuration } from "./live-duration";

const ICONS = {
  pending: { icon: Circle, classes: "text-muted" },
  running: { icon: LoaderCircle, classes: "animate-spin text-accent" },
  succeeded: { icon: Check, classes: "text-success" },
  failed: { icon: X, classes: "text-danger" },
  cancelled: { icon: X, classes: "text-muted" },
  skipped: { icon: CircleDashed, classes: "text-muted" },
} as const satisfies Record<StepStatus, unknown>;

const OUTCOME_TEXT: Record<string, string> = {
  abandoned: "its worker stopped; another worker took the run over",
  stopped: "its worker shut down and handed the run back",
  deferred: "waited for a person",
};

/** A retried step: which worker ran each attempt and how it ended, so a takeover is visible. */
function StepAttempts({ attempts }: { attempts: StepAttemptView[] }) {
  return (
    <details className="mt-1 text-sm text-muted" data-testid="step-attempts">
      <summary className="cursor-pointer">Ran {attempts.length} times</summary>
      <ol className="mt-1 space-y-0.5 pl-4">
        {attempts.map((attempt) => (
          <li key={attempt.attempt}>
            Attempt {attempt.attempt} on {attempt.worker}, started <Time value={attempt.startedAt} />:{" "}
            {attempt.outcome === null ? "running" : (OUTCOME_TEXT[attempt.outcome] ?? attempt.outcome)}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** The plan as a timeline: each step, its state and how long it took. */
export function StepTimeline({ steps }: { steps: RestoreStepView[] }) {
  return (
    <ol className="space-y-3" aria-label="Restore steps">
      {steps.map((step) => {
        const { icon: Icon, classes } = ICONS[step.status] ?? ICONS.pending;
        return (
          <li key={step.position} className="flex gap-3" data-step={step.name} data-status={step.status}>
            <Icon aria-hidden className={cx("mt-0.5 size-5 shrink-0", classes)} />
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <p className="font-medium">
                  {step.position}. {step.title}
                  <span className="sr-only"> — {step.status}</span>
                </p>
                <span className="text-xs tabular-nums text-muted">
                  {step.durationMs !== null ? <StepDuration step={step} /> : step.automatic ? "" : "needs you"}
                </span>
              </div>
              <p className="text-sm text-muted">{step.description}</p>
              {step.error && <p className="mt-1 text-sm text-danger-text">{step.error}</p>}
              {step.attempts.length > 1 && <StepAttempts attempts={step.attempts} />}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
