import "server-only";
import { z } from "zod";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { hasRole } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { ConflictError, ForbiddenError } from "@/lib/errors";
import { recordRowRecovery } from "@/lib/incidents/record-row-recovery";
import { applyRepairStatements, type RepairOutcome } from "@/lib/providers/postgres/row-compare";
import { requireTypedConfirmation } from "../typed-confirmation";
import { endpointsOf } from "./find-comparable-run";
import { describeFilter, repairConfirmationText, RowFilter } from "./model";
import { loadRepair, repairStatementsOf } from "./repair-file";

/** A dry run vouches for the count this long; after that, live may have moved on. */
export const DRY_RUN_VALID_MS = 15 * 60_000;
const STATEMENT_TIMEOUT_MS = 60_000;
/** A repair waits this long for a row lock held by the application, then gives up whole. */
const LOCK_TIMEOUT_MS = 5_000;

export const ApplyRowRepairInput = z.object({
  comparisonId: z.uuid(),
  /** Run the repair and roll it back: how many rows it would write, now. */
  dryRun: z.boolean(),
  /** Also put changed rows back as the backup holds them (inserts of missing rows always). */
  includeUpdates: z.boolean().default(false),
  /** Typed by the person for a real run: `write <rows> rows to <live database>`. */
  confirmation: z.string().max(200).optional(),
});
export type ApplyRowRepairInput = z.input<typeof ApplyRowRepairInput>;

export interface RowRepairResult extends RepairOutcome {
  dryRun: boolean;
  expectedRows: number;
}

/**
 * Writes a comparison's repair to the live database in one transaction, or rehearses it (a dry
 * run, always rolled back). Admins only; a real run needs a recent dry run of the same repair
 * and the typed confirmation, happens once, and commits only if every row lands as counted.
 * Audited either way; a written repair goes on the environment's open incidents' timelines.
 */
export async function applyRowRepair({ ctx, input: raw }: { ctx: Ctx; input: ApplyRowRepairInput }): Promise<RowRepairResult> {
  const input = ApplyRowRepairInput.parse(raw);
  if (!ctx.user || !hasRole(ctx.user.role, "admin")) {
    throw new ForbiddenError(
      `Writing a repair to a live database needs the admin role${ctx.user ? `; you are signed in as ${ctx.user.role}` : ""}.`,
    );
  }
  const { comparison, repair } = await loadRepair(ctx, input.comparisonId);
  if (comparison.appliedAt) {
    throw new ConflictError(
      `This repair was already written to ${comparison.liveDatabase} by ${comparison.appliedByEmail ?? "?"}; compare again for a new one.`,
    );
  }
  const statements = repairStatementsOf(repair, input.includeUpdates);
  const expectedRows = statements.length;
  const { live } = await endpointsOf(comparison);
  const actor = actorOf(ctx);
  const audit = { subject: { type: "row-comparison", id: comparison.id }, requestId: ctx.requestId, actor };
  const payload = { live: comparison.liveDatabase, includeUpdates: input.includeUpdates, expectedRows };

  if (input.dryRun) {
    const outcome = await applyRepairStatements(live, statements, {
      dryRun: true,
      expectedRows,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: LOCK_TIMEOUT_MS,
    });
    await withTransaction(ctx, async ({ db: tx }) => {
      await tx.rowComparison.update({
        where: { id: comparison.id },
        data: { dryRunAt: new Date(), dryRunRows: outcome.rowsWritten, dryRunIncludesUpdates: input.includeUpdates },
      });
      await recordAuditEvent(tx, { ...audit, action: "rows.repair.dry-run", payload: { ...payload, rowsWritten: outcome.rowsWritten } });
    });
    return { ...outcome, dryRun: true, expectedRows };
  }

  const fresh = comparison.dryRunAt && Date.now() - comparison.dryRunAt.getTime() < DRY_RUN_VALID_MS;
  if (!fresh || comparison.dryRunIncludesUpdates !== input.includeUpdates || comparison.dryRunRows !== expectedRows) {
    throw new ConflictError(
      comparison.dryRunRows !== null && comparison.dryRunRows !== expectedRows && fresh
        ? `The dry run would write ${comparison.dryRunRows} of the ${expectedRows} rows: live changed since the comparison. Compare again.`
        : "Run the dry run of this repair (with the same choice of updates) first; it is valid for 15 minutes.",
    );
  }
  requireTypedConfirmation(input.confirmation, repairConfirmationText(expectedRows, comparison.liveDatabase), "writing the repair to live");

  // Claimed before writing, so two admins cannot write it twice.
  const claimed = await ctx.db.rowComparison.updateMany({
    where: { id: comparison.id, appliedAt: null },
    data: { appliedAt: new Date(), appliedByEmail: actor.email },
  });
  if (claimed.count === 0) throw new ConflictError("Someone else is writing or has written this repair.");
  let outcome: RepairOutcome;
  try {
    outcome = await applyRepairStatements(live, statements, {
      dryRun: false,
      expectedRows,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: LOCK_TIMEOUT_MS,
    });
  } catch (error) {
    await ctx.db.rowComparison.update({ where: { id: comparison.id }, data: { appliedAt: null, appliedByEmail: null } });
    await recordAuditEvent(ctx.db, {
      ...audit,
      action: "rows.repair.apply",
      outcome: "failed",
      payload: { ...payload, error: error instanceof Error ? error.message : String(error) },
    });
    throw error;
  }
  await withTransaction(ctx, async ({ db: tx }) => {
    await tx.rowComparison.update({
      where: { id: comparison.id },
      data: { appliedRows: outcome.rowsWritten, appliedIncludesUpdates: input.includeUpdates },
    });
    await recordAuditEvent(tx, { ...audit, action: "rows.repair.apply", payload: { ...payload, rowsWritten: outcome.rowsWritten } });
    await recordRowRecovery(tx, {
      environment: comparison.environment,
      actorEmail: actor.email,
      type: "repair-applied",
      description: `Wrote ${outcome.rowsWritten} repaired row(s) (${describeFilter(RowFilter.parse(comparison.filter))}) from the backup to live ${comparison.liveDatabase}`,

      runId: comparison.runId,
      payload: { comparisonId: comparison.id, rows: outcome.rowsWritten },
    });
  });
  return { ...outcome, dryRun: false, expectedRows };
}
