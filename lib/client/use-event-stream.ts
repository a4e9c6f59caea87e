"use client";

import { useEffect, useRef, useState } from "react";

/** How long a planned reconnect (the server closed the stream at its maximum age) may take before it counts as a drop. */
const PLANNED_RECONNECT_GRACE_MS = 5_000;

interface StreamEnd {
  reason?: string;
  reconnect?: boolean;
}

/**
 * Listens to a Server-Sent Events endpoint. `connected` is false until the stream opens and
 * whenever it drops, so callers can fall back to polling.
 *
 * The server closes every stream at its maximum age with an `end` event saying to reconnect:
 * EventSource then reconnects by itself, sending the last event id it saw (Last-Event-ID), and
 * the server resumes from there, so no event is lost and `connected` stays true throughout.
 * An `end` that says not to reconnect (the session ended or no longer allows the view) closes
 * the stream for good; `ended` then carries the server's reason.
 */
export function useEventStream(
  url: string | null,
  eventTypes: readonly string[],
  onEvent: (type: string, data: unknown) => void,
): { connected: boolean; ended: string | null } {
  const [connected, setConnected] = useState(false);
  const [ended, setEnded] = useState<string | null>(null);
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  }, [onEvent]);
  const types = eventTypes.join(",");

  useEffect(() => {
    if (!url || typeof EventSource === "undefined") return;
    const source = new EventSource(url);
    let plannedUntil = 0;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    source.onopen = () => {
      plannedUntil = 0;
      clearTimeout(graceTimer);
      setConnected(true);
      setEnded(null);
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(graceTimer);
        setConnected(false);
        return;
      }
      // A reconnect the server asked for: stay "connected" unless it takes too long.
      if (Date.now() < plannedUntil) {
        clearTimeout(graceTimer);
        graceTimer = setTimeout(() => setConnected(false), Math.max(0, plannedUntil - Date.now()));
        return;
      }
      setConnected(false);
    };
    const onEnd = (message: MessageEvent<string>) => {
      let end: StreamEnd = {};
      try {
        end = JSON.parse(message.data) as StreamEnd;
      } catch {
        // Treated as a plain reconnect.
      }
      if (end.reconnect === false) {
        source.close();
        setConnected(false);
        setEnded(end.reason ?? "ended");
        return;
      }
      plannedUntil = Date.now() + PLANNED_RECONNECT_GRACE_MS;
    };
    source.addEventListener("end", onEnd);
    const listeners = types.split(",").map((type) => {
      const listener = (message: MessageEvent<string>) => {
        try {
          handler.current(type, JSON.parse(message.data) as unknown);
        } catch {
          // A malformed event is dropped; the next poll or event brings the page up to date.
        }
      };
      source.addEventListener(type, listener);
      return [type, listener] as const;
    });
    return () => {
      clearTimeout(graceTimer);
      source.removeEventListener("end", onEnd);
      for (const [type, listener] of listeners) source.removeEventListener(type, listener);
      source.close();
      setConnected(false);
    };
  }, [url, types]);

  return { connected, ended };
}
