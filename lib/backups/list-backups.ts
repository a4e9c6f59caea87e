import { z } from "zod";
import type { SessionUser } from "@/lib/auth/roles";
import { findEnvironment } from "@/lib/config/resolve-environment";
import type { Ctx } from "@/lib/db/ctx";
import type { Prisma } from "@/lib/generated/prisma/client";
import { restoreTestedBackups } from "./restore-tested";
import { backupView, type BackupView, type RefreshView } from "./backup-views";
import { getLatestRefresh } from "./get-latest-refresh";
import { replicaViews } from "./replica-copies";

const emptyToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);
const DateOnly = z.preprocess(emptyToUndefined, z.iso.date("must be a date like 2026-11-24").optional());

export const ListBackupsInput = z.object({
  environment: z.string().min(1),
  from: DateOnly,
  to: DateOnly,
  manifest: z.preprocess(emptyToUndefined, z.enum(["present", "missing", "unreadable", "names-another-file"]).optional()),
  verification: z.preprocess(emptyToUndefined, z.enum(["never", "verified", "mismatch"]).optional()),
  search: z.preprocess(emptyToUndefined, z.string().max(200).optional()),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(10).max(200).default(50),
});
export type ListBackupsInput = z.infer<typeof ListBackupsInput>;

export interface BackupList {
  backups: BackupView[];
  total: number;
  page: number;
  pageCount: number;
  lastRefresh: RefreshView | null;
  lastSuccessfulRefreshAt: string | null;
}

/** The cached catalog, newest first, filtered; and how old that cached view is. */
export async function listBackups({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: ListBackupsInput }): Promise<BackupList> {
  const takenAt: Prisma.DateTimeFilter = {};
  if (input.from) takenAt.gte = new Date(`${input.from}T00:00:00Z`);
  if (input.to) takenAt.lt = new Date(new Date(`${input.to}T00:00:00Z`).getTime() + 86_400_000);
  const where: Prisma.BackupWhereInput = {
    environment: input.environment,
    removedAt: null,
    ...(input.from || input.to ? { takenAt } : {}),
    ...(input.manifest ? { manifestState: input.manifest } : {}),
    ...(input.verification ? { verificationState: input.verification } : {}),
    ...(input.search ? { name: { contains: input.search, mode: "insensitive" } } : {}),
  };
  const replicas = findEnvironment(input.environment)?.backupReplicas ?? [];
  const [total, rows, lastRefresh, lastOk] = await Promise.all([
    ctx.db.backup.count({ where }),
    ctx.db.backup.findMany({
      where,
      orderBy: [{ takenAt: "desc" }, { key: "desc" }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      include: {
        replicaCopies: {
          where: { replica: { in: replicas.map((replica) => replica.name) } },
          select: { replica: true, state: true, lastModified: true },
        },
      },
    }),
    getLatestRefresh({ ctx, input: { environment: input.environment } }),
    ctx.db.backupCatalogRefresh.findFirst({ where: { environment: input.environment, status: "ok" }, orderBy: { finishedAt: "desc" } }),
  ]);
  const tested = await restoreTestedBackups(
    ctx.db,
    rows.map((row) => row.id),
  );
  return {
    backups: rows.map((row) => backupView(row, tested.get(row.id) ?? null, replicaViews(replicas, row.replicaCopies))),
    total,
    page: input.page,
    pageCount: Math.max(1, Math.ceil(total / input.pageSize)),
    lastRefresh,
    lastSuccessfulRefreshAt: lastOk?.finishedAt?.toISOString() ?? null,
  };
}
