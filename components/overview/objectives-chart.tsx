import Link from "next/link";
import { cx } from "@/components/ui/cx";
import { Time } from "@/components/ui/time";
import { formatMinutes, RESTORE_METHOD_LABELS } from "@/lib/incidents/measure-objectives";
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

function Measured({ item }: { item: RecoveryMeasurement }) {
  const { measurement } = item;
  return (
    <li className="space-y-1" data-measured={item.href} data-method={measurement.method}>
      <div className="flex flex-wrap items-baseline gap-x-2">
        <Link href={item.href} className="text-sm font-medium text-accent-text underline-offset-2 hover:underline">
          {item.label}
        </Link>
        <span className="text-xs text-muted">
          <Time value={item.at} /> · <span className="font-mono">{item.environment}</span> · {RESTORE_METHOD_LABELS[measurement.method]}
        </span>
      </div>
      <Bar
        label="RTO"
        achieved={measurement.rto.achievedMinutes}
        objective={measurement.rto.objective.maxMinutes}
        verdict={measurement.rto.verdict}
      />
      {/* Data loss is measured against an incident: a restore on its own lost nothing to measure. */}
      {item.kind === "incident" && (
        <Bar
          label="RPO"
          achieved={measurement.rpo.achievedMinutes}
          objective={measurement.rpo.objectiveMinutes}
          verdict={measurement.rpo.verdict}
        />
      )}
    </li>
  );
}

/**
 * Achieved RTO (and, for incidents, RPO) against each method's objective (the black mark):
 * incidents apart from restores run on their own, each dated. Drills are on the Drills page.
 */
export function ObjectivesChart({ items }: { items: RecoveryMeasurement[] }) {
  if (items.length === 0)
    return <p className="text-sm text-muted">No validated restores yet. Achieved RTO and RPO appear here after the first one.</p>;
  const incidents = items.filter((item) => item.kind === "incident");
  const restores = items.filter((item) => item.kind === "run");
  return (
    <div className="space-y-5">
      <p className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-muted" aria-label="Legend">
        <span className="flex items-center gap-1.5">
          <span aria-hidden className="inline-block h-2.5 w-5 rounded bg-success" /> met
        </span>
        <span className="flex items-center gap-1.5">
          <span aria-hidden className="inline-block h-2.5 w-5 rounded bg-danger" /> missed
        </span>
        <span className="flex items-center gap-1.5">
          <span aria-hidden className="inline-block h-3.5 w-0.5 bg-fg" /> objective
        </span>
        <span>RTO: start to a validated restore. RPO: the data lost, for incidents.</span>
      </p>
      {incidents.length > 0 && (
        <section className="space-y-3" aria-labelledby="objectives-incidents">
          <h3 id="objectives-incidents" className="text-sm font-semibold">
            Incidents
          </h3>
          <ul className="space-y-4">
            {incidents.map((item) => (
              <Measured key={`incident:${item.id}`} item={item} />
            ))}
          </ul>
        </section>
      )}
      {restores.length > 0 && (
        <section className="space-y-3" aria-labelledby="objectives-restores">
          <h3 id="objectives-restores" className="text-sm font-semibold">
            Restores run on their own
          </h3>
          <ul className="space-y-4">
            {restores.map((item) => (
              <Measured key={`run:${item.id}`} item={item} />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
