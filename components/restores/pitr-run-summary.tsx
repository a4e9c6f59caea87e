import { ExternalLink } from "lucide-react";
import Link from "next/link";
import { CopyButton } from "@/components/ui/copy-button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Time } from "@/components/ui/time";
import { formatDuration, formatUtc } from "@/lib/format";
import { cutoverChecklist, endpointText, pitrTargetLabel, type PitrRestorePlan } from "@/lib/restore/pitr/plan";
import type { RestoreRunView, RestoreStepView } from "@/lib/restore/restore-run-views";
import { PitrRunActions } from "./pitr-run-actions";

/** Start to validated: the run's measured recovery time, once validation passed. */
function timeToValidated(run: RestoreRunView, steps: RestoreStepView[]): number | null {
  const validate = steps.find((s) => s.name === "validate");
  if (!run.startedAt || validate?.status !== "succeeded" || !validate.finishedAt) return null;
  return new Date(validate.finishedAt).getTime() - new Date(run.startedAt).getTime();
}

/**
 * A point-in-time restore at a glance: what it restores to, the data loss, the endpoint once the
 * restored server answers, and — when the run succeeded — the cutover checklist a person works
 * through (Restore Console never repoints applications).
 */
export function PitrRunSummary({
  run,
  plan,
  steps,
  canAct,
}: {
  run: RestoreRunView;
  plan: PitrRestorePlan;
  steps: RestoreStepView[];
  canAct: boolean;
}) {
  const validatedIn = timeToValidated(run, steps);
  const { dataLoss } = plan;
  return (
    <div className="space-y-6">
      {run.status === "succeeded" && run.endpoint && (
        <section
          role="status"
          aria-label="Ready for cutover"
          className="space-y-3 rounded-lg border border-success/30 bg-success-soft px-4 py-3 text-sm text-success-text"
        >
          <p className="font-semibold">
            Ready for cutover: the data as of {run.restorePointAt ? <Time value={run.restorePointAt} /> : pitrTargetLabel(plan.target)}{" "}
            answers at{" "}
            <span className="font-mono" data-testid="pitr-endpoint">
              {endpointText(run.endpoint)}
            </span>
            .
          </p>
          <CopyButton value={endpointText(run.endpoint)} label="Copy the endpoint" />
          <div className="text-fg">
            <p className="mb-1 font-medium">Cutover checklist — yours to do; nothing was repointed:</p>
            {/* Numbered, not boxes: these are steps for a person, not items this page ticks. */}
            <ol className="list-decimal space-y-1 pl-5" aria-label="Cutover checklist">
              {cutoverChecklist({
                endpoint: run.endpoint,
                sourceDescription: plan.source.description,
                incident: plan.incident !== null,
              }).map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ol>
            {plan.incident && (
              <Link
                href={`/incidents/${plan.incident.id}`}
                className="mt-2 inline-flex items-center gap-1 text-accent-text underline-offset-2 hover:underline"
              >
                Open the incident’s checklist <ExternalLink aria-hidden className="size-3.5" />
              </Link>
            )}
          </div>
        </section>
      )}
      <PitrRunActions run={run} canAct={canAct} />
      <Card padding="none">
        <CardHeader title="Point in time" description={plan.source.description} />
        <CardBody>
          <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
            <dt className="text-muted">Restore to</dt>
            <dd>
              {plan.target.kind === "latest" ? "latest restorable" : <Time value={plan.target.time} />}{" "}
              <span className="text-muted">({pitrTargetLabel(plan.target)})</span>
            </dd>
            <dt className="text-muted">Recovery point</dt>
            <dd>
              {run.restorePointAt ? (
                <>
                  <Time value={run.restorePointAt} /> <span className="text-muted">({formatUtc(run.restorePointAt, "exact")})</span>
                </>
              ) : (
                "pinned when the restore starts"
              )}
            </dd>
            <dt className="text-muted">Predicted data loss</dt>
            <dd>
              {dataLoss.lostMs === null ? "unknown" : formatDuration(dataLoss.lostMs)} of changes, up to{" "}
              {dataLoss.untilKind === "incident-start" ? "the incident's start" : "when it was planned"} (<Time value={dataLoss.until} />)
            </dd>
            {plan.incident && (
              <>
                <dt className="text-muted">Incident</dt>
                <dd>
                  <Link href={`/incidents/${plan.incident.id}`} className="text-accent-text underline-offset-2 hover:underline">
                    {plan.incident.title}
                  </Link>
                </dd>
              </>
            )}
            <dt className="text-muted">Restored server</dt>
            <dd className="font-mono">{run.endpoint ? endpointText(run.endpoint) : plan.identifiers.join(", ")}</dd>
            <dt className="text-muted">Start to validated</dt>
            <dd>{validatedIn === null ? "not yet" : formatDuration(validatedIn)}</dd>
          </dl>
        </CardBody>
      </Card>
    </div>
  );
}
