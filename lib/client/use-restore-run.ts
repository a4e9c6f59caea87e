"use client";

import { useCallback, useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { RestoreRunDetail } from "@/lib/restore/get-restore-run";
import type { RestoreProgressView } from "@/lib/restore/restore-run-views";
import type { RunEventView } from "@/lib/restore/engine/events";
import { RUN_EVENT_TYPES } from "@/lib/restore/engine/event-types";
import { isActive } from "@/lib/restore/engine/state";
import { progressOfRunningStep } from "@/lib/restore/live-run";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";
import { useEventStream } from "./use-event-stream";

/**
 * A restore run, live: Server-Sent Events (fed by Postgres LISTEN/NOTIFY) push progress and
 * messages and trigger a refetch on every other change; a slow poll covers a broken stream.
 */
export function useRestoreRun(initial: RestoreRunDetail) {
  const runId = initial.run.id;
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState<RestoreProgressView | null>(initial.run.progress);
  const [messages, setMessages] = useState<RunEventView[]>(initial.events.filter((e) => e.type === "message"));
  const lastEventId = useRef(initial.events.at(-1)?.id ?? null);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const query = useQuery({
    queryKey: queryKeys.restoreRun(runId),
    queryFn: ({ signal }) => apiFetch<RestoreRunDetail>(`/api/restores/${runId}?events=0`, { signal }),
    initialData: initial,
    // The event stream makes changes immediate; this slow poll covers a stream that cannot connect.
    refetchInterval: (q) => (q.state.data && isActive(q.state.data.run.status) ? 5000 : false),
  });

  const onEvent = useCallback(
    (type: string, data: unknown) => {
      const event = data as RunEventView;
      lastEventId.current = event.id;
      if (type === "progress") {
        setProgress(event.payload as RestoreProgressView);
        return;
      }
      if (type === "message") {
        setMessages((list) => [...list.slice(-499), event]);
        return;
      }
      if (type === "approval") void queryClient.invalidateQueries({ queryKey: queryKeys.allApprovals() });
      // Several events often arrive together (step done, status changed): refetch once.
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
      refetchTimer.current = setTimeout(() => void queryClient.invalidateQueries({ queryKey: queryKeys.restoreRun(runId) }), 150);
    },
    [queryClient, runId],
  );

  const streamUrl = `/api/restores/${runId}/events${initial.events.at(-1) ? `?after=${initial.events.at(-1)?.id}` : ""}`;
  const { connected } = useEventStream(
    isActive(query.data.run.status) || query.data.run.status === "succeeded" ? streamUrl : null,
    RUN_EVENT_TYPES,
    onEvent,
  );

  const detail = query.data;
  const latest = detail.run.progress && (!progress || detail.run.progress.at > progress.at) ? detail.run.progress : progress;
  return {
    detail,
    /** The running step's progress only: the run keeps an ended step's last report. */
    progress: progressOfRunningStep(latest, detail.run, detail.steps),
    messages,
    connected,
  };
}
