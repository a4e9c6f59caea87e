import { getEnvironment, loadConfig } from "@/lib/config/load-config";
import type { EnvironmentConfig } from "@/lib/config/schema";
import { resolveSecret } from "@/lib/config/secrets";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import type { Prisma } from "@/lib/generated/prisma/client";
import { getEnv } from "@/lib/env";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { incidentWebhookJob } from "./incident-webhook-job";

// Outgoing webhooks (Slack-compatible JSON), one per environment. Sending never blocks or fails
// the incident action that caused it: the caller has committed before calling, every error here
// is logged and swallowed, and the delivery itself runs (and retries) in the worker.

export type WebhookEvent =
  "incident-declared" | "run-started" | "run-finished" | "run-failed" | "phase-overdue" | "alert-fired" | "alert-resolved";

/** What Slack's incoming webhooks accept; `text` is also the notification's fallback. */
export interface SlackMessage {
  text: string;
  blocks?: Prisma.InputJsonObject[];
}

const HEADLINES: Readonly<Record<WebhookEvent, string>> = {
  "incident-declared": ":rotating_light: Incident declared",
  "run-started": ":arrow_forward: Restore started",
  "run-finished": ":white_check_mark: Restore finished",
  "run-failed": ":x: Restore failed",
  "phase-overdue": ":alarm_clock: Checklist phase overdue",
  "alert-fired": ":warning: Alert",
  "alert-resolved": ":large_green_circle: Alert resolved",
};

/** Slack's mrkdwn treats &, < and > as markup. */
function escapeMrkdwn(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A page of the app as a full URL, when the app's own URL is known. */
function appUrl(path: string): string | null {
  try {
    const base = getEnv().NEXTAUTH_URL;
    return base ? new URL(path, base).toString() : null;
  } catch {
    return null;
  }
}

/** The message for one incident event: headline, incident, detail, and a link when the app's URL is known. */
export function incidentMessage(
  event: WebhookEvent,
  incident: { id: string; title: string; severity: string; environment: string },
  detail: string,
): SlackMessage {
  const url = appUrl(`/incidents/${incident.id}`);
  const title = escapeMrkdwn(incident.title);
  const name = url ? `<${url}|${title}>` : `*${title}*`;
  const text = `${HEADLINES[event]} · ${incident.severity.toUpperCase()} · ${incident.environment}: ${incident.title}`;
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${HEADLINES[event]} — ${name}` } },
      { type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(detail) } },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `${incident.severity.toUpperCase()} · environment ${escapeMrkdwn(incident.environment)}` }],
      },
    ],
  };
}

/** The message for an alert firing or resolving: headline, what and where, a link to the cause. */
export function alertMessage(
  event: "alert-fired" | "alert-resolved",
  alert: { severity: string; title: string; detail: string; environment: string | null; href: string | null },
): SlackMessage {
  const url = alert.href ? appUrl(alert.href) : null;
  const title = escapeMrkdwn(alert.title);
  const where = alert.environment ? ` · ${alert.environment}` : "";
  return {
    text: `${HEADLINES[event]} · ${alert.severity.toUpperCase()}${where}: ${alert.title}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${HEADLINES[event]} — ${url ? `<${url}|${title}>` : `*${title}*`}` } },
      { type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(alert.detail) } },
    ],
  };
}

const warned = new Set<string>();

function warnOnce(environment: string, message: string): void {
  if (warned.has(environment)) return;
  warned.add(environment);
  console.warn(`[incidents] webhooks for environment ${environment} are not sent: ${message}`);
}

/** Is a webhook configured, with its secret available? Says why not once per environment (never the URL). */
async function webhookReady(environment: EnvironmentConfig): Promise<boolean> {
  const ref = environment.notifications?.webhookUrlFrom;
  if (!ref) return false;
  try {
    await resolveSecret(ref);
    return true;
  } catch (error) {
    warnOnce(environment.name, error instanceof Error ? error.message : "its URL could not be read");
    return false;
  }
}

/**
 * Records a delivery and queues it for the worker. Returns the delivery id, or null when the
 * environment sends no webhooks. Never throws.
 */
export async function notify({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { environment: string; incidentId: string | null; event: WebhookEvent; message: SlackMessage };
}): Promise<string | null> {
  let deliveryId: string | null = null;
  try {
    if (!(await webhookReady(getEnvironment(loadConfig().config, input.environment)))) return null;
    const delivery = await ctx.db.webhookDelivery.create({
      data: { environment: input.environment, incidentId: input.incidentId, event: input.event, payload: { ...input.message } },
    });
    deliveryId = delivery.id;
    await enqueueJob(incidentWebhookJob, { deliveryId });
    return deliveryId;
  } catch (error) {
    console.error(
      `[incidents] could not queue the ${input.event} webhook for ${input.environment}`,
      error instanceof Error ? error.message : error,
    );
    if (deliveryId) {
      const lastError = "Could not queue the delivery; it was not sent.";
      await ctx.db.webhookDelivery.update({ where: { id: deliveryId }, data: { status: "failed", lastError } }).catch(() => undefined);
    }
    return deliveryId;
  }
}
