import type { DbOrTx } from "@/lib/db/client";
import { PITR_TARGET_NAME } from "./plan";

// What the app database says about an environment's point-in-time recovery: the run holding it.

export interface ActivePitrRun {
  id: string;
  status: string;
  requestedByEmail: string;
  createdAt: string;
}

/** The PITR run holding the environment right now, if any: starting another would be refused with 409. */
export async function activePitrRun(db: DbOrTx, environment: string): Promise<ActivePitrRun | null> {
  const lock = await db.restoreTargetLock.findUnique({
    where: { environment_targetName: { environment, targetName: PITR_TARGET_NAME } },
    include: { run: { select: { id: true, status: true, requestedByEmail: true, createdAt: true } } },
  });
  return lock ? { ...lock.run, createdAt: lock.run.createdAt.toISOString() } : null;
}
