import { z } from "zod";
import { route } from "@/lib/http/route";
import { updateIncidentFacts, UpdateIncidentFactsInput } from "@/lib/incidents/update-incident-facts";

/** Corrects the incident's scope or last known good time (audited, on the timeline). */
export const POST = route(
  { role: "operator", params: z.object({ incidentId: z.uuid() }), body: UpdateIncidentFactsInput },
  ({ ctx, input }) => updateIncidentFacts({ ctx, input: { ...input.body, ...input.params } }),
);
