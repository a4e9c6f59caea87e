import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import type { RowComparisonView } from "./model";
import { COMPARISON_VIEW_SELECT, rowComparisonView } from "./views";

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
    select: COMPARISON_VIEW_SELECT,
  });
  return records.map(rowComparisonView);
}

export async function getRowComparison({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { comparisonId: string };
}): Promise<RowComparisonView> {
  const record = await ctx.db.rowComparison.findUnique({ where: { id: input.comparisonId }, select: COMPARISON_VIEW_SELECT });
  if (!record) throw new NotFoundError("That comparison does not exist.");
  return rowComparisonView(record);
}
