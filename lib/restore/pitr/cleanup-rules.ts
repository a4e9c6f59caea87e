import { finalSnapshotIdentifier, type PitrProvider } from "@/lib/providers/pitr";

// What deleting a PITR run's restored server takes, shared by the page (which names it before
// anything happens) and the verbs (which check it again). Pure: no database, no provider calls.

/** What a person sees and types before a PITR clean-up, or why there is none. */
export interface PitrCleanupView {
  /** What clean-up deletes, in order (the cluster's writer is deleted before the cluster). */
  deletes: string[];
  /** The final snapshot taken unless the person opts out. */
  finalSnapshot: string;
  /** Typed to confirm: the restored cluster/instance identifier (a local run's folder name). */
  confirmation: string;
  /** Why clean-up is refused (the run was cut over), or null. */
  refusal: string | null;
}

/** The name people recognise for the restored server: the cluster/instance id, or the local run folder's name. */
export function pitrCleanupConfirmation(kind: PitrProvider["kind"], restoredIdentifier: string): string {
  return kind === "local" ? restoredIdentifier.slice(restoredIdentifier.lastIndexOf("/") + 1) : restoredIdentifier;
}

/** A cut-over run's restored server serves the application now: nothing in Restore Console deletes it. */
export function cutOverRefusal(run: { cutOverAt: Date | string | null; cutOverByEmail: string | null }): string | null {
  if (run.cutOverAt === null) return null;
  const at = typeof run.cutOverAt === "string" ? run.cutOverAt : run.cutOverAt.toISOString();
  return (
    `${run.cutOverByEmail ?? "Someone"} marked this run as cut over at ${at.replace(/\.\d{3}Z$/, "Z")} (UTC): the restored server now serves your application, ` +
    "so Restore Console will not delete it. When it is retired, take a snapshot and delete it in your provider's console."
  );
}

export function pitrCleanupView(
  kind: PitrProvider["kind"],
  identifiers: readonly string[],
  run: { cutOverAt: Date | null; cutOverByEmail: string | null },
): PitrCleanupView | null {
  const [restored] = identifiers;
  if (restored === undefined) return null;
  return {
    deletes: [...identifiers].reverse(),
    finalSnapshot: finalSnapshotIdentifier(kind, restored),
    confirmation: pitrCleanupConfirmation(kind, restored),
    refusal: cutOverRefusal(run),
  };
}
