import type { DbOrTx } from "@/lib/db/client";
import { ConflictError, NotFoundError } from "@/lib/errors";
import type { IncidentChecklistItem } from "@/lib/generated/prisma/client";
import { acceptsChanges, type IncidentStatus } from "./state";

/** An item of an incident whose checklist may still change; NotFound or Conflict otherwise. */
export async function findChangeableItem(db: DbOrTx, incidentId: string, itemId: string): Promise<IncidentChecklistItem> {
  const item = await db.incidentChecklistItem.findFirst({
    where: { id: itemId, incidentId },
    include: { incident: { select: { status: true } } },
  });
  if (!item) throw new NotFoundError("That checklist item is not part of this incident.");
  if (!acceptsChanges(item.incident.status as IncidentStatus)) {
    throw new ConflictError("This incident is closed; its checklist can no longer change.");
  }
  const { incident: _incident, ...row } = item;
  return row;
}
