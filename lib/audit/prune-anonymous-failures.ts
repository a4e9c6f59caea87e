import type { SystemCtx } from "@/lib/db/ctx";

/** Anonymous failure counts are kept this long: enough to see a pattern, not a permanent record. */
export const ANONYMOUS_FAILURE_RETENTION_DAYS = 90;

/** Deletes counting windows older than the retention period; returns how many rows went. */
export async function pruneAnonymousFailures({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { now?: Date; retentionDays?: number };
}): Promise<number> {
  const days = input.retentionDays ?? ANONYMOUS_FAILURE_RETENTION_DAYS;
  const before = new Date((input.now ?? new Date()).getTime() - days * 24 * 60 * 60 * 1000);
  const { count } = await ctx.db.anonymousFailure.deleteMany({ where: { windowStart: { lt: before } } });
  return count;
}
