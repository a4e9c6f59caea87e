"use client";

import { Siren, TriangleAlert } from "lucide-react";
import { ButtonLink } from "@/components/ui/button-link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { StatusDot } from "@/components/ui/status-dot";
import { Time } from "@/components/ui/time";
import { formatBytes } from "@/lib/format";
import { useRestoreRun } from "@/lib/client/use-restore-run";
import type { RestoreRunDetail } from "@/lib/restore/get-restore-run";
import { pitrTargetLabel } from "@/lib/restore/pitr/plan";
import { isWarning, unacceptedBlockingFailures } from "@/lib/restore/validation/severity";
import type { CheckResult } from "@/lib/restore/validation/types";
import { ApprovalsPanel } from "./approvals-panel";
import type { ApprovalViewer } from "./approval-item";
import { FourEyesProvider, type FourEyesTerms } from "./four-eyes-context";
import { RunElapsed } from "./live-duration";
import { OutcomeBanner, OutcomeFocusProvider } from "./outcome-focus";
import { ValidationAcceptancePanel } from "./validation-acceptance-panel";
import { PitrRunSummary } from "./pitr-run-summary";
import { RestoreProgress } from "./restore-progress";
import { RunActions } from "./run-actions";
import { Badge } from "@/components/ui/badge";
import { RunStatusBadge } from "./run-status-badge";
import { StepTimeline } from "./step-timeline";
import { SwapPanel } from "./swap-panel";
import { DrillRunSummary } from "@/components/drills/drill-run-summary";
import { RowRecoveryPanel } from "./row-recovery-panel";
import { ValidationTable, type ValidationRow } from "./validation-table";

/**
 * One restore run, kept live by its event stream; `canAccept` (admins) may accept blocking
 * validation failures; `fourEyes` (when the environment asks for it) turns guarded actions into
 * requests that `viewer`, if eligible, may approve or refuse in the Approvals panel.
 */
