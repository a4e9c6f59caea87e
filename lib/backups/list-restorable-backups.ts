import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";

export interface RestorableBackup {
  id: string;
  environment: string;
  name: string;
  takenAt: string;
  size: number;
  verificationState: string;
}

/** How many a chooser offers per environment: the newest are what people restore. */
const PER_ENVIRONMENT = 8;

/** Backups that can be restored as they are: a manifest, no failed checksum. */
function restorable(environment?: string) {
  return {
    ...(environment ? { environment } : {}),
    removedAt: null,
    manifestState: "present",
    verificationState: { notIn: ["mismatch", "failed"] },
  };
}

/** Restorable backups, newest first, verified ones first. */
export async function listRestorableBackups(ctx: Ctx<SessionUser | null>, environment?: string): Promise<RestorableBackup[]> {
  const rows = await ctx.db.backup.findMany({
    where: restorable(environment),
    orderBy: [{ environment: "asc" }, { takenAt: "desc" }],
    take: 200,
  });
  const perEnvironment = new Map<string, number>();
  return rows
    .filter((row) => {
      const seen = perEnvironment.get(row.environment) ?? 0;
      perEnvironment.set(row.environment, seen + 1);
      return seen < PER_ENVIRONMENT;
    })
    .map((row) => ({
      id: row.id,
      environment: row.environment,
      name: row.name,
      takenAt: row.takenAt.toISOString(),
      size: Number(row.size),
      verificationState: row.verificationState,
    }));
}

/** Whether a logical restore of the environment has a backup to start from. */
export async function hasRestorableBackup(ctx: Ctx<SessionUser | null>, environment: string): Promise<boolean> {
  return (await ctx.db.backup.findFirst({ where: restorable(environment), select: { id: true } })) !== null;
}
