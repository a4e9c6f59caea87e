import { recordAuditEvent, SYSTEM } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { appendRunEvent } from "@/lib/restore/engine/events";

/**
 * Ends every pending request whose window has passed (optionally only one run's): status
 * expired, its pending key freed for a new request, audited as the system, announced on the run.
 * Readers call it first, so nobody ever sees, or acts on, a request past its time.
 */
export async function expireApprovals({
  ctx,
  input = {},
}: {
  ctx: Ctx<SessionUser | null>;
  input?: { runId?: string; now?: Date };
}): Promise<number> {
  const now = input.now ?? new Date();
  const stale = await ctx.db.approval.findMany({
    where: { status: "pending", expiresAt: { lte: now }, ...(input.runId ? { runId: input.runId } : {}) },
    select: { id: true, runId: true, environment: true, action: true, requestedByEmail: true, expiresAt: true },
  });
  let expired = 0;
  for (const row of stale) {
    // Guarded: an approval or refusal that got there first wins.
    const { count } = await ctx.db.approval.updateMany({
      where: { id: row.id, status: "pending" },
      data: { status: "expired", pendingKey: null, decidedAt: now },
    });
    if (count === 0) continue;
    expired += 1;
    await appendRunEvent(ctx.db, row.runId, "approval", {
      approvalId: row.id,
      action: row.action,
      status: "expired",
      requestedBy: row.requestedByEmail,
    });
    await recordAuditEvent(ctx.db, {
      actor: SYSTEM,
      action: "approval.expire",
      subject: { type: "approval", id: row.id },
      payload: {
        runId: row.runId,
        environment: row.environment,
        action: row.action,
        requestedBy: row.requestedByEmail,
        expiresAt: row.expiresAt,
      },
      requestId: ctx.requestId,
    });
  }
  return expired;
}
