import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { formatDuration } from "@/lib/format";
import type { GlobalPromotion } from "@/lib/generated/prisma/client";
import { GLOBAL_PROMOTION_TIMEOUT_MS, RETRY_ADVICE } from "./run-global-promotion";

/** Past the promotion's own limit, and a margin for the job to record it, no outcome is coming. */
const STALE_AFTER_MS = GLOBAL_PROMOTION_TIMEOUT_MS + 10 * 60_000;

function settlementOf(row: GlobalPromotion): { status: "expired" | "failed"; error: string | null } {
  if (row.status === "awaiting-approval") return { status: "expired", error: null };
  const waited = formatDuration(STALE_AFTER_MS);
  return {
    status: "failed",
    error:
      row.status === "queued"
        ? `No worker took this within ${waited} (does a worker run the pitr-global-promotion job?), so nothing was sent to RDS. Ask again.`
        : `No outcome was recorded within ${waited}: the worker running it stopped. ${RETRY_ADVICE}`,
  };
}

/**
 * Ends the environment's promotions that can no longer end by themselves: a request nobody
 * approved within its window expires, and a queued or running one past its limit fails, saying
 * so, which frees the environment for a new request. Each with a guarded update and its audit
 * record, so two readers settling at once record it once.
 */
export async function settleGlobalPromotions({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { environment: string; now?: Date };
}): Promise<void> {
  const now = input.now ?? new Date();
  const cutoff = new Date(now.getTime() - STALE_AFTER_MS);
  const rows = await ctx.db.globalPromotion.findMany({
    where: {
      environment: input.environment,
      OR: [
        { status: "awaiting-approval", expiresAt: { lte: now } },
        { status: "running", startedAt: { lt: cutoff } },
        { status: "queued", OR: [{ decidedAt: { lt: cutoff } }, { decidedAt: null, createdAt: { lt: cutoff } }] },
      ],
    },
  });
  for (const row of rows) {
    const { status, error } = settlementOf(row);
    await withTransaction(ctx, async ({ db: tx }) => {
      const { count } = await tx.globalPromotion.updateMany({
        where: { id: row.id, status: row.status },
        data: { status, error, activeKey: null, finishedAt: now },
      });
      if (count === 0) return;
      await recordAuditEvent(tx, {
        actor: SYSTEM,
        action: `pitr.global-promotion.${status}`,
        outcome: status === "failed" ? "failed" : "ok",
        subject: { type: "global-promotion", id: row.id },
        payload: { environment: row.environment, globalClusterIdentifier: row.globalClusterIdentifier, was: row.status, error },
        requestId: ctx.requestId,
      });
    });
  }
}
