import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { LocalPitrSource } from "@/lib/config/schema";
import { resolveSecret } from "@/lib/config/secrets";
import type { SystemCtx } from "@/lib/db/ctx";
import { BadRequestError } from "@/lib/errors";
import { listBaseBackups, pruneBaseBackups, takeBaseBackup } from "@/lib/providers/local/base-backups";
import { pruneWalArchive } from "@/lib/providers/local/prune-wal-archive";
import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import { activePitrRun } from "../pitr-environment-state";
import { baseBackupView, KEEP_BASE_BACKUPS, type BaseBackupView } from "./base-backup-views";

export interface TakenBaseBackup {
  backup: BaseBackupView;
  /** Older base backups deleted to keep KEEP_BASE_BACKUPS. */
  pruned: string[];
  /** Archived WAL segments from before the oldest kept backup, deleted with it. */
  walSegmentsRemoved: number;
}

/** The local source of an environment; base backups of RDS sources are RDS's own business. */
export function localPitrSourceOf(environment?: string): { name: string; source: LocalPitrSource } {
  const resolved = resolvePitrEnvironment(environment);
  if (resolved.source.provider !== "local") {
    throw new BadRequestError(
      `${resolved.environment.name} restores through AWS, which keeps its own backups; base backups are taken for self-hosted (local) sources only.`,
    );
  }
  return { name: resolved.environment.name, source: resolved.source };
}

/**
 * Takes a base backup of a local PITR source (pg_basebackup; the password through a passfile),
 * then keeps the newest KEEP_BASE_BACKUPS and drops the archived WAL nothing can replay any
 * more. Pruning waits while a PITR run holds the environment: it may be copying an old backup.
 * The system acts.
 */
export async function takePitrBaseBackup({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { environment: string; reason: "schedule" | "on-demand" };
}): Promise<TakenBaseBackup> {
  const { name, source } = localPitrSourceOf(input.environment);
  const password = source.passwordFrom ? await resolveSecret(source.passwordFrom) : undefined;
  const backup = await takeBaseBackup({
    source: { host: source.host, port: source.port, user: source.user, ...(password ? { password } : {}) },
    baseBackupDir: source.baseBackupDir,
  });
  let pruned: string[] = [];
  let walSegmentsRemoved = 0;
  if (!(await activePitrRun(ctx.db, name))) {
    pruned = await pruneBaseBackups(source.baseBackupDir, KEEP_BASE_BACKUPS);
    const oldest = (await listBaseBackups(source.baseBackupDir)).at(-1);
    if (oldest) walSegmentsRemoved = await pruneWalArchive(source.archiveDir, oldest.startWalFile);
  }
  const view = baseBackupView(backup);
  await recordAuditEvent(ctx.db, {
    actor: SYSTEM,
    action: "pitr.base-backup",
    subject: { type: "environment", id: name },
    payload: { name: view.name, sizeBytes: view.sizeBytes, reason: input.reason, pruned, walSegmentsRemoved },
    requestId: `base-backup:${view.name}`,
  });
  return { backup: view, pruned, walSegmentsRemoved };
}
