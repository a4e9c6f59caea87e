import { route } from "@/lib/http/route";
import { collectMetrics } from "@/lib/metrics/collect-metrics";

/** Prometheus's text format; scraped with a viewer API token (`Authorization: Bearer rct_…`). */
export const GET = route({ role: "viewer" }, async ({ ctx }) => {
  const metrics = await collectMetrics({ ctx });
  return new Response(metrics.text, { headers: { "content-type": metrics.contentType, "cache-control": "no-store" } });
});
