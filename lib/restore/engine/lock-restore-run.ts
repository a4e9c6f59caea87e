import type { DbOrTx } from "@/lib/db/client";

/**
 * Holds a run's row until the transaction ends, so two people's changes to the same run (marking
 * it cut over, cleaning it up) happen one after the other and the second sees the first.
 */
export async function lockRestoreRun(tx: DbOrTx, runId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM restore_runs WHERE id = ${runId}::uuid FOR UPDATE`;
}
