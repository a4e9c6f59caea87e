"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { BackupTablesView } from "@/lib/backups/backup-tables-view";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

const pathOf = (backupId: string) => `/api/backups/${backupId}/tables`;

/** A backup's tables (for a restore of chosen tables), polled every second while they are being read. */
export function useBackupTables(backupId: string, enabled = true) {
  return useQuery({
    queryKey: queryKeys.backupTables(backupId),
    queryFn: ({ signal }) => apiFetch<BackupTablesView>(pathOf(backupId), { signal }),
    enabled,
    refetchInterval: (query) => (query.state.data?.state === "reading" ? 1000 : false),
  });
}

/** Asks for the tables to be read (once; a read already done is returned as it is), then polls. */
export function useRequestBackupTables(backupId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<BackupTablesView>(pathOf(backupId), { method: "POST" }),
    onSuccess: (view) => client.setQueryData(queryKeys.backupTables(backupId), view),
  });
}
