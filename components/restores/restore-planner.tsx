"use client";

import { ChevronDown, ChevronRight, Play } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { apiFetch } from "@/lib/client/api";
import { useHydrated } from "@/lib/client/use-hydrated";
import { HowItWorks, PlanSummary, PreflightList } from "./plan-parts";
import { SelectionPlanDetails } from "./selection-plan";
import { TablePicker } from "./table-picker";
import type { ReplicaOption } from "@/lib/restore/logical/backup-source";
import type { LogicalRestoreChoice } from "@/lib/restore/logical/choice";
import type { LogicalRestorePreview } from "@/lib/restore/logical/plan-logical-restore";
import type { RestoreRunView } from "@/lib/restore/restore-run-views";

export interface PlannerTarget {
  name: string;
  description: string;
}

const COPY_STATE_TEXT: Record<string, string> = {
  same: "exact copy",
  differs: "copy differs from the primary",
  missing: "not copied",
};

/** Choose target and mode, read the plan and the preflight checks, then confirm by typing the database name. */
export function RestorePlanner({
  backupId,
  environment,
  targets,
  replicas,
  incidentId,
}: {
  backupId: string;
  environment: string;
  targets: PlannerTarget[];
  /** The backup store's replicas, with what each holds of this backup: a dump can be read from one. */
  replicas: ReplicaOption[];
  /** The incident this restore answers, when started from one: the run is linked to it alone. */
  incidentId?: string;
}) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [targetName, setTargetName] = useState(targets[0]?.name ?? "");
  const [mode, setMode] = useState<"swap" | "new-database">("swap");
  const [typed, setTyped] = useState("");
  // "Restore only some tables": closed, the whole database is restored (the default).
  const [someTables, setSomeTables] = useState(false);
  const [tables, setTables] = useState<string[]>([]);
  // "": the primary while it answers, else a replica holding an exact copy.
  const [source, setSource] = useState("");
  // Empty: the plan names it (<database>_restored_<minute>); a second restore that minute needs another.
  const [newName, setNewName] = useState("");
  const partial = mode === "new-database" && someTables;
  const choice: LogicalRestoreChoice = {
    backupId,
    environment,
    targetName,
    mode,
    ...(partial ? { tables } : {}),
    ...(mode === "new-database" && newName.trim() ? { newDatabaseName: newName.trim() } : {}),
    ...(incidentId ? { incidentId } : {}),
    ...(source ? { source } : {}),
  };
  const needsTables = partial && tables.length === 0;

  const plan = useMutation({
    mutationFn: (planned: LogicalRestoreChoice) => apiFetch<LogicalRestorePreview>("/api/restores/plan", { method: "POST", body: planned }),
    onSuccess: () => setTyped(""),
  });
  const start = useMutation({
    // Exactly what was planned (the plan is hidden as soon as the form differs from it).
    mutationFn: (planned: LogicalRestoreChoice) =>
      apiFetch<RestoreRunView>("/api/restores", { method: "POST", body: { ...planned, confirmation: typed } }),
    onSuccess: (run) => router.push(`/restores/${run.id}`),
  });
  const preview = plan.data;
  const planned = plan.variables;
  const stale = !preview || !planned || JSON.stringify(planned) !== JSON.stringify(choice);

  return (
    <div className="space-y-6">
      <Card padding="none">
        <CardHeader title="1. Where to restore" />
        <CardBody>
          <form
            className="grid gap-4 sm:grid-cols-2"
            onSubmit={(event) => {
              event.preventDefault();
              if (!needsTables) plan.mutate(choice);
            }}
          >
            <Field id="restore-target" label="Restore target" hint={targets.find((t) => t.name === targetName)?.description}>
              {(p) => (
                <Select {...p} value={targetName} onChange={(e) => setTargetName(e.target.value)}>
                  {targets.map((t) => (
                    <option key={t.name} value={t.name}>
                      {t.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium">What happens to the target</legend>
              <label className="flex items-start gap-2 text-sm">
                <input type="radio" name="mode" value="swap" checked={mode === "swap"} onChange={() => setMode("swap")} className="mt-1" />
                <span>Replace it: restore beside it, validate, then swap (the old database is kept for rollback)</span>
              </label>
              <label className="flex items-start gap-2 text-sm">
                <input
                  type="radio"
                  name="mode"
                  value="new-database"
                  checked={mode === "new-database"}
                  onChange={() => setMode("new-database")}
                  className="mt-1"
                />
                <span>Restore into a new database and leave the target alone</span>
              </label>
            </fieldset>
            {mode === "new-database" && (
              <Field
                id="restore-new-name"
                label="New database name (optional)"
                hint="Letters, digits, _ or -; empty: the plan names it after the target and the time."
                className="sm:col-span-2"
              >
                {(p) => (
                  <Input
                    {...p}
                    value={newName}
                    onChange={(e) => setNewName(e.target.value)}
                    autoComplete="off"
                    spellCheck={false}
                    className="font-mono"
                  />
                )}
              </Field>
            )}
            <div className="sm:col-span-2">
              {mode === "new-database" ? (
                <div className="rounded-md border border-border">
                  <button
                    type="button"
                    aria-expanded={someTables}
                    aria-controls="restore-some-tables"
                    onClick={() => setSomeTables((open) => !open)}
                    className="flex w-full items-start gap-2 rounded-md px-3 py-2 text-left text-sm hover:bg-subtle"
                  >
                    {someTables ? (
                      <ChevronDown aria-hidden className="mt-0.5 size-4 shrink-0" />
                    ) : (
                      <ChevronRight aria-hidden className="mt-0.5 size-4 shrink-0" />
                    )}
                    <span>
                      <span className="font-medium">Restore only some tables</span>{" "}
                      <span className="text-muted">
                        {someTables
                          ? "— only the tables chosen below, with what belongs to them. Close this to restore the whole database."
                          : "— optional; the whole database is restored unless you choose tables here."}
                      </span>
                    </span>
                  </button>
                  {someTables && (
                    <div id="restore-some-tables" className="border-t border-border px-3 py-3">
                      <TablePicker backupId={backupId} selected={tables} onChange={setTables} />
                    </div>
                  )}
                </div>
              ) : (
                <p className="text-sm text-muted">
                  To restore only some tables, choose “Restore into a new database”: a partial copy is never swapped over a target.
                </p>
              )}
            </div>
            {replicas.length > 0 && (
              <Field
                id="restore-source"
                label="Read the dump from"
                hint="Automatic reads the primary store while it answers, else a replica holding an exact copy (a cross-region restore)."
                className="sm:col-span-2"
              >
                {(p) => (
                  <Select {...p} value={source} onChange={(e) => setSource(e.target.value)}>
                    <option value="">Automatic: the primary, else a replica</option>
                    <option value="primary">The primary backup store</option>
                    {replicas.map((replica) => (
                      <option key={replica.name} value={replica.name}>
                        {replica.label} — {replica.state ? (COPY_STATE_TEXT[replica.state] ?? replica.state) : "not listed yet"}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
            )}
            <div className="sm:col-span-2">
              <Button type="submit" loading={plan.isPending} disabled={!targetName || !hydrated || needsTables}>
                Show the plan
              </Button>
              {needsTables && (
                <p className="mt-2 text-sm text-muted">
                  Choose at least one table, or close “Restore only some tables” to restore the whole database.
                </p>
              )}
              {plan.error && <p className="mt-2 text-sm text-danger-text">{plan.error.message}</p>}
            </div>
          </form>
        </CardBody>
      </Card>

      {preview && !stale && (
        <Card padding="none">
          <CardHeader title="2. The plan — nothing has changed yet" />
          <CardBody className="space-y-5">
            <PlanSummary plan={preview.plan} />
            {preview.plan.selection && <SelectionPlanDetails selection={preview.plan.selection} />}
            <HowItWorks steps={preview.plan.steps} />
            <PreflightList
              checks={(preview.plan.preflight?.checks ?? []).map((c) => ({
                key: c.name,
                title: c.title,
                status: c.status,
                message: c.message,
              }))}
            />
            {preview.activeRun && (
              <p role="alert" className="text-sm text-danger-text">
                This target is being restored by another run (
                <a className="underline" href={`/restores/${preview.activeRun.id}`}>
                  {preview.activeRun.id.slice(0, 8)}
                </a>
                , started by {preview.activeRun.requestedByEmail}).
              </p>
            )}
          </CardBody>
        </Card>
      )}

      {preview && !stale && (
        <Card padding="none">
          <CardHeader title="3. Confirm" />
          <CardBody>
            <form
              className="space-y-3"
              onSubmit={(event) => {
                event.preventDefault();
                if (!start.isPending && planned) start.mutate(planned);
              }}
            >
              <Field
                id="restore-confirmation"
                label={
                  <>
                    Type the target database&apos;s name, <span className="font-mono">{preview.plan.confirmations.start}</span>, to start
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
                Start restore
              </Button>
              {!preview.canStart && (
                <p className="text-sm text-muted">Fix the failed preflight checks (or wait for the other run) before starting.</p>
              )}
            </form>
          </CardBody>
        </Card>
      )}
    </div>
  );
}
