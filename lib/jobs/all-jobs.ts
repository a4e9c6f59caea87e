import { refreshCatalogJob, verifyBackupJob } from "@/lib/backups/jobs";
import type { JobDefinition } from "./define-job";

/** Every job the worker runs. */
export const ALL_JOBS: readonly JobDefinition[] = [verifyBackupJob, refreshCatalogJob];
