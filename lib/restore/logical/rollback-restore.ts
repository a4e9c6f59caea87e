import { z } from "zod";
import { approvalAudit, requireFourEyes, type ApprovalGrant } from "@/lib/approvals/require-four-eyes";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { existingDatabases, listSessions, renameDatabases } from "@/lib/providers/postgres/admin";
import { rollbackConfirmationText, rollbackRenames } from "./plan";
import { assertMayRestore } from "./choice";
import type { ClientCtx } from "@/lib/db/ctx";
import { restoreRunView, type RestoreRunView } from "../restore-run-views";
import { adminTargetFor, findRestoreTarget } from "../restore-target";
import { appendRunEvent } from "../engine/events";
import { acquireTargetLock } from "../engine/target-lock";
import { transitionRun } from "../engine/transition-run";
import { requireTypedConfirmation } from "../typed-confirmation";

export const RollbackRestoreInput = z.object({
  runId: z.uuid(),
  /** Agreed after seeing the sessions on the (restored) live database: end them. */
  terminateSessions: z.boolean().default(false),
  /** On a protected environment, typed by the person: `<previous database> -> <target database>`. */
  confirmation: z.string().max(500).optional(),
  /** Why, when the environment needs a second person to approve the rollback (four-eyes). */
  reason: z.string().max(2000).optional(),
});
export type RollbackRestoreInput = z.input<typeof RollbackRestoreInput>;

/**
 * Undoes a swap: in one transaction the restored database becomes `<db>_rolled_back_<ts>` (dated
 * by the swap) and the kept previous database takes its name back. The target is locked
 * meanwhile, like a restore. On a protected environment the person types which database takes
 * the live name back, checked here as for the swap.
 */
export async function rollbackRestore({
  ctx,
  input,
  approval,
}: {
  ctx: ClientCtx;
  input: RollbackRestoreInput;
  approval?: ApprovalGrant;
}): Promise<RestoreRunView> {
  const parsed = RollbackRestoreInput.parse(input);
  const run = await ctx.db.restoreRun.findUnique({ where: { id: parsed.runId } });
  if (!run) throw new NotFoundError("That restore run does not exist.");
  const environment = resolveEnvironment(run.environment);
  assertMayRestore(ctx.user, environment, "Rolling back a restore");
  if (run.status !== "succeeded" || run.mode !== "swap" || !run.previousDatabase) {
    throw new ConflictError(
      `Only a finished swap that kept the previous database can be rolled back; this run is ${run.status}${run.mode === "swap" ? "" : ` in ${run.mode} mode`}.`,
    );
  }
  const later = await ctx.db.restoreRun.findFirst({
    where: {
      environment: run.environment,
      targetName: run.targetName,
      mode: "swap",
      status: "succeeded",
      createdAt: { gt: run.createdAt },
    },
    select: { id: true },
  });
  if (later) throw new ConflictError(`Run ${later.id} swapped ${run.targetDatabase} again after this one; roll that one back first.`);

  const live = run.targetDatabase;
  const previous = run.previousDatabase;
  if (environment.protected)
    requireTypedConfirmation(parsed.confirmation, rollbackConfirmationText(previous, live), "which database takes the live name back");
  const admin = await adminTargetFor(findRestoreTarget(environment, run.targetName));
  const existing = await existingDatabases(admin, [live, previous]);
  if (!existing.has(previous))
    throw new ConflictError(`The previous database ${previous} no longer exists (cleaned up?), so there is nothing to roll back to.`);
  const sessions = existing.has(live) ? await listSessions(admin, live) : [];
  if (sessions.length > 0 && !parsed.terminateSessions) {
    throw new ConflictError(
      `${plural(sessions.length, "session")} ${sessions.length === 1 ? "is" : "are"} connected to ${live}; the rollback ends ${sessions.length === 1 ? "it" : "them"}. Confirm again agreeing to end ${sessions.length === 1 ? "it" : "them"}.`,
      { details: { sessions } },
    );
  }

  // Four-eyes: on an environment that asks for it, this records a request instead (202).
  await requireFourEyes({
    ctx,
    environment,
    run,
    action: "rollback",
    parameters: {
      terminateSessions: parsed.terminateSessions,
      ...(parsed.confirmation === undefined ? {} : { confirmation: parsed.confirmation }),
    },
    reason: parsed.reason,
    approval,
  });

  const actor = { id: ctx.user.id, email: ctx.user.email };
  const [liveAside, previousBack] = rollbackRenames({ ...run, previousDatabase: previous });
  const aside = liveAside.to;
  // The lock first, and the name we will use, so a crash mid-way can be settled by the sweeper.
  await ctx.db.$transaction(async (tx) => {
    await acquireTargetLock(tx, { environment: run.environment, targetName: run.targetName, runId: run.id });
    const { count } = await tx.restoreRun.updateMany({
      where: { id: run.id, status: "succeeded", rolledBackAt: null },
      data: { rolledBackDatabase: aside },
    });
    if (count === 0) throw new ConflictError("This run is being rolled back already.");
    await recordAuditEvent(tx, {
      actor,
      action: "restore.rollback.start",
      subject: { type: "restore-run", id: run.id },
      payload: { live, previous, aside },
      requestId: ctx.requestId,
    });
  });
  try {
    const renames = (existing.has(live) ? [liveAside, previousBack] : [previousBack]).map(({ from, to }) => [from, to] as const);
    const { terminated } = await renameDatabases(admin, renames, { terminateSessionsOf: parsed.terminateSessions ? [live] : [] });
    await ctx.db.$transaction(async (tx) => {
      await transitionRun(tx, run.id, ["succeeded"], "rolled-back", { rolledBackAt: new Date() });
      await appendRunEvent(tx, run.id, "rollback", {
        by: ctx.user.email,
        live,
        restoredCopy: aside,
        terminatedSessions: terminated,
        ...(approval ? { requestedBy: approval.requestedBy.email, approvedBy: approval.approvedBy.email } : {}),
      });
      await recordAuditEvent(tx, {
        actor,
        action: "restore.rollback",
        subject: { type: "restore-run", id: run.id },
        payload: { live, previous, aside, terminatedSessions: terminated, ...approvalAudit(approval) },
        requestId: ctx.requestId,
      });
    });
  } catch (error) {
    await ctx.db.$transaction(async (tx) => {
      await tx.restoreTargetLock.deleteMany({ where: { runId: run.id } });
      await tx.restoreRun.update({ where: { id: run.id }, data: { rolledBackDatabase: null } });
      await recordAuditEvent(tx, {
        actor,
        action: "restore.rollback",
        outcome: "failed",
        subject: { type: "restore-run", id: run.id },
        payload: { error: error instanceof Error ? error.message : String(error) },
        requestId: ctx.requestId,
      });
    });
    throw error;
  }
  const updated = await ctx.db.restoreRun.findUniqueOrThrow({ where: { id: run.id }, include: { steps: true } });
  return restoreRunView(updated, updated.steps);
}
