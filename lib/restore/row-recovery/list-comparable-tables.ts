import "server-only";
import type { Ctx } from "@/lib/db/ctx";
import { ConflictError } from "@/lib/errors";
import { databaseExists } from "@/lib/providers/postgres/admin";
import { listTableShapes, refusalFor } from "@/lib/providers/postgres/row-compare";
import { qualifiedName } from "@/lib/providers/postgres/row-compare-model";
import { endpointsOf, findComparableRun } from "./find-comparable-run";
import type { ComparableTable } from "./model";

/** The tables of a run's restored copy a person may compare with live, read from the copy itself. */
export async function listComparableTables({ ctx, input }: { ctx: Ctx; input: { runId: string } }): Promise<ComparableTable[]> {
  const run = await findComparableRun(ctx.db, input.runId);
  const { admin, restored } = await endpointsOf(run);
  if (!(await databaseExists(admin, run.restoredDatabase))) {
    throw new ConflictError(
      `The restored database ${run.restoredDatabase} is gone (cleaned up or dropped); restore the tables again to compare them.`,
    );
  }
  const shapes = await listTableShapes(restored);
  const chosen = run.selection ? new Set(run.selection) : null;
  return shapes
    .filter((shape) => !chosen || chosen.has(qualifiedName(shape)))
    .map((shape) => ({
      schema: shape.schema,
      name: shape.name,
      primaryKey: shape.primaryKey,
      columns: shape.columns.map((c) => c.name),
      estimatedRows: shape.estimatedRows,
      refusal: refusalFor(shape, shape, "restored"),
    }));
}
