import { randomUUID } from "node:crypto";
import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { BadRequestError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { buildPitrPlan, PITR_MODE, PITR_TARGET_NAME, pitrTargetLabel } from "./pitr-plan";
import { PitrRestoreChoice, resolvePitrRestore } from "./pitr-restore-choice";
import { reportRunEvidence } from "./report-run-evidence";
import { assertMayRestore, type RestoreCtx } from "./restore-source";
import { restoreRunJob } from "./restore-run-job";
import { restoreRunView, type RestoreRunView } from "./restore-run-views";
import { appendRunEvent } from "./run-events";
import { acquireTargetLock } from "./target-lock";
import { BUILTIN_CHECKS } from "./validation/builtin-checks";

export const StartPitrRestoreInput = PitrRestoreChoice.extend({
  /** The person types the environment's name, exactly. */
  confirmation: z.string(),
});
export type StartPitrRestoreInput = z.infer<typeof StartPitrRestoreInput>;

/**
 * Starts a point-in-time restore. The target time is checked against a window described now
 * (outside it: 400, nothing created); then the run, its steps, the environment's PITR lock (one
 * PITR restore per environment at a time) and the audit event are written in ONE transaction,
 * and the worker is asked to run it. The source is never touched: the data comes back in a new server.
 */
export async function startPitrRestore({ ctx, input }: { ctx: RestoreCtx; input: StartPitrRestoreInput }): Promise<RestoreRunView> {
  const { environment, source, provider, window, incident } = await resolvePitrRestore(ctx.db, input);
  assertMayRestore(ctx.user, environment, "Starting a point-in-time restore");
  if (input.confirmation !== environment.name) {
    throw new BadRequestError(`Type the environment's name, ${environment.name}, exactly to confirm the restore.`);
  }

  const runId = randomUUID();
  const plan = buildPitrPlan({
    environment: { name: environment.name, protected: environment.protected },
    source,
    providerKind: provider.kind,
    identifiers: provider.resourceIdentifiers(runId),
    choice: input.target,
    window,
    incident,
    now: new Date(),
    configuredChecks: environment.validation.checks.length,
    builtinChecks: BUILTIN_CHECKS.length,
    preflight: null,
  });
  const target = pitrTargetLabel(input.target);

  const run = await ctx.db.$transaction(async (tx) => {
    const created = await tx.restoreRun.create({
      data: {
        id: runId,
        kind: "pitr",
        environment: environment.name,
        targetName: PITR_TARGET_NAME,
        targetDatabase: source.database,
        mode: PITR_MODE,
        status: "queued",
        plan: plan as unknown as Prisma.InputJsonValue,
        // What the run creates and clean-up removes: the restored cluster, instance or data folder.
        scratchDatabase: plan.identifiers[0] ?? "",
        requestedById: ctx.user.id,
        requestedByEmail: ctx.user.email,
        // "Latest" is pinned when the restore step starts.
        restorePointAt: input.target.kind === "time" ? new Date(input.target.time) : null,
        steps: { create: plan.steps.map((step) => ({ position: step.position, name: step.name })) },
      },
      include: { steps: true },
    });
    await acquireTargetLock(tx, { environment: environment.name, targetName: PITR_TARGET_NAME, runId });
    await recordAuditEvent(tx, {
      actor: { id: ctx.user.id, email: ctx.user.email },
      action: "pitr.start",
      subject: { type: "restore-run", id: runId },
      payload: {
        environment: environment.name,
        provider: provider.kind,
        target: input.target,
        window: { earliest: window.earliest, latest: window.latest },
        identifiers: plan.identifiers,
        incidentId: incident?.id ?? null,
      },
      requestId: ctx.requestId,
    });
    await appendRunEvent(tx, runId, "run.created", { by: ctx.user.email, kind: "pitr", target, provider: provider.kind });
    return created;
  });

  // After the commit: a worker must never see a job for a run that does not exist yet. Should
  // this fail, the run stays queued and the sweeper sends it again.
  await enqueueJob(restoreRunJob, { runId });
  await reportRunEvidence(ctx.db, { runId, environment: environment.name, kind: "restore-started", description: `Point-in-time restore of ${environment.name} to ${target} started by ${ctx.user.email}` });
  return restoreRunView(run, run.steps);
}
