import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { defineJob } from "@/lib/jobs/define-job";
import { sweepRestoreRuns } from "./sweep-restore-runs";

/** pg-boss's cron has minute resolution; sweeping twice per job makes it every 30 s. */
const SECOND_SWEEP_AFTER_MS = 30_000;

export const restoreSweeperJob = defineJob({
  queue: "restore-sweeper",
  input: z.object({}),
  options: { retryLimit: 0, expireInSeconds: 5 * 60 },
  schedule: { cron: "* * * * *", atStart: true },
  async run(_input, { signal }) {
    const db = getDb();
    await sweepRestoreRuns({ ctx: { db } });
    const waited = await sleep(SECOND_SWEEP_AFTER_MS, true, { signal }).catch(() => false);
    if (waited) await sweepRestoreRuns({ ctx: { db } });
  },
});
