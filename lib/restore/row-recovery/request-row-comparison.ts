import { z } from "zod";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { ClientCtx } from "@/lib/db/ctx";
import { BadRequestError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { qualifiedName } from "@/lib/providers/postgres/row-compare-model";
import { findComparableRun } from "./find-comparable-run";
import { ComparedTables, RowFilter, describeFilter, type RowComparisonView } from "./model";
import { compareRowsQueue } from "./queue";
import { rowComparisonView, WITHOUT_REPAIR } from "./views";

export const RequestRowComparisonInput = z.object({
  runId: z.uuid(),
  tables: ComparedTables,
  filter: RowFilter.default([]),
});
export type RequestRowComparisonInput = z.input<typeof RequestRowComparisonInput>;

/**
 * Asks for the chosen tables of a run's restored copy to be compared with live by primary key
 * (a job: a large table takes a while). Reads only; operators, like every step towards a restore.
 */
export async function requestRowComparison({
  ctx,
  input: raw,
}: {
  ctx: ClientCtx;
  input: RequestRowComparisonInput;
}): Promise<RowComparisonView> {
  const input = RequestRowComparisonInput.parse(raw);
  const run = await findComparableRun(ctx.db, input.runId);
  if (run.selection) {
    const chosen = new Set(run.selection);
    const outside = input.tables.map(qualifiedName).filter((name) => !chosen.has(name));
    if (outside.length) throw new BadRequestError(`This restore did not restore ${outside.join(", ")}; compare the tables it restored.`);
  }
  const names = input.tables.map(qualifiedName);
  if (new Set(names).size !== names.length) throw new BadRequestError("A table is named twice.");

  const comparison = await ctx.db.$transaction(async (tx) => {
    const created = await tx.rowComparison.create({
      data: {
        runId: run.id,
        environment: run.environment,
        targetName: run.targetName,
        liveDatabase: run.liveDatabase,
        restoredDatabase: run.restoredDatabase,
        tables: input.tables,
        filter: input.filter,
        status: "queued",
        requestedByEmail: ctx.user.email,
      },
      omit: WITHOUT_REPAIR,
    });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "rows.compare.request",
      subject: { type: "row-comparison", id: created.id },
      payload: {
        runId: run.id,
        tables: names,
        filter: describeFilter(input.filter),
        live: run.liveDatabase,
        restored: run.restoredDatabase,
      },
      requestId: ctx.requestId,
    });
    return created;
  });
  try {
    await enqueueJob(compareRowsQueue, { comparisonId: comparison.id });
  } catch (error) {
    await ctx.db.rowComparison.update({
      where: { id: comparison.id },
      data: {
        status: "failed",
        error: "The comparison could not be queued (the job engine did not answer). Try again.",
        finishedAt: new Date(),
      },
    });
    throw error;
  }
  return rowComparisonView(comparison, { withSamples: true });
}
