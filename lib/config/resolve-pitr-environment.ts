import { loadConfig } from "@/lib/config/load-config";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { EnvironmentConfig, PitrSource } from "@/lib/config/schema";
import type { DbOrTx } from "@/lib/db/client";
import { BadRequestError, NotFoundError } from "@/lib/errors";
import { PITR_TARGET_NAME, type PitrIncidentView } from "../restore/pitr/plan";

/** The environment and its PITR source; an environment without one is a clear 400. */
export function resolvePitrEnvironment(name?: string | null): { environment: EnvironmentConfig; source: PitrSource } {
  const environment = resolveEnvironment(name);
  if (!environment.pitr) {
    throw new BadRequestError(
      `Environment ${environment.name} has no point-in-time recovery source. Add a pitr section (provider aws or local) to it in the configuration file.`,
    );
  }
  return { environment, source: environment.pitr };
}

/** Names of the environments that can be restored to a point in time, the default first. */
export function pitrEnvironmentNames(): string[] {
  const { config } = loadConfig();
  const names = config.environments.filter((e) => e.pitr).map((e) => e.name);
  return names.sort((a, b) => Number(b === config.defaultEnvironment) - Number(a === config.defaultEnvironment));
}

/** The incident a restore answers: it must exist and belong to the same environment. */
export async function findPitrIncident(db: DbOrTx, incidentId: string | undefined, environment: string): Promise<PitrIncidentView | null> {
  if (!incidentId) return null;
  const incident = await db.incident.findUnique({ where: { id: incidentId }, select: { id: true, title: true, environment: true, startedAt: true, lastKnownGoodAt: true } });
  if (!incident) throw new NotFoundError("That incident does not exist.");
  if (incident.environment !== environment) {
    throw new BadRequestError(`Incident “${incident.title}” is in ${incident.environment}, not ${environment}: restore ${incident.environment} for it.`);
  }
  return { id: incident.id, title: incident.title, startedAt: incident.startedAt.toISOString(), lastKnownGoodAt: incident.lastKnownGoodAt?.toISOString() ?? null };
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
