import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { hasRole } from "@/lib/auth/roles";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import type { ClientCtx } from "@/lib/db/ctx";
import { restoreRunView, runStatusOf, type RestoreRunView } from "./restore-run-views";
import { appendRunEvent } from "./engine/events";
import { ACTIVE_STATUSES, isActive } from "./engine/state";
import { transitionRun } from "./engine/transition-run";

export const CancelRestoreInput = z.object({ runId: z.uuid() });
export type CancelRestoreInput = z.infer<typeof CancelRestoreInput>;

/**
 * Asks a run to stop. A queued run, or one waiting for the swap, is cancelled at once; a running
 * step sees the request within about a second and aborts (the restore step drops its partial
 * scratch database). The target is never touched by a cancel.
 */
export async function cancelRestore({ ctx, input }: { ctx: ClientCtx; input: CancelRestoreInput }): Promise<RestoreRunView> {
  const existing = await ctx.db.restoreRun.findUnique({ where: { id: input.runId } });
  if (!existing) throw new NotFoundError("That restore run does not exist.");
  // Operator, even in a protected environment: stopping a restore never needs more rights than starting one.
  if (!hasRole(ctx.user.role, "operator"))
    throw new ForbiddenError(`Cancelling a restore needs the operator role; you are signed in as ${ctx.user.role}.`);
  if (!isActive(runStatusOf(existing.status)))
    throw new ConflictError(`This restore has already ended (${existing.status}); there is nothing to cancel.`);

  const actor = { id: ctx.user.id, email: ctx.user.email };
  await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.restoreRun.updateMany({
      where: { id: input.runId, status: { in: [...ACTIVE_STATUSES] }, cancelRequestedAt: null },
      data: { cancelRequestedAt: new Date() },
    });
    if (count === 0) return;
    await appendRunEvent(tx, input.runId, "cancel.requested", { by: ctx.user.email });
    await recordAuditEvent(tx, {
      actor,
      action: "restore.cancel",
      subject: { type: "restore-run", id: input.runId },
      payload: { status: existing.status },
      requestId: ctx.requestId,
    });
  });

  // Nothing is running for these two: end them here. A lost race (a worker just claimed the
  // queued run) is fine: that worker sees the request on its first check.
  try {
    await ctx.db.$transaction(async (tx) => {
      await transitionRun(tx, input.runId, ["queued", "awaiting-swap"], "cancelled", {
        error: `Cancelled by ${ctx.user.email}. The target was not touched.${existing.status === "awaiting-swap" ? ` The restored copy ${existing.scratchDatabase} is kept until you clean it up.` : ""}`,
      });
      await tx.restoreStep.updateMany({
        where: { runId: input.runId, status: "pending", name: { not: "cleanup" } },
        data: { status: "skipped" },
      });
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  const run = await ctx.db.restoreRun.findUniqueOrThrow({ where: { id: input.runId }, include: { steps: true } });
  return restoreRunView(run, run.steps);
}
