import { History } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { RunStatusBadge } from "@/components/restores/run-status-badge";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ButtonLink } from "@/components/ui/button-link";
import { EmptyState } from "@/components/ui/empty-state";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination, type SearchParams } from "@/components/ui/pagination";
import { Select } from "@/components/ui/select";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { formatDuration } from "@/lib/format";
import { pageContext } from "@/lib/http/page-context";
import { listRestoreRuns, ListRestoreRunsInput } from "@/lib/restore/list-restore-runs";
import { RUN_STATUSES } from "@/lib/restore/engine/state";
import { firstParam } from "@/lib/search-params";

export const metadata: Metadata = { title: "Restores" };
export const dynamic = "force-dynamic";

export default async function RestoresPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await pageContext("viewer");
  const params = await searchParams;
  const values = {
    status: firstParam(params.status),
    requestedBy: firstParam(params.requestedBy),
    from: firstParam(params.from),
    to: firstParam(params.to),
  };
  const parsed = ListRestoreRunsInput.safeParse({ ...values, page: firstParam(params.page) });
  const list = await listRestoreRuns({ ctx, input: parsed.success ? parsed.data : {} });
  const filtered = Object.values(values).some(Boolean);

  return (
    <>
      <PageHeader
        title="Restores"
        description="Every restore run: who started it, what it restored where, how long it took and how it ended."
        actions={
          <>
            <ButtonLink href="/restores/pitr">Point-in-time recovery</ButtonLink>
            <ButtonLink href="/backups">Restore a backup</ButtonLink>
          </>
        }
      />
      <form
        method="get"
        aria-label="Filter restores"
        className="mb-4 grid grid-cols-1 gap-3 rounded-lg border border-border bg-surface p-4 sm:grid-cols-5"
      >
        <Field id="restores-status" label="Status">
          {(p) => (
            <Select {...p} name="status" defaultValue={values.status ?? ""}>
              <option value="">Any</option>
              {RUN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field id="restores-by" label="Started by">
          {(p) => <Input {...p} name="requestedBy" defaultValue={values.requestedBy ?? ""} placeholder="email contains" />}
        </Field>
        <Field id="restores-from" label="From">
          {(p) => <Input {...p} type="date" name="from" defaultValue={values.from ?? ""} />}
        </Field>
        <Field id="restores-to" label="To">
          {(p) => <Input {...p} type="date" name="to" defaultValue={values.to ?? ""} />}
        </Field>
        <div className="flex items-end gap-2">
          <Button type="submit">Apply</Button>
          <ButtonLink href="/restores" variant="ghost">
            Clear
          </ButtonLink>
        </div>
      </form>
      {list.runs.length === 0 ? (
        <EmptyState
          icon={<History />}
          title={filtered ? "No restores match" : "No restores yet"}
          action={filtered ? undefined : <ButtonLink href="/backups">Pick a backup to restore</ButtonLink>}
        >
          <p>
            {filtered
              ? "Clear a filter or widen the dates."
              : "Restore runs appear here with their status, progress and validation results."}
          </p>
        </EmptyState>
      ) : (
        <>
          <Table caption="Restore runs, newest first" captionHidden>
            <THead>
              <Tr>
                <Th>Started</Th>
                <Th>Status</Th>
                <Th>Source</Th>
                <Th>Target</Th>
                <Th>Mode</Th>
                <Th>By</Th>
                <Th numeric>Duration</Th>
              </Tr>
            </THead>
            <TBody>
              {list.runs.map((run) => (
                <Tr key={run.id}>
                  <Td>
                    <Link href={`/restores/${run.id}`} className="text-accent-text underline-offset-2 hover:underline">
                      <Time value={run.createdAt} />
                    </Link>
                  </Td>
                  <Td>
                    <RunStatusBadge status={run.status} />
                    {run.method === "crossRegion" && (
                      <Badge tone="info" className="ml-2">
                        cross-region
                      </Badge>
                    )}
                    {run.currentStep && <span className="ml-2 text-xs text-muted">{run.currentStep}</span>}
                  </Td>
                  <Td mono>{run.backupName}</Td>
                  <Td>
                    {run.environment}/{run.targetName}
                  </Td>
                  <Td>{run.mode === "swap" ? "replace" : run.kind === "pitr" ? "new server" : "new database"}</Td>
                  <Td>{run.requestedByEmail}</Td>
                  <Td numeric>{run.durationMs !== null ? formatDuration(run.durationMs) : "—"}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pagination
            label="Restore pages"
            page={list.page}
            pageCount={list.pageCount}
            href={{ pathname: "/restores", searchParams: params }}
          />
        </>
      )}
    </>
  );
}
