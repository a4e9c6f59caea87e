import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { getIncident } from "./get-incident";
import { reviewFilename, reviewMarkdown } from "./review-markdown";

/** The review, timeline and measured RTO/RPO of one incident as a Markdown document. Only the db is needed, as for getIncident. */
export async function exportReviewMarkdown({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { incidentId: string };
}): Promise<{ filename: string; markdown: string }> {
  const incident = await getIncident({ ctx, input });
  return { filename: reviewFilename(incident), markdown: reviewMarkdown(incident) };
}
