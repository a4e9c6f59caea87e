import type { DbOrTx } from "@/lib/db/client";
import { BadRequestError, NotFoundError } from "@/lib/errors";
import type { PitrIncidentView } from "./pitr/plan";

/** The incident a restore (logical or point-in-time) answers: it must exist and belong to the same environment. */
export async function findRunIncident(db: DbOrTx, incidentId: string | undefined, environment: string): Promise<PitrIncidentView | null> {
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
