import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { defineJob } from "@/lib/jobs/define-job";
import { deliverWebhook, WEBHOOK_MAX_ATTEMPTS } from "./deliver-webhook";

/** Posts one incident webhook; a failed attempt throws so pg-boss retries it with backoff. */
export const incidentWebhookJob = defineJob({
  queue: "incident-webhook",
  input: z.object({ deliveryId: z.uuid() }),
  options: { retryLimit: WEBHOOK_MAX_ATTEMPTS - 1, retryDelay: 2, retryBackoff: true, expireInSeconds: 60 },
  async run(input, { jobId, signal }) {
    const outcome = await deliverWebhook({ ctx: systemCtx(getDb(), jobId), input: { deliveryId: input.deliveryId, signal } });
    // The reason is on the delivery row; the job's own error stays free of anything secret.
    if (outcome === "retry") throw new Error(`Webhook delivery ${input.deliveryId} failed; retrying.`);
  },
});
