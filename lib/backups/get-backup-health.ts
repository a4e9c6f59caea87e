import type { EnvironmentConfig } from "@/lib/config/schema";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";

export type FreshnessStatus = "green" | "amber" | "red";

/** Backups of the last PROBLEM_DAYS days that cannot be trusted, by why. */
export interface BackupProblems {
  /** The checksum or size did not match the manifest. */
  mismatch: number;
  /** The object could not be read to verify it. */
  unreadable: number;
  /** No manifest, or one that cannot be used. */
  noManifest: number;
}

/** Broken backups this recent keep an environment from reading as healthy (older ones are history). */
export const PROBLEM_DAYS = 7;

export interface BackupHealth {
  environment: string;
  status: FreshnessStatus;
  /** "Backups fresh", "Fresh, but 2 recent backups are broken", "Verification needed", "Backups stale". */
  headline: string;
  summary: string;
  problems: BackupProblems;
  maxAgeHours: number;
  newestVerified: { id: string; name: string; takenAt: string; ageHours: number } | null;
  newest: { id: string; name: string; takenAt: string; ageHours: number; verificationState: string } | null;
  /** When the cached catalog was last read from the store (null: never). */
  catalogRefreshedAt: string | null;
  checkedAt: string;
}

const hoursBetween = (a: Date, b: Date) => Math.round(((a.getTime() - b.getTime()) / 3_600_000) * 10) / 10;

function problemsText(problems: BackupProblems): string | null {
  const parts = [
    problems.mismatch ? `${problems.mismatch} failed its checksum` : null,
    problems.unreadable ? `${problems.unreadable} could not be read to verify` : null,
    problems.noManifest ? `${problems.noManifest} has no usable manifest` : null,
  ].filter((part): part is string => part !== null);
  return parts.length ? `Of the last ${PROBLEM_DAYS} days' backups, ${parts.join(", ")}.` : null;
}

/**
 * Is the newest VERIFIED backup young enough for the recovery-point objective, and are the
 * recent backups sound? green: yes and yes. amber: fresh but a recent backup is broken, or not
 * fresh but a newer backup with a valid manifest is waiting to be verified. red: nothing usable
 * within the objective (or no backups at all).
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
  const recent = { ...live, takenAt: { gte: new Date(now.getTime() - PROBLEM_DAYS * 86_400_000) } };
  const [verified, newest, refreshed, mismatch, unreadable, noManifest] = await Promise.all([
    ctx.db.backup.findFirst({ where: { ...live, verificationState: "verified" }, orderBy: { takenAt: "desc" } }),
    ctx.db.backup.findFirst({
      where: { ...live, manifestState: "present", verificationState: { not: "mismatch" } },
      orderBy: { takenAt: "desc" },
    }),
    ctx.db.backupCatalogRefresh.findFirst({ where: { environment: name, status: "ok" }, orderBy: { finishedAt: "desc" } }),
    ctx.db.backup.count({ where: { ...recent, verificationState: "mismatch" } }),
    ctx.db.backup.count({ where: { ...recent, verificationState: "failed" } }),
    ctx.db.backup.count({ where: { ...recent, manifestState: { not: "present" } } }),
  ]);
  const problems: BackupProblems = { mismatch, unreadable, noManifest };
  const broken = mismatch + unreadable + noManifest;
  const verifiedAge = verified ? hoursBetween(now, verified.takenAt) : null;
  const newestAge = newest ? hoursBetween(now, newest.takenAt) : null;

  let status: FreshnessStatus;
  let headline: string;
  let summary: string;
  if (verifiedAge !== null && verifiedAge <= maxAgeHours) {
    status = broken > 0 ? "amber" : "green";
    headline = broken > 0 ? `Fresh, but ${broken} recent backup${broken === 1 ? " is" : "s are"} broken` : "Backups fresh";
    summary = `Newest verified backup is ${verifiedAge} h old (objective ${maxAgeHours} h).`;
  } else if (newestAge !== null && newestAge <= maxAgeHours) {
    status = "amber";
    headline = "Verification needed";
    summary = `A ${newestAge} h old backup exists but is not verified yet; verify it to meet the ${maxAgeHours} h objective.`;
  } else if (!newest && !verified) {
    status = "red";
    headline = "Backups stale";
    summary = refreshed ? "No usable backups in the catalog." : "The catalog has never been read from the store; refresh it.";
  } else {
    status = "red";
    headline = "Backups stale";
    summary = `The newest usable backup is ${newestAge ?? verifiedAge} h old, older than the ${maxAgeHours} h objective.`;
  }
  const problemSummary = problemsText(problems);
  if (problemSummary) summary = `${summary} ${problemSummary}`;
  return {
    environment: name,
    status,
    headline,
    summary,
    problems,
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
