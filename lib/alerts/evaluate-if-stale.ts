import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { evaluateAlerts } from "./evaluate-alerts";
import { WORKER_DEAD_AFTER_MS } from "./rules";

/** A page or an API read evaluates the rules at most this often per process. */
const EVERY_MS = 30_000;
let lastAt = 0;

/**
 * Evaluates the rules when this process has not for a while. The workers do it every minute; the
 * web process does it too, when someone looks, so "no worker is running" is noticed without one.
 * Not in its first two minutes: after a deploy the workers may not have sent a heartbeat yet.
 * Never throws: a failed evaluation is logged and the open alerts are shown as they are.
 */
export async function evaluateAlertsIfStale(ctx: Ctx<SessionUser | null>): Promise<void> {
  if (Date.now() - lastAt < EVERY_MS || process.uptime() * 1000 < WORKER_DEAD_AFTER_MS) return;
  lastAt = Date.now();
  await evaluateAlerts({ ctx }).catch((error: unknown) => console.error("[alerts] evaluation failed", error));
}
