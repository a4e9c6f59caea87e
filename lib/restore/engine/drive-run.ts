import type { Db } from "@/lib/db/client";
import type { RestoreStep } from "@/lib/generated/prisma/client";
import type { PreparedRun, RunKindDefinition } from "./kind";
import { CANCEL_POLL_MS, claimRun, LEASE_MS, LeaseKeeper, RENEW_EVERY_MS } from "./lease";
import { failBeforeSteps, finishRun, holdForPerson, settleStop, type RunOutcome } from "./settlement";
import { runStep } from "./step-runner";
import { readStoredPlan } from "./stored-plan";

/** Progress is written to the run (and as an event) at most this often. */
export const PROGRESS_EVERY_MS = 500;

export interface RunnerOptions {
  /** The lease owner: unique per worker and job. */
  workerId: string;
  /** The pg-boss job this worker runs the run in (null when called directly). */
  jobId?: string | null;
  /** The worker is shutting down. */
  signal?: AbortSignal;
  leaseMs?: number;
  renewEveryMs?: number;
  cancelPollMs?: number;
  stepTimeoutsMs?: Partial<Record<string, number>>;
}

/**
 * The one step interpreter, for every kind of run: claims the run with a lease, keeps the lease
 * (and watches for a cancel) while it runs the kind's steps in order (a succeeded step never runs
 * again), stops for a person where the kind asks, and settles the run however it stops.
 */
export async function driveRun<P, C>(db: Db, runId: string, kind: RunKindDefinition<P, C>, options: RunnerOptions): Promise<RunOutcome> {
  const owner = options.workerId;
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const claimed = await claimRun(db, { runId, owner, leaseMs, jobId: options.jobId ?? null, resumable: (step) => kind.resumable(step) });
  if (!claimed) return "not-claimed";
  const keeper = new LeaseKeeper(
    db,
    runId,
    owner,
    leaseMs,
    options.renewEveryMs ?? RENEW_EVERY_MS,
    options.cancelPollMs ?? CANCEL_POLL_MS,
    options.signal,
  );
  try {
    // A cancel that arrived while the run was queued is honoured before any step starts.
    await keeper.poll();
    return await runSteps(db, runId, owner, kind, keeper.signal, options);
  } finally {
    keeper.stop();
  }
}

async function runSteps<P, C>(
  db: Db,
  runId: string,
  owner: string,
  kind: RunKindDefinition<P, C>,
  signal: AbortSignal,
  options: RunnerOptions,
): Promise<RunOutcome> {
  const run = await db.restoreRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } } } });
  let plan: P;
  let prepared: PreparedRun<C>;
  try {
    plan = readStoredPlan(run, kind);
    prepared = await kind.prepare({ db, run, plan, owner });
  } catch (error) {
    return failBeforeSteps(db, run, owner, kind, error);
  }

  let current: RestoreStep | undefined;
  try {
    for (const step of run.steps) {
      const body = kind.steps[step.name];
      if (!body || step.status === "succeeded") continue;
      current = step;
      const hold = await kind.holdBefore?.(db, run, step);
      if (hold) {
        await prepared.flush?.();
        return await holdForPerson(db, run, owner, kind, hold);
      }
      await kind.beforeStep?.(db, run, step, plan);
      const timeoutMs = options.stepTimeoutsMs?.[step.name] ?? kind.stepTimeoutsMs[step.name];
      if (timeoutMs === undefined) throw new Error(`The ${kind.kind} kind has no time limit for its ${step.name} step.`);
      await runStep({
        db,
        runId,
        step,
        owner,
        timeoutMs,
        signal,
        secrets: prepared.secrets,
        execute: (stepSignal) => body(prepared.context, stepSignal, timeoutMs),
      });
      await kind.afterStep?.(db, run, step, plan);
    }
    await prepared.flush?.();
    await finishRun(db, run, owner, {
      to: "succeeded",
      data: { error: null, errorDetail: null, troubleshooting: null },
      action: `${kind.auditPrefix}.succeeded`,
      payload: kind.succeededPayload(run, prepared.context),
    });
    return "succeeded";
  } catch (error) {
    await prepared.flush?.();
    const { onStopped } = kind;
    return settleStop({
      db,
      run,
      owner,
      kind,
      plan,
      step: current,
      error,
      secrets: prepared.secrets,
      ...(onStopped && {
        beforeEnd: (to) =>
          onStopped(prepared.context, to).catch((stopError: unknown) =>
            console.error(`[restore ${runId}] the ${kind.kind} kind's clean-up after a stop failed`, stopError),
          ),
      }),
    });
  }
}
