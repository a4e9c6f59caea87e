import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { defineJob, type Ticker } from "@/lib/jobs/define-job";
import { sweepLapsedRuns, sweepRestoreRuns } from "./sweep-restore-runs";

/** Every worker looks for lapsed leases this often, so a dead worker's run is taken over within its lease plus this. */
export const LAPSED_SWEEP_EVERY_MS = 10_000;

/** Housekeeping once a minute through pg-boss's cron (one worker runs each): lost jobs, stale locks, retention. */
export const restoreSweeperJob = defineJob({
  queue: "restore-sweeper",
  input: z.object({}),
  options: { retryLimit: 0, expireInSeconds: 5 * 60 },
  schedule: { cron: "* * * * *", atStart: true },
  async run() {
    await sweepRestoreRuns({ ctx: systemCtx(getDb(), "restore-sweeper") });
  },
});

/**
 * The lapsed-lease sweep runs in every worker, on its own timer: it does not depend on which
 * worker holds the cron job (a worker that dies holding it would delay the sweep by minutes).
 * Sweepers take a run with a guarded update, so several sweeping at once settle each run once.
 */
export function createLapsedRunTicker(everyMs = LAPSED_SWEEP_EVERY_MS): Ticker {
  return {
    name: "restore-lapsed-leases",
    everyMs,
    async run() {
      await sweepLapsedRuns({ ctx: systemCtx(getDb(), "restore-sweeper") });
    },
  };
}

export const lapsedRunTicker = createLapsedRunTicker();
