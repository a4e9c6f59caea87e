import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { appendIncidentEvent } from "./append-incident-event";
import { acceptsChanges, type IncidentStatus } from "./state";

export const AddNoteInput = z.object({ text: z.string().trim().min(1, "write the note").max(5000) });
export type AddNoteInput = z.infer<typeof AddNoteInput>;

/** A free-text entry on the timeline: what was seen, decided or tried. */
export async function addNote({ ctx, input }: { ctx: Ctx; input: AddNoteInput & { incidentId: string } }): Promise<void> {
  await withTransaction(ctx, async ({ db: tx }) => {
    const incident = await tx.incident.findUnique({ where: { id: input.incidentId }, select: { status: true } });
    if (!incident) throw new NotFoundError("That incident does not exist.");
    if (!acceptsChanges(incident.status as IncidentStatus))
      throw new ConflictError("This incident is closed; add what you learned to its review instead.");
    await appendIncidentEvent(tx, {
      incidentId: input.incidentId,
      actorEmail: ctx.user.email,
      type: "note",
      payload: { text: input.text },
    });
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "incident.note",
      subject: { type: "incident", id: input.incidentId },
      payload: { length: input.text.length },
      requestId: ctx.requestId,
    });
  });
}
