"use client";

import { useQuery } from "@tanstack/react-query";
import type { PitrWindowSummary } from "@/lib/restore/pitr/describe-pitr-window";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

/** The latest end moves as WAL is archived; describing again now and then keeps the picker honest. */
const REFRESH_MS = 20_000;

/** An environment's restore window, described by the server and refreshed while the page is open. */
export function usePitrWindow(environment: string, initial?: PitrWindowSummary) {
  return useQuery({
    queryKey: queryKeys.pitrWindow(environment),
    queryFn: ({ signal }) => apiFetch<PitrWindowSummary>(`/api/pitr/window?environment=${encodeURIComponent(environment)}`, { signal }),
    initialData: initial?.environment === environment ? initial : undefined,
    refetchInterval: REFRESH_MS,
  });
}
