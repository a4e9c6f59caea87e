"use client";

import { ListChecks, RotateCcw, Search, TableProperties } from "lucide-react";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { Time } from "@/components/ui/time";
import type { BackupTable } from "@/lib/backups/backup-tables-view";
import { useBackupTables, useRequestBackupTables } from "@/lib/client/use-backup-tables";
import { plural } from "@/lib/format";

/** Rows drawn at once: a dump of thousands of tables is narrowed with the filter, not scrolled. */
const MAX_SHOWN = 300;

/**
 * The dump's tables as a searchable checklist. Mounted when the person opens "Restore only some
 * tables": the tables are read from the dump then (once per backup, kept after), polled while the
 * read runs.
 */
export function TablePicker({
  backupId,
  selected,
  onChange,
}: {
  backupId: string;
  selected: readonly string[];
  onChange: (tables: string[]) => void;
}) {
  const tables = useBackupTables(backupId);
  const request = useRequestBackupTables(backupId);
  const asked = useRef(false);
  const state = tables.data?.state;

  // Unread: ask for the read once (the server queues it once however often it is asked).
  useEffect(() => {
    if (state !== "unread" || asked.current) return;
    asked.current = true;
    request.mutate();
  }, [state, request]);

  if (tables.isPending) {
    return (
      <div role="status" className="space-y-2" aria-label="Loading the dump's tables">
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-8 w-full" />
        <Skeleton className="h-8 w-5/6" />
      </div>
    );
  }
  if (tables.isError && !tables.data) {
    return (
      <ErrorState
        title="Could not load the dump's tables"
        message={tables.error.message}
        action={
          <Button size="sm" icon={<RotateCcw aria-hidden />} onClick={() => void tables.refetch()}>
            Try again
          </Button>
        }
      />
    );
  }
  if (request.isError) {
    return (
      <ErrorState
        title="Could not ask for the dump's tables"
        message={request.error.message}
        action={
          <Button size="sm" icon={<RotateCcw aria-hidden />} onClick={() => request.mutate()}>
            Try again
          </Button>
        }
      />
    );
  }
  const view = tables.data;
  if (!view || view.state === "unread" || view.state === "reading") {
    return (
      <div className="rounded-md border border-border bg-subtle/60 px-4 py-3 text-sm" data-tables-state="reading">
        <p role="status" className="flex items-center gap-2 font-medium">
          <Spinner /> Reading the dump&apos;s tables…
        </p>
        <p className="mt-1 text-muted">
          The dump is streamed from the store once and its table list kept with the backup, so this is quick next time.
          {view?.readAt && (
            <>
              {" "}
              Started <Time value={view.readAt} relative />.
            </>
          )}
        </p>
      </div>
    );
  }
  if (view.state === "failed") {
    return (
      <ErrorState
        title="Could not read the dump's tables"
        message={view.error ?? "The read failed."}
        action={
          <Button size="sm" icon={<RotateCcw aria-hidden />} loading={request.isPending} onClick={() => request.mutate()}>
            Read again
          </Button>
        }
      />
    );
  }
  if (!view.tables || view.tables.length === 0) {
    return (
      <EmptyState icon={<TableProperties />} title="This dump holds no tables" className="py-8">
        <p>There is nothing to choose from. Close this section to restore the whole database.</p>
      </EmptyState>
    );
  }
  return <TableChecklist tables={view.tables} readAt={view.readAt} selected={selected} onChange={onChange} />;
}

