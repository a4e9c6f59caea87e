"use client";

import { useMutation } from "@tanstack/react-query";
import { Play, TriangleAlert } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useSyncExternalStore } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { useDisplayZone } from "@/components/ui/display-zone";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useZonedTime, ZonedTimeField } from "@/components/ui/zoned-time-field";
import { apiFetch } from "@/lib/client/api";
import { formatDuration } from "@/lib/format";
import { createSharedClock } from "@/lib/client/shared-clock";
import { usePitrWindow } from "@/lib/client/use-pitr-window";
import { formatInZone, utcText } from "@/lib/time/zoned-time";
import type { PitrWindowSummary } from "@/lib/restore/pitr/describe-pitr-window";
import type { PitrDrView, PitrRegion } from "@/lib/restore/pitr/dr";
import type { PitrEnvironmentView } from "@/lib/restore/pitr/pitr-environment-state";
import { pitrWindowProblem, predictDataLoss, type PitrIncidentView, type PitrTargetChoice } from "@/lib/restore/pitr/plan";
import type { PitrRestorePreview } from "@/lib/restore/pitr/plan-pitr-restore";
import { dataLossWarning } from "@/lib/restore/plan-facts";
import type { RestoreRunView } from "@/lib/restore/restore-run-views";
import { GlobalDatabasePanel } from "./global-database-panel";
import { PitrBaseBackups } from "./pitr-base-backups";
import { HowItWorks, PlanSummary, PreflightList } from "./plan-parts";
import { RestoreWindowTimeline, type TimelineMarker } from "./restore-window-timeline";

const clock = createSharedClock(5_000);

/** A clock for the lag and the data loss "until now"; the window's description time while server-rendering. */
function useNow(serverNow: number): number {
  return useSyncExternalStore(clock.subscribe, clock.getNow, () => serverNow);
}

/** One instant in the person's display zone AND in UTC: the one mistake this page exists to prevent. */
function BothZones({ at, viewerZone }: { at: number; viewerZone: string }) {
  const date = new Date(at);
  return (
    <span className="inline-flex flex-wrap gap-x-3 font-mono text-xs">
      {viewerZone !== "UTC" && (
        <span>
          {formatInZone(date, viewerZone)} <span className="text-muted">{viewerZone}</span>
        </span>
      )}
      <span>{utcText(date)}</span>
    </span>
  );
}

const DR_KIND_TEXT: Record<PitrDrView["kind"], string> = {
  "replicated-backups": "replicated backups",
  "snapshot-copy": "newest snapshot copy",
};

/** Where to restore, for a source with a DR region: switching describes that region's window. */
function RegionChoice({ dr, region, onChange }: { dr: PitrDrView; region: PitrRegion; onChange: (region: PitrRegion) => void }) {
  return (
    <fieldset className="space-y-1" data-testid="pitr-region">
      <legend className="mb-1 text-sm font-medium">Region</legend>
      <label className="flex items-start gap-2 text-sm">
        <input type="radio" name="pitr-region" checked={region === "primary"} onChange={() => onChange("primary")} className="mt-1" />
        <span>Primary — {dr.primaryRegion}</span>
      </label>
      <label className="flex items-start gap-2 text-sm">
        <input type="radio" name="pitr-region" checked={region === "dr"} onChange={() => onChange("dr")} className="mt-1" />
        <span>
          DR region — {dr.region} ({DR_KIND_TEXT[dr.kind]})
        </span>
      </label>
    </fieldset>
  );
}

/** "A time" is the typed or picked instant, or, from a snapshot copy, the snapshot's own time. */
function targetOf(mode: "latest" | "time", point: { takenAt: string } | { instant: Date | null } | null): PitrTargetChoice | null {
  if (mode === "latest") return { kind: "latest" };
  if (point && "takenAt" in point) return { kind: "time", time: point.takenAt };
  return point?.instant ? { kind: "time", time: point.instant.toISOString() } : null;
}

