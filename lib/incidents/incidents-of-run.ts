import type { DbOrTx } from "@/lib/db/client";
import { INCIDENT_STATUSES, isActive } from "./state";

/**
 * The incidents a restore run's steps are told to: the environment's open or recovering ones
 * (where its evidence goes) and one declared from the run itself, whatever its status.
 */
export async function incidentsOfRun(tx: DbOrTx, run: { environment: string; runId: string }): Promise<string[]> {
  const incidents = await tx.incident.findMany({
    where: { OR: [{ environment: run.environment, status: { in: INCIDENT_STATUSES.filter(isActive) } }, { createdFromRunId: run.runId }] },
    select: { id: true },
  });
  return incidents.map((incident) => incident.id);
}
