"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { apiFetch } from "@/lib/client/api";
import { useIncidentMutation } from "@/lib/client/use-incident-mutation";
import { IncidentTextarea } from "./incident-textarea";

/** A free-text entry on the timeline. */
export function NoteForm({ incidentId }: { incidentId: string }) {
  const [text, setText] = useState("");
  const add = useIncidentMutation(incidentId, (note: string) =>
    apiFetch(`/api/incidents/${incidentId}/notes`, { method: "POST", body: { text: note } }),
  );
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!add.isPending && text.trim()) add.mutate(text, { onSuccess: () => setText("") });
  };
  return (
    <form onSubmit={submit} className="space-y-2">
      <label htmlFor="incident-note" className="sr-only">
        Add a note to the timeline
      </label>
      <IncidentTextarea
        id="incident-note"
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={2}
        maxLength={5000}
        placeholder="What you saw, decided or tried"
      />
      {add.error && <p className="text-xs font-medium text-danger-text">{add.error.message}</p>}
      <Button type="submit" size="sm" loading={add.isPending} disabled={!text.trim()}>
        Add note
      </Button>
    </form>
  );
}
