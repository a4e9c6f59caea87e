import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { defineJob } from "@/lib/jobs/define-job";
import { GLOBAL_PROMOTION_TIMEOUT_MS, runGlobalPromotion } from "./run-global-promotion";

/** Promotes an Aurora global database's DR cluster, once asked for (and approved, under four-eyes). */
export const globalPromotionJob = defineJob({
  queue: "pitr-global-promotion",
  input: z.object({ promotionId: z.uuid() }),
  // The promotion records its own outcome; a person asks again rather than a silent retry. The
  // job outlives the promotion's own limit, so that limit's message is the one recorded.
  options: { retryLimit: 0, expireInSeconds: GLOBAL_PROMOTION_TIMEOUT_MS / 1000 + 5 * 60 },
  async run(input, { jobId, signal }) {
    await runGlobalPromotion({ ctx: systemCtx(getDb(), jobId), input: { promotionId: input.promotionId, signal } });
  },
});
