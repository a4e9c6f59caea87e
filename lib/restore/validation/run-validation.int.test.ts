import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { ValidationCheck } from "@/lib/config/schema";
import { pgConnectionFromUrl } from "@/lib/providers/postgres/connection";
import type { DatabaseEndpoint } from "@/lib/providers/postgres/endpoint-connection";
import { createTestDatabase } from "@/lib/testing/databases";
import { applyLoanServeSchema, seedLoanServe } from "@/scripts/lib/demo/seed-loanserve";
import { runValidation } from "./run-validation";
import type { CheckResult, ValidationReport } from "./types";

// Well in the past, so "the 7 days before now" would find no activity while "before the restored moment" does.
const BACKUP_AT = new Date("2025-01-15T02:00:00Z");
const SCALE = 0.05;

async function exec(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** A restored LoanServe database: the demo's schema and a small month of data ending at BACKUP_AT. */
async function restoredDatabase(): Promise<string> {
  const url = await createTestDatabase("validation");
  await applyLoanServeSchema(url);
  await seedLoanServe(url, { scale: SCALE, now: BACKUP_AT });
  return url;
}

/** What a manifest written at dump time would record. */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const { rows } = await exec(
    url,
    `SELECT (SELECT count(*) FROM tenants)::int AS tenants, (SELECT count(*) FROM users)::int AS users,
            (SELECT count(*) FROM loans)::int AS loans, (SELECT count(*) FROM payments)::int AS payments,
            (SELECT count(*) FROM documents)::int AS documents, (SELECT count(*) FROM audit_logs)::int AS audit_logs`,
  );
  return rows[0] as Record<string, number>;
}

function byName(report: ValidationReport, name: string): CheckResult {
  const result = report.results.find((r) => r.name === name);
  if (!result) throw new Error(`no result named ${name} in ${report.results.map((r) => r.name).join(", ")}`);
  return result;
}

const check = (input: unknown) => ValidationCheck.parse(input);

/** A test database's URL as the structured settings runValidation takes. */
function endpointOf(url: string): DatabaseEndpoint {
  const { connection, database } = pgConnectionFromUrl(url);
  return { ...connection, database };
}

