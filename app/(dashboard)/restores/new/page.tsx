import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BackupChooser } from "@/components/restores/backup-chooser";
import { MethodChooser } from "@/components/restores/method-chooser";
import { RestorePlanner } from "@/components/restores/restore-planner";
import { listRestorableBackups } from "@/lib/backups/list-restorable-backups";
import { ButtonLink } from "@/components/ui/button-link";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getBackup } from "@/lib/backups/get-backup";
import { replicaOptionsFor } from "@/lib/restore/logical/backup-source";
import { loadConfig } from "@/lib/config/load-config";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { orNotFound, pageContext } from "@/lib/http/page-context";
import { RECOVERY_METHOD_LABELS } from "@/lib/restore/method-advice";
import { loadMethodFacts } from "@/lib/restore/method-facts";
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
    ? await ctx.db.incident.findUnique({
        where: { id: incidentId },
        select: { id: true, title: true, environment: true, lastKnownGoodAt: true },
      })
    : null;
  if (incidentId && !incident) notFound();
  const forIncident = incident ? ` for the incident “${incident.title}”` : "";
  if (!backupId) {
    // An incident decides the environment; without one, the environment asked for narrows the list.
    const environmentName = incident?.environment ?? firstParam(params.environment);
    const method = firstParam(params.method);
    // Chosen in the method chooser: the backup list follows, with the steps of that method.
    const chosen = method === "logical" || method === "logical-selective" ? method : null;
    const [backups, facts] = await Promise.all([
      listRestorableBackups(ctx, environmentName),
      chosen ? null : loadMethodFacts(ctx, environmentName),
    ]);
    const chooseAgain = new URLSearchParams(environmentName ? { environment: environmentName } : {});
    if (incident) chooseAgain.set("incident", incident.id);
    return (
      <>
        <PageHeader
          title="New logical restore"
          description={`Choose the backup to restore${forIncident}: the newest verified ones first. For a whole database at a moment within the PITR window, a point-in-time restore loses less.`}
        />
        <div className="mb-6">
          {chosen ? (
            <Card className="flex flex-wrap items-center justify-between gap-3 text-sm">
              <p className="min-w-0">
                <span className="font-medium">{RECOVERY_METHOD_LABELS[chosen]}</span> (runbook §2):{" "}
                {chosen === "logical"
                  ? "choose the backup below."
                  : "choose the backup below; on its plan, choose “Restore into a new database and leave the target alone”, then “Restore only some tables”."}
              </p>
              <ButtonLink href={`/restores/new?${chooseAgain}`} variant="ghost" size="sm">
                Choose the method again
              </ButtonLink>
            </Card>
          ) : (
            facts && (
              <MethodChooser
                facts={facts}
                incident={incident && { id: incident.id, lastKnownGoodAt: incident.lastKnownGoodAt?.toISOString() ?? null }}
                environments={loadConfig().config.environments.map((e) => e.name)}
              />
            )
          )}
        </div>
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
          replicas={await replicaOptionsFor(ctx.db, environment, backup.id)}
          {...(incident && incident.environment === environment.name ? { incidentId: incident.id } : {})}
        />
      )}
    </>
  );
}
