"use client";

import { ArrowRightLeft } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { RestoreRunView } from "@/lib/restore/restore-run-views";
import { useRunAction } from "@/lib/client/use-run-action";
import { isApprovalRequest } from "@/lib/restore/action-outcome";
import { FourEyesReason, useFourEyes } from "./four-eyes-context";
import { useFocusOutcome, useOutcomeAnchor } from "./outcome-focus";

/** A session on the live database, as this panel shows it (the server sends lib/providers' DatabaseSession). */
interface ConnectedSession {
  pid: number;
  user: string | null;
  applicationName: string;
  clientAddress: string | null;
  state: string | null;
}

/** The second confirmation: who is connected, what will be renamed, and the typed go-ahead. */
export function SwapPanel({
  run,
  sessions,
  beforeRestoreName,
}: {
  run: RestoreRunView;
  sessions: ConnectedSession[] | null;
  beforeRestoreName: string | null;
}) {
  const [typed, setTyped] = useState("");
  const [terminate, setTerminate] = useState(false);
  const swap = useRunAction(run.id, "swap");
  // Four-eyes: the swap becomes a request for a second person, with the reason.
  const fourEyes = useFourEyes("swap");
  const [reason, setReason] = useState("");
  const requested = fourEyes && swap.isSuccess && isApprovalRequest(swap.data);
  const focusOutcome = useFocusOutcome();
  const headingRef = useOutcomeAnchor("swap-panel");
  const requestedRef = useOutcomeAnchor("requested");
  const expected = run.swapConfirmation ?? "";
  const connected = sessions?.length ?? 0;
  const ready = typed === expected && (connected === 0 || terminate) && (!fourEyes || reason.trim().length >= 10);

  return (
    <section aria-labelledby="swap-title" className="space-y-4 rounded-lg border border-warning/40 bg-warning-soft/40 p-4">
      {/* Focused after an admin accepted the failures: confirming the swap is what is left to do. */}
      <h2 id="swap-title" ref={headingRef} tabIndex={-1} className="text-base font-semibold">
        Swap the restored database into place?
      </h2>
      <ul className="list-disc space-y-1 pl-5 text-sm">
        <li>
          The live database <span className="font-mono break-all">{run.targetDatabase}</span> is renamed to{" "}
          <span className="font-mono break-all">{beforeRestoreName ?? `${run.targetDatabase}_before_restore_…`}</span> and kept for
          rollback.
        </li>
        <li>
          The restored copy <span className="font-mono break-all">{run.scratchDatabase}</span> becomes{" "}
          <span className="font-mono break-all">{run.targetDatabase}</span>.
        </li>
      </ul>
      <div>
        <h3 className="mb-1 text-sm font-medium">Sessions connected to {run.targetDatabase} now</h3>
        {sessions === null ? (
          <p className="text-sm text-muted">
            Could not list them; the swap checks again and refuses if any are connected and you did not agree to end them.
          </p>
        ) : connected === 0 ? (
          <p className="text-sm text-muted">None.</p>
        ) : (
          <Table caption="Connected sessions" captionHidden embedded>
            <THead>
              <Tr>
                <Th numeric>PID</Th>
                <Th>User</Th>
                <Th>Application</Th>
                <Th>Client</Th>
                <Th>State</Th>
              </Tr>
            </THead>
            <TBody>
              {sessions.map((s) => (
                <Tr key={s.pid}>
                  <Td numeric>{s.pid}</Td>
                  <Td>{s.user ?? "—"}</Td>
                  <Td>{s.applicationName || "—"}</Td>
                  <Td mono>{s.clientAddress ?? "local"}</Td>
                  <Td>{s.state ?? "—"}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </div>
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready && !swap.isPending)
            swap.mutate(
              { confirmation: typed, terminateSessions: terminate, ...(fourEyes ? { reason: reason.trim() } : {}) },
              { onSuccess: (response) => focusOutcome("swap", response) },
            );
        }}
      >
        {connected > 0 && (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={terminate} onChange={(e) => setTerminate(e.target.checked)} />
            End these {connected} session{connected === 1 ? "" : "s"} at the swap
          </label>
        )}
        <Field
          id="swap-confirmation"
          label={
            <>
              Type <span className="font-mono break-all">{expected}</span> to confirm
            </>
          }
          error={swap.error?.message}
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
        {fourEyes && <FourEyesReason id="swap-reason" terms={fourEyes} value={reason} onChange={setReason} />}
        <Button type="submit" variant="danger" disabled={!ready} loading={swap.isPending} icon={<ArrowRightLeft aria-hidden />}>
          {fourEyes ? "Ask for approval to swap" : "Swap databases"}
        </Button>
        {requested && (
          // Focus moves here (no live region: that would say it twice).
          <p ref={requestedRef} tabIndex={-1} className="text-sm">
            Asked for approval: the swap runs when a second person approves it (see Approvals).
          </p>
        )}
      </form>
    </section>
  );
}
