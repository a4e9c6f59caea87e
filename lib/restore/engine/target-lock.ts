import type { Prisma } from "@/lib/generated/prisma/client";
import { ConflictError } from "@/lib/errors";

/**
 * Takes the target for `runId` inside the caller's transaction. The primary key (environment,
 * target) is the guard, not a check-then-act: of two simultaneous requests one inserts, the other
 * waits for it to commit and then gets a ConflictError naming the run that holds the target.
 */
export async function acquireTargetLock(
  tx: Prisma.TransactionClient,
  lock: { environment: string; targetName: string; runId: string },
): Promise<void> {
  const inserted = await tx.$executeRaw`
    INSERT INTO restore_target_locks (environment, target_name, run_id)
    VALUES (${lock.environment}, ${lock.targetName}, ${lock.runId}::uuid)
    ON CONFLICT (environment, target_name) DO NOTHING`;
  if (inserted === 1) return;
  const holder = await tx.restoreTargetLock.findUnique({
    where: { environment_targetName: { environment: lock.environment, targetName: lock.targetName } },
    include: { run: { select: { id: true, status: true, requestedByEmail: true, createdAt: true, startedAt: true } } },
  });
  // Released between our insert and this read: still a lost race, and asking again will work.
  if (!holder) throw new ConflictError(`Target ${lock.targetName} was busy a moment ago; try again.`);
  const { run } = holder;
  const doing = run.status === "succeeded" ? "being rolled back" : "being restored";
  throw new ConflictError(
    `Target ${lock.targetName} is ${doing} by run ${run.id} started by ${run.requestedByEmail} at ${(run.startedAt ?? run.createdAt).toISOString()}. ` +
      "Wait for it to finish or cancel it first.",
    { details: { runId: run.id, status: run.status, requestedByEmail: run.requestedByEmail } },
  );
}
