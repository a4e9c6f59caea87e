import { getEnvironment, loadConfig } from "@/lib/config/load-config";
import { resolveSecret } from "@/lib/config/secrets";
import { withTransaction, type SystemCtx } from "@/lib/db/ctx";
import { errorCode } from "@/lib/errors";
import { appendIncidentEvent } from "./append-incident-event";

/** The first try and five retries (pg-boss backs off exponentially between them). */
export const WEBHOOK_MAX_ATTEMPTS = 6;
const TIMEOUT_MS = 10_000;
const SYSTEM_EMAIL = "system";

export type DeliveryOutcome = "delivered" | "retry" | "failed" | "skipped";

/** Why a POST failed, in words that never contain the URL (it carries the webhook's token). */
function describeFailure(error: unknown, url: string): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return `No answer within ${TIMEOUT_MS / 1000} s.`;
  // fetch puts the network failure (ECONNREFUSED, ENOTFOUND…) in the error's cause.
  const code = errorCode(error instanceof Error ? error.cause : undefined);
  if (code) return `Could not reach the webhook (${code}).`;
  const message = error instanceof Error ? error.message : String(error);
  return (url ? message.replaceAll(url, "[webhook URL]") : message).slice(0, 300);
}

/**
 * Sends one recorded delivery (the worker's job). A failure is recorded on the delivery and on
 * the incident's timeline; "retry" tells the job to fail so pg-boss tries again later.
 */
export async function deliverWebhook({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { deliveryId: string; signal?: AbortSignal };
}): Promise<DeliveryOutcome> {
  const delivery = await ctx.db.webhookDelivery.findUnique({ where: { id: input.deliveryId } });
  if (!delivery || delivery.status !== "pending") return "skipped";
  const attempt = delivery.attempts + 1;

  let url = "";
  let failure: string | null = null;
  try {
    const ref = getEnvironment(loadConfig().config, delivery.environment).notifications?.webhookUrlFrom;
    if (!ref) throw new Error(`Environment ${delivery.environment} no longer has a webhook configured.`);
    url = await resolveSecret(ref);
    const signals = [AbortSignal.timeout(TIMEOUT_MS), ...(input.signal ? [input.signal] : [])];
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(delivery.payload),
      signal: AbortSignal.any(signals),
      redirect: "error",
    });
    if (!response.ok) {
      const body = (await response.text().catch(() => "")).trim().slice(0, 200);
      failure = `The webhook answered HTTP ${response.status}${body ? `: ${body.replaceAll(url, "[webhook URL]")}` : ""}.`;
    }
  } catch (error) {
    failure = describeFailure(error, url);
  }

  const now = new Date();
  if (failure === null) {
    await ctx.db.webhookDelivery.updateMany({
      where: { id: delivery.id, status: "pending" },
      data: { status: "delivered", attempts: attempt, lastAttemptAt: now, deliveredAt: now },
    });
    return "delivered";
  }

  const final = attempt >= WEBHOOK_MAX_ATTEMPTS;
  await withTransaction(ctx, async ({ db: tx }) => {
    await tx.webhookDelivery.updateMany({
      where: { id: delivery.id, status: "pending" },
      data: { status: final ? "failed" : "pending", attempts: attempt, lastAttemptAt: now, lastError: failure },
    });
    if (delivery.incidentId) {
      await appendIncidentEvent(tx, {
        incidentId: delivery.incidentId,
        actorEmail: SYSTEM_EMAIL,
        type: "notification-failed",
        payload: { deliveryId: delivery.id, event: delivery.event, attempt, willRetry: !final, error: failure },
      });
    }
  });
  return final ? "failed" : "retry";
}