describe("runValidation", () => {
  let good: string;
  let counts: Record<string, number>;

  beforeAll(async () => {
    good = await restoredDatabase();
    counts = await rowCounts(good);
  });

  it("passes every built-in on a good restore whose counts match the manifest", async () => {
    const report = await runValidation({ target: endpointOf(good), context: { manifestTables: counts, backupTakenAt: BACKUP_AT } });

    expect(report.results.map((r) => [r.name, r.kind, r.passed])).toEqual([
      ["critical-table-rows", "builtin", true],
      ["recent-activity-by-day", "builtin", true],
      ["orphaned-payments", "builtin", true],
      ["loans-summary", "builtin", true],
    ]);
    expect(report.passed).toBe(true);
    // Stored with the run as JSON: nothing may be lost on the way.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);

    const critical = byName(report, "critical-table-rows");
    expect(critical.rows).toEqual(
      ["loans", "users", "payments", "documents"].map((table) => ({
        table,
        row_count: counts[table],
        expected: `within 0% of the manifest's ${(counts[table] ?? 0).toLocaleString("en-US")}`,
        passed: true,
      })),
    );
    expect(critical.actual).toBe((counts.loans ?? 0) + (counts.users ?? 0) + (counts.payments ?? 0) + (counts.documents ?? 0));
    expect(critical.expectation).toContain(`loans within 0% of the manifest's ${(counts.loans ?? 0).toLocaleString("en-US")}`);

    const activity = byName(report, "recent-activity-by-day");
    expect(activity.rows?.length).toBeGreaterThanOrEqual(7);
    expect(activity.rows?.[0]).toEqual({ date: "2025-01-15", transactions: expect.any(Number) });
    expect(activity.rows?.at(-1)?.date).toBe("2025-01-08");
    expect(activity.actual).toBe(activity.rows?.length);
    expect(activity.message).toMatch(
      /^[\d,]+ audit log entries in the 7 days before the restored moment \(2025-01-15T02:00:00.000Z\), on \d calendar days? \(UTC\)\.$/,
    );

    expect(byName(report, "orphaned-payments")).toMatchObject({ actual: 0, expectation: "= 0" });

    const summary = byName(report, "loans-summary");
    expect(summary.actual).toBe(counts.loans);
    expect(summary.rows).toEqual([{ total_loans: counts.loans, latest_loan: expect.stringMatching(/^2025-01-1\dT.*Z$/), tenant_count: 6 }]);
    for (const result of report.results) expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("without a manifest, asks only for loans to be non-empty; without the backup's time, looks at the week before now", async () => {
    const report = await runValidation({ target: endpointOf(good) });
    const critical = byName(report, "critical-table-rows");
    expect(critical.passed).toBe(true);
    expect(critical.expectation).toBe("loans ≥ 1; users ≥ 0; payments ≥ 0; documents ≥ 0");
    const activity = byName(report, "recent-activity-by-day");
    expect(activity.passed).toBe(false);
    expect(activity.message).toMatch(/^No audit log entries in the 7 days before now/);
    // A quiet week only warns.
    expect(activity.severity).toBe("warn");
    expect(report.passed).toBe(true);
  });

  it("gives configured checks their severity: a failed warn check is reported, a failed block check fails the report", async () => {
    const warnOnly = check({ name: "no-loans-please", sql: "SELECT count(*) FROM loans", expect: { zero: true }, severity: "warn" });
    const blocking = check({ name: "no-users-please", sql: "SELECT count(*) FROM users", expect: { zero: true } });
    const warned = await runValidation({
      target: endpointOf(good),
      checks: [warnOnly],
      context: { manifestTables: counts, backupTakenAt: BACKUP_AT },
    });
    expect(byName(warned, "no-loans-please")).toMatchObject({ kind: "configured", passed: false, severity: "warn" });
    expect(warned.passed).toBe(true);
    const blocked = await runValidation({
      target: endpointOf(good),
      checks: [warnOnly, blocking],
      context: { manifestTables: counts, backupTakenAt: BACKUP_AT },
    });
    expect(byName(blocked, "no-users-please")).toMatchObject({ passed: false, severity: "block" });
    expect(blocked.passed).toBe(false);
  });

  it("fails critical-table-rows when a manifest count is off by one, naming the table and both numbers", async () => {
    const manifestTables = { ...counts, payments: (counts.payments ?? 0) + 1 };
    const report = await runValidation({ target: endpointOf(good), context: { manifestTables, backupTakenAt: BACKUP_AT } });
    const critical = byName(report, "critical-table-rows");
    expect(critical.passed).toBe(false);
    const got = (counts.payments ?? 0).toLocaleString("en-US");
    const want = ((counts.payments ?? 0) + 1).toLocaleString("en-US");
    expect(critical.message).toMatch(new RegExp(`^payments: Got ${got}, but the manifest's count for payments is ${want}: off by 1 `));
    expect(critical.rows?.find((row) => row.table === "payments")).toMatchObject({ passed: false });
    expect(critical.rows?.find((row) => row.table === "loans")).toMatchObject({ passed: true });
    expect(report.passed).toBe(false);
    expect(report.results.filter((r) => !r.passed).map((r) => r.name)).toEqual(["critical-table-rows"]);
  });

  it("fails orphaned-payments on a payment whose loan does not exist: a warning without the source's count, blocking with a different one", async () => {
    const url = await restoredDatabase();
    await exec(
      url,
      `SET session_replication_role = replica;
       INSERT INTO payments (tenant_id, loan_id, amount, paid_at, created_at) VALUES (1, 999999, 10, '2025-01-14', '2025-01-14');`,
    );
    const report = await runValidation({
      target: endpointOf(url),
      context: { manifestTables: await rowCounts(url), backupTakenAt: BACKUP_AT },
    });
    expect(byName(report, "orphaned-payments")).toMatchObject({ passed: false, actual: 1, severity: "warn" });
    expect(byName(report, "orphaned-payments").message).toMatch(
      /^1 payment refers to loans that do not exist in the restored database\. The backup's manifest does not record/,
    );
    expect(report.results.filter((r) => !r.passed).map((r) => r.name)).toEqual(["orphaned-payments"]);
    // Only a warning failed: the report passes.
    expect(report.passed).toBe(true);

    const compared = await runValidation({
      target: endpointOf(url),
      context: { manifestTables: await rowCounts(url), manifestChecks: { orphaned_payments: 0 }, backupTakenAt: BACKUP_AT },
    });
    expect(byName(compared, "orphaned-payments")).toMatchObject({
      passed: false,
      actual: 1,
      severity: "block",
      expectation: "= 0 (the source's count, from the manifest)",
    });
    expect(compared.passed).toBe(false);
    const faithful = await runValidation({
      target: endpointOf(url),
      context: { manifestTables: await rowCounts(url), manifestChecks: { orphaned_payments: 1 }, backupTakenAt: BACKUP_AT },
    });
    expect(byName(faithful, "orphaned-payments")).toMatchObject({ passed: true, actual: 1, severity: "block" });
    expect(faithful.passed).toBe(true);
  });

  it("fails cleanly, check by check, when tables are missing", async () => {
    const url = await restoredDatabase();
    await exec(url, "DROP TABLE documents; DROP TABLE payments;");
    const report = await runValidation({
      target: endpointOf(url),
      checks: [check({ name: "invoices", sql: "SELECT count(*) FROM invoices", expect: { zero: true } })],
      context: { manifestTables: counts, backupTakenAt: BACKUP_AT },
    });

    const critical = byName(report, "critical-table-rows");
    expect(critical.passed).toBe(false);
    expect(critical.message).toBe(
      "The table payments does not exist in the restored database. The table documents does not exist in the restored database.",
    );
    expect(critical.rows?.map((row) => [row.table, row.row_count, row.passed])).toEqual([
      ["loans", counts.loans, true],
      ["users", counts.users, true],
      ["payments", null, false],
      ["documents", null, false],
    ]);
    expect(byName(report, "orphaned-payments")).toMatchObject({
      passed: false,
      actual: null,
      expectation: "= 0",
      message: "The table payments does not exist in the restored database.",
    });
    expect(byName(report, "recent-activity-by-day").passed).toBe(true);
    expect(byName(report, "loans-summary").passed).toBe(true);
    expect(byName(report, "invoices")).toMatchObject({
      kind: "configured",
      passed: false,
      expectation: "= 0",
      message: "The table invoices does not exist in the restored database.",
    });
  });

  it("runs configured checks read-only: a check that writes fails, changes nothing, and the next check still runs", async () => {
    const url = await restoredDatabase();
    await exec(
      url,
      `CREATE SEQUENCE validation_probe_seq;
       CREATE FUNCTION forget_audit_logs() RETURNS bigint LANGUAGE sql VOLATILE
         AS 'WITH gone AS (DELETE FROM audit_logs RETURNING 1) SELECT count(*) FROM gone';`,
    );
    const before = await rowCounts(url);
    const report = await runValidation({
      target: endpointOf(url),
      checks: [
        check({ name: "bump-sequence", sql: "SELECT nextval('validation_probe_seq')", expect: { atLeast: 0 } }),
        check({ name: "forget-audit-logs", sql: "SELECT forget_audit_logs()", expect: { atLeast: 0 } }),
        // Past the configuration schema (a caller that skipped it): still refused, by the protocol.
        { name: "two-statements", sql: "SELECT 1; DELETE FROM audit_logs", expect: { equals: 1 }, severity: "block" },
        check({
          name: "loans-still-there",
          description: "Runs after two failures.",
          sql: "SELECT count(*) FROM loans",
          expect: { atLeast: 1 },
        }),
      ],
      context: { manifestTables: before, backupTakenAt: BACKUP_AT },
    });

    for (const name of ["bump-sequence", "forget-audit-logs"]) {
      const result = byName(report, name);
      expect(result.passed).toBe(false);
      expect(result.actual).toBeNull();
      expect(result.message).toMatch(/read-only transaction/);
      expect(result.message).toMatch(/nothing was changed/);
    }
    expect(byName(report, "two-statements")).toMatchObject({
      passed: false,
      message: "The check's SQL holds more than one statement; a check is a single SELECT, so it was not run.",
    });
    expect(byName(report, "loans-still-there")).toMatchObject({
      passed: true,
      actual: counts.loans,
      description: "Runs after two failures.",
    });
    expect(await rowCounts(url)).toEqual(before);
    const { rows } = await exec(url, "SELECT is_called FROM validation_probe_seq");
    expect(rows[0]).toEqual({ is_called: false });
  });

  it("cancels a check that outruns the statement timeout and carries on", async () => {
    const report = await runValidation({
      target: endpointOf(good),
      checks: [
        check({ name: "slow", sql: "SELECT 1 FROM pg_sleep(5)", expect: { equals: 1 } }),
        check({ name: "after-slow", sql: "SELECT 1", expect: { equals: 1 } }),
      ],
      context: { manifestTables: counts, backupTakenAt: BACKUP_AT },
      statementTimeoutMs: 300,
    });
    const slow = byName(report, "slow");
    expect(slow).toMatchObject({ passed: false, actual: null, expectation: "= 1" });
    expect(slow.message).toBe("The query did not finish within 300 ms on the restored database and was cancelled.");
    expect(slow.durationMs).toBeLessThan(4_000);
    expect(byName(report, "after-slow").passed).toBe(true);
  });

  it("keeps up to 100 rows of a larger result, counts the rest, and makes every value JSON-safe", async () => {
    const report = await runValidation({
      target: endpointOf(good),
      checks: [
        check({
          name: "many-rows",
          sql: `SELECT g AS n, g::bigint * 1000000000000 AS big, 9223372036854775807::bigint AS huge, g::numeric / 4 AS quarter,
                       g::numeric / 3 AS third, DATE '2025-01-01' + g AS day, TIMESTAMPTZ '2025-01-15 02:00:00+00' AS at,
                       TIMESTAMP '2025-01-15 02:00:00' AS local_at, INTERVAL '1 day' AS span, '\\xdead'::bytea AS bytes,
                       '{"a": [1, 2]}'::jsonb AS doc, ARRAY[1, 2]::int[] AS list, 'NaN'::float8 AS nan
                FROM generate_series(1, 250) AS g`,
          expect: { atLeast: 1 },
        }),
      ],
    });
    const result = byName(report, "many-rows");
    expect(result).toMatchObject({ passed: true, actual: 1, rowCount: 250 });
    expect(result.rows).toHaveLength(100);
    expect(result.rows?.[0]).toEqual({
      n: 1,
      big: 1_000_000_000_000,
      huge: "9223372036854775807",
      quarter: 0.25,
      third: "0.33333333333333333333",
      day: "2025-01-02",
      at: "2025-01-15T02:00:00.000Z",
      local_at: "2025-01-15 02:00:00",
      span: "1 day",
      bytes: "\\xdead",
      doc: { a: [1, 2] },
      list: [1, 2],
      nan: "NaN",
    });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("compares withinPercentOfSource checks with the same query on a second database", async () => {
    const source = await restoredDatabase();
    await exec(
      source,
      `INSERT INTO payments (tenant_id, loan_id, amount, paid_at, created_at)
       SELECT tenant_id, id, 10, now(), now() FROM loans ORDER BY id LIMIT 10;
       CREATE TABLE only_on_source (id int);`,
    );
    await exec(good, "CREATE TABLE IF NOT EXISTS only_on_target (id int)");
    const sourceCounts = await rowCounts(source);
    const checks = [
      check({ name: "loans-vs-source", sql: "SELECT count(*) FROM loans", expect: { withinPercentOfSource: 0 } }),
      check({ name: "payments-vs-source-strict", sql: "SELECT count(*) FROM payments", expect: { withinPercentOfSource: 0 } }),
      check({ name: "payments-vs-source-loose", sql: "SELECT count(*) FROM payments", expect: { withinPercentOfSource: 5 } }),
      check({ name: "target-only", sql: "SELECT count(*) FROM only_on_target", expect: { withinPercentOfSource: 1 } }),
    ];

    const report = await runValidation({ target: endpointOf(good), checks, source: endpointOf(source) });
    expect(byName(report, "loans-vs-source")).toMatchObject({
      passed: true,
      actual: counts.loans,
      expectation: `within 0% of the source's ${(sourceCounts.loans ?? 0).toLocaleString("en-US")}`,
    });
    const strict = byName(report, "payments-vs-source-strict");
    expect(strict.passed).toBe(false);
    expect(strict.message).toBe(
      `Got ${(counts.payments ?? 0).toLocaleString("en-US")}, but the source database's value is ${(sourceCounts.payments ?? 0).toLocaleString("en-US")}: ` +
        `off by 10 (${Number(((10 / (sourceCounts.payments ?? 1)) * 100).toPrecision(3))}%), more than the 0% allowed.`,
    );
    expect(byName(report, "payments-vs-source-loose").passed).toBe(true);
    expect(byName(report, "target-only")).toMatchObject({
      passed: false,
      actual: 0,
      message: "The table only_on_target does not exist in the source database.",
    });

    const withoutSource = await runValidation({ target: endpointOf(good), checks });
    expect(byName(withoutSource, "loans-vs-source")).toMatchObject({
      passed: false,
      message: "No source database was given to compare with.",
    });
  });

  it("reports an unreachable database as failed checks instead of throwing", async () => {
    const report = await runValidation({
      target: endpointOf("postgresql://nobody@127.0.0.1:1/nothing"),
      checks: [check({ name: "count-loans", sql: "SELECT count(*) FROM loans", expect: { atLeast: 1 } })],
      context: { manifestTables: counts },
    });
    expect(report.passed).toBe(false);
    expect(report.results).toHaveLength(5);
    for (const result of report.results) {
      expect(result.passed).toBe(false);
      expect(result.message).toMatch(/^Could not query the restored database: .*ECONNREFUSED/);
    }
    expect(byName(report, "critical-table-rows").expectation).toContain("loans within 0% of the manifest's");
    expect(byName(report, "count-loans").expectation).toBe("≥ 1");
  });
});
