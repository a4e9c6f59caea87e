import type { BaseBackup } from "@/lib/providers/local/base-backups";

/** Base backups kept per local PITR source; the oldest one is where the restore window starts. */
export const KEEP_BASE_BACKUPS = 3;

export interface BaseBackupView {
  name: string;
  startedAt: string;
  finishedAt: string;
  sizeBytes: number;
  pgMajor: number;
  startWalFile: string;
}

export function baseBackupView(backup: BaseBackup): BaseBackupView {
  return {
    name: backup.name,
    startedAt: backup.startedAt.toISOString(),
    finishedAt: backup.finishedAt.toISOString(),
    sizeBytes: backup.sizeBytes,
    pgMajor: backup.pgMajor,
    startWalFile: backup.startWalFile,
  };
}
