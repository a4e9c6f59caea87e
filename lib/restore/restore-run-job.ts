import { hostname } from "node:os";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { defineJob } from "@/lib/jobs/define-job";
import { runLogicalRestore, type RunnerOptions } from "./engine/run-with-lease";
import { runPitrRestore } from "./pitr/run-pitr-restore";

/** The restore-run job with its runner settings; tests shorten the lease, production uses the defaults. */
export function createRestoreRunJob(settings: Omit<RunnerOptions, "workerId" | "signal"> = {}) {
  return defineJob({
    queue: "restore-run",
    input: z.object({ runId: z.uuid() }),
    // No retries: a run resumes through its persisted steps (and the sweeper), never by replaying a job.
    // Expiry is beyond the longest step (restore, 6 h) so pg-boss never abandons a live restore first.
    options: { retryLimit: 0, expireInSeconds: 7 * 60 * 60 },
    concurrency: 4,
    async run(input, { jobId, signal }) {
      const db = getDb();
      // One queue and one lease protocol for every kind of run; only the steps differ.
      const run = await db.restoreRun.findUnique({ where: { id: input.runId }, select: { kind: true } });
      if (!run) return;
      const runner = run.kind === "pitr" ? runPitrRestore : runLogicalRestore;
      await runner({ ctx: { db }, input: { runId: input.runId }, options: { ...settings, workerId: `${hostname()}:${process.pid}:${jobId}`, signal } });
    },
  });
}

export const restoreRunJob = createRestoreRunJob();
