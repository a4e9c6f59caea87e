import { randomUUID } from "node:crypto";
import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { BadRequestError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { BUILTIN_CHECKS } from "./validation/builtin-checks";
import { buildLogicalPlan } from "./logical-plan";
import { assertMayRestore, LogicalRestoreChoice, resolveLogicalRestore, type RestoreCtx } from "./restore-source";
import { reportRunEvidence } from "./report-run-evidence";
import { restoreRunJob } from "./restore-run-job";
import { restoreRunView, type RestoreRunView } from "./restore-run-views";
import { planTargetOf } from "./restore-target";
import { appendRunEvent } from "./run-events";
import { acquireTargetLock } from "./target-lock";

export const StartLogicalRestoreInput = LogicalRestoreChoice.extend({
  /** The person types the target database's name, exactly. */
  confirmation: z.string(),
});
export type StartLogicalRestoreInput = z.infer<typeof StartLogicalRestoreInput>;

/**
 * Starts a logical restore: the run, its steps, the target lock and the audit event are written in
 * ONE transaction (a target already being restored is a ConflictError naming that run), then the
 * worker is asked to run it. Nothing touches the target until the worker's preflight step.
 */
export async function startLogicalRestore({ ctx, input }: { ctx: RestoreCtx; input: StartLogicalRestoreInput }): Promise<RestoreRunView> {
  const resolved = await resolveLogicalRestore(ctx.db, input);
  const { environment, target, source } = resolved;
  assertMayRestore(ctx.user, environment, "Starting a restore");
  if (input.confirmation !== target.database) {
    throw new BadRequestError(`Type the target database's name, ${target.database}, exactly to confirm the restore.`);
  }

  const runId = randomUUID();
  const plan = buildLogicalPlan({
    environment: { name: environment.name, protected: environment.protected },
    source,
    target: planTargetOf(target),
    mode: resolved.mode,
    newDatabaseName: resolved.newDatabaseName,
    runId,
    at: new Date(),
    configuredChecks: environment.validation.checks.length,
    builtinChecks: BUILTIN_CHECKS.length,
    preflight: null,
  });

  const run = await ctx.db.$transaction(async (tx) => {
    const created = await tx.restoreRun.create({
      data: {
        id: runId,
        kind: "logical",
        environment: environment.name,
        targetName: target.name,
        targetDatabase: target.database,
        backupId: source.backupId,
        mode: resolved.mode,
        newDatabaseName: plan.databases.newDatabase,
        status: "queued",
        plan: plan as unknown as Prisma.InputJsonValue,
        scratchDatabase: plan.databases.scratch,
        requestedById: ctx.user.id,
        requestedByEmail: ctx.user.email,
        restorePointAt: new Date(source.takenAt),
        steps: { create: plan.steps.map((step) => ({ position: step.position, name: step.name })) },
      },
      include: { steps: true },
    });
    await acquireTargetLock(tx, { environment: environment.name, targetName: target.name, runId });
    await recordAuditEvent(tx, {
      actor: { id: ctx.user.id, email: ctx.user.email },
      action: "restore.start",
      subject: { type: "restore-run", id: runId },
      payload: {
        environment: environment.name,
        target: target.name,
        targetDatabase: target.database,
        backup: source.name,
        backupId: source.backupId,
        mode: resolved.mode,
        newDatabaseName: plan.databases.newDatabase,
        scratchDatabase: plan.databases.scratch,
        overridden: source.overridden,
      },
      requestId: ctx.requestId,
    });
    await appendRunEvent(tx, runId, "run.created", { by: ctx.user.email, backup: source.name, target: target.name, mode: resolved.mode });
    return created;
  });

  // After the commit: a worker must never see a job for a run that does not exist yet. Should
  // this fail, the run stays queued and the sweeper sends it again.
  await enqueueJob(restoreRunJob, { runId });
  await reportRunEvidence(ctx.db, { runId, environment: environment.name, kind: "restore-started", description: `Logical restore of ${source.name} into ${target.name} started by ${ctx.user.email}` });
  return restoreRunView(run, run.steps);
}
