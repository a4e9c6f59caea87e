"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ApprovalListItem } from "@/lib/approvals/list-approvals";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

/**
 * Four-eyes requests (one run's, or every pending one for Overview), live: refetched every few
 * seconds, and at once when the run's event stream announces an `approval` event.
 */
export function useApprovals(scope: { runId?: string; status?: "pending" }, initial?: ApprovalListItem[]) {
  const params = new URLSearchParams();
  if (scope.runId) params.set("runId", scope.runId);
  if (scope.status) params.set("status", scope.status);
  params.set("limit", "20");
  return useQuery({
    queryKey: queryKeys.approvals(scope),
    queryFn: async ({ signal }) =>
      (await apiFetch<{ approvals: ApprovalListItem[] }>(`/api/approvals?${params.toString()}`, { signal })).approvals,
    ...(initial ? { initialData: initial } : {}),
    refetchInterval: 5000,
  });
}

/** Approve or refuse a request; refreshes every approval list and the run it belongs to. */
export function useApprovalDecision(approvalId: string, runId: string, decision: "approve" | "refuse") {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body?: { reason: string }) => apiFetch(`/api/approvals/${approvalId}/${decision}`, { method: "POST", body }),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.allApprovals() });
      await queryClient.invalidateQueries({ queryKey: queryKeys.restoreRun(runId) });
    },
  });
}
