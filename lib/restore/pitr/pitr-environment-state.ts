import type { DbOrTx } from "@/lib/db/client";
import { BadRequestError, NotFoundError } from "@/lib/errors";
import { PITR_TARGET_NAME, type PitrIncidentView } from "./plan";

// What the app database says about an environment's point-in-time recovery: the incident a
// restore answers, and the run holding the environment.

/** The incident a restore answers: it must exist and belong to the same environment. */
export async function findPitrIncident(db: DbOrTx, incidentId: string | undefined, environment: string): Promise<PitrIncidentView | null> {
  if (!incidentId) return null;
  const incident = await db.incident.findUnique({
    where: { id: incidentId },
    select: { id: true, title: true, environment: true, startedAt: true, lastKnownGoodAt: true },
  });
  if (!incident) throw new NotFoundError("That incident does not exist.");
  if (incident.environment !== environment) {
    throw new BadRequestError(
      `Incident “${incident.title}” is in ${incident.environment}, not ${environment}: restore ${incident.environment} for it.`,
    );
  }
  return {
    id: incident.id,
    title: incident.title,
    startedAt: incident.startedAt.toISOString(),
    lastKnownGoodAt: incident.lastKnownGoodAt?.toISOString() ?? null,
  };
}

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
