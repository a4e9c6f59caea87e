"use client";

import { Ban, Trash2, Undo2 } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import type { RestoreRunView } from "@/lib/restore/restore-run-views";
import { useRunAction } from "@/lib/client/use-run-action";

type Pending = "cancel" | "rollback" | "cleanup" | null;

const COPY = {
  cancel: { title: "Cancel this restore?", body: "The running step stops; the scratch database is dropped. The target is not touched.", confirm: "Cancel restore" },
  rollback: {
    title: "Roll back the swap?",
    body: "The restored database is renamed aside and the previous database takes its name back. Sessions on it are ended.",
    confirm: "Roll back",
  },
  cleanup: { title: "Drop this run's leftover databases?", body: "Drops the scratch or superseded databases this run created. The live database is never dropped.", confirm: "Drop them" },
} as const;

const PITR_CLEANUP = {
  title: "Delete the restored server?",
  body: "Stops and deletes what this point-in-time restore created. If you cut over to it, it now serves your application: keep it. The source is never touched.",
  confirm: "Delete it",
} as const;

/** Cancel, roll back and clean up, each behind a confirmation. */
export function RunActions({ run, canAct }: { run: RestoreRunView; canAct: boolean }) {
  const [pending, setPending] = useState<Pending>(null);
  const cancel = useRunAction(run.id, "cancel");
  const rollback = useRunAction(run.id, "rollback");
  const cleanup = useRunAction(run.id, "cleanup");
  const mutations = { cancel, rollback, cleanup };
  if (!canAct) return null;
  const error = cancel.error ?? rollback.error ?? cleanup.error;
  const copy = pending === "cleanup" && run.kind === "pitr" ? PITR_CLEANUP : pending ? COPY[pending] : null;

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
      {run.actions.cleanup && (
        <Button variant="ghost" icon={<Trash2 aria-hidden />} onClick={() => setPending("cleanup")}>
          Clean up
        </Button>
      )}
      {error && <p className="w-full text-sm text-danger-text">{error.message}</p>}
      {pending && copy && (
        <Dialog
          open
          onClose={() => setPending(null)}
          title={copy.title}
          description={copy.body}
          footer={
            <>
              <Button variant="ghost" onClick={() => setPending(null)}>
                Keep as is
              </Button>
              <Button
                variant="danger"
                loading={mutations[pending].isPending}
                onClick={() =>
                  mutations[pending].mutate(pending === "rollback" ? { terminateSessions: true } : undefined, { onSettled: () => setPending(null) })
                }
              >
                {copy.confirm}
              </Button>
            </>
          }
        />
      )}
    </div>
  );
}
