"use client";

import { useQuery } from "@tanstack/react-query";
import type { VerificationView } from "@/lib/backups/backup-views";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

const LIVE = new Set(["queued", "running"]);

/** A verification, polled every second while it is queued or running. */
export function useVerification(id: string | null, initial?: VerificationView) {
  return useQuery({
    queryKey: queryKeys.verification(id ?? "none"),
    queryFn: ({ signal }) => apiFetch<VerificationView>(`/api/backups/verifications/${id}`, { signal }),
    enabled: id !== null,
    initialData: initial,
    refetchInterval: (query) => (query.state.data && !LIVE.has(query.state.data.status) ? false : 1000),
  });
}
