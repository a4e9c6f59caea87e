import { randomUUID } from "node:crypto";
import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { loadConfig } from "@/lib/config/load-config";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { Db, DbOrTx } from "@/lib/db/client";
import type { RestoreRun, RestoreStep } from "@/lib/generated/prisma/client";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { existingDatabases, type AdminTarget } from "@/lib/providers/postgres/admin";
import { dropScratch, inspectSwap } from "./logical/steps";
import { restoreRunJob } from "./restore-run-job";
import { adminTargetFor, findRestoreTarget } from "./restore-target";
import { cleanupRestore } from "./logical/cleanup-logical-restore";
import { appendRunEvent } from "./engine/events";
import { finishRun, INTERRUPTED_MESSAGE } from "./engine/run-with-lease";
import { ACTIVE_STATUSES } from "./engine/state";
import { transitionRun } from "./engine/transition-run";
import { ADVICE } from "./engine/troubleshooting";

/** How long the sweeper holds a run while it decides (it acts in seconds). */
const SWEEPER_LEASE_MS = 2 * 60_000;
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

async function adminFor(run: RestoreRun): Promise<AdminTarget> {
  return adminTargetFor(findRestoreTarget(resolveEnvironment(run.environment), run.targetName));
}

/** The step a dead worker was in: the running one, else the next automatic one (it died between steps). */
function stepAt(steps: readonly RestoreStep[]): RestoreStep | undefined {
  return steps.find((s) => s.status === "running") ?? steps.find((s) => s.name !== "cleanup" && s.status !== "succeeded");
}

async function audit(db: DbOrTx, run: RestoreRun, action: string, payload: Record<string, unknown>, outcome: "ok" | "failed" = "ok") {
  await recordAuditEvent(db, { actor: SYSTEM, action, outcome, subject: { type: "restore-run", id: run.id }, payload: { environment: run.environment, target: run.targetName, ...payload }, requestId: run.id });
}

/** Dead during the restore: streaming cannot resume, so the partial scratch is dropped and the run ends interrupted. */
async function interrupt(db: Db, run: RestoreRun, step: RestoreStep, owner: string): Promise<void> {
  let note = "";
  try {
    await dropScratch({ db, admin: await adminFor(run), run });
  } catch (error) {
    note = ` The scratch database ${run.scratchDatabase} could not be dropped (${error instanceof Error ? error.message : String(error)}); use Clean up.`;
  }
  await db.restoreStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt: new Date(), error: INTERRUPTED_MESSAGE } });
  await appendRunEvent(db, run.id, "sweeper", { action: "interrupted", step: step.name });
  await finishRun(db, run, owner, {
    to: "interrupted",
    data: { error: INTERRUPTED_MESSAGE + note, troubleshooting: ADVICE.interrupted },
    action: "restore.interrupted",
    payload: { step: step.name, reason: "lease expired", scratchDatabase: run.scratchDatabase },
  });
}

/**
 * Dead during the swap: the renames are one transaction, so the databases say exactly where it
 * stands. Done → the run succeeded. Not done → nothing changed: back to awaiting-swap for a fresh
 * confirmation (sessions may differ by now). Neither → a person must look; nothing is dropped.
 */
async function resolveSwap(db: Db, run: RestoreRun, step: RestoreStep, owner: string): Promise<SweepResult["swapResolved"][number]["outcome"]> {
  const { state } = await inspectSwap(await adminFor(run), { live: run.targetDatabase, scratch: run.scratchDatabase, previous: run.previousDatabase });
  await appendRunEvent(db, run.id, "sweeper", { action: "swap-inspected", state });
  if (state === "done") {
    await db.restoreStep.update({ where: { id: step.id }, data: { status: "succeeded", finishedAt: new Date(), output: { previousDatabase: run.previousDatabase, resolvedBySweeper: true } } });
    await finishRun(db, run, owner, { to: "succeeded", data: { error: null }, action: "restore.succeeded", payload: { resolvedBySweeper: true } });
    return "succeeded";
  }
  if (state === "ready") {
    const message = `The worker stopped before the swap completed; nothing was changed (${run.targetDatabase} is as it was, the restored copy is ${run.scratchDatabase}). Confirm the swap again.`;
    await db.$transaction(async (tx) => {
      await tx.restoreStep.update({ where: { id: step.id }, data: { status: "pending", startedAt: null, error: message } });
      await transitionRun(tx, run.id, ["running"], "awaiting-swap", { error: message, swapConfirmedAt: null, swapConfirmedByEmail: null, swapTerminateSessions: false, leaseOwner: null, leaseExpiresAt: null }, { leaseOwner: owner });
      await audit(tx, run, "restore.swap.reverted", { message });
    });
    return "awaiting-swap";
  }
  const message = `The worker stopped during the swap and neither ${run.scratchDatabase} nor ${run.previousDatabase ?? "a before-restore database"} is where it should be. Nothing was dropped; check the databases on the server.`;
  await db.restoreStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt: new Date(), error: message } });
  await finishRun(db, run, owner, { to: "failed", data: { error: message }, action: "restore.failed", payload: { step: "swap", reason: "lease expired" } });
  return "failed";
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
      const existing = await existingDatabases(await adminFor(run), [run.targetDatabase, run.rolledBackDatabase, run.previousDatabase]).catch(() => null);
      rolledBack = !!existing && existing.has(run.targetDatabase) && existing.has(run.rolledBackDatabase) && !existing.has(run.previousDatabase);
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
 * Finds runs whose worker stopped renewing its lease and settles each one deterministically:
 * logical restore step → interrupted (scratch dropped, target untouched); swap step → finished or
 * reverted by inspecting the databases; any other step, and every PITR step (the providers adopt
 * what the run already created) → sent to a worker again to resume.
 */
