import { z } from "zod";
import { loadConfig } from "@/lib/config/load-config";
import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { previousCronFire } from "@/lib/jobs/cron-schedule";
import { defineJob } from "@/lib/jobs/define-job";
import { listBaseBackups } from "@/lib/providers/local/base-backups";
import { takePitrBaseBackup } from "./take-pitr-base-backup";

/** Whether a source's schedule fired since its newest base backup started (or it has none). */
async function isDue(schedule: string, baseBackupDir: string, now: Date): Promise<boolean> {
  const [newest] = await listBaseBackups(baseBackupDir);
  if (!newest) return true;
  const fired = previousCronFire(schedule, now);
  return fired !== null && newest.startedAt < fired;
}

/**
 * Base backups of local PITR sources. Every minute (and at worker start) each source with a
 * baseBackupSchedule gets one when its schedule came due since its newest backup, so a worker
 * that was down at the scheduled minute catches up. With an environment: one now, on demand.
 */
export const pitrBaseBackupJob = defineJob({
  queue: "pitr-base-backup",
  input: z.object({ environment: z.string().min(1).max(63).optional() }),
  options: { retryLimit: 0, expireInSeconds: 2 * 60 * 60 },
  schedule: { cron: "* * * * *", atStart: true },
  async run(input, { jobId }) {
    const ctx = systemCtx(getDb(), jobId);
    if (input.environment) {
      await takePitrBaseBackup({ ctx, input: { environment: input.environment, reason: "on-demand" } });
      return;
    }
    const now = new Date();
    for (const environment of loadConfig().config.environments) {
      const source = environment.pitr;
      if (source?.provider !== "local" || !source.baseBackupSchedule) continue;
      try {
        if (await isDue(source.baseBackupSchedule, source.baseBackupDir, now)) {
          await takePitrBaseBackup({ ctx, input: { environment: environment.name, reason: "schedule" } });
        }
      } catch (error) {
        // One source's failure must not stop the others'; the next minute tries again.
        console.error(`[pitr-base-backup] ${environment.name}: could not take a scheduled base backup`, error);
      }
    }
  },
});
