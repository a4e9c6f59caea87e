import { Archive, LayoutDashboard } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { FreshnessBanner } from "@/components/backups/freshness-banner";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button-link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageUser } from "@/lib/auth/page-session";
import { getBackupHealth } from "@/lib/backups/get-backup-health";
import { loadConfig } from "@/lib/config/load-config";
import { getDb } from "@/lib/db/client";
import { getHealth } from "@/lib/health/get-health";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  await requirePageUser("viewer");
  const ctx = { db: getDb() };
  const { config } = loadConfig();
  const [system, freshness] = await Promise.all([
    getHealth({ ctx }),
    Promise.all(config.environments.filter((e) => e.backupStore).map((environment) => getBackupHealth({ ctx, input: { environment } }))),
  ]);

  return (
    <>
      <PageHeader title="Overview" description="Open incidents, running restores and how fresh the latest backup is, at a glance." />
      <div className="space-y-6">
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
                <Link key={health.environment} href={`/backups?env=${encodeURIComponent(health.environment)}`} className="block rounded-lg focus-visible:outline-2">
                  <FreshnessBanner health={health} title={health.environment} />
                </Link>
              ))
            )}
          </CardBody>
        </Card>
        {!system.worker.ok && (
          <div role="alert" className="rounded-lg border border-danger/30 bg-danger-soft px-4 py-3 text-sm text-danger-text">
            <p className="font-semibold">The worker is not running.</p>
            <p>Verifications and restores wait until it is back. Start it with the run command or <code className="font-mono">npm run worker</code>.</p>
          </div>
        )}
        <Card padding="none">
          <CardHeader title="Incidents and restores" actions={<Badge tone="neutral">none open</Badge>} />
          <CardBody>
            <EmptyState icon={<LayoutDashboard />} title="No incidents, no restores running">
              <p>Open incidents and restore runs appear here with their status and progress.</p>
            </EmptyState>
          </CardBody>
        </Card>
      </div>
    </>
  );
}
