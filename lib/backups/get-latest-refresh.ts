import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { refreshView, type RefreshView } from "./backup-views";

export async function getLatestRefresh({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { environment: string };
}): Promise<RefreshView | null> {
  const row = await ctx.db.backupCatalogRefresh.findFirst({ where: { environment: input.environment }, orderBy: { startedAt: "desc" } });
  return row ? refreshView(row) : null;
}
