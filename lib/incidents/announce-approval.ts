import type { DbOrTx } from "@/lib/db/client";
import { incidentsOfRun } from "./incidents-of-run";
import { appendIncidentEvent } from "./append-incident-event";

export interface ApprovalAnnouncement {
  type: "approval-requested" | "approval-approved" | "approval-refused";
  approvalId: string;
  runId: string;
  environment: string;
  /** Who did this step: the requester, the approver or the person who refused. */
  actorEmail: string;
  at: Date;
  action: string;
  actionLabel: string;
  requestedByEmail: string;
  /** The request's reason, or the refusal's. */
  reason: string;
}

/**
 * Puts a four-eyes request, approval or refusal on the timeline of every incident the run is linked
 * to, exactly as a validation acceptance is announced: the environment's active incidents and one
 * declared from the run. Inside the caller's transaction. Returns the incidents told.
 */
export async function announceApproval(tx: DbOrTx, event: ApprovalAnnouncement): Promise<string[]> {
  const incidents = await incidentsOfRun(tx, { environment: event.environment, runId: event.runId });
  for (const incidentId of incidents) {
    await appendIncidentEvent(tx, {
      incidentId,
      actorEmail: event.actorEmail,
      type: event.type,
      at: event.at,
      payload: {
        approvalId: event.approvalId,
        runId: event.runId,
        href: `/restores/${event.runId}`,
        action: event.action,
        actionLabel: event.actionLabel,
        requestedBy: event.requestedByEmail,
        reason: event.reason,
      },
    });
  }
  return incidents;
}
