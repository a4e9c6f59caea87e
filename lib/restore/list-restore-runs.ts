import { z } from "zod";
import type { Prisma } from "@/lib/generated/prisma/client";
import { restoreRunView, type RestoreRunView } from "./restore-run-views";
import { RUN_STATUSES } from "./engine/state";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";

const emptyToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);
const DateOnly = z.preprocess(emptyToUndefined, z.iso.date("must be a date like 2026-11-24").optional());

export const ListRestoreRunsInput = z.object({
  environment: z.preprocess(emptyToUndefined, z.string().max(63).optional()),
  /** One status, or several separated by commas (`running,awaiting-swap`). */
  status: z.preprocess(
    (v) => (typeof v === "string" && v !== "" ? v.split(",").map((s) => s.trim()) : emptyToUndefined(v)),
    z.array(z.enum(RUN_STATUSES)).optional(),
  ),
  /** Part of the requester's email. */
  requestedBy: z.preprocess(emptyToUndefined, z.string().max(200).optional()),
  targetName: z.preprocess(emptyToUndefined, z.string().max(63).optional()),
  /** Created on or after this day (UTC). */
  from: DateOnly,
  /** Created on or before this day (UTC). */
  to: DateOnly,
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(10).max(200).default(50),
});
export type ListRestoreRunsInput = z.input<typeof ListRestoreRunsInput>;

export interface RestoreRunList {
  runs: RestoreRunView[];
  total: number;
  page: number;
  pageCount: number;
}

/** Restore runs, newest first, filtered; each with its duration and current step. */
export async function listRestoreRuns({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: ListRestoreRunsInput;
}): Promise<RestoreRunList> {
  const parsed = ListRestoreRunsInput.parse(input);
  const createdAt: Prisma.DateTimeFilter = {};
  if (parsed.from) createdAt.gte = new Date(`${parsed.from}T00:00:00Z`);
  if (parsed.to) createdAt.lt = new Date(new Date(`${parsed.to}T00:00:00Z`).getTime() + 86_400_000);
  const where: Prisma.RestoreRunWhereInput = {
    // Drills have their own page (/drills): this list is what people restored.
    kind: { not: "drill" },
    ...(parsed.environment ? { environment: parsed.environment } : {}),
    ...(parsed.status ? { status: { in: parsed.status } } : {}),
    ...(parsed.requestedBy ? { requestedByEmail: { contains: parsed.requestedBy, mode: "insensitive" } } : {}),
    ...(parsed.targetName ? { targetName: parsed.targetName } : {}),
    ...(parsed.from || parsed.to ? { createdAt } : {}),
  };
  const [total, rows] = await Promise.all([
    ctx.db.restoreRun.count({ where }),
    ctx.db.restoreRun.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (parsed.page - 1) * parsed.pageSize,
      take: parsed.pageSize,
      include: { steps: { select: { name: true, status: true, position: true } } },
    }),
  ]);
  const now = new Date();
  return {
    runs: rows.map((r) => restoreRunView(r, r.steps, now)),
    total,
    page: parsed.page,
    pageCount: Math.max(1, Math.ceil(total / parsed.pageSize)),
  };
}
