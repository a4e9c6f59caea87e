import type { ReadContext } from "./context";
import { getIncident } from "./get-incident";
import { reviewFilename, reviewMarkdown } from "./review-markdown";

/** The review, timeline and measured RTO/RPO of one incident as a Markdown document. */
export async function exportReviewMarkdown({ ctx, input }: { ctx: ReadContext; input: { incidentId: string } }): Promise<{ filename: string; markdown: string }> {
  const incident = await getIncident({ ctx, input });
  return { filename: reviewFilename(incident), markdown: reviewMarkdown(incident) };
}