export function RestoreRunLive({
  initial,
  canAct,
  canAccept,
  viewer,
  fourEyes = null,
}: {
  initial: RestoreRunDetail;
  canAct: boolean;
  canAccept: boolean;
  viewer?: ApprovalViewer;
  fourEyes?: FourEyesTerms | null;
}) {
  const { detail, progress, messages, connected } = useRestoreRun(initial);
  const { run, plan, steps, validation, previousValidation } = detail;
  const active = run.status === "queued" || run.status === "running";
  const results = validation.results.map((r) => ({
    ...r,
    kind: r.kind === "configured" ? "configured" : "builtin",
    rows: (r.rows ?? undefined) as CheckResult["rows"],
    rowCount: r.rowCount ?? undefined,
  })) satisfies ValidationRow[];
  const unaccepted = unacceptedBlockingFailures(validation.results);
  const warnings = validation.results.filter(isWarning).length;
  const waiting = plan.kind === "logical" && run.status === "awaiting-swap";
  // Who the run waits for: an admin to accept blocking failures, else someone to confirm the swap.
  const waitingFor = unaccepted.length > 0 ? (canAccept ? "you" : "an admin") : canAct ? "you" : "an operator";
  const cancelling = active && run.cancelRequestedAt !== null;
  // A drill restores, validates and drops: no cutover, no swap, no new database to work with.
  const drill = run.kind === "drill";

  return (
    <FourEyesProvider terms={fourEyes}>
      <OutcomeFocusProvider run={run}>
        <div className="space-y-6">
          <div className="flex flex-wrap items-center justify-between gap-3">
            {/* Where focus goes after an action whose result has no banner of its own. */}
            <OutcomeBanner anchor="status" role="group" aria-label="Run status" className="flex flex-wrap items-center gap-3 text-sm">
              <RunStatusBadge status={run.status} />
              {run.method === "crossRegion" && <Badge tone="info">cross-region</Badge>}
              {/* For screen readers: the status, the step and progress by tenths, not every byte (nor the ticking clock). */}
              <span className="sr-only" aria-live="polite">
                {`Run ${run.status}${run.currentStep ? `, step ${run.currentStep}` : ""}${cancelling ? ", cancelling" : ""}${
                  active && progress?.percent != null ? `, ${Math.floor(progress.percent / 10) * 10}% done` : ""
                }`}
              </span>
              <RunElapsed run={run} steps={steps} waitingFor={waitingFor} />
              {cancelling && <span className="text-muted">cancel requested: the running step is stopping</span>}
              <span className="flex items-center gap-1.5 text-xs text-muted">
                <StatusDot tone={connected ? "success" : "neutral"} pulse={connected && active} label={connected ? "Live" : "Polling"} />
                {connected ? "live" : "refreshing every few seconds"}
              </span>
            </OutcomeBanner>
            <RunActions run={run} canAct={canAct} destructive={detail.destructive} />
          </div>

          {run.error && (
            // A cancel is no emergency: the status line's live region already says the run was cancelled.
            <OutcomeBanner
              anchor="error"
              role={run.status === "cancelled" ? undefined : "alert"}
              className="space-y-2 rounded-lg border border-danger/30 bg-danger-soft px-4 py-3 text-sm text-danger-text"
            >
              <p className="flex items-center gap-2 font-semibold">
                <TriangleAlert aria-hidden className="size-4" /> {run.error}
              </p>
              {run.troubleshooting && <p className="whitespace-pre-line text-fg">{run.troubleshooting}</p>}
              {canAct && (
                <ButtonLink
                  href={`/incidents/new?fromRun=${run.id}&environment=${encodeURIComponent(run.environment)}`}
                  size="sm"
                  icon={<Siren aria-hidden />}
                >
                  Declare an incident from this run
                </ButtonLink>
              )}
              {run.errorDetail && (
                <details>
                  <summary className="cursor-pointer">Raw error</summary>
                  <pre className="mt-1 overflow-x-auto rounded bg-surface p-2 text-xs text-fg">{run.errorDetail}</pre>
                </details>
              )}
            </OutcomeBanner>
          )}

          {viewer && <ApprovalsPanel runId={run.id} viewer={viewer} terms={fourEyes} />}

          {waiting && unaccepted.length > 0 && <ValidationAcceptancePanel run={run} failures={unaccepted} canAccept={canAccept} />}

          {plan.kind === "logical" && waiting && run.mode === "swap" && unaccepted.length === 0 && canAct && (
            <SwapPanel run={run} sessions={detail.liveSessions} beforeRestoreName={plan.databases.beforeRestore} />
          )}

          {plan.kind === "logical" && run.status === "running" && run.swapConfirmedAt && (
            <OutcomeBanner anchor="swap-confirmed" className="rounded-lg border border-border bg-subtle px-4 py-3 text-sm">
              Swap confirmed by {run.swapConfirmedByEmail ?? "someone"} <Time value={run.swapConfirmedAt} relative />: the restored copy
              takes the place of <span className="font-mono">{run.targetDatabase}</span>, and the current database is kept for rollback.
              This page says when it is done.
            </OutcomeBanner>
          )}

          {drill && <DrillRunSummary run={run} plan={plan} steps={steps} />}

          {plan.kind === "pitr" && !drill && <PitrRunSummary run={run} plan={plan} steps={steps} canAct={canAct} />}

          {run.status === "rolled-back" && (
            <OutcomeBanner anchor="rolled-back" role="status" className="rounded-lg border border-border bg-subtle px-4 py-3 text-sm">
              <p className="font-semibold">Rolled back: {run.targetDatabase} is the database it was before this restore.</p>
              <p>
                The restored data is kept as <span className="font-mono">{run.rolledBackDatabase ?? "its rolled-back name"}</span> until you
                clean it up
                {run.rolledBackAt ? (
                  <>
                    {" "}
                    (rolled back <Time value={run.rolledBackAt} relative />)
                  </>
                ) : null}
                . The swap step below is what happened before.
              </p>
            </OutcomeBanner>
          )}

          {plan.kind === "logical" && !drill && run.status === "succeeded" && (
            <OutcomeBanner
              anchor="succeeded"
              role="status"
              className="rounded-lg border border-success/30 bg-success-soft px-4 py-3 text-sm text-success-text"
            >
              {run.mode === "swap" ? (
                <>
                  <span className="font-mono">{run.targetDatabase}</span> now holds the restored data. The previous database is kept as{" "}
                  <span className="font-mono">{run.previousDatabase}</span> for rollback.
                </>
              ) : (
                <>
                  Restored into <span className="font-mono">{run.newDatabaseName}</span>;{" "}
                  <span className="font-mono">{run.targetDatabase}</span> was left alone.
                </>
              )}
            </OutcomeBanner>
          )}

          {plan.kind === "logical" && run.status === "succeeded" && run.mode === "new-database" && run.newDatabaseName && (
            <RowRecoveryPanel
              runId={run.id}
              liveDatabase={run.targetDatabase}
              restoredDatabase={run.newDatabaseName}
              canCompare={canAct}
              canApply={canAccept}
            />
          )}

          <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)]">
            <Card padding="none">
              <CardHeader
                title="Plan"
                description={
                  plan.kind === "pitr"
                    ? `${plan.source.description} → a new server, as of ${pitrTargetLabel(plan.target)}`
                    : `${plan.source.name} → ${plan.target.name} (${plan.target.host}:${plan.target.port}/${plan.target.database})`
                }
              />
              <CardBody>
                <StepTimeline steps={steps} />
              </CardBody>
            </Card>
            <div className="space-y-6">
              {progress && (
                <Card padding="none">
                  <CardHeader title="Progress" />
                  <CardBody>
                    <RestoreProgress progress={progress} step={steps.find((s) => s.name === progress.step)} />
                  </CardBody>
                </Card>
              )}
              <Card padding="none">
                <CardHeader
                  title="Messages"
                  description={`From ${plan.kind === "pitr" ? "the PITR provider" : "psql / pg_restore"} and the worker (passwords filtered).`}
                />
                <CardBody>
                  {messages.length === 0 ? (
                    <p className="text-sm text-muted">None yet.</p>
                  ) : (
                    <ol className="max-h-64 space-y-0.5 overflow-y-auto font-mono text-xs" aria-live="polite">
                      {messages.map((m) => (
                        <li key={m.id}>
                          <Time value={m.at} className="text-muted" /> {String((m.payload as { line?: unknown } | null)?.line ?? "")}
                        </li>
                      ))}
                    </ol>
                  )}
                </CardBody>
              </Card>
            </div>
          </div>

          <Card padding="none">
            <CardHeader
              title="Validation"
              description={
                validation.passed === null
                  ? "Runs after the restore, against the restored copy, before anything is swapped."
                  : [
                      validation.passed
                        ? "No blocking check failed."
                        : unaccepted.length > 0
                          ? "Blocking checks failed: the restored copy waits, and the target is not touched, until an admin accepts them with a reason."
                          : "Blocking checks failed and were accepted by an admin (shown below with the reason).",
                      warnings > 0
                        ? `${warnings} warning${warnings === 1 ? "" : "s"} (amber) ${warnings === 1 ? "does" : "do"} not stop the swap.`
                        : "",
                    ]
                      .filter(Boolean)
                      .join(" ")
              }
            />
            <CardBody>
              {results.length === 0 ? (
                <p className="text-sm text-muted">Not run yet.</p>
              ) : (
                <ValidationTable results={results} comparison={previousValidation?.comparison ?? null} />
              )}
              {previousValidation && (
                <p className="mt-2 text-xs text-muted">
                  Compared with run{" "}
                  <a className="underline" href={`/restores/${previousValidation.runId}`}>
                    {previousValidation.runId.slice(0, 8)}
                  </a>{" "}
                  of the same target
                  {previousValidation.finishedAt && (
                    <>
                      {" "}
                      (<Time value={previousValidation.finishedAt} relative />)
                    </>
                  )}
                  .
                </p>
              )}
            </CardBody>
          </Card>

          <p className="text-xs text-muted [overflow-wrap:anywhere]">
            {plan.kind === "pitr" ? (
              <>
                Provider {plan.source.provider} · creates {plan.identifiers.join(", ")}
              </>
            ) : (
              <>
                Source {plan.source.name} · {formatBytes(plan.source.size)} · sha256 {plan.source.sha256 ?? "—"}
              </>
            )}{" "}
            · requested by {run.requestedByEmail} <Time value={run.createdAt} relative />
          </p>
        </div>
      </OutcomeFocusProvider>
    </FourEyesProvider>
  );
}
