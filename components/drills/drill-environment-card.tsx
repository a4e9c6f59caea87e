import { TriangleAlert } from "lucide-react";
import type { ReactNode } from "react";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Time } from "@/components/ui/time";
import { formatMinutes } from "@/lib/incidents/measure-objectives";
import type { DrillEnvironmentView, DrillView } from "@/lib/restore/drill/drill-model";
import type { DrillPeriod } from "@/lib/restore/drill/drill-period";
import { METHOD_LABELS, outcomesText } from "@/lib/restore/drill/drill-text";
import { DrillsTable } from "./drills-table";
import { DurationChart } from "./duration-chart";
import { HeatStrip } from "./heat-strip";
import { drillDays } from "./heat-strip-model";
import { RunDrillActions } from "./run-drill-actions";

const BACKUP_CHOICES: Record<string, string> = {
  "newest-verified": "the newest verified backup",
  "oldest-in-retention": "the oldest backup still kept",
};

const METHODS: ReadonlyArray<DrillView["method"]> = ["logical", "pitr"];

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-muted">{term}</dt>
      <dd className="break-words">{children}</dd>
    </div>
  );
}

/** One environment's drills: its schedule, "Run drill now", a strip of days, the durations and the list. */
export function DrillEnvironmentCard({ view, period, canRun }: { view: DrillEnvironmentView; period: DrillPeriod; canRun: boolean }) {
  const { environment, schedule, drills } = view;
  const objectiveOf = (method: DrillView["method"]) => (method === "pitr" ? view.pitrRtoMaxMinutes : view.rtoMaxMinutes);
  // What the schedule runs (a dump onto its target, the PITR source, or both), and what ran in the period.
  const configured = METHODS.filter((method) => (method === "pitr" ? schedule?.pitr : schedule?.target));
  const charted = METHODS.filter((method) => drills.some((d) => d.method === method));
  return (
    <Card as="section" padding="none">
      <CardHeader
        title={<span className="font-mono">{environment}</span>}
        description={
          drills.length > 0
            ? `${drills.length} drill${drills.length === 1 ? "" : "s"} from ${period.from} to ${period.to}: ${outcomesText(drills)}.`
            : undefined
        }
        actions={configured.length > 0 ? <RunDrillActions environment={environment} methods={configured} canRun={canRun} /> : undefined}
      />
      <CardBody className="space-y-6">
        {schedule?.lastError && (
          <div
            role="alert"
            className="flex items-start gap-3 rounded-lg border border-warning/40 bg-warning-soft px-4 py-3 text-sm text-warning-text"
          >
            <TriangleAlert aria-hidden className="mt-0.5 size-5 shrink-0" />
            <div className="min-w-0">
              <p className="font-semibold">
                The scheduled drill{" "}
                {schedule.lastFireAt && (
                  <>
                    of <Time value={schedule.lastFireAt} />{" "}
                  </>
                )}
                did not start.
              </p>
              <p className="break-words">{schedule.lastError}</p>
            </div>
          </div>
        )}
        {schedule ? (
          <dl className="grid grid-cols-1 gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-4">
            <Fact term="Schedule">
              <code className="font-mono text-xs">{schedule.cron}</code> ({schedule.timeZone})
            </Fact>
            <Fact term="Each drill restores">
              <ul>
                {schedule.target && (
                  <li>
                    {BACKUP_CHOICES[schedule.backup] ?? schedule.backup} onto <span className="font-mono text-xs">{schedule.target}</span>
                  </li>
                )}
                {schedule.pitr && <li>the PITR source to a random point of its window, into a new server</li>}
              </ul>
            </Fact>
            <Fact term="Next run">{schedule.next ? <Time value={schedule.next} relative /> : "none: the schedule never fires again"}</Fact>
            <Fact term="RTO objective (to a validated copy)">
              <ul>
                {configured.map((method) => (
                  <li key={method}>
                    {formatMinutes(objectiveOf(method))}
                    {configured.length > 1 && ` for a ${METHOD_LABELS[method]}`}
                  </li>
                ))}
              </ul>
            </Fact>
          </dl>
        ) : (
          <p className="text-muted">
            No drill schedule is configured for this environment any more; these drills ran before it was removed.
          </p>
        )}
        {drills.length === 0 ? (
          <p className="text-muted">
            No drill ran from {period.from} to {period.to}.{canRun && configured.length > 0 ? " Run one now to see it here." : ""}
          </p>
        ) : (
          <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
            <section className="min-w-0 space-y-2">
              <h3 className="text-sm font-semibold">Drills per day</h3>
              <HeatStrip days={drillDays(drills, period)} label={`Drills per day of ${environment}`} />
            </section>
            {charted.map((method) => {
              // One chart per method: each is held to its own objective.
              const title = charted.length > 1 ? `Time to a validated copy, ${METHOD_LABELS[method]}` : "Time to a validated copy";
              return (
                <section key={method} className="min-w-0 space-y-2">
                  <h3 className="text-sm font-semibold">{title}</h3>
                  <DurationChart
                    drills={drills.filter((d) => d.method === method)}
                    rtoMaxMinutes={objectiveOf(method)}
                    period={period}
                    label={`${environment}: time to a validated copy of each passed drill${charted.length > 1 ? ` (${METHOD_LABELS[method]})` : ""}`}
                  />
                </section>
              );
            })}
          </div>
        )}
      </CardBody>
      {drills.length > 0 && (
        <section className="border-t border-border">
          <h3 className="px-4 pt-3 pb-2 text-sm font-semibold">Drills, newest first</h3>
          <DrillsTable drills={drills} caption={`Drills of ${environment}, newest first`} />
        </section>
      )}
    </Card>
  );
}
