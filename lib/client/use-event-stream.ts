"use client";

import { useEffect, useRef, useState } from "react";

/**
 * Listens to a Server-Sent Events endpoint. `connected` is false until the stream opens and
 * whenever it drops, so callers can fall back to polling; EventSource reconnects by itself.
 */
export function useEventStream(url: string | null, eventTypes: readonly string[], onEvent: (type: string, data: unknown) => void): { connected: boolean } {
  const [connected, setConnected] = useState(false);
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  }, [onEvent]);
  const types = eventTypes.join(",");

  useEffect(() => {
    if (!url || typeof EventSource === "undefined") return;
    const source = new EventSource(url);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
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
      for (const [type, listener] of listeners) source.removeEventListener(type, listener);
      source.close();
      setConnected(false);
    };
  }, [url, types]);

  return { connected };
}
