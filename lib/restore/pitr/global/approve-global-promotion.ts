import { z } from "zod";
import { TOKEN_DECISION } from "@/lib/approvals/require-four-eyes";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { hasRole, isPerson } from "@/lib/auth/roles";
import { withTransaction, type ClientCtx } from "@/lib/db/ctx";
import { AppError, ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import type { GlobalPromotion } from "@/lib/generated/prisma/client";
import { globalPromotionView, type GlobalPromotionView } from "./global-promotion-views";
import { assertMayPromote, enqueueGlobalPromotion } from "./request-global-promotion";
import { settleGlobalPromotions } from "./settle-global-promotions";

export const ApproveGlobalPromotionInput = z.object({ promotionId: z.uuid() });
export type ApproveGlobalPromotionInput = z.infer<typeof ApproveGlobalPromotionInput>;

/** A promotion still waiting for a decision; anything else is a 404 or 409 saying what it is now. */
export async function awaitingDecision(ctx: ClientCtx, promotionId: string): Promise<GlobalPromotion> {
  const found = await ctx.db.globalPromotion.findUnique({ where: { id: promotionId } });
  if (!found) throw new NotFoundError("That promotion request does not exist.");
  // A request past its window expires before anyone decides on it.
  await settleGlobalPromotions({ ctx, input: { environment: found.environment } });
  const row = await ctx.db.globalPromotion.findUniqueOrThrow({ where: { id: promotionId } });
  if (row.status !== "awaiting-approval") {
    throw new ConflictError(
      `This promotion request is ${row.status}${row.decidedByEmail ? ` (by ${row.decidedByEmail})` : ""}; there is nothing left to decide.`,
    );
  }
  return row;
}

/**
 * A second person's go-ahead for a promotion under four-eyes: a different person than the
 * requester, with the required role, and an admin (they set it going). A refused attempt is
 * audited. The request is claimed with a guarded update (of two approvals at once, one wins),
 * then handed to the worker.
 */
export async function approveGlobalPromotion({
  ctx,
  input,
}: {
  ctx: ClientCtx;
  input: ApproveGlobalPromotionInput;
}): Promise<GlobalPromotionView> {
  if (!isPerson(ctx.user)) throw new ForbiddenError(TOKEN_DECISION);
  const row = await awaitingDecision(ctx, input.promotionId);
  const approverRole = row.approverRole === "admin" ? "admin" : "operator";
  try {
    if (row.requestedById === ctx.user.id || row.requestedByEmail === ctx.user.email) {
      throw new ForbiddenError("You asked for this yourself: a different person must approve it (four-eyes).");
    }
    if (!hasRole(ctx.user.role, approverRole)) {
      throw new ForbiddenError(`Approving this needs the ${approverRole} role; you are signed in as ${ctx.user.role}.`);
    }
    assertMayPromote(ctx.user, "Approving a promotion of the DR cluster");
  } catch (error) {
    await recordAuditEvent(ctx.db, {
      actor: ctx.user,
      action: "pitr.global-promotion.approve",
      outcome: "denied",
      subject: { type: "global-promotion", id: row.id },
      payload: { environment: row.environment, requestedBy: row.requestedByEmail, why: error instanceof AppError ? error.message : null },
      requestId: ctx.requestId,
    });
    throw error;
  }

  const decidedAt = new Date();
  const claimed = await withTransaction(ctx, async ({ db: tx }) => {
    const { count } = await tx.globalPromotion.updateMany({
      where: { id: row.id, status: "awaiting-approval", expiresAt: { gt: decidedAt } },
      data: { status: "queued", decidedById: ctx.user.id, decidedByEmail: ctx.user.email, decidedAt },
    });
    if (count === 0) return false;
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "pitr.global-promotion.approved",
      subject: { type: "global-promotion", id: row.id },
      payload: {
        environment: row.environment,
        globalClusterIdentifier: row.globalClusterIdentifier,
        mode: row.mode,
        requestedBy: row.requestedByEmail,
        approvedBy: ctx.user.email,
        reason: row.reason,
      },
      requestId: ctx.requestId,
    });
    return true;
  });
  if (!claimed) throw new ConflictError("This request expired or was decided meanwhile; nothing was done twice.");
  await enqueueGlobalPromotion(ctx, row.id);
  return globalPromotionView(await ctx.db.globalPromotion.findUniqueOrThrow({ where: { id: row.id } }));
}
