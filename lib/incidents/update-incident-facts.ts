import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { BadRequestError, NotFoundError } from "@/lib/errors";
import { appendIncidentEvent } from "./append-incident-event";
import { incidentSummary, type IncidentSummary } from "./incident-views";

export const UpdateIncidentFactsInput = z
  .object({
    scope: z.string().trim().min(3, "describe the scope of the data loss").max(5000).optional(),
    /** null clears it ("not determined"); absent leaves it as it is. */
    lastKnownGoodAt: z.coerce.date({ error: "must be a date and time" }).nullable().optional(),
  })
  .refine((input) => input.scope !== undefined || input.lastKnownGoodAt !== undefined, {
    message: "change the scope or the last known good time",
  });
export type UpdateIncidentFactsInput = z.input<typeof UpdateIncidentFactsInput>;

const iso = (at: Date | null) => at?.toISOString() ?? null;

/**
 * Corrects what an incident knows as it is learnt: its scope, and the last moment the data was
 * known good (which RPO is measured from and the PITR picker proposes). Each change is on the
 * timeline with its old and new value, and audited.
 */
export async function updateIncidentFacts({
  ctx,
  input: raw,
}: {
  ctx: Ctx;
  input: UpdateIncidentFactsInput & { incidentId: string };
}): Promise<IncidentSummary> {
  const input = UpdateIncidentFactsInput.parse(raw);
  return withTransaction(ctx, async ({ db: tx }) => {
    const current = await tx.incident.findUnique({ where: { id: raw.incidentId } });
    if (!current) throw new NotFoundError("That incident does not exist.");
    if (current.status === "closed") throw new BadRequestError("This incident is closed: its facts are part of its record now.");
    if (input.lastKnownGoodAt && input.lastKnownGoodAt > current.startedAt) {
      throw new BadRequestError(
        `The last known good time must not be after the incident start (${current.startedAt.toISOString()}): data known good later was not lost yet.`,
      );
    }
    const changes: Record<string, { from: string | null; to: string | null }> = {};
    if (input.scope !== undefined && input.scope !== current.scope) changes.scope = { from: current.scope, to: input.scope };
    if (input.lastKnownGoodAt !== undefined && iso(input.lastKnownGoodAt) !== iso(current.lastKnownGoodAt)) {
      changes.lastKnownGoodAt = { from: iso(current.lastKnownGoodAt), to: iso(input.lastKnownGoodAt) };
    }
    if (Object.keys(changes).length === 0) return incidentSummary(current);
    const updated = await tx.incident.update({
      where: { id: current.id },
      data: {
        ...(changes.scope ? { scope: input.scope } : {}),
        ...(changes.lastKnownGoodAt ? { lastKnownGoodAt: input.lastKnownGoodAt ?? null } : {}),
      },
    });
    await appendIncidentEvent(tx, { incidentId: current.id, actorEmail: ctx.user.email, type: "facts-changed", payload: { changes } });
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "incident.facts",
      subject: { type: "incident", id: current.id },
      payload: { changes },
      requestId: ctx.requestId,
    });
    return incidentSummary(updated);
  });
}
