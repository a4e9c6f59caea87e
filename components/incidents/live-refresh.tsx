"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef } from "react";
import { useEventStream } from "@/lib/client/use-event-stream";

/** Bursts of events (a declaration, several ticks) become one refresh. */
const DEBOUNCE_MS = 500;
const POLL_MS = 10_000;

/**
 * Keeps a server-rendered incident list current: re-renders it whenever any incident changes
 * (Server-Sent Events), or every 10 s while the stream is down.
 */
export function LiveIncidentsRefresh() {
  const router = useRouter();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refresh = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => router.refresh(), DEBOUNCE_MS);
  }, [router]);
  const { connected } = useEventStream("/api/incidents/events", ["incident-event"], refresh);
  useEffect(() => {
    if (connected) return;
    const poll = setInterval(() => router.refresh(), POLL_MS);
    return () => clearInterval(poll);
  }, [connected, router]);
  useEffect(() => () => clearTimeout(timer.current), []);
  return null;
}
