import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { BadRequestError, ConflictError, NotFoundError } from "@/lib/errors";
import { appendIncidentEvent } from "./append-incident-event";
import { followUpView, type FollowUpView } from "./incident-views";
import { canReview, INCIDENT_STATUSES } from "./state";

const ReviewText = z
  .string()
  .trim()
  .max(20_000)
  .nullish()
  .transform((v) => v || null);

export const FollowUpInput = z.object({
  /** Present for an action already saved; absent for a new one. */
  id: z.uuid().optional(),
  text: z.string().trim().min(1, "say what needs doing").max(1000),
  owner: z.string().trim().min(1, "every follow-up needs an owner").max(200),
  dueAt: z.coerce.date({ error: "must be a date" }).nullish(),
  done: z.boolean().default(false),
});

export const UpdateReviewInput = z.object({
  wentWell: ReviewText,
  wentBadly: ReviewText,
  lessons: ReviewText,
  /** The whole list: actions left out are removed. */
  followUps: z.array(FollowUpInput).max(100).default([]),
});
export type UpdateReviewInput = z.input<typeof UpdateReviewInput>;

/** Saves the post-incident review (only once the incident is recovered or closed). */
export async function updateReview({
  ctx,
  input: raw,
}: {
  ctx: Ctx;
  input: UpdateReviewInput & { incidentId: string };
}): Promise<{ followUps: FollowUpView[] }> {
  const input = UpdateReviewInput.parse(raw);
  const { incidentId } = raw;
  return withTransaction(ctx, async ({ db: tx }) => {
    const updated = await tx.incident.updateMany({
      where: { id: incidentId, status: { in: INCIDENT_STATUSES.filter(canReview) } },
      data: { wentWell: input.wentWell, wentBadly: input.wentBadly, lessons: input.lessons },
    });
    if (updated.count === 0) {
      const incident = await tx.incident.findUnique({ where: { id: incidentId }, select: { status: true } });
      if (!incident) throw new NotFoundError("That incident does not exist.");
      throw new ConflictError(`The review opens once the incident is recovered; it is ${incident.status}.`);
    }

    const existing = new Map((await tx.followUpAction.findMany({ where: { incidentId } })).map((a) => [a.id, a]));
    const now = new Date();
    const kept = new Set<string>();
    for (const [position, action] of input.followUps.entries()) {
      const previous = action.id ? existing.get(action.id) : undefined;
      if (action.id && !previous)
        throw new BadRequestError("A follow-up action was removed by someone else meanwhile. Reload the review and save again.");
      const data = {
        position,
        text: action.text,
        owner: action.owner,
        dueAt: action.dueAt ?? null,
        doneAt: action.done ? (previous?.doneAt ?? now) : null,
      };
      if (previous) {
        kept.add(previous.id);
        await tx.followUpAction.update({ where: { id: previous.id }, data });
      } else {
        await tx.followUpAction.create({ data: { ...data, incidentId } });
      }
    }
    const removed = [...existing.keys()].filter((id) => !kept.has(id));
    await tx.followUpAction.deleteMany({ where: { id: { in: removed } } });

    await appendIncidentEvent(tx, {
      incidentId,
      actorEmail: ctx.user.email,
      type: "review-updated",
      payload: { followUps: input.followUps.length },
    });
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "incident.review",
      subject: { type: "incident", id: incidentId },
      payload: { followUps: input.followUps.length, removedFollowUps: removed.length },
      requestId: ctx.requestId,
    });
    const followUps = await tx.followUpAction.findMany({ where: { incidentId }, orderBy: [{ position: "asc" }, { createdAt: "asc" }] });
    return { followUps: followUps.map(followUpView) };
  });
}
