import { z } from "zod";
import { route } from "@/lib/http/route";
import { exportReviewMarkdown } from "@/lib/incidents/export-review-markdown";

/** The post-incident review as a Markdown download. */
export const GET = route({ role: "viewer", params: z.object({ incidentId: z.uuid() }) }, async ({ ctx, input }) => {
  const { filename, markdown } = await exportReviewMarkdown({ ctx, input: input.params });
  return new Response(markdown, {
    headers: { "content-type": "text/markdown; charset=utf-8", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" },
  });
});
