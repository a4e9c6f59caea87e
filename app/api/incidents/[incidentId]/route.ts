import { z } from "zod";
import { route } from "@/lib/http/route";
import { getIncident } from "@/lib/incidents/get-incident";

export const GET = route({ role: "viewer", params: z.object({ incidentId: z.uuid() }) }, ({ ctx, input }) =>
  getIncident({ ctx, input: input.params }),
);
