import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { defineJob } from "@/lib/jobs/define-job";
import { notifyOverduePhases } from "./notify-overdue-phases";

/** Phase deadlines are minutes apart; checking every minute announces an overdue phase within one. */
export const phaseOverdueJob = defineJob({
  queue: "incident-phase-overdue",
  input: z.object({}),
  options: { retryLimit: 0, expireInSeconds: 5 * 60 },
  schedule: { cron: "* * * * *" },
  async run(_input, { jobId }) {
    await notifyOverduePhases({ ctx: systemCtx(getDb(), jobId), input: {} });
  },
});
