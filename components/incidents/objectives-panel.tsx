import type { Objectives } from "@/lib/config/schema";
import type { Measurement } from "@/lib/incidents/measure-objectives";
import {
  formatMinutes,
  formatMinutesRange,
  RESTORE_METHOD_LABELS,
  RESTORE_METHODS,
  rpoObjectiveMinutes,
} from "@/lib/incidents/measure-objectives";
import { VerdictBadge } from "./incident-badges";

/** RTO and RPO achieved against the objectives of the method used; "—" until a restore is linked. */
export function ObjectivesPanel({ measurement, objectives }: { measurement: Measurement | null; objectives: Objectives }) {
  if (!measurement) {
    return (
      <div className="space-y-3 text-sm">
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
          <dt className="text-muted">Achieved RTO</dt>
          <dd>—</dd>
          <dt className="text-muted">Achieved RPO</dt>
          <dd>—</dd>
        </dl>
        <p className="text-xs text-muted">Measured once a restore run is linked to this incident. Objectives for this environment:</p>
        <ul className="space-y-0.5 text-xs">
          {RESTORE_METHODS.map((method) => (
            <li key={method}>
              {RESTORE_METHOD_LABELS[method]}: RTO{" "}
              {formatMinutesRange(objectives.rto[method].minMinutes, objectives.rto[method].maxMinutes)} · RPO{" "}
              {formatMinutes(rpoObjectiveMinutes(objectives, method))}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const { rto, rpo } = measurement;
  return (
    <div className="space-y-3 text-sm">
      <p className="text-muted">{RESTORE_METHOD_LABELS[measurement.method]}</p>
      <dl className="grid grid-cols-[max-content_1fr] items-center gap-x-4 gap-y-2">
        <dt className="text-muted">RTO</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <span className="font-semibold tabular-nums">{formatMinutes(rto.achievedMinutes)}</span>
          <span className="text-muted">objective {formatMinutesRange(rto.objective.minMinutes, rto.objective.maxMinutes)}</span>
          <VerdictBadge verdict={rto.verdict} />
        </dd>
        <dt className="text-muted">RPO</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <span className="font-semibold tabular-nums">{formatMinutes(rpo.achievedMinutes)}</span>
          <span className="text-muted">objective at most {formatMinutes(rpo.objectiveMinutes)}</span>
          <VerdictBadge verdict={rpo.verdict} />
        </dd>
      </dl>
      <p className="text-xs text-muted">
        RTO: incident start to validated restore. RPO: {rpo.from === "last-known-good" ? "last known good" : "incident start"} back to the
        restore point used.
      </p>
      {measurement.steps.length > 0 && (
        <ul className="space-y-0.5 text-xs">
          {measurement.steps.map((step, index) => (
            <li key={`${index}-${step.name}`} className="flex justify-between gap-3">
              <span>{step.name}</span>
              <span className="tabular-nums">{formatMinutes(step.minutes)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
