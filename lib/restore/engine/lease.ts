import type { Db, DbOrTx } from "@/lib/db/client";
import { transitionRun } from "./transition-run";

// The lease protocol, in one place. A worker holds a run while `lease_owner` names it and
// `lease_expires_at` is in the future; it renews every few seconds. Once the lease lapses, the
// sweeper (any worker's) may take the run over, and a worker that notices it lost the lease stops
// before writing anything. Every statement is guarded by the owner, so of two processes one acts.

/** A worker renews its lease this often and holds it this long. */
export const LEASE_MS = 30_000;
export const RENEW_EVERY_MS = 10_000;
/** How soon a running step notices a cancel request or a lost lease. */
export const CANCEL_POLL_MS = 1_000;
/** How long the sweeper holds a run while it decides (it acts in seconds). */
export const SWEEPER_LEASE_MS = 2 * 60_000;

/** Why a run's work was stopped from outside a step. */
export type AbortKind = "cancelled" | "shutdown" | "lease-lost";

export class RunAbortedError extends Error {
  constructor(readonly kind: AbortKind) {
    super(
      kind === "cancelled"
        ? "The restore was cancelled."
        : kind === "shutdown"
          ? "The worker is shutting down."
          : "Another process took over this run (its lease lapsed).",
    );
    this.name = "RunAbortedError";
  }
}

/**
 * Takes the run if it is queued, or running with a lapsed lease at a step that may be resumed
 * (`resumable` says which; a run whose running step cannot resume is left to the sweeper, which
 * ends it). Records the pg-boss job holding it, so the sweeper can fail that job if the worker dies.
 */
export async function claimRun(
  db: Db,
  args: { runId: string; owner: string; leaseMs: number; jobId: string | null; resumable: (step: string) => boolean },
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<Array<{ status: string; expired: boolean; running_step: string | null }>>`
      SELECT r.status,
             (r.lease_expires_at IS NULL OR r.lease_expires_at < now()) AS expired,
             (SELECT s.name FROM restore_steps s WHERE s.run_id = r.id AND s.status = 'running' LIMIT 1) AS running_step
        FROM restore_runs r WHERE r.id = ${args.runId}::uuid FOR UPDATE`;
    if (!row) return false;
    if (row.status === "queued") await transitionRun(tx, args.runId, ["queued"], "running", { startedAt: new Date() });
    else if (!(row.status === "running" && row.expired && (row.running_step === null || args.resumable(row.running_step)))) return false;
    await tx.$executeRaw`
      UPDATE restore_runs SET lease_owner = ${args.owner}, lease_job_id = ${args.jobId},
             lease_expires_at = now() + ${args.leaseMs}::int * interval '1 millisecond'
       WHERE id = ${args.runId}::uuid`;
    return true;
  });
}

/** Extends the lease; false when this owner no longer holds a running run. */
export async function renewLease(db: Db, runId: string, owner: string, leaseMs: number): Promise<boolean> {
  const renewed = await db.$executeRaw`
    UPDATE restore_runs SET lease_expires_at = now() + ${leaseMs}::int * interval '1 millisecond'
     WHERE id = ${runId}::uuid AND lease_owner = ${owner} AND status = 'running'`;
  return renewed > 0;
}

/** Hands the run back at once (the lease lapses now), so the sweeper sends it to a worker again. */
export async function releaseLease(db: DbOrTx, runId: string, owner: string): Promise<void> {
  await db.$executeRaw`UPDATE restore_runs SET lease_owner = NULL, lease_job_id = NULL, lease_expires_at = now() WHERE id = ${runId}::uuid AND lease_owner = ${owner}`;
}

/** Running runs whose worker stopped renewing, or that have waited a minute for a first worker (their job was lost). */
export async function findLapsedRuns(db: Db): Promise<Array<{ id: string; jobId: string | null }>> {
  return db.$queryRaw<Array<{ id: string; jobId: string | null }>>`
    SELECT id::text AS id, lease_job_id AS "jobId" FROM restore_runs
     WHERE status = 'running'
       AND (lease_expires_at < now()
            OR (lease_expires_at IS NULL AND coalesce(swap_confirmed_at, started_at, created_at) < now() - interval '1 minute'))`;
}

/** The sweeper takes a lapsed run for itself first: of two sweepers (or a sweeper and a worker), one acts. */
export async function takeLapsedRun(db: Db, runId: string, owner: string): Promise<boolean> {
  const taken = await db.$executeRaw`
    UPDATE restore_runs SET lease_owner = ${owner}, lease_job_id = NULL,
           lease_expires_at = now() + ${SWEEPER_LEASE_MS}::int * interval '1 millisecond'
     WHERE id = ${runId}::uuid AND status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now())`;
  return taken > 0;
}

/** Is `owner` still the run's lease holder, with a lease that has not lapsed? Checked before a step starts. */
export async function holdsLease(db: DbOrTx, runId: string, owner: string): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ held: boolean }>>`
    SELECT (lease_owner = ${owner} AND lease_expires_at > now()) AS held FROM restore_runs WHERE id = ${runId}::uuid`;
  return row?.held === true;
}

/** Renews the lease and watches for a cancel request; aborts the run's signal when either says stop. */
export class LeaseKeeper {
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
    this.timers.push(
      setInterval(() => void this.renew(), renewEveryMs),
      setInterval(() => void this.poll(), pollMs),
    );
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(kind: AbortKind): void {
    if (!this.controller.signal.aborted) this.controller.abort(new RunAbortedError(kind));
  }

  private async renew(): Promise<void> {
    try {
      if (await renewLease(this.db, this.runId, this.owner, this.leaseMs)) this.lastRenewed = Date.now();
      else this.abort("lease-lost");
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
