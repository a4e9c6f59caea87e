"use client";

import { useQuery } from "@tanstack/react-query";
import type { PitrRegion } from "@/lib/restore/pitr/dr";
import type { PitrWindowSummary } from "@/lib/restore/pitr/describe-pitr-window";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

/** The latest end moves as WAL is archived; describing again now and then keeps the picker honest. */
const REFRESH_MS = 20_000;

/** An environment's restore window in a region, described by the server and refreshed while the page is open. */
export function usePitrWindow(environment: string, region: PitrRegion, initial: PitrWindowSummary | null) {
  const query = new URLSearchParams({ environment, region });
  return useQuery({
    queryKey: queryKeys.pitrWindow(environment, region),
    queryFn: ({ signal }) => apiFetch<PitrWindowSummary>(`/api/pitr/window?${query.toString()}`, { signal }),
    initialData: initial?.environment === environment && initial.region === region ? initial : undefined,
    refetchInterval: REFRESH_MS,
  });
}
