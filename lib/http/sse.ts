import "server-only";

/** Sends one Server-Sent Event; `data` is JSON-encoded. */
export type SendEvent = (event: string, data: unknown) => void;

const HEARTBEAT_MS = 15_000;

/**
 * A Server-Sent Events response. `subscribe` starts feeding events and returns its clean-up,
 * which runs when the browser goes away. A comment line every 15 s keeps proxies from closing
 * an idle stream.
 */
export function sseResponse(request: Request, subscribe: (send: SendEvent) => Promise<() => void | Promise<void>>): Response {
  const encoder = new TextEncoder();
  let cleanup: (() => void | Promise<void>) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const close = async () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        await cleanup?.();
        try {
          controller.close();
        } catch {
          // The browser went away first and the stream is already cancelled.
        }
      };
      request.signal.addEventListener("abort", () => void close());
      heartbeat = setInterval(() => write(": keep-alive\n\n"), HEARTBEAT_MS);
      write("retry: 3000\n\n");
      cleanup = await subscribe((event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      if (request.signal.aborted) await close();
    },
    async cancel() {
      closed = true;
      clearInterval(heartbeat);
      await cleanup?.();
    },
  });

  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
  });
}
