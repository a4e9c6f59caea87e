import type { Prisma } from "@/lib/generated/prisma/client";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { appendRunEvent } from "./events";
import { canTransition, isTerminal, type RunStatus } from "./state";

export interface TransitionGuard {
  /** Only while this worker holds the run's lease (a worker that lost it must not write). */
  leaseOwner?: string;
}

/**
 * Moves a run from one of `from` to `to` with a guarded UPDATE (`WHERE status IN (...)`); a run
 * that is no longer in `from` is a ConflictError, never a silent overwrite. A move to a terminal
 * status releases the target lock and stamps finishedAt in the same transaction, so a run never
 * ends while still holding its target. The status change is also appended to the run's events.
 */
export async function transitionRun(
  tx: Prisma.TransactionClient,
  runId: string,
  from: readonly RunStatus[],
  to: RunStatus,
  data: Omit<Prisma.RestoreRunUpdateManyMutationInput, "status"> = {},
  guard: TransitionGuard = {},
): Promise<void> {
  const allowed = from.filter((status) => canTransition(status, to));
  if (allowed.length !== from.length) {
    throw new Error(`transitionRun: ${from.filter((s) => !allowed.includes(s)).join(", ")} → ${to} is not in the transition table`);
  }
  const terminal = isTerminal(to);
  const { count } = await tx.restoreRun.updateMany({
    where: { id: runId, status: { in: [...allowed] }, ...(guard.leaseOwner ? { leaseOwner: guard.leaseOwner } : {}) },
    data: {
      ...(terminal ? { finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null } : {}),
      ...data,
      status: to,
    },
  });
  if (count === 0) {
    const current = await tx.restoreRun.findUnique({ where: { id: runId }, select: { status: true, leaseOwner: true } });
    if (!current) throw new NotFoundError(`Restore run ${runId} does not exist.`);
    const reason = allowed.includes(current.status as RunStatus) ? "another worker has taken it over" : `it is ${current.status}`;
    throw new ConflictError(`Restore run ${runId} cannot become ${to}: ${reason}. Reload the run to see its current state.`, {
      details: { runId, status: current.status },
    });
  }
  // A succeeded run keeps nothing locked either: a rollback takes the lock again for its duration.
  if (terminal) await tx.restoreTargetLock.deleteMany({ where: { runId } });
  await appendRunEvent(tx, runId, "status", { to, from: allowed });
}
