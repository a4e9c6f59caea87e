import type { DbOrTx } from "@/lib/db/client";
import { refreshView, type RefreshView } from "./backup-views";

export async function getLatestRefresh({ ctx, input }: { ctx: { db: DbOrTx }; input: { environment: string } }): Promise<RefreshView | null> {
  const row = await ctx.db.backupCatalogRefresh.findFirst({ where: { environment: input.environment }, orderBy: { startedAt: "desc" } });
  return row ? refreshView(row) : null;
}
