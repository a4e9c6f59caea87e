import type { ValidationExpectation } from "@/lib/config/schema";
import { plural } from "@/lib/format";
import { actualFrom, evaluateExpectation, formatNumber, manifestRowCount } from "./expectations";
import type { CheckOutcome, ReadOnlyQuery, ResultRow, Severity, ValidationContext } from "./types";

/** The runbook's §5 validation queries, run after every restore before any configured check. */
export interface BuiltinCheck {
  /** Stable: reports from different runs are compared by it. */
  name: string;
  description: string;
  /** Shown in the report; what a person would paste into psql. */
  sql: string;
  /** What passing means, for the report even when the check could not run. */
  expectation(context: ValidationContext): string;
  /** Whether a failure stops the swap (`block`) or is only shown (`warn`), for this restore. */
  severity(context: ValidationContext): Severity;
  /** Whether the check runs on this restore: a partial copy is checked only on the tables it holds. */
  appliesTo(context: ValidationContext): boolean;
  run(query: ReadOnlyQuery, context: ValidationContext): Promise<CheckOutcome>;
}

const CRITICAL_TABLES = ["loans", "users", "payments", "documents"] as const;

/** Was `table` (in public) restored? Always, unless the restore was of chosen tables. */
function restored(table: string, context: ValidationContext): boolean {
  return context.restoredTables === undefined || context.restoredTables.includes(`public.${table}`);
}

/** The critical tables this restore should hold: all of them, or those chosen. */
function criticalTablesOf(context: ValidationContext): string[] {
  return CRITICAL_TABLES.filter((table) => restored(table, context));
}

/** Days of audit activity looked at, ending at the backup's time. */
const ACTIVITY_DAYS = 7;

// Only for the constant table names above; no caller-supplied text reaches these.
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function missingTableMessage(tables: readonly string[]): string {
  return tables.map((table) => `The table ${table} does not exist in the restored database.`).join(" ");
}

/** The tables (of `tables`) the restored database lacks, so a check can say so instead of failing on SQL. */
async function findMissingTables(query: ReadOnlyQuery, tables: readonly string[]): Promise<string[]> {
  const { rows } = await query(
    "SELECT name FROM unnest($1::text[]) WITH ORDINALITY AS t(name, position) WHERE to_regclass(name) IS NULL ORDER BY position",
    [tables],
  );
  return rows.map((row) => String(row.name));
}

function failsOnMissingTables(missing: readonly string[], expectation: string): CheckOutcome {
  return { expectation, actual: null, passed: false, message: missingTableMessage(missing) };
}

// Exact counts: right after a restore pg_stat_user_tables is empty, so the runbook's n_live_tup
// would read 0 for every table.
function countRowsSql(tables: readonly string[]): string {
  return tables
    .map((table) => `SELECT ${quoteLiteral(table)} AS table_name, count(*) AS row_count FROM ${quoteIdentifier(table)}`)
    .join("\nUNION ALL\n");
}

// A restore must hold exactly the dumped rows; without a manifest count, loans (the runbook's
// connectivity check) must at least not be empty.
function expectedRows(table: string, context: ValidationContext): ValidationExpectation {
  if (manifestRowCount(context.manifestTables, table) !== undefined) return { withinPercentOfManifest: { table, percent: 0 } };
  return { atLeast: table === "loans" ? 1 : 0 };
}

function criticalRowsExpectation(context: ValidationContext): string {
  return criticalTablesOf(context)
    .map((table) => {
      const { expectationText } = evaluateExpectation(expectedRows(table, context), {
        actual: null,
        manifestTables: context.manifestTables,
      });
      return `${table} ${expectationText}`;
    })
    .join("; ");
}

