import { z } from "zod";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { defineJob } from "@/lib/jobs/define-job";
import { readBackupTables } from "./read-backup-tables";
import { backupStoreFor } from "./store-for-environment";

const ReadBackupTablesInput = z.object({ backupId: z.uuid() });

/** Reads a backup's tables once (lib/backups/request-backup-tables.ts queues it). */
export const readBackupTablesJob = defineJob({
  queue: "read-backup-tables",
  input: ReadBackupTablesInput,
  // Read-only and asked for again from the restore form; a retry would only hide a failure.
  options: { retryLimit: 0, expireInSeconds: 30 * 60 },
  async run(input, { jobId, signal }) {
    const db = getDb();
    const ctx = systemCtx(db, jobId);
    const backup = await db.backup.findUnique({ where: { id: input.backupId }, select: { environment: true } });
    if (!backup) return; // Gone from the catalog since it was asked for: nothing to read.
    try {
      const store = await backupStoreFor(resolveEnvironment(backup.environment));
      await readBackupTables({ ctx, input: { backupId: input.backupId, store, signal } });
    } catch (error) {
      // No store (configuration changed since): the form shows why instead of "reading" for ever.
      const reason = error instanceof Error ? error.message : String(error);
      await db.backup.updateMany({
        where: { id: input.backupId, tablesState: { not: "ready" } },
        data: { tablesState: "failed", tablesReadAt: null, tablesError: `Could not read the tables: ${reason}` },
      });
    }
  },
});
