import type { ResultRow } from "@/lib/providers/postgres/read-only-session";

// The values a check reads are the read-only session's (it makes them JSON-safe); they are named
// here too, so the rest of the app keeps importing validation types from one place. Type-only:
// nothing of the provider reaches a bundle that imports this file.
export type { JsonValue, QueryRows, ReadOnlyQuery, ResultRow } from "@/lib/providers/postgres/read-only-session";

/**
 * What a failed check does: `block` stops the swap until an admin accepts the failure with a
 * reason; `warn` is shown (amber) and stops nothing.
 */
export const SEVERITIES = ["block", "warn"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What the restore knows about where the data came from. */
export interface ValidationContext {
  /** The backup manifest's row count per table (`tables` in the manifest). */
  manifestTables?: Record<string, number>;
  /**
   * Counts the manifest recorded for named checks at dump time (`checks` in the manifest), e.g.
   * `{ orphaned_payments: 1 }`: what the source held, so the restore can be compared with it.
   */
  manifestChecks?: Record<string, number>;
  /** When the backup was taken (a dump's time, or a point-in-time restore's target time). */
  backupTakenAt?: Date;
  /** A restore of chosen tables: only these (`schema.table`) exist; checks of other tables do not apply. */
  restoredTables?: readonly string[];
}

export interface CheckResult {
  name: string;
  /** Built-ins are the runbook's §5 queries; configured checks come from the environment. */
  kind: "builtin" | "configured";
  description: string;
  sql: string;
  /** For people: "= 0", "≥ 1", "within 0% of the manifest's 6,000". */
  expectation: string;
  actual: number | null;
  /** Up to MAX_ROWS of the query's result, when it is more than a single value. */
  rows?: ResultRow[];
  /** How many rows the query returned in all (rows may hold fewer). */
  rowCount?: number;
  passed: boolean;
  severity: Severity;
  message: string;
  durationMs: number;
}

export interface ValidationReport {
  /** No `block` check failed (failed `warn` checks do not count). */
  passed: boolean;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601. */
  finishedAt: string;
  results: CheckResult[];
}

/** Rows kept per check for display (a check's query result holds at most these); the rest are counted, not fetched. */
export const MAX_ROWS = 100;

/** What a check found, before the runner adds its name, SQL and timing. */
export interface CheckOutcome {
  expectation: string;
  actual: number | null;
  rows?: ResultRow[];
  rowCount?: number;
  passed: boolean;
  message: string;
}
