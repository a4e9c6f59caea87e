import Link from "next/link";
import { cx } from "@/components/ui/cx";
import { formatMinutes } from "@/lib/incidents/measure-objectives";
import type { RecoveryMeasurement } from "@/lib/restore/list-recovery-measurements";

function Bar({ label, achieved, objective, verdict }: { label: string; achieved: number | null; objective: number; verdict: string }) {
  // The scale leaves room past the objective so a miss is visibly longer than the mark.
  const scale = Math.max(objective * 1.5, achieved ?? 0) || 1;
  const width = achieved === null ? 0 : Math.max(1, (achieved / scale) * 100);
  const mark = (objective / scale) * 100;
  return (
    <div className="grid grid-cols-[3rem_1fr_7rem] items-center gap-2 text-xs">
      <span className="text-muted">{label}</span>
      <div
        className="relative h-3 rounded bg-subtle"
        role="img"
        aria-label={`${label} ${formatMinutes(achieved)} against an objective of ${formatMinutes(objective)}: ${verdict}`}
      >
        <div
          className={cx("h-3 rounded", verdict === "missed" ? "bg-danger" : verdict === "met" ? "bg-success" : "bg-border")}
          style={{ width: `${width}%` }}
        />
        <div
          className="absolute top-[-3px] h-[18px] w-0.5 bg-fg"
          style={{ left: `${mark}%` }}
          title={`objective ${formatMinutes(objective)}`}
        />
      </div>
      <span className={cx("tabular-nums", verdict === "missed" && "font-semibold text-danger-text")}>
        {formatMinutes(achieved)} / {formatMinutes(objective)}
      </span>
    </div>
  );
}

/** Achieved RTO and RPO of recent incidents and restores, each against its method's objective (the black mark). */
export function ObjectivesChart({ items }: { items: RecoveryMeasurement[] }) {
  if (items.length === 0)
    return <p className="text-sm text-muted">No validated restores yet. Achieved RTO and RPO appear here after the first one.</p>;
  return (
    <ul className="space-y-4" aria-label="Recovery objectives achieved">
      {items.map((item) => (
        <li key={`${item.kind}:${item.id}`} className="space-y-1">
          <Link href={item.href} className="text-sm font-medium text-accent-text underline-offset-2 hover:underline">
            {item.label}
          </Link>
          <span className="ml-2 text-xs text-muted">
            {item.kind} · {item.environment} · {item.measurement.method}
          </span>
          <Bar
            label="RTO"
            achieved={item.measurement.rto.achievedMinutes}
            objective={item.measurement.rto.objective.maxMinutes}
            verdict={item.measurement.rto.verdict}
          />
          <Bar
            label="RPO"
            achieved={item.measurement.rpo.achievedMinutes}
            objective={item.measurement.rpo.objectiveMinutes}
            verdict={item.measurement.rpo.verdict}
          />
        </li>
      ))}
    </ul>
  );
}
