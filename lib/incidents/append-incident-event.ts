import { redactPayload } from "@/lib/audit/record-audit-event";
import type { DbOrTx } from "@/lib/db/client";

export type IncidentEventType =
  | "declared"
  | "status-changed"
  | "facts-changed"
  | "item-checked"
  | "item-unchecked"
  | "note"
  | "run-linked"
  | "backup-verified"
  | "run-started"
  | "run-progress"
  | "run-finished"
  | "validation"
  | "validation-accepted"
  | "approval-requested"
  | "approval-approved"
  | "approval-refused"
  | "review-updated"
  | "phase-overdue"
  | "notification-failed"
  | "rows-compared"
  | "repair-applied";

/**
 * Adds one entry to an incident's timeline, inside the caller's transaction; the table's trigger
 * announces it to live pages at commit. Payloads pass the audit log's redaction, so a secret
 * handed over by mistake is never kept.
 */
export async function appendIncidentEvent(
  db: DbOrTx,
  input: { incidentId: string; actorEmail: string; type: IncidentEventType; payload?: Record<string, unknown>; at?: Date },
): Promise<void> {
  await db.incidentEvent.create({
    data: {
      incidentId: input.incidentId,
      actorEmail: input.actorEmail,
      type: input.type,
      payload: redactPayload(input.payload ?? {}) ?? {},
      ...(input.at ? { at: input.at } : {}),
    },
  });
}
