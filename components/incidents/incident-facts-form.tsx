"use client";

import { Pencil } from "lucide-react";
import { useRef, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { apiFetch } from "@/lib/client/api";
import { useIncidentMutation } from "@/lib/client/use-incident-mutation";
import { IncidentTextarea } from "./incident-textarea";
import { utcInstant } from "./utc-input";

/** The value a datetime-local field in UTC shows for an instant ("2026-11-29T02:00"). */
function utcField(at: string | null): string {
  return at ? at.slice(0, 16) : "";
}

/**
 * Corrects the incident's scope and last known good time as they are learnt: RPO is measured
 * from the last known good time, and the PITR picker proposes it. Audited, on the timeline.
 */
export function IncidentFactsForm({
  incidentId,
  scope,
  lastKnownGoodAt,
}: {
  incidentId: string;
  scope: string;
  lastKnownGoodAt: string | null;
}) {
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const save = useIncidentMutation(incidentId, (body: Record<string, unknown>) =>
    apiFetch(`/api/incidents/${incidentId}/facts`, { method: "POST", body }),
  );
  const close = () => {
    setEditing(false);
    // Back where the person was, not the top of the page.
    requestAnimationFrame(() => editButton.current?.focus());
  };
  if (!editing)
    return (
      <Button ref={editButton} size="sm" variant="ghost" icon={<Pencil aria-hidden />} onClick={() => setEditing(true)}>
        Correct scope or last known good
      </Button>
    );
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (save.isPending) return;
    const form = new FormData(event.currentTarget);
    const known = String(form.get("lastKnownGoodAt") ?? "");
    save.mutate({ scope: String(form.get("scope") ?? ""), lastKnownGoodAt: utcInstant(known) }, { onSuccess: close });
  };
  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Correct the incident's facts">
      <div className="space-y-1">
        <label htmlFor="incident-scope" className="text-xs font-medium">
          Scope
        </label>
        <IncidentTextarea id="incident-scope" name="scope" defaultValue={scope} rows={3} maxLength={5000} required minLength={3} />
      </div>
      <div className="space-y-1">
        <label htmlFor="incident-last-known-good" className="text-xs font-medium">
          Last known good (UTC; empty: not determined)
        </label>
        <Input id="incident-last-known-good" name="lastKnownGoodAt" type="datetime-local" defaultValue={utcField(lastKnownGoodAt)} />
      </div>
      {save.error && (
        <p role="alert" className="text-xs font-medium text-danger-text">
          {save.error.message}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" size="sm" variant="primary" loading={save.isPending}>
          Save
        </Button>
        <Button size="sm" variant="ghost" onClick={close}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
