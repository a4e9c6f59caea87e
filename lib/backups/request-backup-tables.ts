import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { hasRole, type SessionUser } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import type { BackupTablesView } from "./backup-tables-view";
import { getBackupTables } from "./get-backup-tables";
import { readBackupTablesJob } from "./read-backup-tables-job";

/**
 * Asks for a backup's tables to be read (for a restore of chosen tables). Read once: tables
 * already read are returned as they are, a read under way is not started twice, and a failed (or
 * lost) read may be asked for again. Operators only, like every step towards a restore.
 */
export async function requestBackupTables({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { backupId: string };
}): Promise<BackupTablesView> {
  if (ctx.user && !hasRole(ctx.user.role, "operator")) {
    throw new ForbiddenError(`Reading a backup's tables needs the operator role; you are signed in as ${ctx.user.role}.`);
  }
  const backup = await ctx.db.backup.findUnique({
    where: { id: input.backupId },
    select: { id: true, key: true, environment: true, format: true, removedAt: true, tablesState: true, tablesReadAt: true },
  });
  if (!backup) throw new NotFoundError("That backup is not in the catalog. Refresh the catalog and try again.");
  const current = await getBackupTables({ ctx, input });
  if (current.state === "ready" || current.state === "reading") return current;
  if (backup.removedAt) throw new ConflictError("That backup is no longer in the store, so its tables cannot be read.");
  if (backup.format !== "plain-gzip" && backup.format !== "custom") {
    throw new BadRequestError(
      `The tables of this backup cannot be read: its format (${backup.format}) is not a pg_dump the console knows.`,
    );
  }

  const actor = actorOf(ctx);
  const claimed = await withTransaction(ctx, async ({ db: tx }) => {
    // Guarded: of two people asking at once, one read is queued; the other sees it reading.
    const updated = await tx.backup.updateMany({
      // Only if nothing changed since it was looked at (an unread, failed, lost or unreadable read).
      where: { id: backup.id, tablesState: backup.tablesState, tablesReadAt: backup.tablesReadAt },
      data: { tablesState: "reading", tablesError: null, tablesReadAt: new Date() },
    });
    if (updated.count === 0) return false;
    await recordAuditEvent(tx, {
      actor,
      action: "backup.tables.request",
      subject: { type: "backup", id: backup.id },
      payload: { key: backup.key, environment: backup.environment, previousState: backup.tablesState },
      requestId: ctx.requestId,
    });
    return true;
  });
  if (claimed) {
    try {
      await enqueueJob(readBackupTablesJob, { backupId: backup.id });
    } catch (error) {
      await ctx.db.backup.updateMany({
        where: { id: backup.id, tablesState: "reading" },
        data: {
          tablesState: "failed",
          tablesReadAt: null,
          tablesError: "The read could not be queued (the job engine did not answer). Try again.",
        },
      });
      throw error;
    }
  }
  return getBackupTables({ ctx, input });
}
