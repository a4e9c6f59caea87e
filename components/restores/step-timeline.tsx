import { Check, Circle, CircleDashed, LoaderCircle, X } from "lucide-react";
import type { RestoreStepView } from "@/lib/restore/restore-run-views";
import { formatDuration } from "@/lib/client/format";
import { cx } from "@/components/ui/cx";

const ICONS = {
  pending: { icon: Circle, classes: "text-muted" },
  running: { icon: LoaderCircle, classes: "animate-spin text-accent" },
  succeeded: { icon: Check, classes: "text-success" },
  failed: { icon: X, classes: "text-danger" },
  cancelled: { icon: X, classes: "text-muted" },
  skipped: { icon: CircleDashed, classes: "text-muted" },
} as const;

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
                  {step.durationMs !== null ? formatDuration(step.durationMs) : step.automatic ? "" : "needs you"}
                </span>
              </div>
              <p className="text-sm text-muted">{step.description}</p>
              {step.error && <p className="mt-1 text-sm text-danger-text">{step.error}</p>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
