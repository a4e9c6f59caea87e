import { route } from "@/lib/http/route";
import { sseResponse } from "@/lib/http/sse";
import { subscribeToIncidentEvents } from "@/lib/incidents/incident-events";

/** Live lists: an `incident-event` whenever any incident's timeline grows (declared, ticked, closed…). */
export const GET = route({ role: "viewer" }, async ({ ctx }) =>
  sseResponse(ctx.request, (send) => subscribeToIncidentEvents(null, (notice) => send("incident-event", notice))),
);
