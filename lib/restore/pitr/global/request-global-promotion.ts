import { z } from "zod";
import { fourEyesRule } from "@/lib/approvals/four-eyes-rule";
import { requireApprovalReason, TOKEN_DECISION } from "@/lib/approvals/require-four-eyes";
import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { hasRole, isPerson, type SessionUser } from "@/lib/auth/roles";
import { withTransaction, type ClientCtx } from "@/lib/db/ctx";
import { ConflictError, errorMessage, ForbiddenError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { PITR_TARGET_NAME } from "../plan";
import { requireTypedConfirmation } from "../../typed-confirmation";
import { globalPromotionJob } from "./global-promotion-job";
import { GlobalFailoverMode, globalPromotionView, type GlobalPromotionView } from "./global-promotion-views";
import { resolveGlobalDatabase } from "./resolve-global-database";
import { settleGlobalPromotions } from "./settle-global-promotions";

export const RequestGlobalPromotionInput = z.object({
  /** Defaults to the default environment. */
  environment: z.string().min(1).max(63).optional(),
  mode: GlobalFailoverMode,
  /** Typed by the person: the global database's identifier, exactly. */
  confirmation: z.string().max(300),
  /** Why; needed when the environment's four-eyes covers global-promotion (shown to the approver). */
  reason: z.string().max(2000).optional(),
});
export type RequestGlobalPromotionInput = z.infer<typeof RequestGlobalPromotionInput>;

/** Only an admin promotes: it moves production's writes to another region. */
export function assertMayPromote(user: SessionUser, doing: string): void {
  if (!hasRole(user.role, "admin")) {
    throw new ForbiddenError(`${doing} needs the admin role: it moves the database's writes to another region. You are ${user.role}.`);
  }
}

/**
 * Hands a queued promotion to the worker. Should that fail, the promotion fails at once, saying
 * nothing was sent, rather than holding the environment until it counts as stale.
 */
export async function enqueueGlobalPromotion(ctx: ClientCtx<SessionUser | null>, promotionId: string): Promise<void> {
  try {
    await enqueueJob(globalPromotionJob, { promotionId });
  } catch (enqueueError) {
    const error = `It could not be handed to the worker (${errorMessage(enqueueError)}), so nothing was sent to RDS. Ask again.`;
    await withTransaction(ctx, async ({ db: tx }) => {
      const { count } = await tx.globalPromotion.updateMany({
        where: { id: promotionId, status: "queued" },
        data: { status: "failed", error, activeKey: null, finishedAt: new Date() },
      });
      if (count > 0)
        await recordAuditEvent(tx, {
          actor: SYSTEM,
          action: "pitr.global-promotion.failed",
          outcome: "failed",
          subject: { type: "global-promotion", id: promotionId },
          payload: { error },
          requestId: ctx.requestId,
        });
    });
    throw enqueueError;
  }
}

/**
 * An admin asks for the environment's Aurora global database to make its DR cluster the writer:
 * a switchover (no data loss; every region must answer) or a failover allowing data loss (the
 * primary region is down). The global database's identifier must be typed. Recorded and audited
 * in one transaction, one per environment at a time (the row's active key); then the worker does
 * it. Under four-eyes it waits instead for a different person's approval (approveGlobalPromotion).
 */
export async function requestGlobalPromotion({
  ctx,
  input,
}: {
  ctx: ClientCtx;
  input: RequestGlobalPromotionInput;
}): Promise<GlobalPromotionView> {
  const { environment, config } = resolveGlobalDatabase(input.environment);
  assertMayPromote(ctx.user, "Promoting the DR cluster");
  requireTypedConfirmation(
    input.confirmation,
    config.globalClusterIdentifier,
    `the promotion of ${config.secondaryClusterIdentifier} in ${config.region} to writer of the global database`,
  );
  const rule = fourEyesRule(environment, "global-promotion", PITR_TARGET_NAME);
  const reason = input.reason?.trim() || null;
  if (rule) {
    if (!isPerson(ctx.user)) throw new ForbiddenError(TOKEN_DECISION);
    requireApprovalReason(environment, rule, "global-promotion", input.reason);
  }
  await settleGlobalPromotions({ ctx, input: { environment: environment.name } });

  const now = new Date();
  const expiresAt = rule ? new Date(now.getTime() + rule.windowMinutes * 60_000) : null;
  let row;
  try {
    row = await withTransaction(ctx, async ({ db: tx }) => {
      const created = await tx.globalPromotion.create({
        data: {
          environment: environment.name,
          globalClusterIdentifier: config.globalClusterIdentifier,
          mode: input.mode,
          status: rule ? "awaiting-approval" : "queued",
          activeKey: environment.name,
          reason,
          approverRole: rule?.approverRole ?? null,
          expiresAt,
          requestedById: ctx.user.id,
          requestedByEmail: ctx.user.email,
          createdAt: now,
        },
      });
      await recordAuditEvent(tx, {
        actor: ctx.user,
        action: "pitr.global-promotion.requested",
        subject: { type: "global-promotion", id: created.id },
        payload: {
          environment: environment.name,
          ...config,
          mode: input.mode,
          reason,
          fourEyes: rule ? { approverRole: rule.approverRole, expiresAt } : null,
        },
        requestId: ctx.requestId,
      });
      return created;
    });
  } catch (error) {
    // Two requests at once, or one under way: the unique active key lets one in.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const active = await ctx.db.globalPromotion.findUnique({ where: { activeKey: environment.name } });
      throw new ConflictError(
        `A promotion of ${environment.name}'s DR cluster is already ${active?.status ?? "under way"}${active ? ` (asked for by ${active.requestedByEmail} at ${active.createdAt.toISOString()})` : ""}: wait for its outcome${active?.status === "awaiting-approval" ? ", or refuse it" : ""}.`,
        { details: { promotionId: active?.id ?? null } },
      );
    }
    throw error;
  }
  if (!rule) await enqueueGlobalPromotion(ctx, row.id);
  return globalPromotionView(row);
}