const criticalTableRows: BuiltinCheck = {
  name: "critical-table-rows",
  description:
    "Row counts of the critical tables (loans, users, payments, documents), each equal to the backup manifest's count when there is one.",
  sql: countRowsSql(CRITICAL_TABLES),
  expectation: criticalRowsExpectation,
  severity: () => "block",
  appliesTo: (context) => criticalTablesOf(context).length > 0,
  async run(query, context) {
    const tables = criticalTablesOf(context);
    const missing = new Set(await findMissingTables(query, tables));
    const present = tables.filter((table) => !missing.has(table));
    const counted = present.length > 0 ? (await query(countRowsSql(present))).rows : [];
    const counts = new Map(counted.map((row) => [String(row.table_name), actualFrom(row.row_count)]));

    const rows: ResultRow[] = [];
    const problems: string[] = [];
    const found: string[] = [];
    let total = 0;
    for (const table of tables) {
      const actual = counts.get(table) ?? null;
      const evaluation = evaluateExpectation(expectedRows(table, context), { actual, manifestTables: context.manifestTables });
      if (missing.has(table)) {
        rows.push({ table, row_count: null, expected: evaluation.expectationText, passed: false });
        problems.push(missingTableMessage([table]));
        continue;
      }
      rows.push({ table, row_count: actual, expected: evaluation.expectationText, passed: evaluation.passed });
      found.push(`${table} ${formatNumber(actual ?? 0)}`);
      total += actual ?? 0;
      if (!evaluation.passed) problems.push(`${table}: ${evaluation.message}`);
    }
    return {
      expectation: criticalRowsExpectation(context),
      actual: present.length > 0 ? total : null,
      rows,
      passed: problems.length === 0,
      message: problems.length > 0 ? problems.join(" ") : `Row counts: ${found.join(", ")}.`,
    };
  },
};

const RECENT_ACTIVITY_SQL = `SELECT
  DATE(created_at) AS date,
  COUNT(*) AS transactions
FROM audit_logs
WHERE created_at > $1::timestamptz - INTERVAL '${ACTIVITY_DAYS} days'
  AND created_at <= $1::timestamptz
GROUP BY DATE(created_at)
ORDER BY date DESC`;

const ACTIVITY_EXPECTATION = "≥ 1 day with activity";

const recentActivityByDay: BuiltinCheck = {
  name: "recent-activity-by-day",
  description: `Audit log entries per day (UTC) in the ${ACTIVITY_DAYS} days before the restored moment (the backup's time, or the point in time); at least one day must show activity.`,
  sql: RECENT_ACTIVITY_SQL,
  expectation: () => ACTIVITY_EXPECTATION,
  // A quiet week is possible (a holiday, a paused tenant); missing data shows in the row counts.
  severity: () => "warn",
  appliesTo: (context) => restored("audit_logs", context),
  async run(query, context) {
    const expectation = ACTIVITY_EXPECTATION;
    const missing = await findMissingTables(query, ["audit_logs"]);
    if (missing.length > 0) return failsOnMissingTables(missing, expectation);
    // Before the backup's time, not now: an older backup would otherwise show no activity.
    const end = context.backupTakenAt ?? new Date();
    const window = `the ${ACTIVITY_DAYS} days before ${context.backupTakenAt ? "the restored moment" : "now"} (${end.toISOString()})`;
    const { rows, rowCount } = await query(RECENT_ACTIVITY_SQL, [end.toISOString()]);
    const entries = rows.reduce((sum, row) => sum + (actualFrom(row.transactions) ?? 0), 0);
    return {
      expectation,
      actual: rowCount,
      rows,
      rowCount,
      passed: rowCount >= 1,
      message:
        rowCount >= 1
          ? `${plural(entries, "audit log entry", "audit log entries")} in ${window}, on ${plural(rowCount, "calendar day")} (UTC).`
          : `No audit log entries in ${window}: the restored data may be older than expected, or audit logging had stopped.`,
    };
  },
};

/** Also run at dump time by the demo, so its manifests carry the source's count. */
export const ORPHANED_PAYMENTS_SQL = `SELECT
  COUNT(*) AS orphaned_payments
FROM payments p
LEFT JOIN loans l ON p.loan_id = l.id
WHERE l.id IS NULL`;

/** The manifest's key for the source's orphaned-payment count (`checks: { orphaned_payments: N }`). */
export const ORPHANED_PAYMENTS_MANIFEST_KEY = "orphaned_payments";

/** The source's count at dump time, when the manifest recorded one. */
function sourceOrphanedPayments(context: ValidationContext): number | undefined {
  const count = context.manifestChecks?.[ORPHANED_PAYMENTS_MANIFEST_KEY];
  return typeof count === "number" && Number.isInteger(count) && count >= 0 ? count : undefined;
}

