import "server-only";
import { z } from "zod";
import { approvalAudit, requireFourEyes, type ApprovalGrant } from "@/lib/approvals/require-four-eyes";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { hasRole } from "@/lib/auth/roles";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { ConflictError, ForbiddenError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { recordRowRecovery } from "@/lib/incidents/record-row-recovery";
import { applyRepairStatements, countRepairable, type RepairOutcome } from "@/lib/providers/postgres/row-compare";
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
  /** Why, when the environment needs a second person to approve the write (four-eyes). */
  reason: z.string().max(2000).optional(),
});
export type ApplyRowRepairInput = z.input<typeof ApplyRowRepairInput>;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface RowRepairResult extends RepairOutcome {
  dryRun: boolean;
  expectedRows: number;
}

/**
 * Writes a comparison's repair to the live database in one transaction, or rehearses it (a dry
 * run, always rolled back). Asked for by an admin; a real run needs a recent dry run of the same
 * repair and the typed confirmation, and on a four-eyes environment a second person's approval
 * (it then runs as the approver, `approval` in hand). It happens once, and commits only if every
 * row lands as counted. Audited either way; a written repair goes on the run's incidents' timelines.
 */
export async function applyRowRepair({
  ctx,
  input: raw,
  approval,
}: {
  ctx: Ctx;
  input: ApplyRowRepairInput;
  approval?: ApprovalGrant;
}): Promise<RowRepairResult> {
  const input = ApplyRowRepairInput.parse(raw);
  // The admin asked; an approver needs only the role the environment's four-eyes rule names.
  if (!approval && (!ctx.user || !hasRole(ctx.user.role, "admin"))) {
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
    // Read only: live's rows are looked up, not written, locked or passed through triggers.
    let outcome: RepairOutcome;
    try {
      const wouldWrite = await countRepairable(live, repair.checks, {
        includeUpdates: input.includeUpdates,
        statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      });
      const rowsWritten = wouldWrite.inserts + wouldWrite.updates;
      outcome = { rowsWritten, statementsWithoutEffect: expectedRows - rowsWritten, committed: false };
    } catch (error) {
      await recordAuditEvent(ctx.db, {
        ...audit,
        action: "rows.repair.dry-run",
        outcome: "failed",
        payload: { ...payload, error: errorText(error) },
      });
      throw error;
    }
    await withTransaction(ctx, async ({ db: tx }) => {
      await tx.rowComparison.update({
        where: { id: comparison.id },
        data: { dryRunAt: new Date(), dryRunRows: outcome.rowsWritten, dryRunIncludesUpdates: input.includeUpdates },
      });
      await recordAuditEvent(tx, { ...audit, action: "rows.repair.dry-run", payload: { ...payload, rowsWritten: outcome.rowsWritten } });
    });
    return { ...outcome, dryRun: true, expectedRows };
  }

  // An approved write was rehearsed when it was asked for; the write itself re-counts every row.
  if (!approval) {
    const fresh = comparison.dryRunAt !== null && Date.now() - comparison.dryRunAt.getTime() < DRY_RUN_VALID_MS;
    if (!fresh || comparison.dryRunIncludesUpdates !== input.includeUpdates || comparison.dryRunRows !== expectedRows) {
      throw new ConflictError(
        fresh && comparison.dryRunRows !== null && comparison.dryRunRows !== expectedRows
          ? `The dry run would write ${comparison.dryRunRows} of the ${expectedRows} rows: live changed since the comparison. Compare again.`
          : "Run the dry run of this repair (with the same choice of updates) first; it is valid for 15 minutes.",
      );
    }
  }
  requireTypedConfirmation(input.confirmation, repairConfirmationText(expectedRows, comparison.liveDatabase), "writing the repair to live");
  await requireFourEyes({
    ctx,
    environment: resolveEnvironment(comparison.environment),
    run: { id: comparison.runId, targetName: comparison.targetName },
    action: "row-repair",
    parameters: {
      comparisonId: comparison.id,
      includeUpdates: input.includeUpdates,
      confirmation: input.confirmation ?? "",
      rows: expectedRows,
    },
    reason: input.reason,
    approval,
  });

  // Claimed, and its start audited, before writing: two people cannot write it twice, and a
  // write whose outcome could not be recorded still shows as begun.
  const claimed = await withTransaction(ctx, async ({ db: tx }) => {
    const { count } = await tx.rowComparison.updateMany({
      where: { id: comparison.id, appliedAt: null },
      data: { appliedAt: new Date(), appliedByEmail: actor.email },
    });
    if (count > 0) {
      await recordAuditEvent(tx, { ...audit, action: "rows.repair.apply.start", payload: { ...payload, ...approvalAudit(approval) } });
    }
    return count > 0;
  });
  if (!claimed) throw new ConflictError("Someone else is writing or has written this repair.");
  let outcome: RepairOutcome;
  try {
    outcome = await applyRepairStatements(live, statements, {
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
      payload: { ...payload, error: errorText(error), ...approvalAudit(approval) },
    });
    throw error;
  }
  await withTransaction(ctx, async ({ db: tx }) => {
    await tx.rowComparison.update({
      where: { id: comparison.id },
      data: { appliedRows: outcome.rowsWritten, appliedIncludesUpdates: input.includeUpdates },
    });
    await recordAuditEvent(tx, {
      ...audit,
      action: "rows.repair.apply",
      payload: { ...payload, rowsWritten: outcome.rowsWritten, ...approvalAudit(approval) },
    });
    await recordRowRecovery(tx, {
      environment: comparison.environment,
      actorEmail: actor.email,
      type: "repair-applied",
      description: `Wrote ${plural(outcome.rowsWritten, "repaired row")} (${describeFilter(RowFilter.parse(comparison.filter))}) from the backup to live ${comparison.liveDatabase}`,
      runId: comparison.runId,
      payload: { comparisonId: comparison.id, rows: outcome.rowsWritten },
    });
  });
  return { ...outcome, dryRun: false, expectedRows };
}
