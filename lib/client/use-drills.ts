"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api";
import { queryKeys } from "@/lib/client/query-keys";
import type { DrillsOverview, DrillView } from "@/lib/restore/drill/drill-model";
import type { RestoreRunView } from "@/lib/restore/restore-run-views";
import { periodQuery, type DrillPeriod } from "@/lib/restore/drill/drill-period";

const RUNNING_POLL_MS = 5_000;
// Slow enough to cost nothing, quick enough that a scheduled drill and the next run time show up.
const IDLE_POLL_MS = 60_000;

/** Every environment's drills of the period, from the server's first render, kept current. */
export function useDrills(period: DrillPeriod, initial: DrillsOverview) {
  return useQuery({
    queryKey: queryKeys.drills(period),
    queryFn: ({ signal }) => apiFetch<DrillsOverview>(`/api/drills?${periodQuery(period)}`, { signal }),
    initialData: initial,
    refetchInterval: (query) =>
      query.state.data?.environments.some((e) => e.drills.some((d) => d.outcome === "running")) ? RUNNING_POLL_MS : IDLE_POLL_MS,
  });
}

/** "Run drill now": starts the environment's configured drill of one method; every drills list refreshes to show it. */
export function useStartDrill(environment: string, method: DrillView["method"]) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<RestoreRunView>("/api/drills", { method: "POST", body: { environment, method } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.allDrills() }),
  });
}
