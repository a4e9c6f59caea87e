// The job registry, at the worker's entry point: the one place that knows every domain's jobs, so
// lib/jobs (the engine's wiring) imports no domain folder.
import { alertsTicker } from "@/lib/alerts/alerts-ticker";
import { drillsTicker } from "@/lib/restore/drill/drills-ticker";
import { pruneAnonymousFailuresJob } from "@/lib/audit/prune-anonymous-failures-job";
import { pitrBaseBackupJob } from "@/lib/restore/pitr/base-backups/pitr-base-backup-job";
import { refreshAllCatalogsJob } from "@/lib/backups/refresh-all-catalogs-job";
import { readBackupTablesJob } from "@/lib/backups/read-backup-tables-job";
import { refreshCatalogJob } from "@/lib/backups/refresh-catalog-job";
import { verifyBackupJob } from "@/lib/backups/verify-backup-job";
import { demoActivityJob } from "@/lib/demo/demo-activity-job";
import { demoFirstDrillJob } from "@/lib/demo/demo-first-drill-job";
import { incidentWebhookJob } from "@/lib/incidents/incident-webhook-job";
import { phaseOverdueJob } from "@/lib/incidents/phase-overdue-job";
import type { JobDefinition, Ticker } from "@/lib/jobs/define-job";
import { globalPromotionJob } from "@/lib/restore/pitr/global/global-promotion-job";
import { restoreRunJob } from "@/lib/restore/restore-run-job";
import { compareRowsJob } from "@/lib/restore/row-recovery/compare-rows-job";
import { lapsedRunTicker, restoreSweeperJob } from "@/lib/restore/restore-sweeper-job";

/** Every job the worker runs. */
export const ALL_JOBS: readonly JobDefinition[] = [
  verifyBackupJob,
  readBackupTablesJob,
  refreshCatalogJob,
  refreshAllCatalogsJob,
  incidentWebhookJob,
  phaseOverdueJob,
  restoreRunJob,
  restoreSweeperJob,
  compareRowsJob,
  pitrBaseBackupJob,
  globalPromotionJob,
  demoActivityJob,
  demoFirstDrillJob,
  pruneAnonymousFailuresJob,
];

/** What every worker does on its own timer. */
export const ALL_TICKERS: readonly Ticker[] = [lapsedRunTicker, alertsTicker, drillsTicker];
