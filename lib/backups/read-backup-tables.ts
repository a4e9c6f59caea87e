import "server-only";
import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type SystemCtx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import type { DumpTableCatalog } from "@/lib/providers/postgres/dump-toc-model";
import { readDumpTables } from "@/lib/providers/postgres/read-dump-tables";
import type { BackupStore } from "@/lib/providers/types";
import type { BackupTablesState } from "./backup-tables-view";

/** Long messages (pg_restore's stderr) are cut so the form shows a readable sentence. */
const MAX_ERROR = 600;

/**
 * Streams a backup from its store and reads the tables it holds (for a restore of chosen tables),
 * then keeps them on the backup: read once, served from the catalog after. Read-only, so a failed
 * read may simply be asked for again. Nothing touches a database but the app's own.
 */
export async function readBackupTables({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { backupId: string; store: BackupStore; signal?: AbortSignal };
}): Promise<BackupTablesState> {
  const { db } = ctx;
  const backup = await db.backup.findUnique({ where: { id: input.backupId } });
  if (!backup) throw new NotFoundError(`Backup ${input.backupId} is not in the catalog.`);
  if (backup.tablesState === "ready") return "ready";
  // While reading, tablesReadAt is when the read began: a lost worker shows as stale after a while.
  await db.backup.update({ where: { id: backup.id }, data: { tablesState: "reading", tablesError: null, tablesReadAt: new Date() } });

  let outcome: { state: "ready"; tables: number; catalog: DumpTableCatalog } | { state: "failed"; error: string };
  try {
    if (backup.format !== "plain-gzip" && backup.format !== "custom") {
      throw new Error(`its format (${backup.format}) is neither a plain .sql.gz nor a custom .dump`);
    }
    const stream = await input.store.read(backup.key, { signal: input.signal });
    const catalog = await readDumpTables(stream, backup.format, input.signal);
    outcome = { state: "ready", tables: catalog.tables.length, catalog };
  } catch (readError) {
    const reason = (readError instanceof Error ? readError.message : String(readError)).trim().slice(0, MAX_ERROR);
    outcome = {
      state: "failed",
      error: input.signal?.aborted
        ? "Interrupted: the worker stopped while reading the tables. Read them again."
        : `Could not read the tables of ${backup.name}: ${reason}. The dump may be damaged or incomplete: verify the backup, or restore the whole database from another one.`,
    };
  }

  await withTransaction(ctx, async ({ db: tx }) => {
    await tx.backup.update({
      where: { id: backup.id },
      data:
        outcome.state === "ready"
          ? { tablesState: "ready", tables: outcome.catalog, tablesError: null, tablesReadAt: new Date() }
          : { tablesState: "failed", tablesError: outcome.error, tablesReadAt: null },
    });
    await recordAuditEvent(tx, {
      actor: SYSTEM,
      action: "backup.tables.result",
      outcome: outcome.state === "ready" ? "ok" : "failed",
      subject: { type: "backup", id: backup.id },
      payload: {
        key: backup.key,
        result: outcome.state,
        ...(outcome.state === "ready" ? { tables: outcome.tables } : { error: outcome.error }),
      },
      requestId: ctx.requestId,
    });
  });
  return outcome.state;
}