function TableChecklist({
  tables,
  readAt,
  selected,
  onChange,
}: {
  tables: readonly BackupTable[];
  readAt: string | null;
  selected: readonly string[];
  onChange: (tables: string[]) => void;
}) {
  const id = useId();
  const [filter, setFilter] = useState("");
  const list = useRef<HTMLUListElement>(null);
  const chosen = useMemo(() => new Set(selected), [selected]);
  const matches = useMemo(() => {
    const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return tables;
    return tables.filter((t) => {
      const text = `${t.qualifiedName} ${t.owner ?? ""}`.toLowerCase();
      return words.every((word) => text.includes(word));
    });
  }, [tables, filter]);
  const shown = matches.slice(0, MAX_SHOWN);

  const toggle = (name: string, on: boolean) => {
    if (on) onChange(tables.map((t) => t.qualifiedName).filter((n) => chosen.has(n) || n === name));
    else onChange(selected.filter((n) => n !== name));
  };
  const selectShown = () => {
    const add = new Set(shown.map((t) => t.qualifiedName));
    onChange(tables.map((t) => t.qualifiedName).filter((n) => chosen.has(n) || add.has(n)));
  };

  // Up and down move between the checkboxes, as in a list; Tab leaves the list.
  const onListKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp" && event.key !== "Home" && event.key !== "End") return;
    const boxes = Array.from(list.current?.querySelectorAll<HTMLInputElement>("input[type=checkbox]") ?? []);
    const at = boxes.indexOf(document.activeElement as HTMLInputElement);
    if (at < 0 || boxes.length === 0) return;
    event.preventDefault();
    const next =
      event.key === "Home"
        ? 0
        : event.key === "End"
          ? boxes.length - 1
          : Math.min(boxes.length - 1, Math.max(0, at + (event.key === "ArrowDown" ? 1 : -1)));
    boxes[next]?.focus();
  };

  return (
    <div className="space-y-3" data-tables-state="ready">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="min-w-0 flex-1 space-y-1.5">
          <label htmlFor={`${id}-filter`} className="block text-sm font-medium">
            Filter tables
          </label>
          <div className="relative">
            <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted" />
            <Input
              id={`${id}-filter`}
              type="search"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              // Enter would submit the planner's form: a filter box is not a submit.
              onKeyDown={(e) => e.key === "Enter" && e.preventDefault()}
              placeholder="schema, table or owner"
              autoComplete="off"
              spellCheck={false}
              aria-controls={`${id}-list`}
              className="pl-8"
            />
          </div>
        </div>
        <div className="flex gap-2">
          <Button size="sm" icon={<ListChecks aria-hidden />} onClick={selectShown} disabled={shown.length === 0}>
            Select all shown
          </Button>
          <Button size="sm" variant="ghost" onClick={() => onChange([])} disabled={selected.length === 0}>
            Clear
          </Button>
        </div>
      </div>

      <p className="text-xs text-muted" aria-live="polite">
        {matches.length === tables.length ? plural(tables.length, "table") : `${matches.length} of ${plural(tables.length, "table")} match`}
        {matches.length > shown.length && ` (the first ${shown.length} shown: narrow the filter)`} · {selected.length} chosen
        {readAt && (
          <>
            {" "}
            · read from the dump <Time value={readAt} relative />
          </>
        )}
      </p>

      {shown.length === 0 ? (
        <p className="rounded-md border border-dashed border-border-strong/50 px-4 py-6 text-center text-sm text-muted">
          No table matches “{filter.trim()}”.
        </p>
      ) : (
        <fieldset>
          <legend className="sr-only">Tables to restore</legend>
          <ul
            ref={list}
            id={`${id}-list`}
            onKeyDown={onListKeyDown}
            className="max-h-80 divide-y divide-border overflow-y-auto rounded-md border border-border"
          >
            {shown.map((table) => (
              <TableRow
                key={table.qualifiedName}
                table={table}
                checked={chosen.has(table.qualifiedName)}
                onToggle={(on) => toggle(table.qualifiedName, on)}
              />
            ))}
          </ul>
        </fieldset>
      )}

      {selected.length > 0 && (
        <p className="text-sm">
          <span className="text-muted">Chosen: </span>
          <span className="font-mono break-words">{selected.join(", ")}</span>
        </p>
      )}
    </div>
  );
}

function TableRow({ table, checked, onToggle }: { table: BackupTable; checked: boolean; onToggle: (on: boolean) => void }) {
  const foreignKeys = table.foreignKeys.length;
  return (
    <li data-table={table.qualifiedName}>
      <label className="flex cursor-pointer items-start gap-3 px-3 py-2 text-sm hover:bg-subtle has-[:focus-visible]:bg-subtle">
        <input type="checkbox" checked={checked} onChange={(e) => onToggle(e.target.checked)} className="mt-0.5 size-4 shrink-0" />
        <span className="flex min-w-0 flex-1 flex-wrap items-center gap-x-2 gap-y-1">
          <span className="font-mono break-all">{table.qualifiedName}</span>
          {table.owner && <span className="text-xs text-muted">owner {table.owner}</span>}
          <span className="flex flex-wrap gap-1">
            {!table.hasData && <Badge tone="warning">no data</Badge>}
            {table.indexes.length > 0 && <Badge>{plural(table.indexes.length, "index", "indexes")}</Badge>}
            {foreignKeys > 0 && <Badge tone="info">{plural(foreignKeys, "foreign key")}</Badge>}
          </span>
        </span>
      </label>
    </li>
  );
}
