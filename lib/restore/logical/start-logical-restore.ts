import { randomUUID } from "node:crypto";
import { z } from "zod";
import { BadRequestError } from "@/lib/errors";
import { assertMayRestore, assertSourceServes, LogicalRestoreChoice, planOf, resolveLogicalRestore } from "./choice";
import type { ClientCtx } from "@/lib/db/ctx";
import { restoreRunView, type RestoreRunView } from "../restore-run-views";
import { createQueuedRun } from "../engine/create-queued-run";
import { findRunIncident } from "../run-incident";

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
export async function startLogicalRestore({ ctx, input }: { ctx: ClientCtx; input: StartLogicalRestoreInput }): Promise<RestoreRunView> {
  const resolved = await resolveLogicalRestore(ctx, input);
  const { environment, target, source } = resolved;
  assertMayRestore(ctx.user, environment, "Starting a restore");
  if (input.confirmation !== target.database) {
    throw new BadRequestError(`Type the target database's name, ${target.database}, exactly to confirm the restore.`);
  }
  assertSourceServes(resolved);

  const incident = await findRunIncident(ctx.db, input.incidentId, environment.name);
  const runId = randomUUID();
  const plan = planOf(resolved, runId, new Date());

  const run = await createQueuedRun(ctx, {
    runId,
    columns: {
      kind: "logical",
      environment: environment.name,
      targetName: target.name,
      targetDatabase: target.database,
      backupId: source.backupId,
      mode: resolved.mode,
      newDatabaseName: plan.databases.newDatabase,
      scratchDatabase: plan.databases.scratch,
      restorePointAt: new Date(source.takenAt),
      incidentId: incident?.id ?? null,
    },
    plan,
    audit: {
      action: "restore.start",
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
        incidentId: incident?.id ?? null,
        ...(resolved.selection
          ? { tables: resolved.selection.tables, skippedForeignKeys: resolved.selection.skippedForeignKeys.map((k) => k.name) }
          : {}),
      },
    },
    createdEvent: { backup: source.name, target: target.name, mode: resolved.mode },
    evidence: `Logical restore of ${source.name} into ${target.name} started by ${ctx.user.email}`,
  });
  return restoreRunView(run, run.steps);
}
