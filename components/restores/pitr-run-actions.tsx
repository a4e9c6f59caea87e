"use client";

import { ShieldCheck, Trash2 } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Time } from "@/components/ui/time";
import { useRunAction } from "@/lib/client/use-run-action";
import { cleanupOutcomeOf, isApprovalRequest, type CleanupOutcome } from "@/lib/restore/action-outcome";
import { endpointText } from "@/lib/restore/pitr/plan";
import type { RestoreRunView } from "@/lib/restore/restore-run-views";
import { FourEyesReason, useFourEyes } from "./four-eyes-context";
import { useFocusOutcome, useOutcomeAnchor } from "./outcome-focus";

type Action = "cut-over" | "pitr-cleanup";

/** What the last action answered that the run itself does not show: a four-eyes request, or what clean-up deleted. */
type Said = { kind: "requested"; action: Action } | { kind: "cleaned-up"; outcome: CleanupOutcome };

const REQUESTED: Readonly<Record<Action, string>> = {
  "cut-over": "Asked for approval: the run is marked as cut over when a second person approves it (see Approvals).",
  "pitr-cleanup": "Asked for approval: the restored server is deleted when a second person approves it (see Approvals).",
};

/**
 * What a person does with a PITR run's restored server: say traffic moved to it (cut over), or
 * delete it. A cut-over run shows why clean-up is refused instead of offering it; clean-up names
 * everything it deletes and the final snapshot it keeps, and needs the server's name typed.
 */
export function PitrRunActions({ run, canAct }: { run: RestoreRunView; canAct: boolean }) {
  const [pending, setPending] = useState<"cut-over" | "cleanup" | null>(null);
  const [said, setSaid] = useState<Said | null>(null);
  const focusOutcome = useFocusOutcome();
  const cutOverRef = useOutcomeAnchor("cut-over");
  const requestedRef = useOutcomeAnchor("requested");
  const cleanedUpRef = useOutcomeAnchor("cleanup-result");
  const cleanup = run.pitrCleanup;
  const done = (action: Action, response: unknown) => {
    setPending(null);
    const outcome = cleanupOutcomeOf(response);
    setSaid(isApprovalRequest(response) ? { kind: "requested", action } : outcome ? { kind: "cleaned-up", outcome } : null);
    focusOutcome(action, response);
  };

  if (run.cutOverAt) {
    return (
      <section
        ref={cutOverRef}
        tabIndex={-1}
        role="status"
        aria-label="Cut over"
        className="space-y-1 rounded-lg border border-border bg-surface px-4 py-3 text-sm"
      >
        <p className="flex items-center gap-2 font-semibold">
          <ShieldCheck aria-hidden className="size-4 text-success-text" /> Cut over <Time value={run.cutOverAt} /> by{" "}
          {run.cutOverByEmail ?? "someone"}
        </p>
        {cleanup?.refusal && (
          <p className="text-muted" data-testid="pitr-cleanup-refusal">
            Clean-up is not offered: {cleanup.refusal}
          </p>
        )}
      </section>
    );
  }
  if (!canAct || (!run.actions.cutOver && !(run.actions.cleanup && cleanup))) return null;

  return (
    <section
      aria-label="The restored server"
      className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-border bg-surface px-4 py-3 text-sm"
    >
      <p className="text-muted">
        {run.actions.cutOver
          ? "Moved your application to the restored server? Mark the run as cut over: clean-up is then refused."
          : "The restored server is yours to remove when you no longer need it."}
      </p>
      <div className="flex flex-wrap gap-2">
        {run.actions.cutOver && (
          <Button variant="primary" icon={<ShieldCheck aria-hidden />} onClick={() => setPending("cut-over")}>
            Mark as cut over
          </Button>
        )}
        {run.actions.cleanup && cleanup && (
          <Button variant="ghost" icon={<Trash2 aria-hidden />} onClick={() => setPending("cleanup")}>
            Clean up
          </Button>
        )}
      </div>
      {/* Not live regions: focus moves here after the action, which reads them out. */}
      {said?.kind === "requested" && (
        <p ref={requestedRef} tabIndex={-1} className="w-full">
          {REQUESTED[said.action]}
        </p>
      )}
      {said?.kind === "cleaned-up" && (
        <p ref={cleanedUpRef} tabIndex={-1} className="w-full">
          {said.outcome.removed.length > 0 ? (
            <>
              Deleted <span className="font-mono">{said.outcome.removed.join(", ")}</span>
            </>
          ) : (
            "Nothing was left to delete"
          )}
          {said.outcome.finalSnapshot ? (
            <>
              ; kept the final snapshot <span className="font-mono">{said.outcome.finalSnapshot}</span>.
            </>
          ) : (
            "; no final snapshot was taken."
          )}
        </p>
      )}
      {pending === "cut-over" && (
        <CutOverDialog run={run} onClose={() => setPending(null)} onDone={(response) => done("cut-over", response)} />
      )}
      {pending === "cleanup" && cleanup && (
        <CleanupDialog run={run} onClose={() => setPending(null)} onDone={(response) => done("pitr-cleanup", response)} />
      )}
    </section>
  );
}

