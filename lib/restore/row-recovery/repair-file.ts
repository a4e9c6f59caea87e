import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Ctx } from "@/lib/db/ctx";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { VALUE_SETTINGS } from "@/lib/providers/postgres/row-compare";
import { RepairStatements, RowFilter, describeFilter } from "./model";

/** The statements of a comparison's repair, as compared; refuses when there is none to offer. */
export async function loadRepair(ctx: Ctx, comparisonId: string) {
  const comparison = await ctx.db.rowComparison.findUnique({ where: { id: comparisonId } });
  if (!comparison) throw new NotFoundError("That comparison does not exist.");
  if (comparison.status !== "succeeded")
    throw new ConflictError(`This comparison is ${comparison.status}; a repair exists once it succeeded.`);
  if (comparison.repairWithheld) throw new ConflictError(comparison.repairWithheld);
  const repair = RepairStatements.safeParse(comparison.repair);
  if (!repair.success || repair.data.inserts.length + repair.data.updates.length === 0) {
    throw new ConflictError("No row differs in the way a repair can fix: there is nothing to write.");
  }
  return { comparison, repair: repair.data };
}

/** The statements a repair runs, in the order it runs them. */
export function repairStatementsOf(repair: RepairStatements, includeUpdates: boolean): string[] {
  return includeUpdates ? [...repair.inserts, ...repair.updates] : repair.inserts;
}

/**
 * The repair as a SQL file to review (and run by hand if need be): one transaction, the inserts
 * for missing rows and, when asked, the updates for changed ones. Its download is audited: it
 * holds rows of the backup.
 */
export async function repairFile({ ctx, input }: { ctx: Ctx; input: { comparisonId: string; includeUpdates: boolean } }) {
  const { comparison, repair } = await loadRepair(ctx, input.comparisonId);
  const statements = repairStatementsOf(repair, input.includeUpdates);
  const filter = describeFilter(RowFilter.parse(comparison.filter));
  const lines = [
    `-- Restore Console row repair for ${comparison.liveDatabase} (${comparison.environment}, target ${comparison.targetName})`,
    `-- Comparison ${comparison.id} of ${comparison.finishedAt?.toISOString() ?? "?"}: ${filter}, restored copy ${comparison.restoredDatabase}`,
    `-- ${plural(repair.inserts.length, "INSERT")} for rows missing from live${input.includeUpdates ? `, ${plural(repair.updates.length, "UPDATE")} putting changed rows back as the backup holds them` : ""}.`,
    "-- Every statement must write exactly one row; run it in one transaction and check the counts.",
    "-- An UPDATE writes only while the live row is as compared: 0 rows means it changed since; compare again.",
    "SET client_encoding = 'UTF8';",
    "BEGIN;",
    // The guards' digests spell times and numbers as the comparison did.
    ...VALUE_SETTINGS.map((setting) => `${setting};`),
    ...statements,
    "COMMIT;",
    "",
  ];
  await recordAuditEvent(ctx.db, {
    actor: actorOf(ctx),
    action: "rows.repair.download",
    subject: { type: "row-comparison", id: comparison.id },
    payload: { statements: statements.length, includeUpdates: input.includeUpdates, live: comparison.liveDatabase },
    requestId: ctx.requestId,
  });
  return { filename: `repair-${comparison.liveDatabase}-${comparison.id.slice(0, 8)}.sql`, sql: lines.join("\n") };
}
