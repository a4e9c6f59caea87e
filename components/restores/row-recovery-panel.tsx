"use client";

import { Download, GitCompareArrows, Plus, ShieldAlert, X } from "lucide-react";
import { useEffect, useMemo, useRef, useState } from "react";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { ErrorState } from "@/components/ui/error-state";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { Time } from "@/components/ui/time";
import { FourEyesReason, useFourEyes } from "./four-eyes-context";
import { formatCount, plural } from "@/lib/format";
import { useComparableTables, useRequestComparison, useRowComparisons, useRowRepair } from "@/lib/client/use-row-comparisons";
import {
  describeFilter,
  MAX_FILTER_CONDITIONS,
  repairConfirmationText,
  repairRows,
  type ComparisonStatus,
  type RowComparisonView,
  type RowFilterCondition,
  type RowSample,
  type TableComparison,
} from "@/lib/restore/row-recovery/model";

const STATUS_TONES: Record<ComparisonStatus, Tone> = { queued: "neutral", running: "info", succeeded: "success", failed: "danger" };
const SAMPLE_COLUMNS = 6;

/**
 * Row-level recovery on a restore into a new database: compare chosen tables of the restored copy
 * with live by primary key (optionally one tenant's rows), review what differs, download the
 * repair or (admins) write it to live after a dry run and a typed confirmation.
 */
export function RowRecoveryPanel({
  runId,
  liveDatabase,
  restoredDatabase,
  canCompare,
  canApply,
}: {
  runId: string;
  liveDatabase: string;
  restoredDatabase: string;
  canCompare: boolean;
  canApply: boolean;
}) {
  const comparisons = useRowComparisons(runId);
  const [formOpen, setFormOpen] = useState(false);
  const list = comparisons.data ?? [];

  return (
    <section id="row-recovery" aria-labelledby="row-recovery-title" className="scroll-mt-6">
      <Card padding="none">
        <CardHeader
          title={<span id="row-recovery-title">Row-level recovery</span>}
          description={
            <>
              Compare the restored copy <span className="font-mono">{restoredDatabase}</span> with live{" "}
              <span className="font-mono">{liveDatabase}</span> row by row, by primary key: what was deleted or changed since the backup,
              and put it back. Comparing only reads both databases.
            </>
          }
          actions={
            canCompare && !formOpen ? (
              <Button size="sm" icon={<GitCompareArrows aria-hidden />} onClick={() => setFormOpen(true)}>
                Compare with live
              </Button>
            ) : undefined
          }
        />
        <CardBody className="space-y-5">
          {formOpen && <CompareForm runId={runId} onDone={() => setFormOpen(false)} />}
          {comparisons.isPending ? (
            <Skeleton className="h-16 w-full" />
          ) : comparisons.isError ? (
            <ErrorState title="Could not load the comparisons" message={comparisons.error.message} />
          ) : list.length === 0 ? (
            !formOpen && (
              <p className="text-sm text-muted">
                No comparison yet.{" "}
                {canCompare
                  ? "Choose the tables and, for one tenant's rows, a filter such as tenant_id = 4."
                  : "An operator can compare the restored tables with live."}
              </p>
            )
          ) : (
            <ol className="space-y-4" aria-label="Comparisons, newest first">
              {list.map((comparison) => (
                <li key={comparison.id}>
                  <ComparisonResult comparison={comparison} runId={runId} canDownload={canCompare} canApply={canApply} />
                </li>
              ))}
            </ol>
          )}
        </CardBody>
      </Card>
    </section>
  );
}

