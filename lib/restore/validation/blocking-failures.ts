import type { DbOrTx } from "@/lib/db/client";

export interface BlockingFailure {
  id: string;
  name: string;
  kind: string;
  expectation: string;
  actual: number | null;
  message: string;
}

/**
 * A run's failed `block` checks that no admin has accepted yet. While there is one, the run
 * waits before its swap (or rename) and a swap confirmation is refused.
 */
export async function findUnacceptedBlockingFailures(db: DbOrTx, runId: string): Promise<BlockingFailure[]> {
  return db.validationResult.findMany({
    where: { runId, severity: "block", passed: false, acceptedAt: null },
    orderBy: { position: "asc" },
    select: { id: true, name: true, kind: true, expectation: true, actual: true, message: true },
  });
}

/** "orphaned-payments, critical-table-rows": how messages name them. */
export function namesOf(failures: readonly Pick<BlockingFailure, "name">[]): string {
  return failures.map((f) => f.name).join(", ");
}
