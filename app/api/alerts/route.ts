import { route } from "@/lib/http/route";
import { listOpenAlerts } from "@/lib/alerts/evaluate-alerts";
import { evaluateAlertsIfStale } from "@/lib/alerts/evaluate-if-stale";

/** The open alerts, critical first, after evaluating the rules if this process has not lately. */
export const GET = route({ role: "viewer" }, async ({ ctx }) => {
  await evaluateAlertsIfStale(ctx);
  return listOpenAlerts({ ctx });
});
