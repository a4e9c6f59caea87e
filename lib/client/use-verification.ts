"use client";

import { useQuery } from "@tanstack/react-query";
import { isActive, type VerificationView } from "@/lib/backups/backup-views";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

/** A verification, polled every second while it is queued or running. */
export function useVerification(id: string | null, initial?: VerificationView) {
  return useQuery({
    queryKey: queryKeys.verification(id ?? "none"),
    queryFn: ({ signal }) => apiFetch<VerificationView>(`/api/backups/verifications/${id}`, { signal }),
    enabled: id !== null,
    initialData: initial,
    refetchInterval: (query) => (query.state.data && !isActive(query.state.data) ? false : 1000),
  });
}
