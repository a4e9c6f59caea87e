import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { defineJob } from "@/lib/jobs/define-job";
import { pruneAnonymousFailures } from "./prune-anonymous-failures";

/** Once a day: anonymous failure counts older than the retention period are dropped. */
export const pruneAnonymousFailuresJob = defineJob({
  queue: "prune-anonymous-failures",
  input: z.object({}),
  options: { retryLimit: 2, expireInSeconds: 10 * 60 },
  schedule: { cron: "17 3 * * *" },
  async run(_input, { jobId }) {
    await pruneAnonymousFailures({ ctx: systemCtx(getDb(), jobId), input: {} });
  },
});
