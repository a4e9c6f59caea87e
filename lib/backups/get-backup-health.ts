import type { EnvironmentConfig } from "@/lib/config/schema";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";

export type FreshnessStatus = "green" | "amber" | "red";

export interface BackupHealth {
  environment: string;
  status: FreshnessStatus;
  summary: string;
  maxAgeHours: number;
  newestVerified: { id: string; name: string; takenAt: string; ageHours: number } | null;
  newest: { id: string; name: string; takenAt: string; ageHours: number; verificationState: string } | null;
  /** When the cached catalog was last read from the store (null: never). */
  catalogRefreshedAt: string | null;
  checkedAt: string;
}

const hoursBetween = (a: Date, b: Date) => Math.round(((a.getTime() - b.getTime()) / 3_600_000) * 10) / 10;

/**
 * Is the newest VERIFIED backup young enough for the recovery-point objective?
 * green: yes. amber: no, but a newer backup with a valid manifest is waiting to be verified.
 * red: nothing usable within the objective (or no backups at all).
 */
export async function getBackupHealth({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { environment: EnvironmentConfig; now?: Date };
}): Promise<BackupHealth> {
  const now = input.now ?? new Date();
  const name = input.environment.name;
  const maxAgeHours = input.environment.backupFreshness.maxAgeHours;
  const live = { environment: name, removedAt: null };
  const [verified, newest, refreshed] = await Promise.all([
    ctx.db.backup.findFirst({ where: { ...live, verificationState: "verified" }, orderBy: { takenAt: "desc" } }),
    ctx.db.backup.findFirst({
      where: { ...live, manifestState: "present", verificationState: { not: "mismatch" } },
      orderBy: { takenAt: "desc" },
    }),
    ctx.db.backupCatalogRefresh.findFirst({ where: { environment: name, status: "ok" }, orderBy: { finishedAt: "desc" } }),
  ]);
  const verifiedAge = verified ? hoursBetween(now, verified.takenAt) : null;
  const newestAge = newest ? hoursBetween(now, newest.takenAt) : null;

  let status: FreshnessStatus;
  let summary: string;
  if (verifiedAge !== null && verifiedAge <= maxAgeHours) {
    status = "green";
    summary = `Newest verified backup is ${verifiedAge} h old (objective ${maxAgeHours} h).`;
  } else if (newestAge !== null && newestAge <= maxAgeHours) {
    status = "amber";
    summary = `A ${newestAge} h old backup exists but is not verified yet; verify it to meet the ${maxAgeHours} h objective.`;
  } else if (!newest && !verified) {
    status = "red";
    summary = refreshed ? "No usable backups in the catalog." : "The catalog has never been read from the store; refresh it.";
  } else {
    status = "red";
    summary = `The newest usable backup is ${newestAge ?? verifiedAge} h old, older than the ${maxAgeHours} h objective.`;
  }
  return {
    environment: name,
    status,
    summary,
    maxAgeHours,
    newestVerified: verified
      ? { id: verified.id, name: verified.name, takenAt: verified.takenAt.toISOString(), ageHours: verifiedAge ?? 0 }
      : null,
    newest: newest
      ? {
          id: newest.id,
          name: newest.name,
          takenAt: newest.takenAt.toISOString(),
          ageHours: newestAge ?? 0,
          verificationState: newest.verificationState,
        }
      : null,
    catalogRefreshedAt: refreshed?.finishedAt?.toISOString() ?? null,
    checkedAt: now.toISOString(),
  };
}
