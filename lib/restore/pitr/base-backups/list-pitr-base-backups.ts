import { z } from "zod";
import { listBaseBackups } from "@/lib/providers/local/base-backups";
import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import { baseBackupView, KEEP_BASE_BACKUPS, type BaseBackupView } from "./base-backup-views";

export const ListPitrBaseBackupsInput = z.object({ environment: z.string().min(1).max(63).optional() });
export type ListPitrBaseBackupsInput = z.infer<typeof ListPitrBaseBackupsInput>;

export interface PitrBaseBackupList {
  environment: string;
  /** Only local sources keep base backups here; RDS keeps its own snapshots. */
  supported: boolean;
  /** The source's cron schedule (UTC), if any. */
  schedule: string | null;
  keep: number;
  /** Newest first. */
  backups: BaseBackupView[];
}

/** The base backups a local PITR source can restore from, newest first (the oldest bounds the window). */
export async function listPitrBaseBackups({ input }: { input: ListPitrBaseBackupsInput }): Promise<PitrBaseBackupList> {
  const { environment, source } = resolvePitrEnvironment(input.environment);
  if (source.provider !== "local")
    return { environment: environment.name, supported: false, schedule: null, keep: KEEP_BASE_BACKUPS, backups: [] };
  const backups = await listBaseBackups(source.baseBackupDir);
  return {
    environment: environment.name,
    supported: true,
    schedule: source.baseBackupSchedule ?? null,
    keep: KEEP_BASE_BACKUPS,
    backups: backups.map(baseBackupView),
  };
}
