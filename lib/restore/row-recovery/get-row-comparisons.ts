import { hasRole, type SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import type { RowComparisonView } from "./model";
import { rowComparisonView, WITHOUT_REPAIR } from "./views";

/** The examples hold rows of the data: the system and operators see them, viewers the counts. */
const withSamples = (ctx: Ctx<SessionUser | null>) => ({ withSamples: !ctx.user || hasRole(ctx.user.role, "operator") });

/** A run's comparisons, newest first. */
export async function listRowComparisons({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { runId: string };
}): Promise<RowComparisonView[]> {
  const records = await ctx.db.rowComparison.findMany({
    where: { runId: input.runId },
    orderBy: { createdAt: "desc" },
    take: 20,
    omit: WITHOUT_REPAIR,
  });
  return records.map((record) => rowComparisonView(record, withSamples(ctx)));
}

export async function getRowComparison({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { comparisonId: string };
}): Promise<RowComparisonView> {
  const record = await ctx.db.rowComparison.findUnique({ where: { id: input.comparisonId }, omit: WITHOUT_REPAIR });
  if (!record) throw new NotFoundError("That comparison does not exist.");
  return rowComparisonView(record, withSamples(ctx));
}
