import type { PitrRegion } from "@/lib/restore/pitr/dr";

/**
 * Every react-query key in one place, so invalidation matches what was cached. Keys are
 * hierarchical: invalidating a prefix (e.g. `allApprovals()`) refreshes every key under it.
 */
export const queryKeys = {
  verification: (id: string) => ["backups", "verification", id] as const,
  catalogRefresh: (environment: string) => ["backups", "refresh", environment] as const,
  backupTables: (backupId: string) => ["backups", "tables", backupId] as const,
  restoreRun: (runId: string) => ["restores", "run", runId] as const,
  comparableTables: (runId: string) => ["restores", "comparable-tables", runId] as const,
  rowComparisons: (runId: string) => ["restores", "row-comparisons", runId] as const,
  /** Every approval list, whatever its scope: for invalidation. */
  allApprovals: () => ["approvals"] as const,
  approvals: (scope: { runId?: string; status?: string }) => ["approvals", scope] as const,
  /** Without a region: every region's window of the environment, for invalidation. */
  pitrWindow: (environment: string, region?: PitrRegion) => ["pitr", "window", environment, ...(region ? [region] : [])] as const,
  pitrGlobalDatabase: (environment: string) => ["pitr", "global-database", environment] as const,
  pitrBaseBackups: (environment: string) => ["pitr", "base-backups", environment] as const,
  people: () => ["people"] as const,
  apiTokens: () => ["api-tokens"] as const,
  incident: (id: string) => ["incidents", "detail", id] as const,
  /** Every drills overview, whatever its period: for invalidation. */
  allDrills: () => ["drills"] as const,
  drills: (period: { from: string; to: string }) => ["drills", period] as const,
  simulatedOutage: () => ["demo", "outage"] as const,
};