function orphanedPaymentsExpectation(context: ValidationContext): string {
  const source = sourceOrphanedPayments(context);
  return source === undefined ? "= 0" : `= ${formatNumber(source)} (the source's count, from the manifest)`;
}

// A faithful restore of a source that has orphaned payments has them too: with the source's
// count in the manifest, any other number blocks; without it, orphans can only be reported.
const orphanedPayments: BuiltinCheck = {
  name: "orphaned-payments",
  description:
    "Payments whose loan does not exist: as many as the source had when the manifest records its count (a difference blocks the swap), otherwise none (orphans only warn).",
  sql: ORPHANED_PAYMENTS_SQL,
  expectation: orphanedPaymentsExpectation,
  severity: (context) => (sourceOrphanedPayments(context) === undefined ? "warn" : "block"),
  appliesTo: (context) => restored("payments", context) && restored("loans", context),
  async run(query, context) {
    const expectation = orphanedPaymentsExpectation(context);
    const missing = await findMissingTables(query, ["payments", "loans"]);
    if (missing.length > 0) return failsOnMissingTables(missing, expectation);
    const { firstValue } = await query(ORPHANED_PAYMENTS_SQL);
    return compareOrphanedPayments(actualFrom(firstValue), context);
  },
};

/** The orphaned-payments verdict for a count found in the restored database. Pure, for tests. */
export function compareOrphanedPayments(actual: number | null, context: ValidationContext): CheckOutcome {
  const expectation = orphanedPaymentsExpectation(context);
  const source = sourceOrphanedPayments(context);
  const evaluation = evaluateExpectation(source === undefined ? { zero: true } : { equals: source }, { actual });
  if (actual === null || !Number.isFinite(actual)) return { expectation, actual, passed: false, message: evaluation.message };
  const found = `${plural(actual, "payment")} ${actual === 1 ? "refers" : "refer"} to loans that do not exist in the restored database`;
  if (source === undefined) {
    return {
      expectation,
      actual,
      passed: evaluation.passed,
      message: evaluation.passed
        ? "Every payment belongs to an existing loan."
        : `${found}. The backup's manifest does not record the source's count, so this cannot be compared with it and only warns.`,
    };
  }
  return {
    expectation,
    actual,
    passed: evaluation.passed,
    message: evaluation.passed
      ? actual === 0
        ? "Every payment belongs to an existing loan, as in the source."
        : `${found}, exactly as many as the source had when the backup was taken.`
      : `${actual === 0 ? "No payment refers to a missing loan" : found}, but the source had ${formatNumber(source)} when the backup was taken.`,
  };
}

const LOANS_SUMMARY_SQL = `SELECT
  COUNT(*) AS total_loans,
  MAX(created_at) AS latest_loan,
  COUNT(DISTINCT tenant_id) AS tenant_count
FROM loans`;

const LOANS_EXPECTATION = "total_loans ≥ 1";

const loansSummary: BuiltinCheck = {
  name: "loans-summary",
  description: "The restored data's summary of loans: how many, the latest, across how many tenants. There must be at least one loan.",
  sql: LOANS_SUMMARY_SQL,
  expectation: () => LOANS_EXPECTATION,
  severity: () => "block",
  appliesTo: (context) => restored("loans", context),
  async run(query) {
    const missing = await findMissingTables(query, ["loans"]);
    if (missing.length > 0) return failsOnMissingTables(missing, LOANS_EXPECTATION);
    const { rows } = await query(LOANS_SUMMARY_SQL);
    const summary = rows[0] ?? {};
    const actual = actualFrom(summary.total_loans);
    const evaluation = evaluateExpectation({ atLeast: 1 }, { actual });
    const tenants = actualFrom(summary.tenant_count) ?? 0;
    return {
      expectation: LOANS_EXPECTATION,
      actual,
      rows,
      passed: evaluation.passed,
      message: evaluation.passed
        ? `${formatNumber(actual ?? 0)} loans across ${formatNumber(tenants)} tenants; the latest was created ${String(summary.latest_loan)}.`
        : actual === 0
          ? "The restored loans table is empty."
          : evaluation.message,
    };
  },
};

export const BUILTIN_CHECKS: readonly BuiltinCheck[] = [criticalTableRows, recentActivityByDay, orphanedPayments, loansSummary];
