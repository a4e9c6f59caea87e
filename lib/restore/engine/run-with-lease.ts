import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { reportRunEvidence } from "./report-run-evidence";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { Db } from "@/lib/db/client";
import { ConfigurationError } from "@/lib/errors";
import type { Prisma, RestoreRun, RestoreStep } from "@/lib/generated/prisma/client";
import type { AdminTarget } from "@/lib/providers/postgres/admin";
import { STEP_TIMEOUTS_MS, type LogicalRestorePlan, type StepName } from "../logical/plan";
import type { PitrStepName } from "../pitr/plan";
import { preflightStep, renameStep, restoreStep, swapStep, validateStep, type StepContext } from "../logical/steps";
import { adminTargetFor, findRestoreTarget, secretsOf } from "../restore-target";
import { RunAbortedError, runStep, StepDeferredError, type AbortKind } from "./step-runner";
import { transitionRun } from "./transition-run";
import { findUnacceptedBlockingFailures } from "../validation/blocking-failures";
import { ADVICE, describeFailure } from "./troubleshooting";
import { appendRunEvent } from "./events";

/** A lease the worker renews while it works; once it lapses, the sweeper may act on the run. */
export const LEASE_MS = 30_000;
export const RENEW_EVERY_MS = 10_000;
/** How soon a running step notices a cancel request. */
export const CANCEL_POLL_MS = 1_000;
/** Progress is written to the run (and as an event) at most this often. */
export const PROGRESS_EVERY_MS = 500;

export interface RunnerOptions {
  /** The lease owner: unique per worker and job. */
  workerId: string;
  /** The worker is shutting down. */
  signal?: AbortSignal;
  leaseMs?: number;
  renewEveryMs?: number;
  cancelPollMs?: number;
  stepTimeoutsMs?: Partial<Record<StepName | PitrStepName, number>>;
}

export type RunOutcome = "not-claimed" | "awaiting-swap" | "succeeded" | "failed" | "cancelled" | "interrupted" | "released" | "lease-lost";

export const INTERRUPTED_MESSAGE = "The worker stopped during the restore; the target was not touched and the partial scratch database was dropped. Start the restore again.";

/**
 * Takes the run if it is queued, or running with a lapsed lease at a step that may be resumed.
 * A logical run whose restore step was running is never taken over: streaming cannot resume
 * mid-way, so the sweeper ends it as interrupted instead. (A PITR restore step adopts what it
 * started, so it resumes.)
 */
async function claimRun(db: Db, runId: string, workerId: string, leaseMs: number): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<Array<{ status: string; expired: boolean; restore_running: boolean }>>`
      SELECT r.status,
             (r.lease_expires_at IS NULL OR r.lease_expires_at < now()) AS expired,
             r.kind = 'logical' AND EXISTS (SELECT 1 FROM restore_steps s WHERE s.run_id = r.id AND s.name = 'restore' AND s.status = 'running') AS restore_running
        FROM restore_runs r WHERE r.id = ${runId}::uuid FOR UPDATE`;
    if (!row) return false;
    if (row.status === "queued") await transitionRun(tx, runId, ["queued"], "running", { startedAt: new Date() });
    else if (!(row.status === "running" && row.expired && !row.restore_running)) return false;
    await tx.$executeRaw`
      UPDATE restore_runs SET lease_owner = ${workerId}, lease_expires_at = now() + ${leaseMs}::int * interval '1 millisecond'
       WHERE id = ${runId}::uuid`;
    return true;
  });
}

/** Renews the lease and watches for a cancel request; aborts the run's signal when either says stop. */
class LeaseKeeper {
  private readonly controller = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private lastRenewed = Date.now();
  private readonly onShutdown = () => this.abort("shutdown");

