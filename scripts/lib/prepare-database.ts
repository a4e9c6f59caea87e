import { migrate, type MigrateResult } from "@/lib/db/migrate";
import { grantRuntimeRole, roleOf } from "@/lib/db/runtime-role";
import { ALL_JOBS } from "@/scripts/job-registry";
import { installJobSchema } from "@/lib/jobs/boss";

/**
 * Brings the app database up to date as its owner: the app's migrations, pg-boss's schema and
 * every job queue (each queue is a table), then the runtime role's grants, re-applied each time so
 * whatever a migration added is covered. With one role for both, there is nothing to grant.
 */
export async function prepareAppDatabase(urls: { ownerUrl: string; runtimeUrl: string }): Promise<MigrateResult> {
  const result = await migrate(urls.ownerUrl);
  await installJobSchema(urls.ownerUrl, ALL_JOBS);
  const runtimeRole = roleOf(urls.runtimeUrl);
  if (runtimeRole !== roleOf(urls.ownerUrl)) await grantRuntimeRole(urls.ownerUrl, runtimeRole);
  return result;
}
