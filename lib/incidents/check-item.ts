import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { Prisma } from "@/lib/generated/prisma/client";
import { appendIncidentEvent } from "./append-incident-event";
import { findChangeableItem } from "./find-checklist-item";
import { checklistItemView, type ChecklistItemView } from "./incident-views";

export const CheckItemInput = z.object({ note: z.string().trim().max(2000).optional() });
export type CheckItemInput = z.infer<typeof CheckItemInput>;

export interface CheckItemResult {
  item: ChecklistItemView;
  /** Set when someone (or the system) had ticked it first: this tick is recorded, theirs stands. */
  alreadyCheckedBy: string | null;
}

/**
 * Ticks an item. Two people ticking at once both land: the guarded update lets exactly one
 * tick set the item, the other is recorded on the timeline as "already ticked by …", never
 * an error and never lost.
 */
export async function checkItem({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: CheckItemInput & { incidentId: string; itemId: string };
}): Promise<CheckItemResult> {
  const note = input.note || null;
  return withTransaction(ctx, async ({ db: tx }) => {
    const item = await findChangeableItem(tx, input.incidentId, input.itemId);
    const now = new Date();
    const ticked = await tx.incidentChecklistItem.updateMany({
      where: { id: item.id, checkedAt: null },
      data: { checkedAt: now, checkedByEmail: ctx.user.email, note, evidence: Prisma.DbNull, version: { increment: 1 } },
    });
    // Read after the update: a concurrent tick that won has committed by now (the update waited for its row lock).
    const current = await tx.incidentChecklistItem.findUniqueOrThrow({ where: { id: item.id } });
    const alreadyCheckedBy = ticked.count === 0 ? current.checkedByEmail : null;
    await appendIncidentEvent(tx, {
      incidentId: input.incidentId,
      actorEmail: ctx.user.email,
      type: "item-checked",
      at: now,
      payload: {
        itemId: item.id,
        phaseKey: item.phaseKey,
        text: item.text,
        note,
        ...(alreadyCheckedBy ? { alreadyCheckedBy, alreadyCheckedAt: current.checkedAt?.toISOString() ?? null } : {}),
      },
    });
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "incident.item.check",
      subject: { type: "incident", id: input.incidentId },
      payload: { itemId: item.id, text: item.text, alreadyCheckedBy },
      requestId: ctx.requestId,
    });
    return { item: checklistItemView(current), alreadyCheckedBy };
  });
}
