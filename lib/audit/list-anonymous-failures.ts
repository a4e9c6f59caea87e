import { z } from "zod";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { windowStartOf, type AnonymousFailureKind } from "./record-anonymous-failure";

export const ListAnonymousFailuresInput = z.object({
  /** How far back to look. */
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListAnonymousFailuresInput = z.infer<typeof ListAnonymousFailuresInput>;

export interface AnonymousFailureView {
  windowStart: string;
  kind: AnonymousFailureKind | string;
  source: string;
  count: number;
  firstAt: string;
  lastAt: string;
}

export interface AnonymousFailureSummary {
  since: string;
  /** Total per kind over the period. */
  totals: { kind: string; count: number }[];
  /** The busiest rows (newest window first, then by count). */
  rows: AnonymousFailureView[];
}

/** Anonymous failures of the last `hours`, as totals per kind and the rows behind them. */
export async function listAnonymousFailures({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: ListAnonymousFailuresInput;
}): Promise<AnonymousFailureSummary> {
  const since = windowStartOf(new Date(Date.now() - input.hours * 60 * 60 * 1000));
  const [totals, rows] = await Promise.all([
    ctx.db.anonymousFailure.groupBy({
      by: ["kind"],
      where: { windowStart: { gte: since } },
      _sum: { count: true },
      orderBy: { kind: "asc" },
    }),
    ctx.db.anonymousFailure.findMany({
      where: { windowStart: { gte: since } },
      orderBy: [{ windowStart: "desc" }, { count: "desc" }, { source: "asc" }],
      take: input.limit,
    }),
  ]);
  return {
    since: since.toISOString(),
    totals: totals.map((t) => ({ kind: t.kind, count: t._sum.count ?? 0 })),
    rows: rows.map((r) => ({
      windowStart: r.windowStart.toISOString(),
      kind: r.kind,
      source: r.source,
      count: r.count,
      firstAt: r.firstAt.toISOString(),
      lastAt: r.lastAt.toISOString(),
    })),
  };
}
