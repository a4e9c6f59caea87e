import { z } from "zod";
import { loadConfig } from "@/lib/config/load-config";
import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { defineJob } from "@/lib/jobs/define-job";
import { requestCatalogRefresh } from "./request-catalog-refresh";

/**
 * Keeps every environment's cached catalog (and so the freshness on the Overview) current without
 * anyone opening the Backups page: a refresh every 15 minutes and when a worker starts. Each
 * refresh then verifies the new backups.
 */
export const refreshAllCatalogsJob = defineJob({
  queue: "backup-catalog-refresh-all",
  input: z.object({}),
  options: { retryLimit: 0, expireInSeconds: 5 * 60 },
  schedule: { cron: "*/15 * * * *", atStart: true },
  async run(_input, { jobId }) {
    const ctx = systemCtx(getDb(), jobId);
    for (const environment of loadConfig().config.environments.filter((e) => e.backupStore)) {
      await requestCatalogRefresh({ ctx, input: { environment: environment.name } });
    }
  },
});