/** `onDone`: the action succeeded (or was recorded as a request), with what the server answered. */
interface ActionDialogProps {
  run: RestoreRunView;
  onClose: () => void;
  onDone: (response: unknown) => void;
}

function CutOverDialog({ run, onClose, onDone }: ActionDialogProps) {
  const cutOver = useRunAction(run.id, "cut-over");
  const fourEyes = useFourEyes("pitr-cut-over");
  const [reason, setReason] = useState("");
  return (
    <Dialog
      open
      onClose={onClose}
      title="Mark this run as cut over?"
      description={
        <>
          Do this once your application uses{" "}
          <span className="font-mono">{run.endpoint ? endpointText(run.endpoint) : run.pitrCleanup?.confirmation}</span>. From then on the
          restored server is treated as production: clean-up of this run is refused. This cannot be undone here.
        </>
      }
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Not yet
          </Button>
          <Button
            variant="primary"
            loading={cutOver.isPending}
            disabled={fourEyes !== null && reason.trim().length < 10}
            onClick={() => cutOver.mutate(fourEyes ? { reason: reason.trim() } : undefined, { onSuccess: onDone })}
          >
            {fourEyes ? "Ask for approval" : "Mark as cut over"}
          </Button>
        </>
      }
    >
      {fourEyes && <FourEyesReason id={`cut-over-reason-${run.id}`} terms={fourEyes} value={reason} onChange={setReason} />}
      {cutOver.error && <p className="text-sm text-danger-text">{cutOver.error.message}</p>}
    </Dialog>
  );
}

function CleanupDialog({ run, onClose, onDone }: ActionDialogProps) {
  const [typed, setTyped] = useState("");
  const [finalSnapshot, setFinalSnapshot] = useState(true);
  const cleanup = useRunAction(run.id, "pitr-cleanup");
  const fourEyes = useFourEyes("pitr-cleanup");
  const [reason, setReason] = useState("");
  const view = run.pitrCleanup;
  if (!view) return null;
  const ready = typed.trim() === view.confirmation && (!fourEyes || reason.trim().length >= 10);
  const formId = `pitr-cleanup-${run.id}`;

  return (
    <Dialog
      open
      onClose={onClose}
      dismissible={false}
      title="Delete the restored server?"
      description="Stops and deletes what this point-in-time restore created. The source is never touched."
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Keep it
          </Button>
          <Button type="submit" form={formId} variant="danger" disabled={!ready} loading={cleanup.isPending} icon={<Trash2 aria-hidden />}>
            {fourEyes ? "Ask for approval" : "Delete it"}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        className="space-y-4 text-sm"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready && !cleanup.isPending)
            cleanup.mutate(
              { confirmation: typed.trim(), finalSnapshot, ...(fourEyes ? { reason: reason.trim() } : {}) },
              { onSuccess: onDone },
            );
        }}
      >
        <div>
          <p className="mb-1 font-medium">Deleted</p>
          <ul className="space-y-0.5" aria-label="Deleted">
            {view.deletes.map((name) => (
              <li key={name} className="break-all font-mono">
                {name}
              </li>
            ))}
          </ul>
        </div>
        <div className="space-y-1">
          <label className="flex items-start gap-2">
            <input type="checkbox" className="mt-0.5" checked={finalSnapshot} onChange={(e) => setFinalSnapshot(e.target.checked)} />
            <span>
              Keep a final snapshot named <span className="break-all font-mono">{view.finalSnapshot}</span>
            </span>
          </label>
          {!finalSnapshot && (
            <p role="alert" className="text-danger-text">
              No final snapshot: the restored data is gone for good once deleted. Your choice is recorded in the audit log.
            </p>
          )}
        </div>
        <Field
          id={`${formId}-confirmation`}
          label={
            <>
              Type <span className="font-mono">{view.confirmation}</span> to confirm
            </>
          }
          error={cleanup.error?.message}
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
        {fourEyes && <FourEyesReason id={`${formId}-reason`} terms={fourEyes} value={reason} onChange={setReason} />}
      </form>
    </Dialog>
  );
}
