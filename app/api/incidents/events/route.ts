import { route } from "@/lib/http/route";
import { liveStream } from "@/lib/http/sse";
import { subscribeToIncidentEvents } from "@/lib/incidents/incident-events";

/** Live lists: an `incident-event` whenever any incident's timeline grows (declared, ticked, closed…). */
export const GET = route({ role: "viewer" }, async ({ ctx }) => {
  const resumed = ctx.request.headers.has("last-event-id");
  return liveStream(
    ctx,
    "viewer",
    async (send) => {
      const resync = () => send("incident-event", { resync: true });
      const unsubscribe = await subscribeToIncidentEvents(null, (notice) => send("incident-event", notice, notice.id), undefined, resync);
      if (resumed) resync();
      return unsubscribe;
    },
    { initialEventId: "0" },
  );
});
