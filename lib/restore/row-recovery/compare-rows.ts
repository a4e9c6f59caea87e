import "server-only";
import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type SystemCtx } from "@/lib/db/ctx";
import { Prisma } from "@/lib/generated/prisma/client";
import { recordRowRecovery } from "@/lib/incidents/record-row-recovery";
import { buildRepairStatements, compareTable, repairCheckOf, type TableDifferences } from "@/lib/providers/postgres/row-compare";
import { TableRef, type TableComparison } from "@/lib/providers/postgres/row-compare-model";
import { endpointsOf } from "./find-comparable-run";
import { MAX_REPAIR_ROWS, RowFilter, describeFilter, type ComparisonProgress, type RepairStatements } from "./model";

/** Rows of each kind shown as examples. */
const SAMPLES = 5;
/** Per statement on either database; a whole-table scan of a large table is one statement. */
const STATEMENT_TIMEOUT_MS = 30 * 60_000;
/** Progress is written at most this often. */
const PROGRESS_EVERY_MS = 1_000;
const MAX_ERROR = 800;

function summary(results: readonly TableComparison[]): string {
  return results.map((r) => `${r.table}: ${r.missing.count} missing, ${r.changed.count} changed, ${r.extra.count} extra`).join("; ");
}

/**
 * Compares a queued comparison's tables, one after another, and keeps the report and the repair
 * (when it is small enough to review). Reads both databases only. Never throws for a failed
 * comparison: that is its recorded outcome.
 */
export async function compareRows({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { comparisonId: string; signal?: AbortSignal };
}): Promise<void> {
  const { db } = ctx;
  const claimed = await db.rowComparison.updateMany({
    where: { id: input.comparisonId, status: "queued" },
    data: { status: "running", startedAt: new Date() },
  });
  if (claimed.count === 0) return; // Already taken, finished, or gone.
  const comparison = await db.rowComparison.findUniqueOrThrow({ where: { id: input.comparisonId } });
  const tables = TableRef.array().parse(comparison.tables);
  const filter = RowFilter.parse(comparison.filter);

  let outcome: { results: TableComparison[]; repair: RepairStatements | null; withheld: string | null } | { error: string };
  try {
    const { restored, live } = await endpointsOf(comparison);
    const differences: TableDifferences[] = [];
    let lastWrite = 0;
    for (const [index, table] of tables.entries()) {
      const onProgress = (scanned: { restored: number; live: number }) => {
        if (Date.now() - lastWrite < PROGRESS_EVERY_MS) return;
        lastWrite = Date.now();
        const progress: ComparisonProgress = {
          table: `${table.schema}.${table.name}`,
          tableIndex: index,
          tables: tables.length,
          restoredRows: scanned.restored,
          liveRows: scanned.live,
        };
        void db.rowComparison.update({ where: { id: comparison.id }, data: { progress } }).catch(() => undefined);
      };
      differences.push(
        await compareTable(restored, live, table, {
          filter,
          samples: SAMPLES,
          maxKeys: MAX_REPAIR_ROWS,
          statementTimeoutMs: STATEMENT_TIMEOUT_MS,
          onProgress,
          ...(input.signal ? { signal: input.signal } : {}),
        }),
      );
    }
    const rows = differences.reduce((sum, d) => sum + d.comparison.missing.count + d.comparison.changed.count, 0);
    const withheld =
      differences.some((d) => d.keysTruncated) || rows > MAX_REPAIR_ROWS
        ? `${rows} rows differ: more than the ${MAX_REPAIR_ROWS} a reviewed repair may hold. Narrow the filter, or restore the table whole.`
        : null;
    let repair: RepairStatements | null = null;
    if (!withheld && rows > 0) {
      repair = { inserts: [], updates: [], checks: [] };
      for (const [index, table] of tables.entries()) {
        const found = differences[index];
        if (!found) continue;
        const statements = await buildRepairStatements(restored, table, found, STATEMENT_TIMEOUT_MS);
        repair.inserts.push(...statements.inserts);
        repair.updates.push(...statements.updates);
        repair.checks.push(repairCheckOf(found));
      }
    }
    outcome = { results: differences.map((d) => d.comparison), repair, withheld };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).trim().slice(0, MAX_ERROR);
    outcome = { error: input.signal?.aborted ? "Interrupted: the worker stopped during the comparison. Compare again." : reason };
  }

  await withTransaction(ctx, async ({ db: tx }) => {
    await tx.rowComparison.update({
      where: { id: comparison.id },
      data:
        "error" in outcome
          ? { status: "failed", error: outcome.error, finishedAt: new Date(), progress: Prisma.DbNull }
          : {
              status: "succeeded",
              results: outcome.results,
              repair: outcome.repair ?? Prisma.DbNull,
              repairInserts: outcome.repair?.inserts.length ?? (outcome.withheld ? null : 0),
              repairUpdates: outcome.repair?.updates.length ?? (outcome.withheld ? null : 0),
              repairWithheld: outcome.withheld,
              finishedAt: new Date(),
              progress: Prisma.DbNull,
            },
    });
    await recordAuditEvent(tx, {
      actor: SYSTEM,
      action: "rows.compare.result",
      outcome: "error" in outcome ? "failed" : "ok",
      subject: { type: "row-comparison", id: comparison.id },
      payload: { runId: comparison.runId, ...("error" in outcome ? { error: outcome.error } : { summary: summary(outcome.results) }) },
      requestId: ctx.requestId,
    });
    if (!("error" in outcome)) {
      await recordRowRecovery(tx, {
        environment: comparison.environment,
        actorEmail: SYSTEM.email,
        type: "rows-compared",
        description: `Compared ${describeFilter(filter)} of the restored copy with live ${comparison.liveDatabase}: ${summary(outcome.results)}`,

        runId: comparison.runId,
        payload: { comparisonId: comparison.id },
      });
    }
  });
}
