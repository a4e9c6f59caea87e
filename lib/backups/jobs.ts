import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { defineJob } from "@/lib/jobs/define-job";
import { refreshCatalog } from "./refresh-catalog";
import { backupStoreFor } from "./store-for-environment";
import { verifyBackup } from "./verify-backup";

export const verifyBackupJob = defineJob({
  queue: "backup-verify",
  input: z.object({ verificationId: z.uuid(), environment: z.string() }),
  // Read-only and restartable from the person's side; a retry would only hide a failure.
  options: { retryLimit: 0, expireInSeconds: 6 * 60 * 60 },
  async run(input, { signal }) {
    const db = getDb();
    const store = await backupStoreFor(resolveEnvironment(input.environment));
    await verifyBackup({ ctx: { db }, input: { verificationId: input.verificationId, store, signal } });
  },
});

export const refreshCatalogJob = defineJob({
  queue: "backup-catalog-refresh",
  input: z.object({ refreshId: z.uuid(), environment: z.string() }),
  options: { retryLimit: 0, expireInSeconds: 30 * 60 },
  async run(input, { signal }) {
    const db = getDb();
    try {
      const environment = resolveEnvironment(input.environment);
      const store = await backupStoreFor(environment);
      const result = await refreshCatalog({ ctx: { db }, input: { environment, store, signal } });
      await db.backupCatalogRefresh.update({
        where: { id: input.refreshId },
        data: { status: "ok", finishedAt: new Date(), objectCount: result.objectCount, backupCount: result.backupCount },
      });
    } catch (error) {
      // The page shows this message instead of an empty list.
      await db.backupCatalogRefresh.update({
        where: { id: input.refreshId },
        data: { status: "failed", finishedAt: new Date(), error: error instanceof Error ? error.message : String(error) },
      });
    }
  },
});
