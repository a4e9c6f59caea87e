import type { DbOrTx } from "@/lib/db/client";

/** The proof a backup restores: the drill that last restored and validated it. */
export interface RestoreTested {
  runId: string;
  at: string;
}

/** For each of these backups that a drill restored and validated, its latest such drill. */
export async function restoreTestedBackups(db: DbOrTx, backupIds: readonly string[]): Promise<Map<string, RestoreTested>> {
  if (backupIds.length === 0) return new Map();
  const drills = await db.restoreRun.findMany({
    where: { backupId: { in: [...backupIds] }, kind: "drill", status: "succeeded" },
    orderBy: [{ backupId: "asc" }, { finishedAt: "desc" }],
    distinct: ["backupId"],
    select: { id: true, backupId: true, finishedAt: true, createdAt: true },
  });
  return new Map(
    drills.flatMap((d) => (d.backupId ? [[d.backupId, { runId: d.id, at: (d.finishedAt ?? d.createdAt).toISOString() }] as const] : [])),
  );
}
