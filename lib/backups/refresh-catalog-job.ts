import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { EnvironmentConfig } from "@/lib/config/schema";
import { defineJob } from "@/lib/jobs/define-job";
import { refreshCatalog } from "./refresh-catalog";
import { refreshReplicas } from "./refresh-replicas";
import { requestVerification } from "./request-verification";
import { backupStoreFor } from "./store-for-environment";

/** After a refresh, the newest backups never verified are verified automatically, so a bad upload shows up on its own. */
const AUTO_VERIFY_NEWEST = 7;

export const refreshCatalogJob = defineJob({
  queue: "backup-catalog-refresh",
  input: z.object({ refreshId: z.uuid(), environment: z.string() }),
  options: { retryLimit: 0, expireInSeconds: 30 * 60 },
  async run(input, { signal }) {
    const db = getDb();
    // The refresh's id is the request id of what it starts (the verifications' audit records).
    const ctx = systemCtx(db, input.refreshId);
    let environment: EnvironmentConfig | undefined;
    try {
      environment = resolveEnvironment(input.environment);
      const store = await backupStoreFor(environment);
      const result = await refreshCatalog({ ctx, input: { environment, store, signal } });
      await db.backupCatalogRefresh.update({
        where: { id: input.refreshId },
        data: { status: "ok", finishedAt: new Date(), objectCount: result.objectCount, backupCount: result.backupCount },
      });
      const unverified = await db.backup.findMany({
        where: { environment: environment.name, removedAt: null, expectedSha256: { not: null }, verificationState: "never" },
        orderBy: { takenAt: "desc" },
        take: AUTO_VERIFY_NEWEST,
      });
      for (const backup of unverified) {
        await requestVerification({ ctx, input: { backupId: backup.id } });
      }
    } catch (error) {
      // The page shows this message instead of an empty list.
      await db.backupCatalogRefresh.update({
        where: { id: input.refreshId },
        data: { status: "failed", finishedAt: new Date(), error: error instanceof Error ? error.message : String(error) },
      });
    }
    // Also when the primary is down: that is when a replica matters most.
    if (environment) {
      const configured = environment;
      await refreshReplicas({
        ctx,
        input: { environment: configured, openStore: (replica) => backupStoreFor(configured, replica.name), signal },
      });
    }
  },
});