  constructor(
    private readonly db: Db,
    private readonly runId: string,
    private readonly owner: string,
    private readonly leaseMs: number,
    renewEveryMs: number,
    pollMs: number,
    private readonly shutdown: AbortSignal | undefined,
  ) {
    if (shutdown?.aborted) this.abort("shutdown");
    shutdown?.addEventListener("abort", this.onShutdown, { once: true });
    this.timers.push(setInterval(() => void this.renew(), renewEveryMs), setInterval(() => void this.poll(), pollMs));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(kind: AbortKind): void {
    if (!this.controller.signal.aborted) this.controller.abort(new RunAbortedError(kind));
  }

  private async renew(): Promise<void> {
    try {
      const renewed = await this.db.$executeRaw`
        UPDATE restore_runs SET lease_expires_at = now() + ${this.leaseMs}::int * interval '1 millisecond'
         WHERE id = ${this.runId}::uuid AND lease_owner = ${this.owner} AND status = 'running'`;
      if (renewed === 0) this.abort("lease-lost");
      else this.lastRenewed = Date.now();
    } catch (error) {
      console.error(`[restore ${this.runId}] could not renew the lease`, error);
      // Past the lease the sweeper may act: stop before two processes work on one run.
      if (Date.now() - this.lastRenewed > this.leaseMs) this.abort("lease-lost");
    }
  }

  async poll(): Promise<void> {
    try {
      const run = await this.db.restoreRun.findUnique({ where: { id: this.runId }, select: { cancelRequestedAt: true, leaseOwner: true } });
      if (run?.cancelRequestedAt) this.abort("cancelled");
      else if (run?.leaseOwner !== this.owner) this.abort("lease-lost");
    } catch (error) {
      console.error(`[restore ${this.runId}] could not check for a cancel request`, error);
    }
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.shutdown?.removeEventListener("abort", this.onShutdown);
  }
}

const STEP_BODIES: Record<Exclude<StepName, "cleanup">, (c: StepContext, signal: AbortSignal) => Promise<Prisma.InputJsonValue>> = {
  preflight: preflightStep,
  restore: restoreStep,
  validate: validateStep,
  swap: swapStep,
  rename: (c) => renameStep(c),
};

export interface Finish {
  to: "succeeded" | "failed" | "cancelled" | "interrupted";
  data?: Omit<Prisma.RestoreRunUpdateManyMutationInput, "status">;
  action: string;
  payload?: Record<string, unknown>;
}

/** The run's last move, its lock released, remaining steps marked skipped, and the audit record, in one transaction. */
export async function finishRun(db: Db, run: RestoreRun, owner: string, finish: Finish): Promise<void> {
  await db.$transaction(async (tx) => {
    await transitionRun(tx, run.id, ["running"], finish.to, finish.data, { leaseOwner: owner });
    if (finish.to !== "succeeded") {
      await tx.restoreStep.updateMany({ where: { runId: run.id, status: "pending", name: { not: "cleanup" } }, data: { status: "skipped" } });
    }
    await recordAuditEvent(tx, {
      actor: SYSTEM,
      action: finish.action,
      outcome: finish.to === "succeeded" ? "ok" : "failed",
      subject: { type: "restore-run", id: run.id },
      payload: { environment: run.environment, target: run.targetName, targetDatabase: run.targetDatabase, ...finish.payload },
      requestId: run.id,
    });
  });
  await reportRunEvidence(db, {
    runId: run.id,
    environment: run.environment,
    kind: "restore-finished",
    outcome: finish.to === "succeeded" ? "succeeded" : "failed",
    description: `Restore of ${run.targetName} ${finish.to}`,
  });
}

/**
 * The worker's side of a logical restore: claims the run with a lease, runs its steps in order
 * (a succeeded step is never repeated), stops at awaiting-swap until a person confirms, and ends
 * the run — releasing the target — on success, failure, cancel or interruption.
 */
export async function runLogicalRestore({
  ctx,
  input,
  options,
}: {
  ctx: { db: Db };
  input: { runId: string };
  options: RunnerOptions;
}): Promise<RunOutcome> {
  return runWithLease(ctx.db, input.runId, options, drive);
}

/** A run's steps, driven by the worker that holds its lease; `signal` fires on cancel, shutdown or a lost lease. */
export type DriveRun = (db: Db, runId: string, owner: string, signal: AbortSignal, options: RunnerOptions) => Promise<RunOutcome>;

/** Claims the run, keeps its lease (and watches for a cancel) while `driveRun` works, for any kind of run. */
export async function runWithLease(db: Db, runId: string, options: RunnerOptions, driveRun: DriveRun): Promise<RunOutcome> {
  const owner = options.workerId;
  const leaseMs = options.leaseMs ?? LEASE_MS;
  if (!(await claimRun(db, runId, owner, leaseMs))) return "not-claimed";
  const keeper = new LeaseKeeper(db, runId, owner, leaseMs, options.renewEveryMs ?? RENEW_EVERY_MS, options.cancelPollMs ?? CANCEL_POLL_MS, options.signal);
  try {
    // A cancel that arrived while the run was queued is honoured before any step starts.
    await keeper.poll();
    return await driveRun(db, runId, owner, keeper.signal, options);
  } finally {
    keeper.stop();
  }
}

async function drive(db: Db, runId: string, owner: string, signal: AbortSignal, options: RunnerOptions): Promise<RunOutcome> {
  const run = await db.restoreRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } } } });
  const plan = run.plan as unknown as LogicalRestorePlan;
  let admin: AdminTarget;
  let context: StepContext;
  try {
    const environment = resolveEnvironment(run.environment);
    const target = findRestoreTarget(environment, run.targetName);
    if (target.database !== run.targetDatabase || target.host !== plan.target.host || target.port !== plan.target.port) {
      throw new ConfigurationError(`The configuration of target ${target.name} changed since this restore was planned (it now points at ${target.host}:${target.port}/${target.database}). Start a new restore.`);
    }
    admin = await adminTargetFor(target);
    context = { db, run, plan, environment, target, admin, workerId: owner, progressEveryMs: PROGRESS_EVERY_MS };
  } catch (error) {
    const described = describeFailure(error);
    await finishRun(db, run, owner, { to: "failed", data: { error: described.error, errorDetail: described.detail, troubleshooting: described.troubleshooting }, action: "restore.failed" });
    return "failed";
  }
  const secrets = secretsOf(admin);

  let current: RestoreStep | undefined;
  try {
    for (const step of run.steps) {
      if (step.name === "cleanup" || step.status === "succeeded") continue;
      current = step;
      // Blocking validation failures hold the copy back from the target name (swap) and from
      // its new name alike, until an admin accepts them with a reason.
      const blocking = step.name === "swap" || step.name === "rename" ? await findUnacceptedBlockingFailures(db, run.id) : [];
      if ((step.name === "swap" && !run.swapConfirmedAt) || blocking.length > 0) {
        await db.$transaction(async (tx) => {
          await transitionRun(
            tx,
            run.id,
            ["running"],
            "awaiting-swap",
            { leaseOwner: null, leaseExpiresAt: null, ...(blocking.length > 0 ? { swapConfirmedAt: null, swapConfirmedByEmail: null, swapTerminateSessions: false } : {}) },
            { leaseOwner: owner },
          );
          await recordAuditEvent(tx, {
            actor: SYSTEM,
            action: "restore.awaiting-swap",
            subject: { type: "restore-run", id: run.id },
            payload: { environment: run.environment, target: run.targetName, scratchDatabase: run.scratchDatabase, blockingFailures: blocking.map((f) => f.name) },
            requestId: run.id,
          });
        });
        return "awaiting-swap";
      }
      const name = step.name as Exclude<StepName, "cleanup">;
      if (name === "restore") {
        await reportRunEvidence(db, { runId: run.id, environment: run.environment, kind: "restore-running", description: `Restoring into ${run.scratchDatabase}` });
      }
      await runStep({
        db,
        runId: run.id,
        step,
        timeoutMs: options.stepTimeoutsMs?.[name] ?? STEP_TIMEOUTS_MS[name],
        signal,
        secrets,
        execute: (stepSignal) => STEP_BODIES[name](context, stepSignal),
      });
      if (name === "validate" && (await db.restoreRun.findUniqueOrThrow({ where: { id: run.id }, select: { validationPassed: true } })).validationPassed) {
        await reportRunEvidence(db, { runId: run.id, environment: run.environment, kind: "validation-passed", description: "Validation of the restored copy passed" });
      }
    }
    await finishRun(db, run, owner, {
      to: "succeeded",
      data: { error: null, errorDetail: null, troubleshooting: null },
      action: "restore.succeeded",
      payload: { mode: run.mode, newDatabaseName: run.newDatabaseName },
    });
    return "succeeded";
  } catch (error) {
    return settleFailure(db, run, owner, current, error, secrets);
  }
}

