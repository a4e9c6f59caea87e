import type { DbOrTx } from "@/lib/db/client";
import { ConflictError, NotFoundError } from "@/lib/errors";
import type { DatabaseEndpoint } from "@/lib/providers/postgres/endpoint-connection";
import { readLogicalPlan } from "../read-plan";
import { adminTargetForRun } from "../restore-target";

/** A run whose restored copy can be compared with live: a finished logical restore into a new database. */
export interface ComparableRun {
  id: string;
  environment: string;
  targetName: string;
  liveDatabase: string;
  restoredDatabase: string;
  /** The chosen tables of a selective restore ("schema.table"), or null for a whole dump. */
  selection: string[] | null;
}

export async function findComparableRun(db: DbOrTx, runId: string): Promise<ComparableRun> {
  const run = await db.restoreRun.findUnique({ where: { id: runId } });
  if (!run) throw new NotFoundError("That restore run does not exist.");
  if (run.kind !== "logical" || run.mode !== "new-database" || !run.newDatabaseName) {
    throw new ConflictError(
      "Rows can be compared only with a restore into a new database: restore the tables you need into a new database first, then compare them with live.",
    );
  }
  if (run.status !== "succeeded") {
    throw new ConflictError(`This restore has not finished (it is ${run.status}); rows can be compared once it succeeded.`);
  }
  return {
    id: run.id,
    environment: run.environment,
    targetName: run.targetName,
    liveDatabase: run.targetDatabase,
    restoredDatabase: run.newDatabaseName,
    selection: readLogicalPlan(run).selection?.tables ?? null,
  };
}

/** The restored copy and the live database, on the run's target, as its configured user. Never log these. */
export async function endpointsOf(run: Pick<ComparableRun, "environment" | "targetName" | "liveDatabase" | "restoredDatabase">) {
  const admin = await adminTargetForRun(run);
  const restored: DatabaseEndpoint = { ...admin.connection, database: run.restoredDatabase };
  const live: DatabaseEndpoint = { ...admin.connection, database: run.liveDatabase };
  return { admin, restored, live };
}
