import type { DbOrTx } from "@/lib/db/client";
import { incidentsOfRun } from "./incidents-of-run";
import { appendIncidentEvent } from "./append-incident-event";

export interface ValidationAcceptance {
  runId: string;
  environment: string;
  acceptedByEmail: string;
  acceptedAt: Date;
  reason: string;
  /** The blocking checks accepted. */
  checks: string[];
}

/**
 * Puts an admin's acceptance of blocking validation failures on the timeline of every incident the
 * run is linked to: the environment's open or recovering incidents (the ones its evidence goes
 * to) and one declared from this run. Inside the caller's transaction, so the acceptance, its
 * audit record and the timelines commit together. Returns the incidents told.
 */
export async function announceValidationAcceptance(tx: DbOrTx, acceptance: ValidationAcceptance): Promise<string[]> {
  const incidents = await incidentsOfRun(tx, { environment: acceptance.environment, runId: acceptance.runId });
  for (const incidentId of incidents) {
    await appendIncidentEvent(tx, {
      incidentId,
      actorEmail: acceptance.acceptedByEmail,
      type: "validation-accepted",
      at: acceptance.acceptedAt,
      payload: { runId: acceptance.runId, href: `/restores/${acceptance.runId}`, checks: acceptance.checks, reason: acceptance.reason },
    });
  }
  return incidents;
}
