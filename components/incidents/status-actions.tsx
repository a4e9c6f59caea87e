"use client";

import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { apiFetch } from "@/lib/client/api";
import { useIncidentMutation } from "@/lib/client/use-incident-mutation";
import { nextStatuses, TRANSITION_LABELS, type IncidentStatus } from "@/lib/incidents/state";

type Target = Exclude<IncidentStatus, "open">;

/**
 * What each move changes, said before it happens, and only what is true: phase deadlines count
 * from the incident start (phase-timers.ts); the recovered time stops the phase clocks and the
 * overdue alerts (notify-overdue-phases.ts) but is not the RTO's end (measure-objectives.ts:
 * incident start to validated restore); the system ticks items of open and recovering incidents
 * only (record-system-evidence.ts); state.ts has no way back.
 */
const CONFIRM: Readonly<Record<Target, { title: string; effects: string[] }>> = {
  recovering: {
    title: "Start recovery?",
    effects: [
      "The status becomes recovering for everyone following this incident; the timeline records that you changed it.",
      "The phase clocks do not change: their deadlines count from the incident start.",
      "No checklist item is ticked or unticked. Restores and backup checks still tick the items they prove.",
      "It cannot be set back to open.",
    ],
  },
  recovered: {
    title: "Mark the data as recovered?",
    effects: [
      "The recovered time is set to now: the phase clocks stop there and no more overdue-phase alerts are sent.",
      "The RTO under Recovery objectives does not change: it runs from the incident start to the restore's validation, not to now.",
      "Restores and backup checks no longer tick items by themselves. The checklist and notes stay editable until the incident is closed, and the review can be written.",
      "It cannot be set back to recovering.",
    ],
  },
  closed: {
    title: "Close this incident?",
    effects: ["The checklist and notes freeze; the review stays editable.", "It cannot be reopened."],
  },
};

/** The next step in the incident's life, each behind a confirmation saying what it changes; focus then goes to the new status. */
export function StatusActions({ incidentId, status }: { incidentId: string; status: IncidentStatus }) {
  // The status the person saw when they asked: a move by someone else meanwhile is refused, not repeated.
  const [confirming, setConfirming] = useState<{ to: Target; from: IncidentStatus } | null>(null);
  const [changedTo, setChangedTo] = useState<IncidentStatus | null>(null);
  const outcome = useRef<HTMLParagraphElement>(null);
  const move = useIncidentMutation(incidentId, ({ to, from }: { to: Target; from: IncidentStatus }) =>
    apiFetch(`/api/incidents/${incidentId}/status`, { method: "POST", body: { to, from } }),
  );
  const targets = nextStatuses(status).filter((to): to is Target => to !== "open");
  // Shown (and focused) once the page has the status this person moved the incident to.
  const changed = changedTo !== null && changedTo === status;

  // On the status too: a second change after a first is "changed" before and after (one batched render).
  useEffect(() => {
    if (changed) outcome.current?.focus();
  }, [changed, status]);

  if (targets.length === 0 && !changed && confirming === null) return null;
  const copy = confirming ? CONFIRM[confirming.to] : null;
  const close = () => {
    setConfirming(null);
    // An error stays with its attempt; a move still under way still reports (and focuses) its outcome.
    if (!move.isPending) move.reset();
  };
  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex gap-2">
        {targets.map((to) => (
          <Button key={to} variant={to === "closed" ? "secondary" : "primary"} onClick={() => setConfirming({ to, from: status })}>
            {TRANSITION_LABELS[to]}
          </Button>
        ))}
      </div>
      {/* Not a live region: focus moves here after the change, which reads it out. */}
      {changed && (
        <p ref={outcome} tabIndex={-1} className="text-xs font-medium" data-testid="incident-status-changed">
          The incident is now {status}.
        </p>
      )}
      <Dialog
        open={confirming !== null}
        onClose={close}
        title={copy?.title}
        footer={
          confirming &&
          copy && (
            <>
              <Button onClick={close}>Not yet</Button>
              <Button
                variant="primary"
                loading={move.isPending}
                onClick={() =>
                  move.mutate(confirming, {
                    onSuccess: () => {
                      setChangedTo(confirming.to);
                      setConfirming(null);
                    },
                  })
                }
              >
                {TRANSITION_LABELS[confirming.to]}
              </Button>
            </>
          )
        }
      >
        {copy && (
          <div className="space-y-3 text-sm">
            <ul className="list-disc space-y-1 pl-5">
              {copy.effects.map((effect) => (
                <li key={effect}>{effect}</li>
              ))}
            </ul>
            {move.error && (
              <p role="alert" className="font-medium text-danger-text">
                {move.error.message}
              </p>
            )}
          </div>
        )}
      </Dialog>
    </div>
  );
}
