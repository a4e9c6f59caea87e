import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BackupChooser } from "@/components/restores/backup-chooser";
import { RestorePlanner } from "@/components/restores/restore-planner";
import { listRestorableBackups } from "@/lib/backups/list-restorable-backups";
import { ButtonLink } from "@/components/ui/button-link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getBackup } from "@/lib/backups/get-backup";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { orNotFound, pageContext } from "@/lib/http/page-context";
import { firstParam, isUuid } from "@/lib/search-params";

export const metadata: Metadata = { title: "New restore" };
export const dynamic = "force-dynamic";

export default async function NewRestorePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await pageContext("operator");
  const params = await searchParams;
  const backupId = firstParam(params.backup);
  const incidentId = firstParam(params.incident);
  if (incidentId !== undefined && !isUuid(incidentId)) notFound();
  const incident = incidentId
    ? await ctx.db.incident.findUnique({ where: { id: incidentId }, select: { id: true, title: true, environment: true } })
    : null;
  if (incidentId && !incident) notFound();
  const forIncident = incident ? ` for the incident “${incident.title}”` : "";
  if (!backupId) {
    const backups = await listRestorableBackups(ctx, incident?.environment);
    return (
      <>
        <PageHeader
          title="New logical restore"
          description={`Choose the backup to restore${forIncident}: the newest verified ones first. For a whole database at a moment within the PITR window, a point-in-time restore loses less.`}
        />
        <BackupChooser backups={backups} incidentId={incident?.id ?? null} />
      </>
    );
  }
  if (!isUuid(backupId)) notFound();
  const { backup, restorable } = await orNotFound(getBackup({ ctx, input: { backupId } }));
  const environment = resolveEnvironment(backup.environment);

  return (
    <>
      <PageHeader
        title="New logical restore"
        description={
          <>
            From <span className="font-mono">{backup.name}</span> in <span className="font-mono">{environment.name}</span>
            {forIncident}
            {environment.protected && " (protected: an admin must start it)"}.
          </>
        }
        actions={
          <ButtonLink href={`/backups/${backup.id}`} variant="ghost" icon={<ArrowLeft aria-hidden />}>
            The backup
          </ButtonLink>
        }
      />
      {!restorable.allowed ? (
        <EmptyState title="This backup cannot be restored">
          <p>{restorable.reason}</p>
        </EmptyState>
      ) : environment.restoreTargets.length === 0 ? (
        <EmptyState title="No restore targets configured">
          <p>Add a restore target to the environment {environment.name} in the configuration file.</p>
        </EmptyState>
      ) : (
        <RestorePlanner
          backupId={backup.id}
          environment={environment.name}
          targets={environment.restoreTargets.map((t) => ({ name: t.name, description: `${t.user}@${t.host}:${t.port}/${t.database}` }))}
          {...(incident && incident.environment === environment.name ? { incidentId: incident.id } : {})}
        />
      )}
    </>
  );
}
