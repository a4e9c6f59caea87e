import { describe, expect, it } from "vitest";
import { ValidationExpectation } from "@/lib/config/schema";
import { actualFrom, evaluateExpectation, manifestRowCount } from "./expectations";

const manifestTables = { loans: 6000, users: 300, "audit.events": 12 };

describe("evaluateExpectation: constants", () => {
  it("equals", () => {
    expect(evaluateExpectation({ equals: 5 }, { actual: 5 })).toEqual({
      passed: true,
      expectationText: "= 5",
      message: "Got 5, as expected.",
    });
    expect(evaluateExpectation({ equals: 5 }, { actual: 4 })).toEqual({
      passed: false,
      expectationText: "= 5",
      message: "Expected 5, got 4.",
    });
  });

  it("atLeast, including the boundary", () => {
    expect(evaluateExpectation({ atLeast: 1 }, { actual: 1 })).toMatchObject({ passed: true, expectationText: "≥ 1" });
    expect(evaluateExpectation({ atLeast: 1000 }, { actual: 999 })).toEqual({
      passed: false,
      expectationText: "≥ 1,000",
      message: "Expected at least 1,000, got 999.",
    });
  });

  it("atMost, including the boundary", () => {
    expect(evaluateExpectation({ atMost: 10 }, { actual: 10 })).toMatchObject({ passed: true, expectationText: "≤ 10" });
    expect(evaluateExpectation({ atMost: 10 }, { actual: 10.5 })).toMatchObject({
      passed: false,
      message: "Expected at most 10, got 10.5.",
    });
  });

  it("zero", () => {
    expect(evaluateExpectation({ zero: true }, { actual: 0 })).toMatchObject({ passed: true, expectationText: "= 0" });
    expect(evaluateExpectation({ zero: true }, { actual: 3 })).toMatchObject({ passed: false, message: "Expected 0, got 3." });
  });

  it("accepts expectations exactly as the configuration schema parses them", () => {
    const parsed = ValidationExpectation.parse({ atLeast: 2 });
    expect(evaluateExpectation(parsed, { actual: 2 }).passed).toBe(true);
  });
});

describe("evaluateExpectation: a missing or non-numeric actual always fails", () => {
  const all: ValidationExpectation[] = [
    { equals: 0 },
    { atLeast: 0 },
    { atMost: 0 },
    { zero: true },
    { withinPercentOfManifest: { table: "loans", percent: 100 } },
    { withinPercentOfSource: 100 },
  ];

  it.each(all)("%j with null", (expectation) => {
    const result = evaluateExpectation(expectation, { actual: null, manifestTables, sourceActual: 0 });
    expect(result.passed).toBe(false);
    expect(result.message).toBe("The query returned no value (no rows, or NULL).");
  });

  it.each(all)("%j with NaN", (expectation) => {
    const result = evaluateExpectation(expectation, { actual: Number.NaN, manifestTables, sourceActual: 0 });
    expect(result.passed).toBe(false);
    expect(result.message).toBe("The query's first column is not a number.");
  });
});

