"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

/** POSTs one action of a restore run (cancel, swap, rollback, cleanup, accepting validation failures) and refreshes the run. */
export function useRunAction(
  runId: string,
  action: "cancel" | "swap" | "rollback" | "cleanup" | "accept-validation" | "cut-over" | "pitr-cleanup",
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body?: Record<string, unknown>) => apiFetch(`/api/restores/${runId}/${action}`, { method: "POST", body }),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.restoreRun(runId) });
      // On a four-eyes environment a guarded action answers 202 with a pending request instead.
      await queryClient.invalidateQueries({ queryKey: queryKeys.allApprovals() });
    },
  });
}
