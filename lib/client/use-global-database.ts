"use client";

import { useQuery } from "@tanstack/react-query";
import type { GlobalDatabaseSummary } from "@/lib/restore/pitr/global/describe-global-database";
import { ACTIVE_PROMOTION_STATUSES } from "@/lib/restore/pitr/global/global-promotion-views";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

const ACTIVE: readonly string[] = ACTIVE_PROMOTION_STATUSES;

/** An environment's Aurora global database and its promotions; polled closely while one is under way. */
export function useGlobalDatabase(environment: string) {
  return useQuery({
    queryKey: queryKeys.pitrGlobalDatabase(environment),
    queryFn: ({ signal }) =>
      apiFetch<GlobalDatabaseSummary>(`/api/pitr/global-database?environment=${encodeURIComponent(environment)}`, { signal }),
    refetchInterval: (query) => (query.state.data?.promotions.some((promotion) => ACTIVE.includes(promotion.status)) ? 5_000 : 30_000),
  });
}
