import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import { restoreTestedBackups } from "./restore-tested";
import { backupView, verificationView, type BackupView, type VerificationView } from "./backup-views";

export interface RestoreOverrideView {
  id: string;
  reason: string;
  grantedByEmail: string;
  createdAt: string;
}

export interface BackupDetail {
  backup: BackupView;
  verifications: VerificationView[];
  overrides: RestoreOverrideView[];
  /** May this backup be restored: verified, or explicitly allowed by an admin. */
  restorable: { allowed: boolean; reason: string };
}

/** One backup with its verifications and overrides. */
export async function getBackup({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: { backupId: string } }): Promise<BackupDetail> {
  const row = await ctx.db.backup.findUnique({
    where: { id: input.backupId },
    include: { verifications: { orderBy: { createdAt: "desc" }, take: 50 }, overrides: { orderBy: { createdAt: "desc" } } },
  });
  if (!row) throw new NotFoundError("That backup is not in the catalog.");
  const tested = await restoreTestedBackups(ctx.db, [row.id]);
  const backup = backupView(row, tested.get(row.id) ?? null);
  const overrides = row.overrides.map((o) => ({
    id: o.id,
    reason: o.reason,
    grantedByEmail: o.grantedByEmail,
    createdAt: o.createdAt.toISOString(),
  }));
  return {
    backup,
    verifications: row.verifications.map((v) => verificationView(v)),
    overrides,
    restorable: restorability(backup, overrides.length > 0),
  };
}

/** The rule the restore flow enforces: a valid manifest, or an admin's override with a reason. */
export function restorability(backup: BackupView, overridden: boolean): { allowed: boolean; reason: string } {
  if (backup.removed) return { allowed: false, reason: "The object is no longer in the store." };
  if (backup.verificationState === "mismatch") return { allowed: false, reason: "Its checksum does not match the manifest." };
  if (backup.manifestState === "present")
    return { allowed: true, reason: "Its manifest is valid; the restore checks the checksum as it streams." };
  if (overridden) return { allowed: true, reason: "An admin allowed restoring it without a valid manifest." };
  return { allowed: false, reason: `Its manifest is ${backup.manifestState.replaceAll("-", " ")}; an admin must allow it with a reason.` };
}