export async function sweepRestoreRuns({ ctx }: { ctx: { db: Db } }): Promise<SweepResult> {
  const { db } = ctx;
  const owner = `sweeper:${randomUUID()}`;
  const result: SweepResult = { interrupted: [], resumed: [], swapResolved: [], requeued: [], locksReleased: [], expired: [] };

  // No lease at all is normal for a moment (a confirmed swap waiting for a worker); for a minute, its job was lost.
  const stale = await db.$queryRaw<Array<{ id: string }>>`
    SELECT id::text AS id FROM restore_runs
     WHERE status = 'running'
       AND (lease_expires_at < now()
            OR (lease_expires_at IS NULL AND coalesce(swap_confirmed_at, started_at, created_at) < now() - interval '1 minute'))`;
  for (const { id } of stale) {
    // Taking the lease first: of two sweepers (or a sweeper and a worker), one acts.
    const taken = await db.$executeRaw`
      UPDATE restore_runs SET lease_owner = ${owner}, lease_expires_at = now() + ${SWEEPER_LEASE_MS}::int * interval '1 millisecond'
       WHERE id = ${id}::uuid AND status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now())`;
    if (taken === 0) continue;
    const run = await db.restoreRun.findUniqueOrThrow({ where: { id }, include: { steps: { orderBy: { position: "asc" } } } });
    const step = stepAt(run.steps);
    try {
      if (run.kind === "logical" && step?.name === "restore" && step.status === "running") {
        await interrupt(db, run, step, owner);
        result.interrupted.push(id);
      } else if (step?.name === "swap" && step.status === "running") {
        result.swapResolved.push({ runId: id, outcome: await resolveSwap(db, run, step, owner) });
      } else {
        await db.$executeRaw`UPDATE restore_runs SET lease_owner = NULL, lease_expires_at = now() WHERE id = ${id}::uuid AND lease_owner = ${owner}`;
        await appendRunEvent(db, id, "sweeper", { action: "resumed", step: step?.name ?? null });
        await audit(db, run, "restore.resume", { step: step?.name ?? null });
        await enqueueJob(restoreRunJob, { runId: id });
        result.resumed.push(id);
      }
    } catch (error) {
      // Leave the run to the next sweep (our lease lapses); the target is never touched blindly.
      console.error(`[restore-sweeper] could not settle run ${id}`, error);
      await db.$executeRaw`UPDATE restore_runs SET lease_owner = NULL, lease_expires_at = now() WHERE id = ${id}::uuid AND lease_owner = ${owner}`;
    }
  }

  const lost = await db.restoreRun.findMany({
    where: { status: "queued", createdAt: { lt: new Date(Date.now() - REQUEUE_QUEUED_AFTER_MS) } },
    select: { id: true },
  });
  for (const { id } of lost) {
    await enqueueJob(restoreRunJob, { runId: id });
    result.requeued.push(id);
  }

  await releaseStaleLocks(db, result);
  await expireRestoredCopies(db, result);
  return result;
}

/**
 * Logical restores leave copies behind on purpose (the database a swap replaced, a copy that
 * failed validation) for rollback and inspection; after the environment's retention period they
 * are dropped as if a person had pressed Clean up. A copy someone is still connected to is kept.
 */
async function expireRestoredCopies(db: Db, result: SweepResult): Promise<void> {
  for (const environment of loadConfig().config.environments) {
    const cutoff = new Date(Date.now() - environment.retention.restoredCopiesDays * 86_400_000);
    const due = await db.restoreRun.findMany({
      where: {
        environment: environment.name,
        kind: "logical",
        status: { notIn: [...ACTIVE_STATUSES] },
        finishedAt: { lt: cutoff },
        steps: { some: { name: "cleanup", status: { not: "succeeded" } } },
      },
      select: { id: true },
      take: 20,
    });
    for (const { id } of due) {
      try {
        await cleanupRestore({ ctx: { db, user: null, requestId: `retention:${id}` }, input: { runId: id } });
        result.expired.push(id);
      } catch (error) {
        console.warn(`[restore-sweeper] kept the leftovers of run ${id} past retention: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
