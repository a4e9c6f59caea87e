import { z } from "zod";
import { defineQueue } from "@/lib/jobs/define-job";

/** Comparisons queue here; the handler (compare-rows-job.ts) is the worker's. */
export const compareRowsQueue = defineQueue({
  queue: "compare-rows",
  input: z.object({ comparisonId: z.uuid() }),
  // Read-only and asked for again from the run page; a retry would only hide a failure.
  options: { retryLimit: 0, expireInSeconds: 2 * 60 * 60 },
});
