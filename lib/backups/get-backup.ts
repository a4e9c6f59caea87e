import type { SessionUser } from "@/lib/auth/roles";
import { findEnvironment } from "@/lib/config/resolve-environment";
import type { BackupReplica } from "@/lib/config/schema";
import type { Ctx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import { restoreTestedBackups } from "./restore-tested";
import { backupView, verificationView, type BackupView, type VerificationView } from "./backup-views";
import { replicaCopyDetails, replicaViews, type ReplicaCopyDetail } from "./replica-copies";
import { storeLocation } from "./replica-health";

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
  /** The object in the environment's backup store, and what each configured replica holds of it. */
  copies: {
    primary: {
      /** null: the environment's backup store is no longer configured. */
      location: string | null;
      size: number;
      etag: string | null;
      lastModified: string;
      /** When the catalog first listed it. */
      firstSeenAt: string;
    };
    replicas: ReplicaCopyDetail[];
  };
}

/** One backup with its verifications and overrides. */
export async function getBackup({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: { backupId: string } }): Promise<BackupDetail> {
  const row = await ctx.db.backup.findUnique({
    where: { id: input.backupId },
    include: {
      verifications: { orderBy: { createdAt: "desc" }, take: 50 },
      overrides: { orderBy: { createdAt: "desc" } },
      replicaCopies: true,
    },
  });
  if (!row) throw new NotFoundError("That backup is not in the catalog.");
  const environment = findEnvironment(row.environment);
  const replicas = environment?.backupReplicas ?? [];
  const tested = await restoreTestedBackups(ctx.db, [row.id]);
  const backup = backupView(row, tested.get(row.id) ?? null, replicaViews(replicas, row.replicaCopies));
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
    restorable: restorability(backup, overrides.length > 0, replicaHolding(replicas, row.replicaCopies)),
    copies: {
      primary: {
        location: environment?.backupStore ? storeLocation(environment.backupStore) : null,
        size: backup.size,
        etag: row.etag,
        lastModified: backup.lastModified,
        firstSeenAt: row.firstSeenAt.toISOString(),
      },
      replicas: replicaCopyDetails(row, replicas, row.replicaCopies),
    },
  };
}

/** The first replica (in the configuration's order) holding an exact copy: a backup gone from the primary is still there. */
function replicaHolding(replicas: readonly BackupReplica[], copies: ReadonlyArray<{ replica: string; state: string }>): string | null {
  const holder = replicas.find((replica) => copies.some((copy) => copy.replica === replica.name && copy.state === "same"));
  return holder ? (holder.label ?? holder.name) : null;
}

/**
 * The rule the restore flow enforces: a valid manifest, or an admin's override with a reason; and
 * the object in the store, or (gone from the primary, say a bucket emptied) an exact copy on a replica.
 */
export function restorability(
  backup: BackupView,
  overridden: boolean,
  replicaWithCopy: string | null = null,
): { allowed: boolean; reason: string } {
  if (backup.removed && !replicaWithCopy) return { allowed: false, reason: "The object is no longer in the store." };
  const where = backup.removed
    ? `It is gone from the primary store, but ${replicaWithCopy} holds an exact copy, which the restore reads. `
    : "";
  if (backup.verificationState === "mismatch") return { allowed: false, reason: "Its checksum does not match the manifest." };
  if (backup.manifestState === "present")
    return { allowed: true, reason: `${where}Its manifest is valid; the restore checks the checksum as it streams.` };
  if (overridden) return { allowed: true, reason: `${where}An admin allowed restoring it without a valid manifest.` };
  return { allowed: false, reason: `Its manifest is ${backup.manifestState.replaceAll("-", " ")}; an admin must allow it with a reason.` };
}
