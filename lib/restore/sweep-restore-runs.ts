import { randomUUID } from "node:crypto";
import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { loadConfig } from "@/lib/config/load-config";
import type { Db, DbOrTx } from "@/lib/db/client";
import type { ClientCtx } from "@/lib/db/ctx";
import type { RestoreRun, RestoreStep } from "@/lib/generated/prisma/client";
import { enqueueJob, failJob } from "@/lib/jobs/enqueue-job";
import { existingDatabases } from "@/lib/providers/postgres/admin";
import { cleanupRestore } from "./cleanup-restore";
import { appendRunEvent } from "./engine/events";
import { findLapsedRuns, releaseLease, takeLapsedRun } from "./engine/lease";
import { restoreRunQueue } from "./engine/queue";
import { ACTIVE_STATUSES } from "./engine/state";
import { transitionRun } from "./engine/transition-run";
import { RUN_KINDS, runKindOf } from "./kinds";
import { adminTargetForRun } from "./restore-target";

/** The kinds whose leftovers the retention sweep drops. */
const EXPIRING_KINDS = Object.values(RUN_KINDS)
  .filter((kind) => kind.expiresLeftovers)
  .map((kind) => kind.kind);

/** A queued run whose job was lost (enqueue failed after the commit) is sent again after this. */
const REQUEUE_QUEUED_AFTER_MS = 2 * 60_000;
/** A lock held by a finished run this long is left over from a rollback whose process died. */
const STALE_LOCK_MS = 10 * 60_000;

export interface SweepResult {
  interrupted: string[];
  resumed: string[];
  swapResolved: Array<{ runId: string; outcome: "succeeded" | "awaiting-swap" | "failed" }>;
  requeued: string[];
  locksReleased: string[];
  /** Runs whose leftover databases were dropped after the environment's retention period. */
  expired: string[];
}

function emptyResult(): SweepResult {
  return { interrupted: [], resumed: [], swapResolved: [], requeued: [], locksReleased: [], expired: [] };
}

/** The step a dead worker was in: the running one, else the next automatic one (it died between steps). */
function stepAt(steps: readonly RestoreStep[]): RestoreStep | undefined {
  return steps.find((s) => s.status === "running") ?? steps.find((s) => s.name !== "cleanup" && s.status !== "succeeded");
}

async function audit(db: DbOrTx, run: RestoreRun, action: string, payload: Record<string, unknown>, outcome: "ok" | "failed" = "ok") {
  await recordAuditEvent(db, {
    actor: SYSTEM,
    action,
    outcome,
    subject: { type: "restore-run", id: run.id },
    payload: { environment: run.environment, target: run.targetName, ...payload },
    requestId: run.id,
  });
}

/** A rollback whose process died holds the target: finish its bookkeeping if the renames happened, else just release it. */
async function releaseStaleLocks(db: Db, result: SweepResult): Promise<void> {
  const stale = await db.restoreTargetLock.findMany({
    where: { createdAt: { lt: new Date(Date.now() - STALE_LOCK_MS) }, run: { status: { notIn: ["queued", "running", "awaiting-swap"] } } },
    include: { run: true },
  });
  for (const lock of stale) {
    const { run } = lock;
    let rolledBack = false;
    if (run.status === "succeeded" && run.rolledBackDatabase && run.previousDatabase) {
      const existing = await existingDatabases(await adminTargetForRun(run), [
        run.targetDatabase,
        run.rolledBackDatabase,
        run.previousDatabase,
      ]).catch(() => null);
      rolledBack =
        !!existing && existing.has(run.targetDatabase) && existing.has(run.rolledBackDatabase) && !existing.has(run.previousDatabase);
    }
    await db.$transaction(async (tx) => {
      if (rolledBack) await transitionRun(tx, run.id, ["succeeded"], "rolled-back", { rolledBackAt: new Date() });
      else await tx.restoreTargetLock.deleteMany({ where: { runId: run.id } });
      await audit(tx, run, "restore.lock.released", { rolledBack });
    });
    result.locksReleased.push(run.id);
  }
}

