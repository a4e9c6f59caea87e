import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { createPitrProviderFor } from "@/lib/providers/create-pitr-provider-for";
import type { CleanupResult, CleanupRestoreInput } from "./cleanup-restore";
import { resolvePitrEnvironment } from "./pitr-environment";
import type { PitrRestorePlan } from "./pitr-plan";
import { assertMayRestore, type RestoreCtx } from "./restore-source";
import { restoreRunView, runStatusOf } from "./restore-run-views";
import { appendRunEvent } from "./run-events";
import { isTerminal } from "./state";

/**
 * Deletes what a finished PITR run created (the restored server, or the writer and then the
 * cluster), through the provider, which never touches anything without this run's tag or
 * marker. The source is never touched. Safe to repeat: what is already gone is skipped.
 */
export async function cleanupPitrRestore({ ctx, input }: { ctx: RestoreCtx; input: CleanupRestoreInput }): Promise<CleanupResult> {
  const run = await ctx.db.restoreRun.findUnique({ where: { id: input.runId }, include: { steps: true } });
  if (!run || run.kind !== "pitr") throw new NotFoundError("That point-in-time restore run does not exist.");
  const { environment, source } = resolvePitrEnvironment(run.environment);
  assertMayRestore(ctx.user, environment, "Cleaning up after a restore");
  if (!isTerminal(runStatusOf(run.status))) throw new ConflictError(`This restore is still ${run.status}; cancel it or let it finish before cleaning up.`);

  const plan = run.plan as unknown as PitrRestorePlan;
  const lines: string[] = [];
  await createPitrProviderFor(source).cleanup(run.id, { log: (line) => lines.push(line) });
  const removed = plan.identifiers;

  const cleanup = run.steps.find((s) => s.name === "cleanup");
  await ctx.db.$transaction(async (tx) => {
    if (cleanup) {
      await tx.restoreStep.update({ where: { id: cleanup.id }, data: { status: "succeeded", startedAt: cleanup.startedAt ?? new Date(), finishedAt: new Date(), output: { removed, log: lines }, error: null } });
    }
    for (const line of lines) await appendRunEvent(tx, run.id, "message", { line });
    await appendRunEvent(tx, run.id, "cleanup", { by: ctx.user.email, removed });
    await recordAuditEvent(tx, {
      actor: { id: ctx.user.id, email: ctx.user.email },
      action: "pitr.cleanup",
      subject: { type: "restore-run", id: run.id },
      payload: { environment: run.environment, removed },
      requestId: ctx.requestId,
    });
  });
  const updated = await ctx.db.restoreRun.findUniqueOrThrow({ where: { id: run.id }, include: { steps: true } });
  return { run: restoreRunView(updated, updated.steps), dropped: removed };
}
