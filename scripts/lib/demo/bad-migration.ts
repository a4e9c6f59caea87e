import { withClient } from "./loanserve-roles";

// The demo's incident: a migration that went wrong on one tenant's payments, after the nightly
// dumps were written. Most of the tenant's payments are gone, the rest carry amounts a hundred
// times too large (a unit-conversion bug), and every other tenant is untouched: a comparison of
// the live payments with last night's dump shows both missing and changed rows.

/** The tenant the migration damaged, picked by id (the seed's fourth tenant). */
export const BAD_MIGRATION_TENANT_ID = 4;
export const BAD_MIGRATION_NAME = "2026_11_add_currency";

/** What the app declares as the demo's incident (scripts/start.ts, lib/demo/declare-demo-incident.ts). */
export const DEMO_INCIDENT_TITLE = `Payments for tenant ${BAD_MIGRATION_TENANT_ID} deleted by a bad migration`;
export const DEMO_INCIDENT_SCOPE =
  `Payments of tenant ${BAD_MIGRATION_TENANT_ID} (loanserve.payments where tenant_id = ${BAD_MIGRATION_TENANT_ID}): ` +
  `most deleted, the rest with amounts multiplied by 100 by migration ${BAD_MIGRATION_NAME}. Other tenants are not affected.`;

export interface BadMigrationResult {
  /** When the migration's transaction began (the server's clock): the incident's start. */
  at: Date;
  tenantId: number;
  /** Payments of the tenant deleted (those whose id is not a multiple of 10). */
  deleted: number;
  /** Payments of the tenant left with their amount multiplied by 100 (all the others). */
  damaged: number;
}

/**
 * Runs the bad migration on LoanServe's live database, in one transaction: deletes the tenant's
 * payments whose id is not a multiple of 10, and multiplies the amount of the rest by 100.
 * Throws, changing nothing, when the tenant has no payments (the seed did not do its part).
 */
export async function applyBadMigration(connectionString: string): Promise<BadMigrationResult> {
  const tenantId = BAD_MIGRATION_TENANT_ID;
  return withClient(connectionString, async (client) => {
    await client.query("BEGIN");
    try {
      const { rows: started } = await client.query<{ at: Date }>("SELECT now() AS at");
      const { rows: deleted } = await client.query<{ n: number }>(
        `WITH gone AS (DELETE FROM payments WHERE tenant_id = $1 AND id % 10 <> 0 RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [tenantId],
      );
      const { rows: damaged } = await client.query<{ n: number }>(
        `WITH changed AS (UPDATE payments SET amount = amount * 100 WHERE tenant_id = $1 RETURNING 1)
         SELECT count(*)::int AS n FROM changed`,
        [tenantId],
      );
      const result = { at: started[0]?.at ?? new Date(), tenantId, deleted: deleted[0]?.n ?? 0, damaged: damaged[0]?.n ?? 0 };
      if (result.deleted === 0 || result.damaged === 0) {
        throw new Error(
          `the bad migration found too few payments of tenant ${tenantId} (${result.deleted} to delete, ${result.damaged} to damage)`,
        );
      }
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  });
}
