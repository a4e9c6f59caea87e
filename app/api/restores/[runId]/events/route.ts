import { z } from "zod";
import { route } from "@/lib/http/route";
import { sseResponse } from "@/lib/http/sse";
import { subscribeToRunEvents } from "@/lib/restore/run-events";

/** The run's events, live (Postgres LISTEN/NOTIFY, so workers in other processes are heard). */
export const GET = route(
  { role: "viewer", params: z.object({ runId: z.uuid() }), query: z.object({ after: z.string().regex(/^\d+$/).optional() }) },
  async ({ ctx, input }) => {
    const afterId = ctx.request.headers.get("last-event-id") ?? input.query.after;
    return sseResponse(ctx.request, (send) =>
      subscribeToRunEvents(input.params.runId, (event) => send(event.type, event), { afterId: afterId && /^\d+$/.test(afterId) ? afterId : undefined }),
    );
  },
);
