import { z } from "zod";
import { route } from "@/lib/http/route";
import { sseResponse } from "@/lib/http/sse";
import { subscribeToIncidentEvents } from "@/lib/incidents/incident-events";

/** Live timeline: an `incident-event` for every new entry, from any process; the page then refetches. */
export const GET = route({ role: "viewer", params: z.object({ incidentId: z.uuid() }) }, async ({ ctx, input }) =>
  sseResponse(ctx.request, (send) => subscribeToIncidentEvents(input.params.incidentId, (notice) => send("incident-event", notice))),
);
