import { Archive, Siren } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { FreshnessBanner } from "@/components/backups/freshness-banner";
import { ReplicaStatusList } from "@/components/backups/replica-cards";
import { LiveIncidentsRefresh } from "@/components/incidents/live-refresh";
import { ButtonLink } from "@/components/ui/button-link";
import { ObjectivesChart } from "@/components/overview/objectives-chart";
import { PendingApprovalsCard } from "@/components/overview/pending-approvals-card";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { listApprovals } from "@/lib/approvals/list-approvals";
import { hasRole } from "@/lib/auth/roles";
import { getBackupHealth } from "@/lib/backups/get-backup-health";
import { getReplicaHealth } from "@/lib/backups/replica-health";
import { loadConfig } from "@/lib/config/load-config";
import { getHealth } from "@/lib/health/get-health";
import { pageContext } from "@/lib/http/page-context";
import { listRecoveryMeasurements } from "@/lib/restore/list-recovery-measurements";

import { NeedsAttentionCard } from "@/components/overview/needs-attention-card";
import { RunningRunsCard } from "@/components/overview/running-runs-card";
import { listRunningRuns, needsAttention } from "@/lib/overview/triage";
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
  const [system, freshness, measurements, pendingApprovals, alerts, running] = await Promise.all([
    getHealth({ ctx }),
    Promise.all(
      config.environments
        .filter((e) => e.backupStore)
        .map(async (environment) => {
          const [health, replicas] = await Promise.all([
            getBackupHealth({ ctx, input: { environment } }),
            getReplicaHealth({ ctx, input: { environment } }),
          ]);
          return { health, replicas };
        }),
    ),
    listRecoveryMeasurements({ ctx, input: { limit: 8 } }),
    listApprovals({ ctx, input: { status: "pending", limit: 20 } }),
    listOpenAlerts({ ctx }),
    listRunningRuns({ ctx }),
  ]);
  const attention = await needsAttention({
    ctx,
    input: {
      workerOk: system.worker.ok,
      workerDetail: system.worker.lastBeatAt
        ? `The last heartbeat is ${system.worker.secondsSinceBeat ?? "?"} s old.`
        : "No worker has sent a heartbeat yet.",
      alerts,
      approvals: pendingApprovals,
    },
  });
  // Where four-eyes is on anywhere, approvers decide right here (the items above link to the run).
  const approvalsCard =
    config.environments.some((e) => e.fourEyes) || pendingApprovals.length > 0 ? (
      <PendingApprovalsCard initial={pendingApprovals} viewer={{ id: user.id, email: user.email, role: user.role }} />
    ) : null;

  return (
    <>
      <PageHeader
        title="Overview"
        description="What needs you first, what is running, how fresh the backups are, and how recoveries measured up."
        actions={
          canDeclare && (
            <ButtonLink href="/incidents/new" variant="danger" icon={<Siren aria-hidden />}>
              Declare incident
            </ButtonLink>
          )
        }
      />
      <div className="space-y-6">
        {/* Incidents, approvals and runs change under the page: keep it current. */}
        <LiveIncidentsRefresh />
        <NeedsAttentionCard items={attention} />
        {running.length > 0 && <RunningRunsCard runs={running} />}
        {approvalsCard}
        <Card padding="none">
          <CardHeader
            title="Backup freshness"
            description="Age of the newest verified backup against each environment's objective, the last week's broken backups, and each replica's copies."
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
              freshness.map(({ health, replicas }) => (
                <div key={health.environment} className="space-y-2">
                  <Link
                    href={`/backups?env=${encodeURIComponent(health.environment)}`}
                    className="block rounded-lg focus-visible:outline-2"
                  >
                    <FreshnessBanner health={health} title={health.environment} />
                  </Link>
                  {replicas.length > 0 && <ReplicaStatusList environment={health.environment} replicas={replicas} />}
                </div>
              ))
            )}
          </CardBody>
        </Card>
        {running.length === 0 && <RunningRunsCard runs={running} />}
        <Card padding="none">
          <CardHeader
            title="Recovery objectives"
            description="Achieved RTO and RPO of recent incidents, and RTO of validated restores, against each method's objective."
            actions={
              <ButtonLink href="/drills" size="sm">
                Drills
              </ButtonLink>
            }
          />
          <CardBody>
            <ObjectivesChart items={measurements} />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
