import { ProgressBar } from "@/components/ui/progress-bar";
import { formatBytes, formatDuration } from "@/lib/format";
import type { RestoreProgressView } from "@/lib/restore/restore-run-views";

/** Bytes and rows restored, %, throughput, elapsed and ETA of the running step. */
export function RestoreProgress({ progress }: { progress: RestoreProgressView }) {
  const figures = [
    `${formatBytes(progress.bytesRead)}${progress.totalBytes ? ` of ${formatBytes(progress.totalBytes)}` : ""} read`,
    progress.sqlBytes > 0 ? `${formatBytes(progress.sqlBytes)} SQL` : null,
    progress.rows > 0 ? `${progress.rows.toLocaleString("en")} rows` : null,
    progress.tables ? `${progress.tables.started} of ${progress.tables.total} tables` : null,
    progress.bytesPerSecond ? `${formatBytes(progress.bytesPerSecond)}/s` : null,
    `elapsed ${formatDuration(progress.elapsedMs)}`,
    progress.etaMs !== null ? `about ${formatDuration(progress.etaMs)} left` : null,
  ].filter(Boolean);
  return (
    <div className="space-y-1.5" data-testid="restore-progress">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium capitalize">{progress.phase}</span>
        <span className="tabular-nums text-muted">{figures.join(" · ")}</span>
      </div>
      <ProgressBar
        label="Restore progress"
        value={progress.percent}
        valueText={progress.percent === null ? progress.phase : `${Math.round(progress.percent)}%`}
      />
    </div>
  );
}
