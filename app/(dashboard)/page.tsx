import { Archive, LayoutDashboard, Siren } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { FreshnessBanner } from "@/components/backups/freshness-banner";
import { IncidentStatusBadge, SeverityBadge } from "@/components/incidents/incident-badges";
import { LiveIncidentsRefresh } from "@/components/incidents/live-refresh";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button-link";
import { ObjectivesChart } from "@/components/overview/objectives-chart";
import { PendingApprovalsCard } from "@/components/overview/pending-approvals-card";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Time } from "@/components/ui/time";
import { listApprovals } from "@/lib/approvals/list-approvals";
import { hasRole } from "@/lib/auth/roles";
import { getBackupHealth } from "@/lib/backups/get-backup-health";
import { loadConfig } from "@/lib/config/load-config";
import { getHealth } from "@/lib/health/get-health";
import { pageContext } from "@/lib/http/page-context";
import { listRecoveryMeasurements } from "@/lib/restore/list-recovery-measurements";
import { listIncidents, ListIncidentsInput } from "@/lib/incidents/list-incidents";

import { AlertsCard } from "@/components/overview/alerts-card";
import { listOpenAlerts } from "@/lib/alerts/evaluate-alerts";
import { evaluateAlertsIfStale } from "@/lib/alerts/evaluate-if-stale";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  const { config } = loadConfig();
  const canDeclare = hasRole(user.role, "operator");
  // In the background: the page shows the alerts as they stand and never waits on a slow source.
  void evaluateAlertsIfStale(ctx);
  const [system, freshness, openIncidents, measurements, pendingApprovals, alerts] = await Promise.all([
    getHealth({ ctx }),
    Promise.all(config.environments.filter((e) => e.backupStore).map((environment) => getBackupHealth({ ctx, input: { environment } }))),
    listIncidents({ ctx, input: ListIncidentsInput.parse({ status: "active", pageSize: 10 }) }),
    listRecoveryMeasurements({ ctx, input: { limit: 8 } }),
    listApprovals({ ctx, input: { status: "pending", limit: 20 } }),
    listOpenAlerts({ ctx }),
  ]);
  // Shown where four-eyes is on anywhere, or while a request from before a change still waits.
  const approvalsCard =
    config.environments.some((e) => e.fourEyes) || pendingApprovals.length > 0 ? (
      <PendingApprovalsCard initial={pendingApprovals} viewer={{ id: user.id, email: user.email, role: user.role }} />
    ) : null;

  // During an incident it leads the page; on a calm day it sits below backups and objectives.
  const incidentsCard = (
    <Card padding="none">
      <CardHeader
        title="Open incidents"
        description="Incidents not yet closed, newest first."
        actions={
          <>
            <Badge tone={openIncidents.total > 0 ? "danger" : "neutral"}>
              {openIncidents.total > 0 ? `${openIncidents.total} active` : "none open"}
            </Badge>
            <ButtonLink href="/incidents" size="sm">
              All incidents
            </ButtonLink>
            {canDeclare && (
              <ButtonLink href="/incidents/new" size="sm" variant="danger" icon={<Siren aria-hidden />}>
                Declare incident
              </ButtonLink>
            )}
          </>
        }
      />
      <CardBody>
        <LiveIncidentsRefresh />
        {openIncidents.incidents.length === 0 ? (
          <EmptyState icon={<LayoutDashboard />} title="No open incidents">
            <p>
              When data is lost or corrupted, declare an incident: the runbook&apos;s checklist starts with phase timers and a shared
              timeline.
            </p>
          </EmptyState>
        ) : (
          <ul className="divide-y divide-border">
            {openIncidents.incidents.map((incident) => (
              <li key={incident.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm">
                <SeverityBadge severity={incident.severity} />
                <IncidentStatusBadge status={incident.status} />
                <Link
                  href={`/incidents/${incident.id}`}
                  className="min-w-0 flex-1 truncate font-medium text-accent-text underline-offset-2 hover:underline"
                >
                  {incident.title}
                </Link>
                <span className="text-muted">
                  <span className="font-mono">{incident.environment}</span> · started <Time value={incident.startedAt} relative />
                </span>
              </li>
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );

  return (
    <>
      <PageHeader title="Overview" description="Open incidents, running restores and how fresh the latest backup is, at a glance." />
      <div className="space-y-6">
        {openIncidents.total > 0 && incidentsCard}
        {alerts.length > 0 && <AlertsCard alerts={alerts} />}
        {approvalsCard}
        <Card padding="none">
          <CardHeader
            title="Backup freshness"
            description="Age of the newest verified backup against each environment's recovery-point objective."
            actions={
              <ButtonLink href="/backups" size="sm" icon={<Archive aria-hidden />}>
                Backups
              </ButtonLink>
            }
          />
          <CardBody className="space-y-3">
            {freshness.length === 0 ? (
              <p className="text-sm text-muted">No environment has a backup store configured.</p>
            ) : (
              freshness.map((health) => (
                <Link
                  key={health.environment}
                  href={`/backups?env=${encodeURIComponent(health.environment)}`}
                  className="block rounded-lg focus-visible:outline-2"
                >
                  <FreshnessBanner health={health} title={health.environment} />
                </Link>
              ))
            )}
          </CardBody>
        </Card>
        <Card padding="none">
          <CardHeader
            title="Recovery objectives"
            description="Achieved RTO and RPO of recent incidents and validated restores; the black mark is the objective for that method."
          />
          <CardBody>
            <ObjectivesChart items={measurements} />
          </CardBody>
        </Card>
        {!system.worker.ok && (
          <div role="alert" className="rounded-lg border border-danger/30 bg-danger-soft px-4 py-3 text-sm text-danger-text">
            <p className="font-semibold">The worker is not running.</p>
            <p>
              Verifications and restores wait until it is back. Start it with the run command or{" "}
              <code className="font-mono">npm run worker</code>.
            </p>
          </div>
        )}
        {openIncidents.total === 0 && incidentsCard}
        {alerts.length === 0 && <AlertsCard alerts={alerts} />}
      </div>
    </>
  );
}
