import { Archive } from "lucide-react";
import { VerificationBadge } from "@/components/backups/backup-badges";
import { ButtonLink } from "@/components/ui/button-link";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { RestorableBackup } from "@/lib/backups/list-restorable-backups";
import { formatBytes } from "@/lib/format";

/** Restores → New without a backup: the restorable ones, each one click from its plan. */
export function BackupChooser({ backups, incidentId }: { backups: readonly RestorableBackup[]; incidentId: string | null }) {
  if (backups.length === 0)
    return (
      <EmptyState icon={<Archive />} title="No restorable backup" action={<ButtonLink href="/backups">Browse backups</ButtonLink>}>
        <p>No backup has a usable manifest and a checksum that did not fail. The Backups page shows why each one is refused.</p>
      </EmptyState>
    );
  return (
    <Table caption="Restorable backups, newest first">
      <THead>
        <Tr>
          <Th>Taken</Th>
          <Th>Backup</Th>
          <Th>Verification</Th>
          <Th>
            <span className="sr-only">Action</span>
          </Th>
        </Tr>
      </THead>
      <TBody>
        {backups.map((backup) => (
          <Tr key={backup.id} data-backup-name={backup.name}>
            <Td>
              <Time value={backup.takenAt} />
              <div className="text-xs text-muted">
                <Time value={backup.takenAt} relative />
              </div>
            </Td>
            <Td>
              <div className="font-mono">{backup.name}</div>
              <div className="text-xs text-muted">
                <span className="font-mono">{backup.environment}</span> · {formatBytes(backup.size)}
              </div>
            </Td>
            <Td>
              <VerificationBadge state={backup.verificationState} />
            </Td>
            <Td>
              <ButtonLink
                size="sm"
                variant="primary"
                href={`/restores/new?backup=${backup.id}${incidentId ? `&incident=${incidentId}` : ""}`}
                aria-label={`Restore ${backup.name}`}
              >
                Restore
              </ButtonLink>
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
