"use client";

import { useQuery } from "@tanstack/react-query";
import type { PitrBaseBackupList } from "@/lib/restore/pitr/base-backups/list-pitr-base-backups";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

/** How long a requested base backup is watched for closely before polling slows down again. */
const WATCH_MS = 5 * 60_000;

/** Whether the newest base backup started after the request (a second's slack for clock rounding). */
export function baseBackupArrived(list: PitrBaseBackupList | undefined, requestedAt: number): boolean {
  const newest = list?.backups[0];
  return !!newest && Date.parse(newest.startedAt) >= requestedAt - 1_000;
}

/** A local PITR source's base backups; polled quickly while one the person asked for is on its way. */
export function usePitrBaseBackups(environment: string, requestedAt: number | null) {
  return useQuery({
    queryKey: queryKeys.pitrBaseBackups(environment),
    queryFn: ({ signal }) =>
      apiFetch<PitrBaseBackupList>(`/api/pitr/base-backups?environment=${encodeURIComponent(environment)}`, { signal }),
    refetchInterval: (query) =>
      requestedAt !== null && !baseBackupArrived(query.state.data, requestedAt) && Date.now() - requestedAt < WATCH_MS ? 2_000 : 60_000,
  });
}
