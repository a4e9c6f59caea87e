import type { AutoTick } from "./checklist";

// Excerpts of the customer's PostgreSQL restore runbook (§4 Troubleshooting, §5 Validation
// Queries), copied here because the runbook itself is not part of this repository; shown beside
// the checklist where they help: troubleshooting while a restore runs, validation queries after it.

export interface TroubleshootingEntry {
  problem: string;
  steps: readonly string[];
}

export const RUNBOOK_TROUBLESHOOTING: readonly TroubleshootingEntry[] = [
  {
    problem: "PITR fails with “invalid restore time”",
    steps: ["Check available restore window", "Ensure timestamp is in UTC format", "Verify timestamp is within retention period"],
  },
  {
    problem: "Logical restore fails with permission errors",
    steps: ["Ensure target user has CREATE privileges", "Check database connection parameters", "Verify target database exists"],
  },
  {
    problem: "Slow restore performance",
    steps: ["Increase instance size temporarily", "Use parallel restore options", "Consider partial restore for specific tables"],
  },
];

export interface ValidationQuery {
  title: string;
  sql: string;
}

export const RUNBOOK_VALIDATION_QUERIES: readonly ValidationQuery[] = [
  {
    title: "Check critical tables",
    sql: `SELECT
  schemaname,
  tablename,
  n_live_tup as row_count
FROM pg_stat_user_tables
WHERE tablename IN ('loans', 'users', 'payments', 'documents')
ORDER BY tablename;`,
  },
  {
    title: "Verify recent activity",
    sql: `SELECT
  DATE(created_at) as date,
  COUNT(*) as transactions
FROM audit_logs
WHERE created_at >= NOW() - INTERVAL '7 days'
GROUP BY DATE(created_at)
ORDER BY date DESC;`,
  },
  {
    title: "Check for data consistency",
    sql: `SELECT
  COUNT(*) as orphaned_payments
FROM payments p
LEFT JOIN loans l ON p.loan_id = l.id
WHERE l.id IS NULL;`,
  },
];

export type RunbookSection = "troubleshooting" | "validation";

export const RUNBOOK_SECTION_TITLES: Readonly<Record<RunbookSection, string>> = {
  troubleshooting: "Troubleshooting (runbook §4)",
  validation: "Validation queries (runbook §5)",
};

/** The runbook section that helps with an item: restoring → troubleshooting, validating → queries. */
export function runbookSectionFor(autoTick: AutoTick | null): RunbookSection | null {
  if (autoTick === "restore-started" || autoTick === "restore-running") return "troubleshooting";
  if (autoTick === "validation-passed") return "validation";
  return null;
}
