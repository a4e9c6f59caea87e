import type { DbOrTx } from "@/lib/db/client";
import { appendIncidentEvent } from "./append-incident-event";
import { INCIDENT_STATUSES, isActive } from "./state";

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
  const incidents = await tx.incident.findMany({
    where: {
      OR: [
        { environment: acceptance.environment, status: { in: INCIDENT_STATUSES.filter(isActive) } },
        { createdFromRunId: acceptance.runId },
      ],
    },
    select: { id: true },
  });
  for (const incident of incidents) {
    await appendIncidentEvent(tx, {
      incidentId: incident.id,
      actorEmail: acceptance.acceptedByEmail,
      type: "validation-accepted",
      at: acceptance.acceptedAt,
      payload: { runId: acceptance.runId, href: `/restores/${acceptance.runId}`, checks: acceptance.checks, reason: acceptance.reason },
    });
  }
  return incidents.map((i) => i.id);
}
