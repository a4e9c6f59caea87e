import "server-only";
import { userFromRequest } from "@/lib/auth/session";
import { hasRole, isPerson, type Role } from "@/lib/auth/roles";
import type { RequestContext } from "@/lib/http/route";

/** Sends one Server-Sent Event; `data` is JSON-encoded; `id` becomes the browser's Last-Event-ID. */
export type SendEvent = (event: string, data: unknown, id?: string) => void;

/** Why the server ended a stream (sent as a last `end` event before it closes). */
export type StreamEndReason = "lifetime" | "session" | "failed";

/** Ends the stream from the subscriber's side (e.g. its feed failed). */
export type EndStream = (reason: StreamEndReason) => void;

export interface LiveStreamSettings {
  /** A comment line this often keeps proxies from closing an idle stream; the session is re-checked too. */
  heartbeatMs: number;
  /** The server closes a stream this old; the browser reconnects at once, resuming from its last event id. */
  maxLifetimeMs: number;
  /** Open streams one person may hold in this process (tabs × live panels). */
  maxStreamsPerPerson: number;
}

const DEFAULTS: LiveStreamSettings = { heartbeatMs: 15_000, maxLifetimeMs: 15 * 60_000, maxStreamsPerPerson: 10 };

const globalForStreams = globalThis as unknown as {
  restoreConsoleLiveStreams?: { settings: LiveStreamSettings; open: Map<string, number> };
};
const state = (globalForStreams.restoreConsoleLiveStreams ??= { settings: { ...DEFAULTS }, open: new Map() });

/** Changes the stream settings (tests shorten them); returns a function restoring the previous ones. */
export function configureLiveStreams(overrides: Partial<LiveStreamSettings>): () => void {
  const previous = { ...state.settings };
  Object.assign(state.settings, overrides);
  return () => Object.assign(state.settings, previous);
}

/** How many streams each person holds open in this process (for tests and diagnostics). */
export function openStreamCount(userId: string): number {
  return state.open.get(userId) ?? 0;
}

const END_MESSAGES: Record<StreamEndReason, string> = {
  lifetime: "This live view reached its maximum age and reconnects now.",
  session: "Your session ended or no longer allows this view. Sign in again to continue.",
  failed: "The live feed stopped; reconnecting.",
};

export interface SseOptions {
  heartbeatMs?: number;
  maxLifetimeMs?: number;
  /** Asked on every heartbeat: a reason ends the stream (the person was disabled or demoted). */
  recheck?: () => Promise<StreamEndReason | null>;
  /** Runs once, however the stream ends. */
  onClose?: () => void;
  /**
   * Sets the browser's Last-Event-ID before any event, so even a stream that carried no event
   * reconnects with the header and the server knows it is a resumption.
   */
  initialEventId?: string;
}

/**
 * A Server-Sent Events response. `subscribe` starts feeding events and returns its clean-up,
 * which runs when the stream ends: the browser went away, the server closed it at its maximum
 * lifetime (the browser reconnects with Last-Event-ID), or the recheck said the person may no
 * longer see it. Before closing on its own, the server sends `event: end` with the reason.
 */
export function sseResponse(
  request: Request,
  subscribe: (send: SendEvent, end: EndStream) => Promise<() => void | Promise<void>>,
  options: SseOptions = {},
): Response {
  const encoder = new TextEncoder();
  const heartbeatMs = options.heartbeatMs ?? state.settings.heartbeatMs;
  const maxLifetimeMs = options.maxLifetimeMs ?? state.settings.maxLifetimeMs;
  let cleanup: (() => void | Promise<void>) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let lifetime: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let closedOnce = false;

  const release = async () => {
    clearInterval(heartbeat);
    clearTimeout(lifetime);
    if (closedOnce) return;
    closedOnce = true;
    try {
      await cleanup?.();
    } finally {
      options.onClose?.();
    }
  };

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // Cancelled underneath us; the cancel hook cleans up.
        }
      };
      const close = async () => {
        if (closed) return;
        closed = true;
        await release();
        try {
          controller.close();
        } catch {
          // The browser went away first and the stream is already cancelled.
        }
      };
      const end: EndStream = (reason) => {
        if (closed) return;
        // A planned close reconnects quickly; one the person may not follow says so and stays closed.
        if (reason !== "session") write("retry: 250\n\n");
        write(`event: end\ndata: ${JSON.stringify({ reason, reconnect: reason !== "session", message: END_MESSAGES[reason] })}\n\n`);
        void close();
      };
      request.signal.addEventListener("abort", () => void close());
      let checking = false;
      heartbeat = setInterval(() => {
        write(": keep-alive\n\n");
        if (!options.recheck || checking || closed) return;
        checking = true;
        options
          .recheck()
          .catch((): StreamEndReason => "failed")
          .then((reason) => {
            if (reason) end(reason);
          })
          .finally(() => {
            checking = false;
          });
      }, heartbeatMs);
      lifetime = setTimeout(() => end("lifetime"), maxLifetimeMs);
      write("retry: 3000\n\n");
      // An id with no data sets the last event id without dispatching an event.
      if (options.initialEventId !== undefined) write(`id: ${options.initialEventId}\n\n`);
      let unsubscribe: () => void | Promise<void>;
      try {
        unsubscribe = await subscribe(
          (event, data, id) => write(`event: ${event}\n${id === undefined ? "" : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`),
          end,
        );
      } catch (error) {
        closed = true;
        await release();
        throw error;
      }
      // Ended (or cancelled) while subscribing: the clean-up already ran without this.
      if (closedOnce) return void (await unsubscribe());
      cleanup = unsubscribe;
      if (request.signal.aborted) await close();
    },
    async cancel() {
      closed = true;
      await release();
    },
  });

  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}

/**
 * A live stream for the signed-in person of `ctx`: at most `maxStreamsPerPerson` open at once
 * (the next one is answered 429), the session re-checked against the database on every heartbeat
 * (a disabled person, a revoked session or a role below `role` ends it), and closed at its
 * maximum lifetime for the browser to reconnect.
 */
export function liveStream(
  ctx: RequestContext,
  role: Role,
  subscribe: (send: SendEvent, end: EndStream) => Promise<() => void | Promise<void>>,
  options: Pick<SseOptions, "initialEventId"> = {},
): Response {
  if (!isPerson(ctx.user)) {
    return Response.json(
      { error: { code: "forbidden", message: "Live views are for people signed in to the app; an API token polls the resource instead." } },
      { status: 403 },
    );
  }
  const userId = ctx.user.id;
  const open = state.open.get(userId) ?? 0;
  const limit = state.settings.maxStreamsPerPerson;
  if (open >= limit) {
    return Response.json(
      {
        error: {
          code: "too_many_requests",
          message: `You already have ${open} live views open (the limit is ${limit}). Close some tabs or panels showing live progress, then reload this page.`,
        },
      },
      { status: 429, headers: { "retry-after": "30" } },
    );
  }
  state.open.set(userId, open + 1);
  const onClose = () => {
    const now = (state.open.get(userId) ?? 1) - 1;
    if (now <= 0) state.open.delete(userId);
    else state.open.set(userId, now);
  };
  try {
    return sseResponse(ctx.request, subscribe, {
      ...options,
      onClose,
      recheck: async () => {
        const user = await userFromRequest(ctx.db, ctx.request);
        return user && user.id === userId && hasRole(user.role, role) ? null : "session";
      },
    });
  } catch (error) {
    onClose();
    throw error;
  }
}