async function settleFailure(db: Db, run: RestoreRun, owner: string, step: RestoreStep | undefined, error: unknown, secrets: readonly string[]): Promise<RunOutcome> {
  if (error instanceof RunAbortedError) {
    if (error.kind === "lease-lost") return "lease-lost";
    if (error.kind === "shutdown") {
      if (step?.name !== "restore") {
        // Resumable (or, for a swap, resolvable by inspection): hand the run back for the sweeper.
        await db.$executeRaw`UPDATE restore_runs SET lease_owner = NULL, lease_expires_at = now() WHERE id = ${run.id}::uuid AND lease_owner = ${owner}`;
        return "released";
      }
      // The restore step dropped its scratch database on the way out.
      await db.restoreStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt: new Date(), error: INTERRUPTED_MESSAGE } });
      await finishRun(db, run, owner, {
        to: "interrupted",
        data: { error: INTERRUPTED_MESSAGE, troubleshooting: ADVICE.interrupted },
        action: "restore.interrupted",
        payload: { step: step.name, reason: "worker shutdown" },
      });
      return "interrupted";
    }
    const keptScratch = step?.name === "validate" || step?.name === "swap" || step?.name === "rename";
    await finishRun(db, run, owner, {
      to: "cancelled",
      data: {
        error: `Cancelled during ${step?.name ?? "start-up"}. The target was not touched.${keptScratch ? ` The restored copy ${run.scratchDatabase} is kept until you clean it up.` : ""}`,
      },
      action: "restore.cancelled",
      payload: { step: step?.name ?? null },
    });
    return "cancelled";
  }
  if (error instanceof StepDeferredError) {
    await db.$transaction(async (tx) => {
      await transitionRun(
        tx,
        run.id,
        ["running"],
        "awaiting-swap",
        { error: error.message, swapConfirmedAt: null, swapConfirmedByEmail: null, swapTerminateSessions: false, leaseOwner: null, leaseExpiresAt: null },
        { leaseOwner: owner },
      );
      await appendRunEvent(tx, run.id, "swap", { deferred: true, message: error.message, ...error.details });
    });
    return "awaiting-swap";
  }
  const described = describeFailure(error, secrets);
  // The failure's kind (e.g. dump-refused) makes a refused dump findable in the audit log.
  const failure = (error as { failure?: unknown } | null)?.failure;
  await finishRun(db, run, owner, {
    to: "failed",
    data: { error: described.error, errorDetail: described.detail, troubleshooting: described.troubleshooting },
    action: "restore.failed",
    payload: { step: step?.name ?? null, error: described.error, ...(typeof failure === "string" ? { failure } : {}) },
  });
  return "failed";
}
