import { hostname } from "node:os";
import { getDb } from "@/lib/db/client";
import { defineJob } from "@/lib/jobs/define-job";
import { driveRun, type RunnerOptions } from "./engine/drive-run";
import { restoreRunQueue } from "./engine/queue";
import { runKindOf } from "./kinds";

/** Runs a worker takes at once; each holds one target (one run per target), so a long restore does not hold up another target's. */
export const RUNS_PER_WORKER = 4;

/** The restore-run job with its runner settings; tests shorten the lease, production uses the defaults. */
export function createRestoreRunJob(settings: Omit<RunnerOptions, "workerId" | "signal" | "jobId"> = {}) {
  return defineJob({
    ...restoreRunQueue,
    concurrency: RUNS_PER_WORKER,
    async run(input, { jobId, signal }) {
      const db = getDb();
      // One queue and one lease protocol for every kind of run; only the steps differ.
      const run = await db.restoreRun.findUnique({ where: { id: input.runId }, select: { kind: true } });
      if (!run) return;
      await driveRun(db, input.runId, runKindOf(run.kind), {
        ...settings,
        workerId: `${hostname()}:${process.pid}:${jobId}`,
        jobId,
        signal,
      });
    },
  });
}

export const restoreRunJob = createRestoreRunJob();
