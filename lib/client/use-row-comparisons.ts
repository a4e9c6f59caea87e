"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ComparableTable, RowComparisonView, RowFilterCondition } from "@/lib/restore/row-recovery/model";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

/** The restored copy's tables, read from the copy when the person opens the comparison form. */
export function useComparableTables(runId: string, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.comparableTables(runId),
    queryFn: ({ signal }) => apiFetch<ComparableTable[]>(`/api/restores/${runId}/comparable-tables`, { signal }),
    enabled,
    staleTime: 60_000,
  });
}

/** The run's comparisons, polled every second while one is queued or running. */
export function useRowComparisons(runId: string) {
  return useQuery({
    queryKey: queryKeys.rowComparisons(runId),
    queryFn: ({ signal }) => apiFetch<RowComparisonView[]>(`/api/restores/${runId}/comparisons`, { signal }),
    refetchInterval: (query) => (query.state.data?.some((c) => c.status === "queued" || c.status === "running") ? 1000 : false),
  });
}

export function useRequestComparison(runId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { tables: Array<{ schema: string; name: string }>; filter: RowFilterCondition[] }) =>
      apiFetch<RowComparisonView>(`/api/restores/${runId}/comparisons`, { method: "POST", body }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.rowComparisons(runId) }),
  });
}

export interface RepairAnswer {
  dryRun: boolean;
  rowsWritten: number;
  expectedRows: number;
  statementsWithoutEffect: number;
  committed: boolean;
}

/** A four-eyes environment's answer to a write: recorded as a request for a second person. */
export interface RepairRequested {
  approval: { id: string; expiresAt: string };
  message: string;
}

/** A dry run or the real write of a comparison's repair; refreshes the run's comparisons (and approvals) either way. */
export function useRowRepair(runId: string, comparisonId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { dryRun: boolean; includeUpdates: boolean; confirmation?: string; reason?: string }) =>
      apiFetch<RepairAnswer | RepairRequested>(`/api/row-comparisons/${comparisonId}/repair`, { method: "POST", body }),
    onSettled: async () => {
      await client.invalidateQueries({ queryKey: queryKeys.rowComparisons(runId) });
      await client.invalidateQueries({ queryKey: queryKeys.allApprovals() });
    },
  });
}
