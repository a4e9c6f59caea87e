import { pruneAnonymousFailuresJob } from "@/lib/audit/prune-anonymous-failures-job";
import { pitrBaseBackupJob } from "@/lib/backups/pitr-base-backup-job";
import { refreshAllCatalogsJob } from "@/lib/backups/refresh-all-catalogs-job";
import { refreshCatalogJob } from "@/lib/backups/refresh-catalog-job";
import { verifyBackupJob } from "@/lib/backups/verify-backup-job";
import { demoActivityJob } from "@/lib/demo/demo-activity-job";
import { incidentWebhookJob } from "@/lib/incidents/incident-webhook-job";
import { phaseOverdueJob } from "@/lib/incidents/phase-overdue-job";
import { restoreRunJob } from "@/lib/restore/restore-run-job";
import { restoreSweeperJob } from "@/lib/restore/restore-sweeper-job";
import type { JobDefinition } from "./define-job";

/** Every job the worker runs. */
export const ALL_JOBS: readonly JobDefinition[] = [verifyBackupJob, refreshCatalogJob, refreshAllCatalogsJob, incidentWebhookJob, phaseOverdueJob, restoreRunJob, restoreSweeperJob, pitrBaseBackupJob, demoActivityJob, pruneAnonymousFailuresJob];
