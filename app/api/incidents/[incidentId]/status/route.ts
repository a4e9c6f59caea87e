import { z } from "zod";
import { route } from "@/lib/http/route";
import { updateIncidentStatus, UpdateIncidentStatusInput } from "@/lib/incidents/update-incident-status";

export const POST = route(
  { role: "operator", params: z.object({ incidentId: z.uuid() }), body: UpdateIncidentStatusInput },
  ({ ctx, input }) => updateIncidentStatus({ ctx, input: { ...input.body, ...input.params } }),
);
