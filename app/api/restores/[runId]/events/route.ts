import { z } from "zod";
import { route } from "@/lib/http/route";
import { liveStream } from "@/lib/http/sse";
import { findRunOrThrow, subscribeToRunEvents } from "@/lib/restore/engine/events";

const EVENT_ID = /^\d{1,19}$/;

/**
 * The run's events, live (the process's shared LISTEN connection, so workers in other processes
 * are heard). Each event carries its id, so a reconnecting browser resumes after the last one.
 */
export const GET = route(
  { role: "viewer", params: z.object({ runId: z.uuid() }), query: z.object({ after: z.string().regex(EVENT_ID).optional() }) },
  async ({ ctx, input }) => {
    await findRunOrThrow(ctx.db, input.params.runId);
    const lastEventId = ctx.request.headers.get("last-event-id");
    const afterId = lastEventId && EVENT_ID.test(lastEventId) ? lastEventId : input.query.after;
    return liveStream(ctx, "viewer", (send, end) =>
      subscribeToRunEvents(input.params.runId, (event) => send(event.type, event, event.id), { afterId, onError: () => end("failed") }),
    );
  },
);
