"use client";

import { Bot, Link2, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cx } from "@/components/ui/cx";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/client/api";
import { useHydrated } from "@/lib/client/use-hydrated";
import { useIncidentMutation } from "@/lib/client/use-incident-mutation";
import type { CheckItemResult } from "@/lib/incidents/check-item";
import { AUTO_TICK_LABELS } from "@/lib/incidents/checklist";
import type { ChecklistItemView } from "@/lib/incidents/incident-views";
import { RUNBOOK_SECTION_TITLES, runbookSectionFor } from "@/lib/incidents/runbook";
import { IncidentTextarea } from "./incident-textarea";

interface Toggle {
  checked: boolean;
  note?: string;
}

/** A checklist item as a real checkbox (Space toggles it), with who/when, evidence and an optional note. */
export function ChecklistItem({
  incidentId,
  item,
  overdue,
  canEdit,
}: {
  incidentId: string;
  item: ChecklistItemView;
  overdue: boolean;
  canEdit: boolean;
}) {
  const id = useId();
  const hydrated = useHydrated();
  const [note, setNote] = useState("");
  const toggle = useIncidentMutation(incidentId, ({ checked, note: text }: Toggle) =>
    apiFetch<CheckItemResult | ChecklistItemView>(`/api/incidents/${incidentId}/items/${item.id}/${checked ? "check" : "uncheck"}`, {
      method: "POST",
      body: checked ? { note: text } : { note: text, version: item.version },
    }),
  );
  // Show the person's intent at once — set in the click's own render, or React would put the
  // controlled box back before the mutation's state arrives; the server's answer follows.
  const [intent, setIntent] = useState<boolean | null>(null);
  const checked = intent ?? (toggle.isPending ? toggle.variables.checked : item.checkedAt !== null);
  const already = toggle.data && "alreadyCheckedBy" in toggle.data ? toggle.data.alreadyCheckedBy : null;
  const section = runbookSectionFor(item.autoTick);

  const submitNote = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (toggle.isPending) return;
    toggle.mutate({ checked: !checked, note }, { onSuccess: () => setNote("") });
  };

  return (
    <li
      className={cx("px-4 py-3", overdue && "border-l-4 border-l-danger bg-danger-soft/40")}
      data-item={item.text}
      data-checked={item.checkedAt ? "true" : "false"}
    >
      <div className="flex items-start gap-3">
        <input
          id={id}
          type="checkbox"
          className="mt-0.5 size-4 shrink-0 accent-accent"
          checked={checked}
          disabled={!canEdit || !hydrated}
          aria-busy={toggle.isPending || undefined}
          aria-describedby={`${id}-meta`}
          onChange={(event) => {
            if (toggle.isPending) return;
            setIntent(event.target.checked);
            toggle.mutate({ checked: event.target.checked }, { onSettled: () => setIntent(null) });
          }}
        />
        <div className="min-w-0 flex-1">
          <label htmlFor={id} className={cx("block text-sm font-medium", item.checkedAt && "text-muted line-through decoration-1")}>
            {item.text}
          </label>
          <div id={`${id}-meta`} className="mt-0.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted">
            {item.checkedAt ? (
              item.checkedByEmail === "system" ? (
                <span className="inline-flex items-center gap-1">
                  <Bot aria-hidden className="size-3.5" /> ticked by system <Time value={item.checkedAt} />
                </span>
              ) : (
                <span>
                  ticked by {item.checkedByEmail} <Time value={item.checkedAt} />
                </span>
              )
            ) : (
              <>
                {overdue && (
                  <Badge tone="danger" icon={<TriangleAlert aria-hidden />}>
                    overdue
                  </Badge>
                )}
                {item.autoTick && <span>ticks itself when {AUTO_TICK_LABELS[item.autoTick]}</span>}
              </>
            )}
            {item.evidence && (
              <Link
                href={item.evidence.href}
                className="inline-flex items-center gap-1 text-accent-text underline-offset-2 hover:underline"
              >
                <Link2 aria-hidden className="size-3.5" />
                evidence: {item.evidence.description || item.evidence.href}
              </Link>
            )}
            {section && (
              <a href={`#runbook-${section}`} className="text-accent-text underline-offset-2 hover:underline">
                {RUNBOOK_SECTION_TITLES[section]}
              </a>
            )}
          </div>
          {item.note && <p className="mt-1 text-sm">“{item.note}”</p>}
          {already && <p className="mt-1 text-xs text-muted">{already} had already ticked it; your tick is on the timeline too.</p>}
          {toggle.error && (
            <p role="alert" className="mt-1 text-xs font-medium text-danger-text">
              {toggle.error.message}
            </p>
          )}
          {canEdit && (
            <details className="mt-1 text-xs">
              <summary className="cursor-pointer text-muted hover:text-fg">{checked ? "Undo with a note…" : "Tick with a note…"}</summary>
              <form onSubmit={submitNote} className="mt-2 space-y-2">
                <label htmlFor={`${id}-note`} className="sr-only">
                  Note for “{item.text}”
                </label>
                <IncidentTextarea
                  id={`${id}-note`}
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  rows={2}
                  maxLength={2000}
                  placeholder="What you saw or decided"
                />
                <Button type="submit" size="sm" loading={toggle.isPending}>
                  {checked ? "Undo tick with note" : "Tick with note"}
                </Button>
              </form>
            </details>
          )}
        </div>
      </div>
    </li>
  );
}