describe("evaluateExpectation: within a percentage of the manifest", () => {
  const loans = (percent: number): ValidationExpectation => ({ withinPercentOfManifest: { table: "loans", percent } });

  it("passes on an exact match and names the reference", () => {
    expect(evaluateExpectation(loans(0), { actual: 6000, manifestTables })).toEqual({
      passed: true,
      expectationText: "within 0% of the manifest's 6,000",
      message: "Got 6,000, the same as the manifest's count for loans.",
    });
  });

  it("fails one row off at 0%, naming the table and both numbers", () => {
    const result = evaluateExpectation(loans(0), { actual: 5999, manifestTables });
    expect(result.passed).toBe(false);
    expect(result.message).toBe("Got 5,999, but the manifest's count for loans is 6,000: off by 1 (0.0167%), more than the 0% allowed.");
  });

  it("allows deviation up to the percentage on both sides, and not beyond", () => {
    expect(evaluateExpectation(loans(0.5), { actual: 6030, manifestTables }).passed).toBe(true);
    expect(evaluateExpectation(loans(0.5), { actual: 5970, manifestTables }).passed).toBe(true);
    expect(evaluateExpectation(loans(0.5), { actual: 6031, manifestTables }).passed).toBe(false);
    expect(evaluateExpectation(loans(0.5), { actual: 5969, manifestTables }).passed).toBe(false);
    expect(evaluateExpectation(loans(0.5), { actual: 6031, manifestTables }).message).toMatch(/more than the 0\.5% allowed/);
  });

  it("finds a table with or without the public schema", () => {
    const qualified: ValidationExpectation = { withinPercentOfManifest: { table: "public.loans", percent: 0 } };
    expect(evaluateExpectation(qualified, { actual: 6000, manifestTables }).passed).toBe(true);
    expect(manifestRowCount({ "public.users": 3 }, "users")).toBe(3);
    expect(manifestRowCount(manifestTables, "audit.events")).toBe(12);
    expect(manifestRowCount(manifestTables, "events")).toBeUndefined();
    expect(manifestRowCount(manifestTables, "constructor")).toBeUndefined();
  });

  it("fails clearly when the manifest has no count for the table, or no counts at all", () => {
    const payments: ValidationExpectation = { withinPercentOfManifest: { table: "payments", percent: 1 } };
    expect(evaluateExpectation(payments, { actual: 10, manifestTables })).toEqual({
      passed: false,
      expectationText: "within 1% of the manifest's count for payments",
      message: "The backup's manifest has no row count for payments, so there is nothing to compare with.",
    });
    expect(evaluateExpectation(payments, { actual: 10 })).toMatchObject({
      passed: false,
      message: "The backup has no manifest row counts, so payments cannot be compared with it.",
    });
  });

  it("against a zero reference only zero passes", () => {
    const empty: ValidationExpectation = { withinPercentOfManifest: { table: "t", percent: 50 } };
    expect(evaluateExpectation(empty, { actual: 0, manifestTables: { t: 0 } }).passed).toBe(true);
    expect(evaluateExpectation(empty, { actual: 1, manifestTables: { t: 0 } })).toMatchObject({
      passed: false,
      message: expect.stringContaining("off by 1,"),
    });
  });
});

describe("evaluateExpectation: within a percentage of the source", () => {
  const within5: ValidationExpectation = { withinPercentOfSource: 5 };

  it("compares with the source's value on both sides", () => {
    expect(evaluateExpectation(within5, { actual: 95, sourceActual: 100 })).toMatchObject({
      passed: true,
      expectationText: "within 5% of the source's 100",
    });
    expect(evaluateExpectation(within5, { actual: 105, sourceActual: 100 }).passed).toBe(true);
    expect(evaluateExpectation(within5, { actual: 94, sourceActual: 100 })).toMatchObject({
      passed: false,
      message: "Got 94, but the source database's value is 100: off by 6 (6%), more than the 5% allowed.",
    });
    expect(evaluateExpectation(within5, { actual: 106, sourceActual: 100 }).passed).toBe(false);
  });

  it("fails clearly without a source, or when the source has no number", () => {
    expect(evaluateExpectation(within5, { actual: 1 })).toEqual({
      passed: false,
      expectationText: "within 5% of the source database's value",
      message: "No source database was given to compare with.",
    });
    expect(evaluateExpectation(within5, { actual: 1, sourceActual: null })).toMatchObject({
      passed: false,
      message: expect.stringContaining("source database"),
    });
    expect(evaluateExpectation(within5, { actual: 1, sourceActual: Number.NaN }).passed).toBe(false);
  });
});

describe("actualFrom", () => {
  it("reads numbers and numeric text, and nothing else", () => {
    expect(actualFrom(42)).toBe(42);
    expect(actualFrom("12345678901234567890")).toBe(12345678901234567000);
    expect(actualFrom("-1.50")).toBe(-1.5);
    expect(actualFrom(null)).toBeNull();
    expect(actualFrom(undefined)).toBeNull();
    expect(actualFrom("NaN")).toBeNaN();
    expect(actualFrom("2026-11-24")).toBeNaN();
    expect(actualFrom(true)).toBeNaN();
    expect(actualFrom("")).toBeNaN();
  });
});
