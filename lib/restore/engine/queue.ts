import { z } from "zod";
import { defineQueue } from "@/lib/jobs/define-job";

// The queue every kind of run goes through: its name and payload only, so a verb that starts or
// resumes a run enqueues without importing the runner, its steps or the providers.

export const RestoreRunPayload = z.object({ runId: z.uuid() });
export type RestoreRunPayload = z.infer<typeof RestoreRunPayload>;

/**
 * No retries: a run resumes through its persisted steps (and the sweeper), never by replaying a
 * job. The expiry is beyond the longest step (restore, 6 h) so pg-boss never abandons a live run
 * first; a dead worker's job does not wait for it: the sweeper fails that job once the run's
 * lease lapses.
 */
export const restoreRunQueue = defineQueue({
  queue: "restore-run",
  input: RestoreRunPayload,
  options: { retryLimit: 0, expireInSeconds: 7 * 60 * 60 },
});
