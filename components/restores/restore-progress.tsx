import { ProgressBar } from "@/components/ui/progress-bar";
import { formatBytes, formatDuration } from "@/lib/format";
import { remainingMs } from "@/lib/restore/live-run";
import type { RestoreProgressView, RestoreStepView } from "@/lib/restore/restore-run-views";
import { StepDuration } from "./live-duration";

/**
 * Bytes and rows restored, %, throughput, elapsed and ETA of the running step. The elapsed time is
 * the step's own, ticking: reports stop while the data is committed, and the step is not stuck.
 */
export function RestoreProgress({ progress, step }: { progress: RestoreProgressView; step: RestoreStepView | undefined }) {
  const left = remainingMs(progress);
  const figures = [
    `${formatBytes(progress.bytesRead)}${progress.totalBytes ? ` of ${formatBytes(progress.totalBytes)}` : ""} read`,
    progress.sqlBytes > 0 ? `${formatBytes(progress.sqlBytes)} SQL` : null,
    progress.rows > 0 ? `${progress.rows.toLocaleString("en")} rows` : null,
    progress.tables ? `${progress.tables.started} of ${progress.tables.total} tables` : null,
    progress.bytesPerSecond ? `${formatBytes(progress.bytesPerSecond)}/s` : null,
  ].filter(Boolean);
  return (
    <div className="space-y-1.5" data-testid="restore-progress">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium capitalize">{progress.phase}</span>
        <span className="tabular-nums text-muted">
          {figures.join(" · ")} · elapsed {step ? <StepDuration step={step} /> : formatDuration(progress.elapsedMs)}
          {left !== null && ` · about ${formatDuration(left)} left`}
        </span>
      </div>
      <ProgressBar
        label="Restore progress"
        value={progress.percent}
        valueText={progress.percent === null ? progress.phase : `${Math.round(progress.percent)}%`}
      />
    </div>
  );
}
