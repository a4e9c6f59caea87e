import { z } from "zod";
import { route } from "@/lib/http/route";
import { liveStream } from "@/lib/http/sse";
import { findIncidentOrThrow, subscribeToIncidentEvents } from "@/lib/incidents/incident-events";

/**
 * Live timeline: an `incident-event` for every new entry, from any process; the page then
 * refetches. A resumed stream (Last-Event-ID) or a lost-and-back connection sends one with
 * `resync: true` first, so nothing added in between is missed.
 */
export const GET = route({ role: "viewer", params: z.object({ incidentId: z.uuid() }) }, async ({ ctx, input }) => {
  await findIncidentOrThrow(ctx.db, input.params.incidentId);
  const resumed = ctx.request.headers.has("last-event-id");
  return liveStream(
    ctx,
    "viewer",
    async (send) => {
      const resync = () => send("incident-event", { incidentId: input.params.incidentId, resync: true });
      const unsubscribe = await subscribeToIncidentEvents(
        input.params.incidentId,
        (notice) => send("incident-event", notice, notice.id),
        undefined,
        resync,
      );
      if (resumed) resync();
      return unsubscribe;
    },
    { initialEventId: "0" },
  );
});
