"use client";

import { Pencil } from "lucide-react";
import { useRef, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { useZonedTime, ZonedTimeField } from "@/components/ui/zoned-time-field";
import { apiFetch } from "@/lib/client/api";
import { useIncidentMutation } from "@/lib/client/use-incident-mutation";
import { IncidentTextarea } from "./incident-textarea";

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
  const [submitted, setSubmitted] = useState(false);
  const known = useZonedTime(lastKnownGoodAt);
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
    setSubmitted(true);
    // Typed but refused (a skipped or repeated hour, a typo): say so rather than clear the fact.
    if (known.result && !known.result.ok) return;
    const form = new FormData(event.currentTarget);
    save.mutate({ scope: String(form.get("scope") ?? ""), lastKnownGoodAt: known.instant?.toISOString() ?? null }, { onSuccess: close });
  };
  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Correct the incident's facts">
      <div className="space-y-1">
        <label htmlFor="incident-scope" className="text-xs font-medium">
          Scope
        </label>
        <IncidentTextarea id="incident-scope" name="scope" defaultValue={scope} rows={3} maxLength={5000} required minLength={3} />
      </div>
      <ZonedTimeField
        id="incident-last-known-good"
        label="Last known good"
        hint="Empty: not determined yet. RPO is measured from it, and PITR proposes it."
        state={known}
        showErrors={submitted}
      />
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
