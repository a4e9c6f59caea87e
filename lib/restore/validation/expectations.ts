import type { ValidationExpectation } from "@/lib/config/schema";

export interface Evaluation {
  passed: boolean;
  /** For people: "= 0", "≥ 1", "within 0% of the manifest's 6,000". */
  expectationText: string;
  message: string;
}

export interface ExpectationValues {
  /** The check's number; NaN when the query returned something that is not a number. */
  actual: number | null;
  manifestTables?: Readonly<Record<string, number>>;
  /** The same query on the source database; undefined when there is no source to ask. */
  sourceActual?: number | null;
}

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 });

/** 6000 → "6,000". */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/**
 * The manifest's row count for a table. Manifests name tables without a schema ("loans") while
 * a check may say "public.loans", so either spelling finds the other.
 */
export function manifestRowCount(manifestTables: Readonly<Record<string, number>> | undefined, table: string): number | undefined {
  if (!manifestTables) return undefined;
  const bare = table.startsWith("public.") ? table.slice("public.".length) : table;
  const candidates = [table, bare, `public.${bare}`];
  for (const name of candidates) {
    const count = Object.hasOwn(manifestTables, name) ? manifestTables[name] : undefined;
    if (typeof count === "number" && Number.isFinite(count)) return count;
  }
  return undefined;
}

type Comparable = { ok: true; value: number } | { ok: false; problem: string };

function comparable(actual: number | null): Comparable {
  if (actual === null) return { ok: false, problem: "The query returned no value (no rows, or NULL)." };
  if (!Number.isFinite(actual)) return { ok: false, problem: "The query's first column is not a number." };
  return { ok: true, value: actual };
}

function bound(
  actual: number | null,
  expectationText: string,
  test: (value: number) => boolean,
  failure: (value: number) => string,
): Evaluation {
  const checked = comparable(actual);
  if (!checked.ok) return { passed: false, expectationText, message: checked.problem };
  const { value } = checked;
  if (test(value)) return { passed: true, expectationText, message: `Got ${formatNumber(value)}, as expected.` };
  return { passed: false, expectationText, message: failure(value) };
}

function describeDeviation(actual: number, reference: number): string {
  const difference = formatNumber(Math.abs(actual - reference));
  if (reference === 0) return `off by ${difference}`;
  const percent = (Math.abs(actual - reference) / Math.abs(reference)) * 100;
  return `off by ${difference} (${formatNumber(Number(percent.toPrecision(3)))}%)`;
}

function withinPercent(
  input: number | null,
  reference: number,
  percent: number,
  expectationText: string,
  referenceText: string,
): Evaluation {
  const checked = comparable(input);
  if (!checked.ok) return { passed: false, expectationText, message: checked.problem };
  const actual = checked.value;
  const allowed = (Math.abs(reference) * percent) / 100;
  // A hair of slack so 0.5% of 100 admits 100.5 despite binary fractions.
  const passed = Math.abs(actual - reference) <= allowed + Number.EPSILON * Math.max(Math.abs(actual), Math.abs(reference));
  if (actual === reference) return { passed, expectationText, message: `Got ${formatNumber(actual)}, the same as ${referenceText}.` };
  const comparison = `${referenceText} is ${formatNumber(reference)}: ${describeDeviation(actual, reference)}`;
  if (passed) {
    return {
      passed,
      expectationText,
      message: `Got ${formatNumber(actual)}; ${comparison}, within the ${formatNumber(percent)}% allowed.`,
    };
  }
  return {
    passed,
    expectationText,
    message: `Got ${formatNumber(actual)}, but ${comparison}, more than the ${formatNumber(percent)}% allowed.`,
  };
}

/** Compares a check's number with what its expectation asks for. Pure: no database, no clock. */
export function evaluateExpectation(expect: ValidationExpectation, values: ExpectationValues): Evaluation {
  const { actual } = values;
  if ("equals" in expect) {
    const target = expect.equals;
    return bound(
      actual,
      `= ${formatNumber(target)}`,
      (v) => v === target,
      (v) => `Expected ${formatNumber(target)}, got ${formatNumber(v)}.`,
    );
  }
  if ("atLeast" in expect) {
    const min = expect.atLeast;
    return bound(
      actual,
      `≥ ${formatNumber(min)}`,
      (v) => v >= min,
      (v) => `Expected at least ${formatNumber(min)}, got ${formatNumber(v)}.`,
    );
  }
  if ("atMost" in expect) {
    const max = expect.atMost;
    return bound(
      actual,
      `≤ ${formatNumber(max)}`,
      (v) => v <= max,
      (v) => `Expected at most ${formatNumber(max)}, got ${formatNumber(v)}.`,
    );
  }
  if ("zero" in expect) {
    return bound(
      actual,
      "= 0",
      (v) => v === 0,
      (v) => `Expected 0, got ${formatNumber(v)}.`,
    );
  }
  if ("withinPercentOfManifest" in expect) {
    const { table, percent } = expect.withinPercentOfManifest;
    const reference = manifestRowCount(values.manifestTables, table);
    if (reference === undefined) {
      return {
        passed: false,
        expectationText: `within ${formatNumber(percent)}% of the manifest's count for ${table}`,
        message: values.manifestTables
          ? `The backup's manifest has no row count for ${table}, so there is nothing to compare with.`
          : `The backup has no manifest row counts, so ${table} cannot be compared with it.`,
      };
    }
    return withinPercent(
      actual,
      reference,
      percent,
      `within ${formatNumber(percent)}% of the manifest's ${formatNumber(reference)}`,
      `the manifest's count for ${table}`,
    );
  }
  const percent = expect.withinPercentOfSource;
  const { sourceActual } = values;
  const pending = `within ${formatNumber(percent)}% of the source database's value`;
  if (sourceActual === undefined) {
    return { passed: false, expectationText: pending, message: "No source database was given to compare with." };
  }
  if (sourceActual === null || !Number.isFinite(sourceActual)) {
    return { passed: false, expectationText: pending, message: "On the source database the query returned no number to compare with." };
  }
  return withinPercent(
    actual,
    sourceActual,
    percent,
    `within ${formatNumber(percent)}% of the source's ${formatNumber(sourceActual)}`,
    "the source database's value",
  );
}

/**
 * A query's value as a check's number: null for NULL (or no rows), NaN for anything that is
 * not a number. Numeric text counts: PostgreSQL's bigint and numeric arrive as text when too
 * large for a JavaScript number.
 */
export function actualFrom(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(value)) return Number(value);
  return Number.NaN;
}
