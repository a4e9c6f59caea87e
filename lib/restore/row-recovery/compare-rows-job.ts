import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { defineJob } from "@/lib/jobs/define-job";
import { compareRows } from "./compare-rows";
import { compareRowsQueue } from "./queue";

/** Compares a run's restored tables with live (lib/restore/row-recovery/request-row-comparison.ts queues it). */
export const compareRowsJob = defineJob({
  ...compareRowsQueue,
  async run(input, { jobId, signal }) {
    await compareRows({ ctx: systemCtx(getDb(), jobId), input: { comparisonId: input.comparisonId, signal } });
  },
});
