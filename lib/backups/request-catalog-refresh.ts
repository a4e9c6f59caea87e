import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { refreshView, type RefreshView } from "./backup-views";
import { refreshCatalogJob } from "./refresh-catalog-job";

/** A refresh that has not finished after this long is considered dead and may be replaced. */
const REFRESH_TIMEOUT_MS = 30 * 60 * 1000;

/** Queues a catalog refresh for an environment, or returns the one already running. */
export async function requestCatalogRefresh({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { environment: string };
}): Promise<RefreshView> {
  const running = await ctx.db.backupCatalogRefresh.findFirst({
    where: { environment: input.environment, status: "running", startedAt: { gt: new Date(Date.now() - REFRESH_TIMEOUT_MS) } },
    orderBy: { startedAt: "desc" },
  });
  const refresh =
    running ??
    (await ctx.db.backupCatalogRefresh.create({
      data: { environment: input.environment, status: "running", requestedByEmail: ctx.user?.email ?? "system" },
    }));
  if (!running) await enqueueJob(refreshCatalogJob, { refreshId: refresh.id, environment: input.environment });
  return refreshView(refresh);
}
