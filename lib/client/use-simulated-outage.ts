"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { SimulatedOutage } from "@/lib/demo/simulated-outage-state";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

/** Another person may start or end the outage: asked again now and then while the page is open. */
const REFRESH_MS = 15_000;

/** The demo's simulated outage, starting from what the page was rendered with. */
export function useSimulatedOutage(initial: SimulatedOutage) {
  return useQuery({
    queryKey: queryKeys.simulatedOutage(),
    queryFn: ({ signal }) => apiFetch<SimulatedOutage>("/api/demo/outage", { signal }),
    initialData: initial,
    refetchInterval: REFRESH_MS,
  });
}

/** Starts (true) or ends (false) the simulated outage; the answer is the new state. */
export function useSetSimulatedOutage() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (down: boolean) => apiFetch<SimulatedOutage>("/api/demo/outage", { method: "POST", body: { down } }),
    onSuccess: (state) => queryClient.setQueryData(queryKeys.simulatedOutage(), state),
  });
}
