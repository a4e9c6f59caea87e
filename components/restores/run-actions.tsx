"use client";

import { Ban, Trash2, Undo2 } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import type { DestructiveActions } from "@/lib/restore/get-restore-run";
import type { RestoreRunView } from "@/lib/restore/restore-run-views";
import { useRunAction } from "@/lib/client/use-run-action";
import { cleanupOutcomeOf, isApprovalRequest, type CleanupOutcome } from "@/lib/restore/action-outcome";
import { DestructiveActionDetails, expectedConfirmation, needsConfirmation } from "./destructive-action-details";
import { FourEyesReason, useFourEyes } from "./four-eyes-context";
import { useFocusOutcome, useOutcomeAnchor } from "./outcome-focus";

type Pending = "cancel" | "rollback" | "cleanup" | null;

/** What the last action answered that the run itself does not show: a four-eyes request, or what a clean-up dropped. */
type Said = { kind: "requested" } | { kind: "cleaned-up"; outcome: CleanupOutcome };

/** What a cancel leaves, said before it happens, as the run's kind and step will leave it. */
function cancelBody(run: RestoreRunView): string {
  if (run.kind === "drill") return "The running step stops and what the drill restored is dropped. Nothing else is touched.";
  if (run.kind === "pitr")
    return "The running step stops. What the run already created is kept until you clean it up; the source is not touched.";
  const early = run.status === "queued" || run.currentStep === "preflight" || run.currentStep === "restore";
  return early
    ? "The running step stops; the partial scratch database is dropped. The target is not touched."
    : `The run stops; the restored copy ${run.scratchDatabase} is kept for inspection until you clean it up. The target is not touched.`;
}

const COPY = {
  cancel: {
    title: "Cancel this restore?",
    body: null,
    confirm: "Cancel restore",
  },
  rollback: {
    title: "Roll back the swap?",
    body: "The restored database is renamed aside and the previous database takes its name back. Sessions on it are ended.",
    confirm: "Roll back",
  },
  cleanup: {
    title: "Drop this run's leftover databases?",
    body: "Drops the scratch or superseded databases this run created. The live database is never dropped.",
    confirm: "Drop them",
  },
} as const;

/** Cancel, roll back and clean up, each behind a confirmation; a logical run's dialogs name each database renamed or dropped. */
export function RunActions({
  run,
  canAct,
  destructive = null,
}: {
  run: RestoreRunView;
  canAct: boolean;
  destructive?: DestructiveActions | null;
}) {
  const [pending, setPending] = useState<Pending>(null);
  const [typed, setTyped] = useState("");
  // Four-eyes on rollback: a reason, and the rollback becomes a request for a second person.
  const fourEyes = useFourEyes("rollback");
  const [reason, setReason] = useState("");
  const cancel = useRunAction(run.id, "cancel");
  const rollback = useRunAction(run.id, "rollback");
  const cleanup = useRunAction(run.id, "cleanup");
  const mutations = { cancel, rollback, cleanup };
  const [said, setSaid] = useState<Said | null>(null);
  const focusOutcome = useFocusOutcome();
  const requestedRef = useOutcomeAnchor("requested");
  const cleanedUpRef = useOutcomeAnchor("cleanup-result");
  if (!canAct) return null;
  const error = cancel.error ?? rollback.error ?? cleanup.error;
  const copy = pending ? COPY[pending] : null;
  // Logical rollback and clean-up: what they rename or drop, and the typed text a protected environment asks for.
  const named =
    (pending === "rollback" || pending === "cleanup") && run.kind !== "pitr" && destructive ? { action: pending, destructive } : null;
  const expected = named ? expectedConfirmation(named.action, named.destructive) : null;
  const typedReady =
    !named || !needsConfirmation(named.action, named.destructive) || (expected === null ? typed.trim() !== "" : typed.trim() === expected);
  const guarded = pending === "rollback" && run.kind !== "pitr" ? fourEyes : null;
  const reasonReady = !guarded || reason.trim().length >= 10;
  const close = () => {
    setPending(null);
    setTyped("");
    setReason("");
  };

  return (
    <div className="flex flex-wrap items-center gap-2">
      {run.actions.cancel && (
        <Button icon={<Ban aria-hidden />} onClick={() => setPending("cancel")}>
          Cancel restore
        </Button>
      )}
      {run.actions.rollback && (
        <Button variant="danger" icon={<Undo2 aria-hidden />} onClick={() => setPending("rollback")}>
          Roll back
        </Button>
      )}
      {/* A PITR run's clean-up (typed name, final snapshot, cut-over refusal) is PitrRunActions'. */}
      {run.actions.cleanup && run.kind !== "pitr" && (
        <Button variant="ghost" icon={<Trash2 aria-hidden />} onClick={() => setPending("cleanup")}>
          Clean up
        </Button>
      )}
      {error && <p className="w-full text-sm text-danger-text">{error.message}</p>}
      {/* Not live regions: focus moves here after the action, which reads them out. */}
      {said?.kind === "requested" && run.actions.rollback && (
        <p ref={requestedRef} tabIndex={-1} className="w-full text-sm">
          Asked for approval: the rollback runs when a second person approves it (see Approvals).
        </p>
      )}
      {said?.kind === "cleaned-up" && (
        <p ref={cleanedUpRef} tabIndex={-1} className="w-full text-sm">
          {said.outcome.removed.length > 0 ? (
            <>
              Cleaned up: dropped <span className="font-mono">{said.outcome.removed.join(", ")}</span>.
            </>
          ) : (
            "Cleaned up: nothing was left to drop."
          )}
        </p>
      )}
      {pending && copy && (
        <Dialog
          open
          onClose={close}
          title={copy.title}
          description={copy.body ?? cancelBody(run)}
          footer={
            <>
              <Button variant="ghost" onClick={close}>
                Keep as is
              </Button>
              <Button
                variant="danger"
                loading={mutations[pending].isPending}
                disabled={!typedReady || !reasonReady}
                onClick={() => {
                  const confirmation = named && needsConfirmation(named.action, named.destructive) ? { confirmation: typed.trim() } : {};
                  const body =
                    pending === "rollback"
                      ? { terminateSessions: true, ...confirmation, ...(guarded ? { reason: reason.trim() } : {}) }
                      : pending === "cleanup" && named
                        ? confirmation
                        : undefined;
                  // A refused confirmation keeps the dialog open, with the server's message beside the field.
                  mutations[pending].mutate(body, {
                    onSuccess: (response) => {
                      close();
                      const outcome = cleanupOutcomeOf(response);
                      setSaid(isApprovalRequest(response) ? { kind: "requested" } : outcome ? { kind: "cleaned-up", outcome } : null);
                      focusOutcome(pending, response);
                    },
                    onError: () => (named ? undefined : close()),
                  });
                }}
              >
                {guarded ? "Ask for approval" : copy.confirm}
              </Button>
            </>
          }
        >
          {named && (
            <DestructiveActionDetails
              action={named.action}
              destructive={named.destructive}
              typed={typed}
              onTyped={setTyped}
              error={mutations[named.action].error?.message}
            />
          )}
          {guarded && <FourEyesReason id="rollback-reason" terms={guarded} value={reason} onChange={setReason} />}
        </Dialog>
      )}
    </div>
  );
}
