"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { apiFetch } from "@/lib/client/api";
import { useIncidentMutation } from "@/lib/client/use-incident-mutation";
import { nextStatuses, TRANSITION_LABELS, type IncidentStatus } from "@/lib/incidents/state";

/** The next step in the incident's life; closing asks first, since it freezes the checklist. */
export function StatusActions({ incidentId, status }: { incidentId: string; status: IncidentStatus }) {
  const [confirming, setConfirming] = useState(false);
  const move = useIncidentMutation(incidentId, (to: IncidentStatus) =>
    apiFetch(`/api/incidents/${incidentId}/status`, { method: "POST", body: { to, from: status } }),
  );
  const targets = nextStatuses(status).filter((to): to is Exclude<IncidentStatus, "open"> => to !== "open");
  if (targets.length === 0) return null;
  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex gap-2">
        {targets.map((to) => (
          <Button
            key={to}
            variant={to === "closed" ? "secondary" : "primary"}
            loading={move.isPending && move.variables === to}
            onClick={() => (to === "closed" ? setConfirming(true) : move.mutate(to))}
          >
            {TRANSITION_LABELS[to]}
          </Button>
        ))}
      </div>
      {move.error && (
        <p role="alert" className="max-w-sm text-right text-xs font-medium text-danger-text">
          {move.error.message}
        </p>
      )}
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title="Close this incident?"
        description="The checklist and notes freeze; the review stays editable."
        footer={
          <>
            <Button onClick={() => setConfirming(false)}>Keep open</Button>
            <Button
              variant="primary"
              loading={move.isPending}
              onClick={() => move.mutate("closed", { onSuccess: () => setConfirming(false) })}
            >
              Close incident
            </Button>
          </>
        }
      />
    </div>
  );
}
