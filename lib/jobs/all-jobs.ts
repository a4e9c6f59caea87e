import { refreshCatalogJob } from "@/lib/backups/refresh-catalog-job";
import { verifyBackupJob } from "@/lib/backups/verify-backup-job";
import type { JobDefinition } from "./define-job";

/** Every job the worker runs. */
export const ALL_JOBS: readonly JobDefinition[] = [verifyBackupJob, refreshCatalogJob];
