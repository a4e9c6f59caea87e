import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BadRequestError } from "@/lib/errors";
import { DumpTocScanner, planSelection, selectionFilter, tableCatalog } from "./dump-toc";

// pg_dump 15's plain output for a small schema (fixtures/small-plain-dump.sql), trimmed to what
// the scanner reads: the headers and the statements under them (COPY data included, to prove it
// is skipped).
const DUMP = readFileSync(path.join(import.meta.dirname, "fixtures", "small-plain-dump.sql"), "utf8");

function scan(text: string) {
  const scanner = new DumpTocScanner();
  for (const line of text.split("\n")) scanner.line(line);
  return scanner.finish();
}

describe("DumpTocScanner", () => {
  it("ties every object to its table, skipping COPY data that looks like headers or statements", () => {
    const entries = scan(DUMP);
    expect(entries.find((e) => e.name === "fake")).toBeUndefined();
    expect(entries.find((e) => e.type === "SEQUENCE OWNED BY")).toMatchObject({ table: "public.loans" });
    expect(entries.find((e) => e.type === "DEFAULT")).toMatchObject({ table: "public.loans" });
    expect(entries.find((e) => e.name === "payments_loan_idx")).toMatchObject({ type: "INDEX", table: "public.payments" });
    expect(entries.find((e) => e.name === "odd_tenant_idx")).toMatchObject({ table: "billing.Odd Table" });
    expect(entries.find((e) => e.name === "payments payments_loan_id_fkey")).toMatchObject({
      table: "public.payments",
      references: "public.loans",
    });
    expect(entries.find((e) => e.type === "ACL")).toMatchObject({ table: "public.loans" });
  });

  it("lists the tables with their data, sequences, indexes, constraints and foreign keys", () => {
    const { tables } = tableCatalog(scan(DUMP));
    expect(tables.map((t) => t.qualifiedName)).toEqual(["public.loans", "public.payments", "billing.Odd Table"]);
    expect(tables[0]).toMatchObject({ hasData: true, sequences: ["public.loans_id_seq"], constraints: ["loans_pkey"], indexes: [] });
    expect(tables[1]).toMatchObject({
      hasData: true,
      sequences: ["public.payments_id_seq"],
      indexes: ["payments_loan_idx"],
      constraints: ["payments_pkey"],
    });
    expect(tables[1]?.foreignKeys).toEqual([{ name: "payments_loan_id_fkey", table: "public.payments", references: "public.loans" }]);
    expect(tables[2]).toMatchObject({ hasData: false, indexes: ["odd_tenant_idx"] });
  });
});

describe("planSelection", () => {
  const catalog = tableCatalog(scan(DUMP));

  it("brings a table's sequences, indexes and keys along, and skips foreign keys that leave the selection", () => {
    const plan = planSelection(catalog, ["public.payments"]);
    expect(plan.sequences).toEqual(["public.payments_id_seq"]);
    expect(plan.indexes).toEqual(["payments_loan_idx"]);
    expect(plan.constraints).toEqual(["payments_pkey"]);
    expect(plan.foreignKeys).toEqual([]);
    expect(plan.skippedForeignKeys.map((k) => k.name)).toEqual(["payments_loan_id_fkey", "odd_payment_fkey"]);
  });

  it("keeps a foreign key between two chosen tables", () => {
    const plan = planSelection(catalog, ["public.loans", "public.payments"]);
    expect(plan.sequences).toEqual(["public.loans_id_seq", "public.payments_id_seq"]);
    expect(plan.foreignKeys.map((k) => k.name)).toEqual(["payments_loan_id_fkey"]);
    expect(plan.skippedForeignKeys.map((k) => k.name)).toEqual(["odd_payment_fkey"]);
  });

  it("refuses a table the dump does not have", () => {
    expect(() => planSelection(catalog, ["public.loan"])).toThrow(BadRequestError);
    expect(() => planSelection(catalog, ["public.loan"])).toThrow("The dump has no table public.loan");
  });
});

describe("selectionFilter", () => {
  const entries = scan(DUMP);
  const catalog = tableCatalog(entries);
  const kept = (tables: string[]) => {
    const keeps = selectionFilter(catalog, planSelection(catalog, tables));
    return entries.filter(keeps).map((e) => `${e.type}: ${e.name}`);
  };

  it("keeps a chosen table with its data, keys and indexes, and drops the rest and the foreign keys leaving it", () => {
    expect(kept(["public.payments"])).toEqual([
      "TABLE: payments",
      "SEQUENCE: payments_id_seq",
      "TABLE DATA: payments",
      "SEQUENCE SET: payments_id_seq",
      "CONSTRAINT: payments payments_pkey",
      "INDEX: payments_loan_idx",
    ]);
  });

  it("keeps a foreign key between two chosen tables, and a table's owned sequence with it", () => {
    const names = kept(["public.loans", "public.payments"]);
    expect(names).toContain("SEQUENCE: loans_id_seq");
    expect(names).toContain("SEQUENCE OWNED BY: loans_id_seq");
    expect(names).toContain("SEQUENCE SET: loans_id_seq");
    expect(names).toContain("DEFAULT: loans id");
    expect(names).toContain("FK CONSTRAINT: payments payments_loan_id_fkey");
    expect(names).toContain("ACL: TABLE loans");
    expect(names).not.toContain("FK CONSTRAINT: Odd Table odd_payment_fkey");
    expect(names).not.toContain("TABLE: Odd Table");
  });

  it("reads table names with spaces", () => {
    const names = kept(["billing.Odd Table", "public.payments"]);
    expect(names).toContain("TABLE: Odd Table");
    expect(names).toContain("INDEX: odd_tenant_idx");
    expect(names).toContain("FK CONSTRAINT: Odd Table odd_payment_fkey");
  });
});
