"use client";

import { RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import type { RefreshView } from "@/lib/backups/backup-views";
import { apiFetch } from "@/lib/client/api";
import { queryKeys } from "@/lib/client/query-keys";

/** Re-reads the store; while a refresh runs it polls, and reloads the page when it ends. */
export function RefreshCatalogButton({ environment, running }: { environment: string; running: boolean }) {
  const router = useRouter();
  const start = useMutation({
    mutationFn: () => apiFetch<RefreshView>("/api/backups/refresh", { method: "POST", body: { environment } }),
  });
  const watching = running || start.data?.status === "running";
  const status = useQuery({
    queryKey: queryKeys.catalogRefresh(environment),
    queryFn: ({ signal }) =>
      apiFetch<RefreshView | null>(`/api/backups/refresh?environment=${encodeURIComponent(environment)}`, { signal }),
    enabled: watching,
    refetchInterval: (q) => (q.state.data && q.state.data.status !== "running" ? false : 1000),
  });
  const finished = watching && status.data && status.data.status !== "running";
  useEffect(() => {
    if (finished) router.refresh();
  }, [finished, router]);
  const busy = start.isPending || (watching && !finished);
  return (
    <div className="flex flex-col items-end gap-1">
      <Button icon={<RefreshCw aria-hidden className={busy ? "animate-spin" : undefined} />} disabled={busy} onClick={() => start.mutate()}>
        {busy ? "Reading the store…" : "Refresh"}
      </Button>
      {start.error && <p className="text-xs text-danger-text">{start.error.message}</p>}
    </div>
  );
}
