"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect } from "react";
import type { IncidentDetail } from "@/lib/incidents/incident-views";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";
import { useEventStream } from "./use-event-stream";

/** Polling when the live stream is down; a slow safety net while it is up. */
const POLL_MS = 5_000;
const LIVE_POLL_MS = 30_000;

/**
 * One incident, kept current: every new timeline entry (from anyone, any process) arrives over
 * Server-Sent Events and triggers a refetch; without the stream it polls every 5 s.
 */
export function useIncident(initial: IncidentDetail) {
  const queryClient = useQueryClient();
  const queryKey = queryKeys.incident(initial.id);
  const refresh = useCallback(
    () => void queryClient.invalidateQueries({ queryKey: queryKeys.incident(initial.id) }),
    [queryClient, initial.id],
  );
  const { connected } = useEventStream(`/api/incidents/${initial.id}/events`, ["incident-event"], refresh);
  // Catch up on whatever happened before the stream (re)opened.
  useEffect(() => {
    if (connected) refresh();
  }, [connected, refresh]);
  const query = useQuery({
    queryKey,
    queryFn: ({ signal }) => apiFetch<IncidentDetail>(`/api/incidents/${initial.id}`, { signal }),
    initialData: initial,
    refetchInterval: connected ? LIVE_POLL_MS : POLL_MS,
  });
  return { incident: query.data, live: connected, error: query.error };
}
