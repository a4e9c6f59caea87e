import { describe, expect, it } from "vitest";
import { BUILTIN_CHECKS, compareOrphanedPayments } from "./builtin-checks";
import type { QueryRows, ReadOnlyQuery } from "./types";

const orphanedPayments = BUILTIN_CHECKS.find((check) => check.name === "orphaned-payments");
if (!orphanedPayments) throw new Error("no orphaned-payments check");

/** A restored database as the check's queries see it: both tables present, `count` orphans. */
function database(count: number): ReadOnlyQuery {
  return async (sql) => {
    const rows: QueryRows = sql.includes("to_regclass")
      ? { columns: ["name"], rows: [], firstValue: null, rowCount: 0 }
      : { columns: ["orphaned_payments"], rows: [{ orphaned_payments: count }], firstValue: count, rowCount: 1 };
    return rows;
  };
}

describe("orphaned-payments", () => {
  it("blocks when the manifest records the source's count, and only warns without it", () => {
    expect(orphanedPayments.severity({ manifestChecks: { orphaned_payments: 1 } })).toBe("block");
    expect(orphanedPayments.severity({ manifestChecks: { orphaned_payments: 0 } })).toBe("block");
    expect(orphanedPayments.severity({})).toBe("warn");
    expect(orphanedPayments.severity({ manifestChecks: { something_else: 3 } })).toBe("warn");
  });

  it("passes a faithful restore of a source with one orphaned payment", async () => {
    const outcome = await orphanedPayments.run(database(1), { manifestChecks: { orphaned_payments: 1 } });
    expect(outcome).toMatchObject({ passed: true, actual: 1, expectation: "= 1 (the source's count, from the manifest)" });
    expect(outcome.message).toBe(
      "1 payment refers to loans that do not exist in the restored database, exactly as many as the source had when the backup was taken.",
    );
  });

  it("fails a restore with more or fewer orphans than the source had", () => {
    expect(compareOrphanedPayments(2, { manifestChecks: { orphaned_payments: 1 } })).toMatchObject({
      passed: false,
      message: "2 payments refer to loans that do not exist in the restored database, but the source had 1 when the backup was taken.",
    });
    expect(compareOrphanedPayments(0, { manifestChecks: { orphaned_payments: 1 } })).toMatchObject({
      passed: false,
      message: "No payment refers to a missing loan, but the source had 1 when the backup was taken.",
    });
    expect(compareOrphanedPayments(0, { manifestChecks: { orphaned_payments: 0 } })).toMatchObject({
      passed: true,
      expectation: "= 0 (the source's count, from the manifest)",
    });
  });

  it("without a count from the source, any orphan fails (as a warning) and says it could not be compared", () => {
    expect(compareOrphanedPayments(0, {})).toMatchObject({
      passed: true,
      expectation: "= 0",
      message: "Every payment belongs to an existing loan.",
    });
    const orphan = compareOrphanedPayments(1, {});
    expect(orphan).toMatchObject({ passed: false, actual: 1, expectation: "= 0" });
    expect(orphan.message).toMatch(
      /^1 payment refers to loans that do not exist in the restored database\. The backup's manifest does not record the source's count/,
    );
  });

  it("ignores a count that is not one", () => {
    expect(orphanedPayments.severity({ manifestChecks: { orphaned_payments: -1 } })).toBe("warn");
    expect(compareOrphanedPayments(1, { manifestChecks: { orphaned_payments: 1.5 } })).toMatchObject({ expectation: "= 0", passed: false });
  });

  it("fails without a number to compare", () => {
    expect(compareOrphanedPayments(null, { manifestChecks: { orphaned_payments: 1 } })).toMatchObject({ passed: false, actual: null });
  });
});

describe("built-in severities", () => {
  it("blocks on row counts and an empty loans table; only warns on a quiet week", () => {
    expect(Object.fromEntries(BUILTIN_CHECKS.map((check) => [check.name, check.severity({})]))).toEqual({
      "critical-table-rows": "block",
      "recent-activity-by-day": "warn",
      "orphaned-payments": "warn",
      "loans-summary": "block",
    });
  });
});

describe("a restore of chosen tables", () => {
  const applying = (restoredTables?: string[]) =>
    BUILTIN_CHECKS.filter((check) => check.appliesTo({ restoredTables })).map((check) => check.name);

  it("runs every built-in on a whole restore", () => {
    expect(applying()).toEqual(["critical-table-rows", "recent-activity-by-day", "orphaned-payments", "loans-summary"]);
  });

  it("runs only the checks whose tables it holds", () => {
    expect(applying(["public.payments"])).toEqual(["critical-table-rows"]);
    expect(applying(["public.payments", "public.loans"])).toEqual(["critical-table-rows", "orphaned-payments", "loans-summary"]);
    expect(applying(["billing.invoices"])).toEqual([]);
  });

  it("counts only the chosen critical tables", async () => {
    const critical = BUILTIN_CHECKS.find((check) => check.name === "critical-table-rows");
    const seen: string[] = [];
    const query: ReadOnlyQuery = async (sql, params) => {
      seen.push(sql);
      if (sql.includes("to_regclass")) {
        expect(params).toEqual([["payments"]]);
        return { columns: ["name"], rows: [], firstValue: null, rowCount: 0 };
      }
      return {
        columns: ["table_name", "row_count"],
        rows: [{ table_name: "payments", row_count: 7 }],
        firstValue: "payments",
        rowCount: 1,
      };
    };
    const outcome = await critical?.run(query, { restoredTables: ["public.payments"] });
    expect(outcome).toMatchObject({ passed: true, actual: 7, message: "Row counts: payments 7." });
    expect(seen.join("\n")).not.toContain("loans");
  });
});
