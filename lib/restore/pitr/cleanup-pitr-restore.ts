import { z } from "zod";
import { approvalAudit, requireFourEyes, type ApprovalGrant } from "@/lib/approvals/require-four-eyes";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { createPitrProviderFor } from "@/lib/providers/create-pitr-provider-for";
import type { PitrCleanupResult } from "@/lib/providers/pitr";
import { lockRestoreRun } from "../engine/lock-restore-run";
import { cutOverRefusal, pitrCleanupView } from "./cleanup-rules";
import { sourceInPlannedRegion } from "./dr";
import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import { readPlan } from "../read-plan";
import { assertMayRestore } from "../logical/choice";
import type { ClientCtx } from "@/lib/db/ctx";
import { restoreRunView, runStatusOf, type RestoreRunView } from "../restore-run-views";
import { appendRunEvent } from "../engine/events";
import { isTerminal } from "../engine/state";
import { requireTypedConfirmation } from "../typed-confirmation";

export const CleanupPitrRestoreInput = z.object({
  runId: z.uuid(),
  /** Typed by the person: the restored cluster/instance identifier (a local run's folder name). */
  confirmation: z.string().max(2000).optional(),
  /** Keep the restored data in a final snapshot first. Opting out is explicit, and audited. */
  finalSnapshot: z.boolean().default(true),
  /** Why, when the environment needs a second person to approve the clean-up (four-eyes). */
  reason: z.string().max(2000).optional(),
});
export type CleanupPitrRestoreInput = z.input<typeof CleanupPitrRestoreInput>;

export interface CleanupPitrResult {
  run: RestoreRunView;
  /** Kept for the callers of the generic clean-up: what was deleted. */
  dropped: string[];
  finalSnapshot: string | null;
}

/**
 * Deletes what a finished PITR run created (the restored server, or the writer and then the
 * cluster) through the provider, which lifts the deletion protection it set and never touches
 * anything without this run's tag or marker. Refused for a run a person marked as cut over; needs
 * the restored server's name typed; keeps a final snapshot unless the person opted out. The
 * source is never touched. Safe to repeat: what is already gone is skipped.
 */
export async function cleanupPitrRestore({
  ctx,
  input: raw,
  approval,
}: {
  ctx: ClientCtx;
  input: CleanupPitrRestoreInput;
  approval?: ApprovalGrant;
}): Promise<CleanupPitrResult> {
  const input = CleanupPitrRestoreInput.parse(raw);
  const run = await ctx.db.restoreRun.findUnique({ where: { id: input.runId }, include: { steps: true } });
  // A PITR drill's leftovers too, when the drill could not delete them itself.
  const plan = run && (run.kind === "pitr" || run.kind === "drill") ? readPlan(run) : null;
  if (!run || plan?.kind !== "pitr") throw new NotFoundError("That point-in-time restore run does not exist.");
  const { environment, source } = resolvePitrEnvironment(run.environment);
  assertMayRestore(ctx.user, environment, "Cleaning up after a restore");
  if (!isTerminal(runStatusOf(run.status)))
    throw new ConflictError(`This restore is still ${run.status}; cancel it or let it finish before cleaning up.`);
  const view = pitrCleanupView(plan.source.provider, plan.identifiers, run);
  if (!view) throw new NotFoundError("This run's plan names no restored server to clean up.");
  const refusal = cutOverRefusal(run);
  if (refusal) throw new ConflictError(refusal);
  requireTypedConfirmation(input.confirmation, view.confirmation, `the deletion of ${view.confirmation}`);
  // Four-eyes: on an environment that asks for it, this records a request instead (202).
  await requireFourEyes({
    ctx,
    environment,
    run,
    action: "pitr-cleanup",
    parameters: { confirmation: input.confirmation, finalSnapshot: input.finalSnapshot },
    reason: input.reason,
    approval,
  });

  const cleanupStep = run.steps.find((s) => s.name === "cleanup");
  const actor = { id: ctx.user.id, email: ctx.user.email };
  const choice = {
    finalSnapshot: input.finalSnapshot,
    finalSnapshotName: input.finalSnapshot ? view.finalSnapshot : null,
    deletes: view.deletes,
  };
  // Claimed under the run's row lock: a cut-over marked meanwhile wins, and the request (with the
  // snapshot choice) is on record before anything is deleted.
  await ctx.db.$transaction(async (tx) => {
    await lockRestoreRun(tx, run.id);
    const current = await tx.restoreRun.findUniqueOrThrow({ where: { id: run.id }, select: { cutOverAt: true, cutOverByEmail: true } });
    const lost = cutOverRefusal(current);
    if (lost) throw new ConflictError(lost);
    if (cleanupStep)
      await tx.restoreStep.update({
        where: { id: cleanupStep.id },
        data: { status: "running", startedAt: new Date(), finishedAt: null, error: null },
      });
    await appendRunEvent(tx, run.id, "message", {
      line: `${ctx.user.email} asked to delete ${view.deletes.join(", ")} ${input.finalSnapshot ? `keeping the final snapshot ${view.finalSnapshot}` : "WITHOUT a final snapshot"}`,
    });
    await recordAuditEvent(tx, {
      actor,
      action: "pitr.cleanup.requested",
      subject: { type: "restore-run", id: run.id },
      payload: { environment: run.environment, ...choice, ...approvalAudit(approval) },
      requestId: ctx.requestId,
    });
  });

  const lines: string[] = [];
  let result: PitrCleanupResult;
  try {
    // Where the run restored: a DR restore's server is in the DR region.
    result = await createPitrProviderFor(sourceInPlannedRegion(source, plan), plan.region ?? "primary").cleanup(
      run.id,
      { finalSnapshot: input.finalSnapshot },
      { log: (line) => lines.push(line) },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await ctx.db.$transaction(async (tx) => {
      if (cleanupStep)
        await tx.restoreStep.update({
          where: { id: cleanupStep.id },
          data: { status: "failed", finishedAt: new Date(), output: { log: lines }, error: message },
        });
      for (const line of lines) await appendRunEvent(tx, run.id, "message", { line });
      await appendRunEvent(tx, run.id, "message", { line: `Clean-up failed: ${message}` });
      await recordAuditEvent(tx, {
        actor,
        action: "pitr.cleanup.failed",
        subject: { type: "restore-run", id: run.id },
        payload: { environment: run.environment, ...choice, error: message },
        requestId: ctx.requestId,
      });
    });
    throw error;
  }

  await ctx.db.$transaction(async (tx) => {
    if (cleanupStep) {
      await tx.restoreStep.update({
        where: { id: cleanupStep.id },
        data: {
          status: "succeeded",
          finishedAt: new Date(),
          output: { removed: result.deleted, finalSnapshot: result.finalSnapshot, log: lines },
          error: null,
        },
      });
    }
    for (const line of lines) await appendRunEvent(tx, run.id, "message", { line });
    await appendRunEvent(tx, run.id, "cleanup", { by: ctx.user.email, removed: result.deleted, finalSnapshot: result.finalSnapshot });
    await recordAuditEvent(tx, {
      actor,
      action: "pitr.cleanup",
      subject: { type: "restore-run", id: run.id },
      payload: {
        environment: run.environment,
        ...choice,
        removed: result.deleted,
        finalSnapshotTaken: result.finalSnapshot,
        ...approvalAudit(approval),
      },
      requestId: ctx.requestId,
    });
  });
  const updated = await ctx.db.restoreRun.findUniqueOrThrow({ where: { id: run.id }, include: { steps: true } });
  return { run: restoreRunView(updated, updated.steps), dropped: result.deleted, finalSnapshot: result.finalSnapshot };
}
