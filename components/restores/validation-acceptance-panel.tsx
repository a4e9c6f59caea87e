"use client";

import { ShieldAlert } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { MIN_REASON_LENGTH, ReasonField } from "@/components/ui/reason-field";
import { useRunAction } from "@/lib/client/use-run-action";
import type { RestoreRunView, ValidationResultView } from "@/lib/restore/restore-run-views";
import { useFocusOutcome } from "./outcome-focus";

/**
 * A run waiting on blocking validation failures: what failed, and for an admin the way past it
 * with a reason (kept on each result, in the audit log and on linked incidents' timelines).
 */
export function ValidationAcceptancePanel({
  run,
  failures,
  canAccept,
}: {
  run: RestoreRunView;
  failures: ValidationResultView[];
  canAccept: boolean;
}) {
  const [reason, setReason] = useState("");
  const accept = useRunAction(run.id, "accept-validation");
  // This panel goes once the failures are accepted: focus moves to what comes next.
  const focusOutcome = useFocusOutcome();
  const next =
    run.mode === "swap"
      ? `The swap is refused until then; after it, ${run.targetDatabase} is still replaced only once someone confirms the swap.`
      : `Once accepted, the restored copy is renamed to ${run.newDatabaseName ?? "its new name"}; ${run.targetDatabase} is not touched either way.`;

  return (
    <section
      aria-labelledby="acceptance-title"
      className="space-y-3 rounded-lg border border-danger/30 bg-danger-soft/40 p-4"
      data-testid="validation-acceptance"
    >
      <h2 id="acceptance-title" className="flex items-center gap-2 text-base font-semibold">
        <ShieldAlert aria-hidden className="size-4" /> Blocking validation {failures.length === 1 ? "check" : "checks"} failed — waiting for
        an admin
      </h2>
      <ul className="list-disc space-y-1 pl-5 text-sm">
        {failures.map((f) => (
          <li key={`${f.kind}:${f.name}`}>
            <span className="font-medium">{f.name}</span>: {f.message}
          </li>
        ))}
      </ul>
      <p className="text-sm">
        The restored copy <span className="font-mono">{run.scratchDatabase}</span> is kept. {next} Or cancel this run.
      </p>
      {canAccept ? (
        <form
          className="space-y-2"
          onSubmit={(event) => {
            event.preventDefault();
            if (!accept.isPending)
              accept.mutate(
                { checks: failures.map((f) => f.name), reason },
                { onSuccess: (response) => focusOutcome("accept-validation", response) },
              );
          }}
        >
          <ReasonField
            id="acceptance-reason"
            label="Why may this data be used despite these failures?"
            hint="Kept with each accepted check, in the audit log and on the timeline of linked incidents."
            error={accept.error?.message}
            value={reason}
            onChange={setReason}
          />
          <Button type="submit" variant="danger" loading={accept.isPending} disabled={reason.trim().length < MIN_REASON_LENGTH}>
            Accept {failures.length === 1 ? "this failure" : `these ${failures.length} failures`}
          </Button>
        </form>
      ) : (
        <p className="text-sm text-muted">Only an admin can accept a blocking failure, with a reason.</p>
      )}
    </section>
  );
}
