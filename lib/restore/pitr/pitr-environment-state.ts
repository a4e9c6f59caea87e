import { pitrEnvironmentNames, resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import type { DbOrTx } from "@/lib/db/client";
import { readPitrPlan } from "../read-plan";
import { globalDatabaseOf, pitrDrOf, type GlobalDatabaseConfigView, type PitrDrView, type PitrRegion } from "./dr";
import { PITR_TARGET_NAME } from "./plan";

// An environment's point-in-time recovery as the page needs it: where it can be recovered (from
// the configuration alone, so the DR region is offered while the primary does not answer) and
// the run holding it (from the app database).

export interface PitrEnvironmentView {
  name: string;
  /** The DR region a restore can run in; null when there is none to restore in. */
  dr: PitrDrView | null;
  /** An Aurora global database whose DR cluster can be promoted; null for every other source. */
  globalDatabase: GlobalDatabaseConfigView | null;
}

/** Every environment with a PITR source, the default first. */
export function pitrEnvironmentViews(): PitrEnvironmentView[] {
  return pitrEnvironmentNames().map((name) => {
    const { source } = resolvePitrEnvironment(name);
    return { name, dr: pitrDrOf(source), globalDatabase: globalDatabaseOf(source) };
  });
}

export interface ActivePitrRun {
  id: string;
  status: string;
  requestedByEmail: string;
  createdAt: string;
  /** Where it restores: one PITR run per environment, whichever the region. */
  region: PitrRegion;
}

/** The PITR run holding the environment right now (null: none): starting another would be refused with 409. */
export async function activePitrRun(db: DbOrTx, environment: string): Promise<ActivePitrRun | null> {
  const lock = await db.restoreTargetLock.findUnique({
    where: { environment_targetName: { environment, targetName: PITR_TARGET_NAME } },
    include: { run: { select: { id: true, kind: true, plan: true, status: true, requestedByEmail: true, createdAt: true } } },
  });
  if (!lock) return null;
  const { id, status, requestedByEmail, createdAt } = lock.run;
  return { id, status, requestedByEmail, createdAt: createdAt.toISOString(), region: readPitrPlan(lock.run).region ?? "primary" };
}
