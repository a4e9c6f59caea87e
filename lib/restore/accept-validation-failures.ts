import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { hasRole } from "@/lib/auth/roles";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { announceValidationAcceptance } from "@/lib/incidents/announce-validation-acceptance";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import type { ClientCtx } from "@/lib/db/ctx";
import { lockRestoreRun } from "./engine/lock-restore-run";
import { restoreRunQueue } from "./engine/queue";
import { restoreRunView, type RestoreRunView } from "./restore-run-views";
import { appendRunEvent } from "./engine/events";
import { transitionRun } from "./engine/transition-run";
import { findUnacceptedBlockingFailures, namesOf } from "./validation/blocking-failures";

export const AcceptValidationFailuresInput = z.object({
  runId: z.uuid(),
  /** The blocking checks the admin saw and accepts: exactly the run's unaccepted ones, so nothing unseen is waved through. */
  checks: z.array(z.string().min(1).max(200)).min(1).max(100),
  reason: z.string().trim().min(10, "say why the restored data may go live anyway, in at least 10 characters").max(2000),
});
export type AcceptValidationFailuresInput = z.input<typeof AcceptValidationFailuresInput>;

/**
 * An admin's word that a restored copy may be used despite its blocking validation failures.
 * Recorded on each failed result (who, when, why), in the run's events, the audit log and the
 * timeline of linked incidents, in one transaction. A swap-mode run still waits for its typed
 * swap confirmation; a new-database run goes on to its rename at once, since nothing live is
 * replaced. The run keeps its target lock throughout, and cancel works as before.
 */
export async function acceptValidationFailures({
  ctx,
  input,
}: {
  ctx: ClientCtx;
  input: AcceptValidationFailuresInput;
}): Promise<RestoreRunView> {
  const parsed = AcceptValidationFailuresInput.parse(input);
  if (!hasRole(ctx.user.role, "admin")) {
    throw new ForbiddenError(`Accepting a blocking validation failure needs an admin; you are signed in as ${ctx.user.role}.`);
  }
  const run = await ctx.db.restoreRun.findUnique({ where: { id: parsed.runId } });
  if (!run) throw new NotFoundError("That restore run does not exist.");
  if (run.kind !== "logical") throw new ConflictError("Only a logical restore waits for validation failures to be accepted.");

  const acceptedAt = new Date();
  const resumes = run.mode !== "swap";
  const updated = await ctx.db.$transaction(async (tx) => {
    // Locked, so a cancel or a swap confirmation lands wholly before or after this acceptance.
    await lockRestoreRun(tx, run.id);
    const locked = await tx.restoreRun.findUnique({ where: { id: run.id }, select: { status: true } });
    if (locked?.status !== "awaiting-swap") {
      throw new ConflictError(
        `This restore is ${locked?.status ?? "gone"}; validation failures can be accepted only while it waits before the swap.`,
      );
    }
    const blocking = await findUnacceptedBlockingFailures(tx, run.id);
    if (blocking.length === 0) throw new ConflictError("No blocking validation failure of this run is waiting to be accepted.");
    const seen = new Set(parsed.checks);
    if (blocking.length !== seen.size || blocking.some((f) => !seen.has(f.name))) {
      throw new ConflictError(`The blocking failures waiting are ${namesOf(blocking)}; reload the run and accept exactly those.`, {
        details: { blockingFailures: blocking.map((f) => f.name) },
      });
    }
    await tx.validationResult.updateMany({
      where: { id: { in: blocking.map((f) => f.id) }, acceptedAt: null },
      data: { acceptedAt, acceptedByEmail: ctx.user.email, acceptanceReason: parsed.reason },
    });
    if (resumes) await transitionRun(tx, run.id, ["awaiting-swap"], "running", { error: null, leaseOwner: null, leaseExpiresAt: null });
    const checks = blocking.map((f) => f.name);
    await appendRunEvent(tx, run.id, "validation", { accepted: true, by: ctx.user.email, reason: parsed.reason, checks });
    const incidentIds = await announceValidationAcceptance(tx, {
      runId: run.id,
      environment: run.environment,
      acceptedByEmail: ctx.user.email,
      acceptedAt,
      reason: parsed.reason,
      checks,
    });
    await recordAuditEvent(tx, {
      actor: { id: ctx.user.id, email: ctx.user.email },
      action: "restore.validation.accept",
      subject: { type: "restore-run", id: run.id },
      payload: {
        environment: run.environment,
        target: run.targetName,
        mode: run.mode,
        reason: parsed.reason,
        checks: blocking.map((f) => ({ name: f.name, kind: f.kind, expectation: f.expectation, actual: f.actual, message: f.message })),
        incidentIds,
      },
      requestId: ctx.requestId,
    });
    return tx.restoreRun.findUniqueOrThrow({ where: { id: run.id }, include: { steps: true } });
  });
  if (resumes) await enqueueJob(restoreRunQueue, { runId: run.id });
  return restoreRunView(updated, updated.steps);
}