function CompareForm({ runId, onDone }: { runId: string; onDone: () => void }) {
  const tables = useComparableTables(runId, true);
  const request = useRequestComparison(runId);
  const [picked, setPicked] = useState<string[] | null>(null);
  const [filter, setFilter] = useState<RowFilterCondition[]>([]);
  const firstField = useRef<HTMLInputElement>(null);
  const comparable = useMemo(() => (tables.data ?? []).filter((t) => !t.refusal), [tables.data]);

  // One table restored (the usual case): chosen until the person changes the choice.
  const chosen = useMemo(
    () => picked ?? (comparable.length === 1 && comparable[0] ? [`${comparable[0].schema}.${comparable[0].name}`] : []),
    [picked, comparable],
  );
  useEffect(() => firstField.current?.focus(), [tables.data]);

  // A filter column must be in every chosen table.
  const columns = useMemo(() => {
    const picked = comparable.filter((t) => chosen.includes(`${t.schema}.${t.name}`));
    const [first, ...rest] = picked;
    return first ? first.columns.filter((c) => rest.every((t) => t.columns.includes(c))) : [];
  }, [comparable, chosen]);

  if (tables.isPending) return <Skeleton className="h-24 w-full" aria-label="Reading the restored copy's tables" />;
  if (tables.isError) return <ErrorState title="Could not read the restored copy's tables" message={tables.error.message} />;

  const ready = chosen.length > 0 && filter.every((f) => f.column && f.value.trim() !== "");
  return (
    <form
      className="space-y-4 rounded-lg border border-border bg-subtle/40 p-4"
      onSubmit={(event) => {
        event.preventDefault();
        if (!ready) return;
        const refs = chosen.map((name) => {
          const table = comparable.find((t) => `${t.schema}.${t.name}` === name);
          return { schema: table?.schema ?? "", name: table?.name ?? "" };
        });
        request.mutate({ tables: refs, filter: filter.map((f) => ({ column: f.column, value: f.value.trim() })) }, { onSuccess: onDone });
      }}
    >
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Tables to compare</legend>
        <ul className="grid gap-1.5 sm:grid-cols-2">
          {(tables.data ?? []).map((table, index) => {
            const name = `${table.schema}.${table.name}`;
            return (
              <li key={name}>
                <label className={`flex items-start gap-2 text-sm ${table.refusal ? "text-muted" : ""}`}>
                  <input
                    ref={index === (tables.data ?? []).findIndex((t) => !t.refusal) ? firstField : undefined}
                    type="checkbox"
                    className="mt-0.5"
                    disabled={Boolean(table.refusal)}
                    checked={chosen.includes(name)}
                    onChange={(event) => setPicked(event.target.checked ? [...chosen, name] : chosen.filter((n) => n !== name))}
                  />
                  <span>
                    <span className="font-mono">{name}</span>{" "}
                    <span className="text-xs text-muted">
                      {table.refusal
                        ? "no primary key: cannot be matched"
                        : `key ${table.primaryKey.join(", ")} · ~${formatCount(table.estimatedRows)} rows`}
                    </span>
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
      </fieldset>

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Only rows where (optional)</legend>
        {filter.map((condition, index) => (
          <div key={index} className="flex flex-wrap items-end gap-2">
            <Field
              id={`filter-column-${index}`}
              label={
                <>
                  Column<span className="sr-only"> of condition {index + 1}</span>
                </>
              }
              className="min-w-40"
            >
              {(props) => (
                <Select
                  {...props}
                  value={condition.column}
                  onChange={(event) => setFilter((now) => now.map((c, i) => (i === index ? { ...c, column: event.target.value } : c)))}
                >
                  <option value="">Choose…</option>
                  {columns.map((column) => (
                    <option key={column} value={column}>
                      {column}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <span className="pb-2 text-sm text-muted" aria-hidden>
              =
            </span>
            <Field
              id={`filter-value-${index}`}
              label={
                <>
                  Value<span className="sr-only"> of condition {index + 1}</span>
                </>
              }
              className="min-w-32 flex-1"
            >
              {(props) => (
                <Input
                  {...props}
                  value={condition.value}
                  placeholder="e.g. 4"
                  onChange={(event) => setFilter((now) => now.map((c, i) => (i === index ? { ...c, value: event.target.value } : c)))}
                />
              )}
            </Field>
            <Button
              variant="ghost"
              size="sm"
              icon={<X aria-hidden />}
              aria-label={`Remove condition ${index + 1}`}
              onClick={() => setFilter((now) => now.filter((_, i) => i !== index))}
            />
          </div>
        ))}
        {filter.length < MAX_FILTER_CONDITIONS && (
          <Button
            variant="ghost"
            size="sm"
            icon={<Plus aria-hidden />}
            disabled={columns.length === 0}
            onClick={() => setFilter((now) => [...now, { column: columns.includes("tenant_id") ? "tenant_id" : "", value: "" }])}
          >
            Add a condition
          </Button>
        )}
        <p className="text-xs text-muted">
          {filter.length ? `Compares ${describeFilter(filter)}.` : "Without a condition, every row of the chosen tables is compared."} Rows
          written to live after the backup are counted as extra and never touched.
        </p>
      </fieldset>

      {request.error && (
        <p role="alert" className="text-sm text-danger-text">
          {request.error.message}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" loading={request.isPending} disabled={!ready}>
          Compare {chosen.length > 1 ? `${chosen.length} tables` : ""} with live
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function ComparisonResult({
  comparison,
  runId,
  canDownload,
  canApply,
}: {
  comparison: RowComparisonView;
  runId: string;
  canDownload: boolean;
  canApply: boolean;
}) {
  const [includeUpdates, setIncludeUpdates] = useState(false);
  const [writing, setWriting] = useState(false);
  const { repair } = comparison;
  const rows = repair ? repairRows(repair, includeUpdates) : 0;
  const heading = `${comparison.tables.map((t) => `${t.schema}.${t.name}`).join(", ")} · ${describeFilter(comparison.filter)}`;

  return (
    <article className="space-y-3 rounded-lg border border-border p-4" aria-label={`Comparison of ${heading}`}>
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <Badge tone={STATUS_TONES[comparison.status]} icon={comparison.status === "running" ? <Spinner /> : undefined}>
          {comparison.status}
        </Badge>
        <span className="font-medium">{heading}</span>
        <span className="text-xs text-muted">
          by {comparison.requestedByEmail} <Time value={comparison.createdAt} relative />
        </span>
      </header>

      <div aria-live="polite">
        {comparison.status === "queued" && <p className="text-sm text-muted">Waiting for the worker…</p>}
        {comparison.status === "running" && (
          <p className="text-sm text-muted">
            {comparison.progress
              ? `Comparing ${comparison.progress.table} (table ${comparison.progress.tableIndex + 1} of ${comparison.progress.tables}): ${formatCount(comparison.progress.restoredRows)} backup rows and ${formatCount(comparison.progress.liveRows)} live rows read`
              : "Comparing…"}
          </p>
        )}
        {comparison.status === "failed" && (
          <p role="alert" className="rounded-md bg-danger-soft px-3 py-2 text-sm text-danger-text">
            {comparison.error ?? "The comparison failed."}
          </p>
        )}
      </div>

      {comparison.status === "succeeded" && (
        <>
          {comparison.results.map((result) => (
            <DifferenceCounts key={result.table} result={result} />
          ))}
          {comparison.samplesHidden ? (
            <p className="text-xs text-muted">Examples of the rows are shown to operators and admins.</p>
          ) : (
            comparison.results.map((result) => <TableSamples key={result.table} result={result} />)
          )}
          <RepairSection
            comparison={comparison}
            includeUpdates={includeUpdates}
            onIncludeUpdates={setIncludeUpdates}
            rows={rows}
            canDownload={canDownload}
            canApply={canApply}
            onWrite={() => setWriting(true)}
          />
          {writing && repair && (
            <RepairDialog
              comparison={comparison}
              runId={runId}
              includeUpdates={includeUpdates}
              rows={rows}
              onClose={() => setWriting(false)}
            />
          )}
        </>
      )}
    </article>
  );
}

const COUNT_TONES = {
  danger: "border-danger/30 bg-danger-soft text-danger-text",
  warning: "border-warning/30 bg-warning-soft text-warning-text",
  neutral: "border-border bg-subtle text-fg",
} as const;

/** A table's three counts as tiles (they stay side by side down to a phone's width), the totals under them. */
function DifferenceCounts({ result }: { result: TableComparison }) {
  const tiles = [
    { label: "missing from live", value: result.missing.count, tone: "danger" as const },
    { label: "changed", value: result.changed.count, tone: "warning" as const },
    { label: "extra in live", value: result.extra.count, tone: "neutral" as const },
  ];
  return (
    <div className="space-y-1.5" data-table={result.table}>
      <h4 className="font-mono text-sm font-medium">{result.table}</h4>
      <dl className="grid grid-cols-3 gap-2">
        {tiles.map((tile) => (
          <div
            key={tile.label}
            data-count={tile.label}
            className={`rounded-md border px-2 py-1.5 ${tile.value === 0 ? COUNT_TONES.neutral : COUNT_TONES[tile.tone]}`}
          >
            <dt className="text-xs">{tile.label}</dt>
            <dd className="text-lg font-semibold tabular-nums">{formatCount(tile.value)}</dd>
          </div>
        ))}
      </dl>
      <p className="text-xs text-muted">
        {formatCount(result.restoredRows)} rows in the backup, {formatCount(result.liveRows)} in live, matched by{" "}
        {result.primaryKey.join(", ")}.
      </p>
    </div>
  );
}

const keyText = (sample: RowSample) =>
  Object.entries(sample.key)
    .map(([column, value]) => `${column}=${value}`)
    .join(", ");

function TableSamples({ result }: { result: TableComparison }) {
  const kinds = [
    { label: "missing from live", difference: result.missing, side: "restored" as const },
    { label: "changed", difference: result.changed, side: "both" as const },
    { label: "extra in live", difference: result.extra, side: "live" as const },
    { label: "in live outside the filter", difference: result.outsideFilter, side: "both" as const },
  ].filter((k) => k.difference.samples.length > 0);
  const notes = [
    result.onlyInRestored.length
      ? `Columns dropped from live since the backup (not written back): ${result.onlyInRestored.join(", ")}.`
      : null,
    result.onlyInLive.length
      ? `Columns added in live since the backup (inserted rows get their defaults): ${result.onlyInLive.join(", ")}.`
      : null,
  ].filter(Boolean);
  if (kinds.length === 0 && notes.length === 0) return null;
  return (
    <details className="rounded-md border border-border px-3 py-2 text-sm">
      <summary className="cursor-pointer font-medium">
        Examples from <span className="font-mono">{result.table}</span>
      </summary>
      <div className="mt-2 space-y-3">
        {notes.map((note) => (
          <p key={note} className="text-xs text-warning-text">
            {note}
          </p>
        ))}
        {kinds.map(({ label, difference, side }) => (
          <div key={label}>
            <h4 className="text-xs font-semibold tracking-wide text-muted uppercase">
              {label} · first {difference.samples.length} of {formatCount(difference.count)}
            </h4>
            <ul className="mt-1 space-y-1">
              {difference.samples.map((sample) => (
                <li key={keyText(sample)} className="font-mono text-xs break-all">
                  <span className="font-semibold">{keyText(sample)}</span>
                  {side === "both" ? (
                    <span>
                      {" — "}
                      {(sample.changedColumns ?? []).map((column) => (
                        <span key={column} className="mr-2 inline-block">
                          {column}: <span className="text-success-text">{sample.restored?.[column] ?? "NULL"}</span> →{" "}
                          <span className="text-danger-text">{sample.live?.[column] ?? "NULL"}</span>
                        </span>
                      ))}
                    </span>
                  ) : (
                    <span className="text-muted">
                      {" — "}
                      {Object.entries((side === "restored" ? sample.restored : sample.live) ?? {})
                        .filter(([column]) => !(column in sample.key))
                        .slice(0, SAMPLE_COLUMNS)
                        .map(([column, value]) => `${column}=${value ?? "NULL"}`)
                        .join(", ")}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </details>
  );
}

function RepairSection({
  comparison,
  includeUpdates,
  onIncludeUpdates,
  rows,
  canDownload,
  canApply,
  onWrite,
}: {
  comparison: RowComparisonView;
  includeUpdates: boolean;
  onIncludeUpdates: (value: boolean) => void;
  rows: number;
  canDownload: boolean;
  canApply: boolean;
  onWrite: () => void;
}) {
  const { repair, applied } = comparison;
  if (applied) {
    return (
      <p role="status" className="rounded-md bg-success-soft px-3 py-2 text-sm text-success-text">
        {applied.rows === null ? (
          <>Being written to {comparison.liveDatabase}, or its outcome could not be recorded: check the audit log and live</>
        ) : (
          <>
            Wrote {plural(applied.rows, "row")} to <span className="font-mono">{comparison.liveDatabase}</span>
          </>
        )}
        {applied.includesUpdates ? " (missing rows inserted, changed rows put back)" : " (missing rows inserted)"} — {applied.byEmail},{" "}
        <Time value={applied.at} />.
      </p>
    );
  }
  if (comparison.repairWithheld)
    return <p className="rounded-md bg-warning-soft px-3 py-2 text-sm text-warning-text">{comparison.repairWithheld}</p>;
  if (!repair || repair.inserts + repair.updates === 0) {
    return (
      <p className="text-sm text-success-text">Live matches the backup for these rows, apart from rows written since: nothing to repair.</p>
    );
  }
  return (
    <div className="space-y-3 rounded-md border border-border bg-subtle/40 p-3">
      <p className="text-sm">
        The repair: {plural(repair.inserts, "INSERT")} of rows missing from live
        {repair.updates > 0 && <>, and optionally {plural(repair.updates, "UPDATE")} putting changed rows back as the backup holds them</>}.
        Extra rows are never touched.
      </p>
      {repair.updates > 0 && (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={includeUpdates} onChange={(event) => onIncludeUpdates(event.target.checked)} />
          Also put the {plural(repair.updates, "changed row")} back (overwrites their current values in live)
        </label>
      )}
      <div className="flex flex-wrap gap-2">
        {canDownload && (
          <a
            className="inline-flex h-8 items-center gap-1.5 rounded-md border border-border bg-surface px-3 text-sm font-medium hover:bg-subtle focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent"
            href={`/api/row-comparisons/${comparison.id}/repair.sql?updates=${includeUpdates ? "1" : "0"}`}
            download
          >
            <Download aria-hidden className="size-4" /> Download repair SQL ({formatCount(rows)} rows)
          </a>
        )}
        {canApply ? (
          <Button size="sm" variant="danger" icon={<ShieldAlert aria-hidden />} onClick={onWrite}>
            Write {formatCount(rows)} rows to live…
          </Button>
        ) : (
          <span className="self-center text-xs text-muted">Writing the repair to live needs an admin.</span>
        )}
      </div>
    </div>
  );
}

function RepairDialog({
  comparison,
  runId,
  includeUpdates,
  rows,
  onClose,
}: {
  comparison: RowComparisonView;
  runId: string;
  includeUpdates: boolean;
  rows: number;
  onClose: () => void;
}) {
  const dryRun = useRowRepair(runId, comparison.id);
  const write = useRowRepair(runId, comparison.id);
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState("");
  // Four-eyes on the write: a reason, and the write becomes a request for a second person.
  const guarded = useFourEyes("row-repair");
  const expected = repairConfirmationText(rows, comparison.liveDatabase);
  const rehearsed = dryRun.data && "rowsWritten" in dryRun.data ? dryRun.data : undefined;
  const requested = write.data && "approval" in write.data ? write.data : undefined;
  const matches = rehearsed !== undefined && rehearsed.rowsWritten === rows && rehearsed.statementsWithoutEffect === 0;
  const ready = matches && typed.trim() === expected && (!guarded || reason.trim().length >= 10) && !requested;

  return (
    <Dialog
      open
      onClose={onClose}
      dismissible={false}
      title={`Write ${formatCount(rows)} rows to ${comparison.liveDatabase}`}
      description={
        <>
          In one transaction on the live database:{" "}
          {includeUpdates ? "inserts the missing rows and puts the changed rows back" : "inserts the missing rows"} of{" "}
          {describeFilter(comparison.filter)}, as the backup holds them. It commits only if every row lands as counted; otherwise nothing is
          written. First a dry run, which only reads live, counts what they would write now.
        </>
      }
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            {requested ? "Close" : "Keep live as is"}
          </Button>
          <Button
            variant="danger"
            loading={write.isPending}
            disabled={!ready}
            onClick={() =>
              write.mutate(
                { dryRun: false, includeUpdates, confirmation: typed.trim(), ...(guarded ? { reason: reason.trim() } : {}) },
                // A request for approval keeps the dialog open to say so; a write closes it.
                { onSuccess: (answer) => ("approval" in answer ? undefined : onClose()) },
              )
            }
          >
            {guarded ? "Ask for approval" : `Write ${formatCount(rows)} rows`}
          </Button>
        </>
      }
    >
      <div className="space-y-3 text-sm">
        <div className="flex flex-wrap items-center gap-3">
          <Button
            size="sm"
            autoFocus
            loading={dryRun.isPending}
            disabled={Boolean(requested)}
            onClick={() => dryRun.mutate({ dryRun: true, includeUpdates })}
          >
            {rehearsed ? "Run the dry run again" : "Run the dry run"}
          </Button>
          <span className="text-xs text-muted">
            Reads live only: are the missing rows still absent, the changed rows still as compared?
          </span>
        </div>
        <div aria-live="polite">
          {dryRun.error && (
            <p role="alert" className="text-danger-text">
              The dry run failed, nothing was written: {dryRun.error.message}
            </p>
          )}
          {rehearsed && (
            <p data-testid="dry-run" className={matches ? "text-success-text" : "text-danger-text"}>
              Dry run: {formatCount(rehearsed.rowsWritten)} of {plural(rows, "row")} would be written
              {matches
                ? " — live still matches the comparison."
                : `; ${plural(rehearsed.statementsWithoutEffect, "statement")} found no row to write. Compare again.`}
            </p>
          )}
          {requested && <p className="text-accent-text">{requested.message}</p>}
        </div>
        <Field
          id={`repair-confirm-${comparison.id}`}
          label={
            <>
              Type <span className="font-mono">{expected}</span> to confirm
            </>
          }
          error={write.error?.message}
        >
          {(props) => (
            <Input
              {...props}
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              disabled={!matches}
            />
          )}
        </Field>
        {guarded && <FourEyesReason id={`repair-reason-${comparison.id}`} terms={guarded} value={reason} onChange={setReason} />}
      </div>
    </Dialog>
  );
}