export interface PitrPickerProps {
  environments: PitrEnvironmentView[];
  /** The environment shown first, and where. */
  environment: string;
  region: PitrRegion;
  /** Its window as the server described it; null when that failed (the page asks again and says why). */
  initial: PitrWindowSummary | null;
  incident: PitrIncidentView | null;
  canOperate: boolean;
  canAdmin: boolean;
  viewerEmail: string;
}

/**
 * The restore-window picker: see what can be restored, choose "latest" or a time (on the timeline
 * or typed, in your zone or UTC, always shown in both, DST gaps and repeats refused), read the
 * data loss, then the plan and its preflight, and confirm by typing the environment's name.
 */
export function PitrPicker(props: PitrPickerProps) {
  const { environments, initial, incident, canOperate } = props;
  const router = useRouter();
  const { zone: viewerZone } = useDisplayZone();
  const [environment, setEnvironment] = useState(props.environment);
  const [chosenRegion, setRegion] = useState(props.region);
  const current = environments.find((view) => view.name === environment);
  const dr = current?.dr ?? null;
  const region: PitrRegion = dr ? chosenRegion : "primary";
  // A snapshot copy restores to its own time only: "a time of my choosing" becomes that time.
  const snapshotOnly = region === "dr" && dr?.kind === "snapshot-copy";
  const { data: summary, error: windowError, isFetching } = usePitrWindow(environment, region, initial);
  const now = useNow(initial ? Date.parse(initial.window.describedAt) : 0);
  // From an incident that knows when the data was last good, that moment is proposed, not "latest"
  // (which is after the damage).
  const lastKnownGood = incident?.lastKnownGoodAt ?? null;
  const [mode, setMode] = useState<"latest" | "time">(lastKnownGood ? "time" : "latest");
  const point = useZonedTime(lastKnownGood);
  const [typed, setTyped] = useState("");

  const window = summary?.window ?? null;
  const snapshot = snapshotOnly ? (window?.snapshot ?? null) : null;
  const choice = targetOf(mode, snapshotOnly ? snapshot : { instant: point.instant });
  const problem = window && choice ? pitrWindowProblem(window, choice) : null;
  // A time the window refuses predicts nothing: only the refusal is shown.
  const dataLoss = window && choice && !problem ? predictDataLoss({ choice, window, incident, now: new Date(now) }) : null;
  const warning = dataLoss ? dataLossWarning(dataLoss) : undefined;
  const selectedAt = choice?.kind === "time" ? Date.parse(choice.time) : null;
  const body = choice ? { environment, region, target: choice, ...(incident ? { incidentId: incident.id } : {}) } : null;

  const plan = useMutation({
    mutationFn: (request: NonNullable<typeof body>) => apiFetch<PitrRestorePreview>("/api/pitr/plan", { method: "POST", body: request }),
    onSuccess: () => setTyped(""),
  });
  const start = useMutation({
    mutationFn: (request: NonNullable<typeof body>) =>
      apiFetch<RestoreRunView>("/api/pitr/restores", { method: "POST", body: { ...request, confirmation: typed } }),
    onSuccess: (run) => router.push(`/restores/${run.id}`),
  });
  const preview = plan.data && JSON.stringify(plan.variables) === JSON.stringify(body) ? plan.data : null;

  const pick = (at: number) => {
    setMode("time");
    point.setInstant(new Date(at));
  };
  const describe = (at: number) =>
    `${viewerZone !== "UTC" ? `${formatInZone(new Date(at), viewerZone)} ${viewerZone}, ` : ""}${utcText(new Date(at))}`;
  const markers: TimelineMarker[] = incident
    ? [
        { at: incident.startedAt, label: "incident started", tone: "danger" },
        ...(incident.lastKnownGoodAt ? [{ at: incident.lastKnownGoodAt, label: "last known good", tone: "warning" as const }] : []),
      ]
    : [];

  return (
    <div className="space-y-6">
      <Card as="section" padding="none">
        <CardHeader
          title="1. The restore window"
          description={summary ? summary.sourceDescription : "Describing the window…"}
          actions={
            environments.length > 1 ? (
              <Select aria-label="Environment" value={environment} onChange={(e) => setEnvironment(e.target.value)}>
                {environments.map(({ name }) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </Select>
            ) : undefined
          }
        />
        <CardBody className="space-y-4">
          {dr && <RegionChoice dr={dr} region={region} onChange={setRegion} />}
          {windowError && <p className="text-sm text-danger-text">{windowError.message}</p>}
          {window && (
            <>
              {snapshotOnly ? null : window.earliest && window.latest ? (
                <RestoreWindowTimeline
                  window={window}
                  now={now}
                  markers={markers}
                  selected={selectedAt}
                  describe={describe}
                  onPick={pick}
                />
              ) : (
                <p className="text-sm text-muted">Nothing can be restored to a chosen time yet.</p>
              )}
              <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]" data-testid="restore-window">
                <dt className="text-muted">Earliest restorable</dt>
                <dd data-testid="window-earliest">
                  {window.earliest ? <BothZones at={Date.parse(window.earliest)} viewerZone={viewerZone} /> : "unknown"}
                </dd>
                <dt className="text-muted">Latest restorable</dt>
                <dd data-testid="window-latest">
                  {window.latest ? <BothZones at={Date.parse(window.latest)} viewerZone={viewerZone} /> : "unknown"}
                </dd>
                {window.snapshot && (
                  <>
                    <dt className="text-muted">Snapshot copy</dt>
                    <dd className="font-mono text-xs" data-testid="window-snapshot">
                      {window.snapshot.name}
                    </dd>
                  </>
                )}
                <dt className="text-muted">Lag behind now</dt>
                <dd>
                  {window.latest ? formatDuration(Math.max(0, now - Date.parse(window.latest))) : "unknown"}{" "}
                  <span className="text-xs text-muted">
                    (described {isFetching ? "now" : formatDuration(Math.max(0, now - Date.parse(window.describedAt))) + " ago"})
                  </span>
                </dd>
              </dl>
              {window.notes.length > 0 && (
                <ul className="space-y-1 text-sm text-warning-text">
                  {window.notes.map((note) => (
                    <li key={note} className="flex gap-2">
                      <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" /> {note}
                    </li>
                  ))}
                </ul>
              )}
              {summary?.activeRun && (
                <p role="alert" className="text-sm text-danger-text">
                  A point-in-time restore of {summary.environment}
                  {summary.activeRun.region === "dr" ? " in the DR region" : ""} is already {summary.activeRun.status} (
                  <a className="underline" href={`/restores/${summary.activeRun.id}`}>
                    {summary.activeRun.id.slice(0, 8)}
                  </a>
                  , started by {summary.activeRun.requestedByEmail}); one runs at a time, whichever the region.
                </p>
              )}
            </>
          )}
        </CardBody>
      </Card>

      <Card as="section" padding="none">
        <CardHeader
          title="2. The point to restore to"
          description={
            region === "dr" && dr
              ? `The source is never touched: the data comes back in a new server in ${dr.region}, the DR region.`
              : "The source is never touched: the data comes back in a new server beside it."
          }
        />
        <CardBody className="space-y-4">
          <fieldset className="space-y-2">
            <legend className="sr-only">Restore point</legend>
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="pitr-mode" checked={mode === "latest"} onChange={() => setMode("latest")} className="mt-1" />
              <span>
                {snapshotOnly
                  ? "Latest restorable (the newest snapshot copy when the restore starts)"
                  : "Latest restorable (everything archived so far)"}
              </span>
            </label>
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="pitr-mode" checked={mode === "time"} onChange={() => setMode("time")} className="mt-1" />
              <span>
                {snapshotOnly
                  ? `The snapshot's time${snapshot ? ` (${snapshot.name})` : ""}: a copy restores to that time only`
                  : "A time of my choosing (click the timeline, or type it)"}
              </span>
            </label>
          </fieldset>
          {mode === "time" && !snapshotOnly && (
            <ZonedTimeField
              id="pitr-time"
              label="Restore to"
              hint="Click the timeline, or type YYYY-MM-DD HH:MM (seconds and milliseconds optional) in the zone beside it."
              state={point}
              problem={problem}
            />
          )}
          {choice && (
            <div className="space-y-2 rounded-md border border-border bg-subtle/60 px-3 py-2 text-sm" data-testid="pitr-choice">
              <p>
                <span className="font-medium">Restoring to: </span>
                {choice.kind === "latest" ? "latest restorable — " : ""}
                {selectedAt !== null ? (
                  <BothZones at={selectedAt} viewerZone={viewerZone} />
                ) : window?.latest ? (
                  <>
                    as of now <BothZones at={Date.parse(window.latest)} viewerZone={viewerZone} /> (pinned when the restore starts)
                  </>
                ) : (
                  "whatever is archived when the restore starts"
                )}
              </p>
              {dataLoss && (
                <p data-testid="pitr-data-loss">
                  <span className="font-medium">Predicted data loss: </span>
                  {dataLoss.lostMs === null ? "unknown" : formatDuration(dataLoss.lostMs)} of changes, from the restore point to{" "}
                  {dataLoss.untilKind === "incident-start" ? "the incident's start" : "now"} (
                  <BothZones at={Date.parse(dataLoss.until)} viewerZone={viewerZone} />
                  ).
                </p>
              )}
              {warning && (
                <p className="flex gap-2 text-warning-text">
                  <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" /> {warning}
                </p>
              )}
            </div>
          )}
          {canOperate ? (
            <div>
              <Button type="button" loading={plan.isPending} disabled={!body || problem !== null} onClick={() => body && plan.mutate(body)}>
                Review the plan
              </Button>
              {plan.error && <p className="mt-2 text-sm text-danger-text">{plan.error.message}</p>}
            </div>
          ) : (
            <p className="text-sm text-muted">Starting a restore needs the operator role.</p>
          )}
        </CardBody>
      </Card>

      {preview && body && (
        <Card as="section" padding="none">
          <CardHeader
            title="3. The plan — nothing has changed yet"
            description={`Checked just now against the window described at ${utcText(new Date(preview.plan.window.describedAt))}.`}
          />
          <CardBody className="space-y-5">
            <PlanSummary plan={preview.plan} />
            <HowItWorks steps={preview.plan.steps}>
              <div>
                <h3 className="mb-1 text-sm font-semibold">After it succeeds — the cutover is yours</h3>
                <ul className="list-disc pl-5 text-sm">
                  {preview.plan.cutover.map((item) => (
                    <li key={item}>{item}</li>
                  ))}
                </ul>
              </div>
            </HowItWorks>
            <PreflightList
              checks={(preview.plan.preflight?.checks ?? []).map((c) => ({
                key: c.name,
                title: c.name,
                status: c.ok ? "passed" : "failed",
                message: c.message,
              }))}
            />
            <form
              className="space-y-3"
              onSubmit={(event) => {
                event.preventDefault();
                if (!start.isPending) start.mutate(body);
              }}
            >
              <Field
                id="pitr-confirmation"
                label={
                  <>
                    Type the environment&apos;s name, <span className="font-mono">{preview.plan.confirmations.start}</span>, to start
                  </>
                }
                error={start.error?.message}
              >
                {(p) => (
                  <Input
                    {...p}
                    value={typed}
                    onChange={(e) => setTyped(e.target.value)}
                    autoComplete="off"
                    spellCheck={false}
                    className="font-mono"
                  />
                )}
              </Field>
              <Button
                type="submit"
                variant="primary"
                icon={<Play aria-hidden />}
                loading={start.isPending}
                disabled={!preview.canStart || typed !== preview.plan.confirmations.start}
              >
                Start point-in-time restore
              </Button>
              {!preview.canStart && (
                <p className="text-sm text-muted">Fix the failed preflight checks (or wait for the other run) before starting.</p>
              )}
            </form>
          </CardBody>
        </Card>
      )}

      {summary?.takesBaseBackups && <PitrBaseBackups environment={environment} canOperate={canOperate} viewerZone={viewerZone} />}
      {current?.globalDatabase && (
        <GlobalDatabasePanel
          key={environment}
          environment={environment}
          config={current.globalDatabase}
          canAdmin={props.canAdmin}
          viewerEmail={props.viewerEmail}
        />
      )}
    </div>
  );
}
