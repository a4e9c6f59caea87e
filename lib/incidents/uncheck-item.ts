import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { ConflictError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { appendIncidentEvent } from "./append-incident-event";
import { findChangeableItem } from "./find-checklist-item";
import { checklistItemView, type ChecklistItemView } from "./incident-views";

export const UncheckItemInput = z.object({
  note: z.string().trim().max(2000).optional(),
  /** The item's version the person saw: an undo from a stale view must not undo a newer tick. */
  version: z.int().min(0).optional(),
});
export type UncheckItemInput = z.infer<typeof UncheckItemInput>;

/** Undoes a tick; the undo is recorded on the timeline (an undo of an unticked item too). */
export async function uncheckItem({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: UncheckItemInput & { incidentId: string; itemId: string };
}): Promise<ChecklistItemView> {
  const note = input.note || null;
  return withTransaction(ctx, async ({ db: tx }) => {
    const item = await findChangeableItem(tx, input.incidentId, input.itemId);
    const now = new Date();
    const undone = await tx.incidentChecklistItem.updateMany({
      where: { id: item.id, checkedAt: { not: null }, ...(input.version === undefined ? {} : { version: input.version }) },
      data: { checkedAt: null, checkedByEmail: null, note: null, evidence: Prisma.DbNull, version: { increment: 1 } },
    });
    const current = await tx.incidentChecklistItem.findUniqueOrThrow({ where: { id: item.id } });
    if (undone.count === 0 && current.checkedAt) {
      throw new ConflictError(
        `${current.checkedByEmail ?? "Someone"} ticked this item again since you looked. Reload, and undo it again if you still mean to.`,
      );
    }
    await appendIncidentEvent(tx, {
      incidentId: input.incidentId,
      actorEmail: ctx.user.email,
      type: "item-unchecked",
      at: now,
      payload: {
        itemId: item.id,
        phaseKey: item.phaseKey,
        text: item.text,
        note,
        ...(undone.count === 0 ? { alreadyUnchecked: true } : {}),
      },
    });
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "incident.item.uncheck",
      subject: { type: "incident", id: input.incidentId },
      payload: { itemId: item.id, text: item.text },
      requestId: ctx.requestId,
    });
    return checklistItemView(current);
  });
}
