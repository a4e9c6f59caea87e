import { CircleAlert, CircleCheck, CircleX } from "lucide-react";
import { formatDuration } from "@/lib/format";
import type { PlanStep, PreflightStatus } from "@/lib/restore/logical/plan";

/** The steps of a plan, each with what it does and its time limit. */
export function PlanSteps({
  steps,
}: {
  steps: ReadonlyArray<Pick<PlanStep, "position" | "title" | "description" | "automatic" | "timeoutMs">>;
}) {
  return (
    <ol className="space-y-2 text-sm" aria-label="Planned steps">
      {steps.map((s) => (
        <li key={s.position}>
          <span className="font-medium">
            {s.position}. {s.title}
          </span>{" "}
          <span className="text-muted">
            — {s.description} {s.automatic ? `(time limit ${formatDuration(s.timeoutMs)})` : "(only when you ask)"}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** What the restore replaces and what it keeps, side by side. */
export function ReplacedAndKept({ replaces, keeps }: { replaces: readonly string[]; keeps: readonly string[] }) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <div>
        <h3 className="mb-1 text-sm font-semibold text-danger-text">Replaced</h3>
        <ul className="list-disc pl-5 text-sm">{replaces.length ? replaces.map((r) => <li key={r}>{r}</li>) : <li>Nothing.</li>}</ul>
      </div>
      <div>
        <h3 className="mb-1 text-sm font-semibold text-success-text">Kept</h3>
        <ul className="list-disc pl-5 text-sm">
          {keeps.map((k) => (
            <li key={k}>{k}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}

const PREFLIGHT_ICON: Record<PreflightStatus, { icon: typeof CircleCheck; className: string }> = {
  passed: { icon: CircleCheck, className: "text-success" },
  warning: { icon: CircleAlert, className: "text-warning" },
  failed: { icon: CircleX, className: "text-danger" },
};

export interface PreflightLine {
  key: string;
  title: string;
  status: PreflightStatus;
  message: string;
}

/** The preflight checks, run just now, changing nothing. */
export function PreflightList({ checks }: { checks: readonly PreflightLine[] }) {
  return (
    <div>
      <h3 className="mb-1 text-sm font-semibold">Preflight checks (run just now)</h3>
      <ul className="space-y-1 text-sm">
        {checks.map((c) => {
          const { icon: Icon, className } = PREFLIGHT_ICON[c.status];
          return (
            <li key={c.key} className="flex gap-2" data-preflight={c.key} data-status={c.status}>
              <Icon aria-hidden className={`mt-0.5 size-4 shrink-0 ${className}`} />
              <span>
                <span className="font-medium">{c.title}:</span> {c.message}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
