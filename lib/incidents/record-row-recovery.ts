import type { DbOrTx } from "@/lib/db/client";
import { appendIncidentEvent } from "./append-incident-event";
import { incidentsOfRun } from "./incidents-of-run";

/**
 * Puts a row-level recovery step (a comparison's result, a repair written to live) on the
 * timeline of every incident the restore run is linked to. Inside the caller's transaction, so
 * the record and the timelines agree. Returns the incidents told.
 */
export async function recordRowRecovery(
  db: DbOrTx,
  input: {
    environment: string;
    runId: string;
    actorEmail: string;
    type: "rows-compared" | "repair-applied";
    description: string;
    payload: Record<string, unknown>;
  },
): Promise<string[]> {
  const incidents = await incidentsOfRun(db, input);
  for (const incidentId of incidents) {
    await appendIncidentEvent(db, {
      incidentId,
      actorEmail: input.actorEmail,
      type: input.type,
      payload: { ...input.payload, runId: input.runId, description: input.description, href: `/restores/${input.runId}#row-recovery` },
    });
  }
  return incidents;
}
