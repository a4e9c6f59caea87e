import { z } from "zod";
import { TOKEN_DECISION } from "@/lib/approvals/require-four-eyes";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { isPerson } from "@/lib/auth/roles";
import { withTransaction, type ClientCtx } from "@/lib/db/ctx";
import { ConflictError, ForbiddenError } from "@/lib/errors";
import { awaitingDecision } from "./approve-global-promotion";
import { globalPromotionView, type GlobalPromotionView } from "./global-promotion-views";

export const RefuseGlobalPromotionInput = z.object({
  promotionId: z.uuid(),
  /** Why, for the requester and the audit log. */
  reason: z.string().trim().max(2000).optional(),
});
export type RefuseGlobalPromotionInput = z.infer<typeof RefuseGlobalPromotionInput>;

/**
 * Ends a promotion request waiting for approval without running it: the second person says no,
 * or the requester withdraws it (a wrong mode, say), which frees the environment for a new
 * request at once instead of at the end of the window. Nothing is sent to RDS.
 */
export async function refuseGlobalPromotion({
  ctx,
  input,
}: {
  ctx: ClientCtx;
  input: RefuseGlobalPromotionInput;
}): Promise<GlobalPromotionView> {
  if (!isPerson(ctx.user)) throw new ForbiddenError(TOKEN_DECISION);
  const row = await awaitingDecision(ctx, input.promotionId);
  const decidedAt = new Date();
  const refused = await withTransaction(ctx, async ({ db: tx }) => {
    const { count } = await tx.globalPromotion.updateMany({
      where: { id: row.id, status: "awaiting-approval" },
      data: {
        status: "refused",
        activeKey: null,
        decidedById: ctx.user.id,
        decidedByEmail: ctx.user.email,
        decidedAt,
        finishedAt: decidedAt,
        decisionReason: input.reason || null,
      },
    });
    if (count === 0) return null;
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "pitr.global-promotion.refused",
      subject: { type: "global-promotion", id: row.id },
      payload: {
        environment: row.environment,
        requestedBy: row.requestedByEmail,
        withdrawn: row.requestedByEmail === ctx.user.email,
        reason: input.reason ?? null,
      },
      requestId: ctx.requestId,
    });
    return tx.globalPromotion.findUniqueOrThrow({ where: { id: row.id } });
  });
  if (!refused) throw new ConflictError("This request was decided meanwhile; nothing was changed.");
  return globalPromotionView(refused);
}
