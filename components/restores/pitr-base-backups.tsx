"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { DatabaseBackup } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { apiFetch } from "@/lib/client/api";
import { formatBytes } from "@/lib/format";
import { queryKeys } from "@/lib/client/query-keys";
import { baseBackupArrived, usePitrBaseBackups } from "@/lib/client/use-pitr-base-backups";
import { formatInZone, utcText } from "@/lib/time/zoned-time";

/** A local source's base backups (the oldest one is where the window starts), and "take one now". */
export function PitrBaseBackups({
  environment,
  canOperate,
  viewerZone,
}: {
  environment: string;
  canOperate: boolean;
  viewerZone: string | null;
}) {
  const queryClient = useQueryClient();
  const [requestedAt, setRequestedAt] = useState<number | null>(null);
  const { data, error } = usePitrBaseBackups(environment, requestedAt);
  const waiting = requestedAt !== null && !baseBackupArrived(data, requestedAt);
  const newest = data?.backups[0]?.name;
  useEffect(() => {
    // A new base backup can move the window's earliest end (older ones are pruned).
    if (newest) void queryClient.invalidateQueries({ queryKey: queryKeys.pitrWindow(environment) });
  }, [newest, environment, queryClient]);
  const take = useMutation({
    mutationFn: () => apiFetch<{ queued: true }>("/api/pitr/base-backups", { method: "POST", body: { environment } }),
    onMutate: () => setRequestedAt(Date.now()),
    onError: () => setRequestedAt(null),
  });
  const when = (iso: string) => (viewerZone && viewerZone !== "UTC" ? formatInZone(new Date(iso), viewerZone) : utcText(new Date(iso)));

  return (
    <Card as="section" padding="none">
      <CardHeader
        title="Base backups"
        description={
          data
            ? `Every restore starts from the newest base backup finished before its target, then replays the WAL archive. ${data.schedule ? `Taken on the schedule "${data.schedule}" (UTC); ` : ""}the newest ${data.keep} are kept.`
            : "Loading…"
        }
        actions={
          canOperate && data?.supported ? (
            <Button size="sm" icon={<DatabaseBackup aria-hidden />} loading={take.isPending} onClick={() => take.mutate()}>
              Take a base backup now
            </Button>
          ) : undefined
        }
      />
      <CardBody>
        {error && <p className="text-sm text-danger-text">{error.message}</p>}
        {take.error && <p className="text-sm text-danger-text">{take.error.message}</p>}
        {waiting && <p className="mb-2 text-sm text-muted">Requested: the worker is taking it; it appears here when it is complete.</p>}
        {data && data.backups.length === 0 && (
          <p className="text-sm text-muted">None yet: nothing can be restored until the first one is taken.</p>
        )}
        {data && data.backups.length > 0 && (
          <Table caption="Base backups, newest first" captionHidden>
            <THead>
              <Tr>
                <Th>Finished ({viewerZone ?? "UTC"})</Th>
                <Th>Name</Th>
                <Th numeric>Size</Th>
                <Th>Starts at WAL</Th>
              </Tr>
            </THead>
            <TBody>
              {data.backups.map((backup) => (
                <Tr key={backup.name}>
                  <Td mono>{when(backup.finishedAt)}</Td>
                  <Td mono>{backup.name}</Td>
                  <Td numeric>{formatBytes(backup.sizeBytes)}</Td>
                  <Td mono>{backup.startWalFile}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </CardBody>
    </Card>
  );
}
