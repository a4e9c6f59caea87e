import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { appendIncidentEvent } from "./append-incident-event";
import { incidentSummary, type IncidentSummary } from "./incident-views";
import { canTransition, INCIDENT_STATUSES, type IncidentStatus } from "./state";

export const UpdateIncidentStatusInput = z.object({
  to: z.enum(INCIDENT_STATUSES),
  /** The status the person saw; if someone moved the incident meanwhile, the change is refused. */
  from: z.enum(INCIDENT_STATUSES).optional(),
});
export type UpdateIncidentStatusInput = z.infer<typeof UpdateIncidentStatusInput>;

/** Moves an incident one step along open → recovering → recovered → closed (guarded: a lost race is a conflict). */
export async function updateIncidentStatus({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: UpdateIncidentStatusInput & { incidentId: string };
}): Promise<IncidentSummary> {
  return withTransaction(ctx, async ({ db: tx }) => {
    const current = await tx.incident.findUnique({ where: { id: input.incidentId } });
    if (!current) throw new NotFoundError("That incident does not exist.");
    const from = input.from ?? (current.status as IncidentStatus);
    if (!canTransition(from, input.to)) {
      throw new ConflictError(
        `An incident that is ${from} cannot become ${input.to}. It moves open → recovering → recovered → closed, one step at a time.`,
      );
    }
    const now = new Date();
    const moved = await tx.incident.updateMany({
      where: { id: current.id, status: { in: [from] } },
      data: {
        status: input.to,
        ...(input.to === "recovered" ? { recoveredAt: now } : {}),
        ...(input.to === "closed" ? { closedAt: now } : {}),
      },
    });
    if (moved.count === 0) {
      const latest = await tx.incident.findUnique({ where: { id: current.id }, select: { status: true } });
      throw new ConflictError(
        `Someone else changed this incident meanwhile: it is now ${latest?.status ?? "gone"}. Reload to see the latest.`,
      );
    }
    await appendIncidentEvent(tx, {
      incidentId: current.id,
      actorEmail: ctx.user.email,
      type: "status-changed",
      at: now,
      payload: { from, to: input.to },
    });
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "incident.status",
      subject: { type: "incident", id: current.id },
      payload: { from, to: input.to },
      requestId: ctx.requestId,
    });
    return incidentSummary(await tx.incident.findUniqueOrThrow({ where: { id: current.id } }));
  });
}