/**
 * Finds runs whose worker stopped renewing its lease and settles each one deterministically. The
 * dead worker's job is failed at once (pg-boss would keep it active until its expiry) and its open
 * step attempt marked abandoned. The run's kind decides what a step that cannot simply resume
 * becomes (a logical restore step: interrupted; a swap: resolved by inspecting the databases);
 * everything else is sent to a worker again to resume. Every worker runs this every few seconds.
 */
export async function sweepLapsedRuns({ ctx }: { ctx: ClientCtx<null> }, result: SweepResult = emptyResult()): Promise<SweepResult> {
  const { db } = ctx;
  const owner = `sweeper:${randomUUID()}`;
  for (const { id, jobId } of await findLapsedRuns(db)) {
    if (!(await takeLapsedRun(db, id, owner))) continue;
    try {
      if (jobId) await failJob(restoreRunQueue, jobId, "The worker running this job stopped renewing its run's lease.");
      await db.restoreStepAttempt.updateMany({
        where: { runId: id, outcome: null },
        data: { outcome: "abandoned", finishedAt: new Date() },
      });
      const run = await db.restoreRun.findUniqueOrThrow({ where: { id }, include: { steps: { orderBy: { position: "asc" } } } });
      const step = stepAt(run.steps);
      const settled = step ? await runKindOf(run.kind).settleLapsed?.(db, run, step, owner) : null;
      if (settled === "interrupted") result.interrupted.push(id);
      else if (settled) result.swapResolved.push({ runId: id, outcome: settled });
      else {
        await releaseLease(db, id, owner);
        await appendRunEvent(db, id, "sweeper", { action: "resumed", step: step?.name ?? null });
        await audit(db, run, "restore.resume", { step: step?.name ?? null });
        await enqueueJob(restoreRunQueue, { runId: id });
        result.resumed.push(id);
      }
    } catch (error) {
      // Leave the run to the next sweep (our lease lapses); the target is never touched blindly.
      console.error(`[restore-sweeper] could not settle run ${id}`, error);
      await releaseLease(db, id, owner);
    }
  }
  return result;
}

/**
 * Housekeeping, once a minute: lapsed runs (as above), queued runs whose job was lost, target
 * locks left by a rollback whose process died, and leftovers past the environment's retention.
 */
export async function sweepRestoreRuns({ ctx }: { ctx: ClientCtx<null> }): Promise<SweepResult> {
  const { db } = ctx;
  const result = await sweepLapsedRuns({ ctx });
  const lost = await db.restoreRun.findMany({
    where: { status: "queued", createdAt: { lt: new Date(Date.now() - REQUEUE_QUEUED_AFTER_MS) } },
    select: { id: true },
  });
  for (const { id } of lost) {
    await enqueueJob(restoreRunQueue, { runId: id });
    result.requeued.push(id);
  }

  await releaseStaleLocks(db, result);
  await expireRestoredCopies(ctx, result);
  return result;
}

/**
 * Logical restores leave copies behind on purpose (the database a swap replaced, a copy that
 * failed validation) for rollback and inspection; after the environment's retention period they
 * are dropped as if a person had pressed Clean up. A copy someone is still connected to is kept.
 */
async function expireRestoredCopies(ctx: ClientCtx<null>, result: SweepResult): Promise<void> {
  const { db } = ctx;
  for (const environment of loadConfig().config.environments) {
    const cutoff = new Date(Date.now() - environment.retention.restoredCopiesDays * 86_400_000);
    const due = await db.restoreRun.findMany({
      where: {
        environment: environment.name,
        kind: { in: EXPIRING_KINDS },
        status: { notIn: [...ACTIVE_STATUSES] },
        finishedAt: { lt: cutoff },
        steps: { some: { name: "cleanup", status: { not: "succeeded" } } },
      },
      select: { id: true },
      take: 20,
    });
    for (const { id } of due) {
      try {
        await cleanupRestore({ ctx: { ...ctx, requestId: `retention:${id}` }, input: { runId: id } });
        result.expired.push(id);
      } catch (error) {
        console.warn(
          `[restore-sweeper] kept the leftovers of run ${id} past retention: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
