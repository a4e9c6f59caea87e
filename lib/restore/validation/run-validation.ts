import type { ValidationCheck } from "@/lib/config/schema";
import type { DatabaseEndpoint } from "@/lib/providers/postgres/endpoint-connection";
import { QueryFailedError } from "@/lib/providers/postgres/query-errors";
import { CLIENT_GRACE_MS, ReadOnlySession } from "@/lib/providers/postgres/read-only-session";
import { BUILTIN_CHECKS } from "./builtin-checks";
import { actualFrom, evaluateExpectation } from "./expectations";
import { validationPassed } from "./severity";
import { MAX_ROWS, type CheckOutcome, type CheckResult, type Severity, type ValidationContext, type ValidationReport } from "./types";

const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

export interface RunValidationInput {
  /** The restored database. */
  target: DatabaseEndpoint;
  /** The live database the backup came from, for `withinPercentOfSource` checks. */
  source?: DatabaseEndpoint;
  /** The environment's configured checks, run after the built-ins. */
  checks?: readonly ValidationCheck[];
  context?: ValidationContext;
  /** Per statement; a check that runs longer is cancelled and fails. */
  statementTimeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Checks

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** What went wrong, for the person reading the report. Never a stack trace. */
function describeError(error: unknown, database: string, timeoutMs: number): string {
  if (error instanceof QueryFailedError) {
    switch (error.kind) {
      case "missing-table":
        return `The table ${error.table} does not exist in the ${database}.`;
      case "timeout":
        return `The query did not finish within ${formatDuration(timeoutMs)} on the ${database} and was cancelled.`;
      case "read-only-violation":
        return `The check tried to change data (${error.message}). Checks run in a read-only transaction, so nothing was changed.`;
      case "multiple-statements":
        return "The check's SQL holds more than one statement; a check is a single SELECT, so it was not run.";
      case "permission":
        return `The ${database} refused the query: ${error.message}. The validation user needs read access.`;
      case "server":
        return `The query failed on the ${database}: ${error.message}.`;
      case "client-timeout":
        return `The ${database} did not answer within ${formatDuration(error.waitedMs ?? timeoutMs + CLIENT_GRACE_MS)}.`;
      case "unreachable":
        break;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Could not query the ${database}: ${message}.`;
}

interface Sessions {
  target: ReadOnlySession;
  source: ReadOnlySession | undefined;
  timeoutMs: number;
}

async function runConfiguredCheck(check: ValidationCheck, sessions: Sessions, context: ValidationContext): Promise<CheckOutcome> {
  const result = await sessions.target.readOnly((query) => query(check.sql));
  const actual = actualFrom(result.firstValue);
  let sourceActual: number | null | undefined;
  if ("withinPercentOfSource" in check.expect && sessions.source) {
    try {
      sourceActual = actualFrom((await sessions.source.readOnly((query) => query(check.sql))).firstValue);
    } catch (error) {
      const evaluation = evaluateExpectation(check.expect, { actual });
      return {
        expectation: evaluation.expectationText,
        actual: Number.isFinite(actual) ? actual : null,
        passed: false,
        message: describeError(error, "source database", sessions.timeoutMs),
      };
    }
  }
  const evaluation = evaluateExpectation(check.expect, { actual, manifestTables: context.manifestTables, sourceActual });
  const single = result.rowCount <= 1 && result.columns.length <= 1;
  return {
    expectation: evaluation.expectationText,
    actual: Number.isFinite(actual) ? actual : null,
    ...(single ? {} : { rows: result.rows, rowCount: result.rowCount }),
    passed: evaluation.passed,
    message: evaluation.message,
  };
}

interface RunnableCheck {
  name: string;
  kind: CheckResult["kind"];
  description: string;
  sql: string;
  severity: Severity;
  /** Shown when the check fails before it could say what it expected. */
  fallbackExpectation: string;
  run(): Promise<CheckOutcome>;
}

/** Runs one check; whatever happens becomes its result, so the next check still runs. */
async function settle(check: RunnableCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let outcome: CheckOutcome;
  try {
    outcome = await check.run();
  } catch (error) {
    outcome = {
      expectation: check.fallbackExpectation,
      actual: null,
      passed: false,
      message: describeError(error, "restored database", timeoutMs),
    };
  }
  return {
    name: check.name,
    kind: check.kind,
    description: check.description,
    sql: check.sql,
    severity: check.severity,
    ...outcome,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Runs the runbook's validation queries (§5), then the environment's configured checks, against
 * a restored database. Every check runs in its own READ ONLY transaction under a statement
 * timeout; a failing check never stops the others. Never throws for a failing check or an
 * unreachable database: that is a failed report. The report passes when no `block` check failed.
 */
export async function runValidation(input: RunValidationInput): Promise<ValidationReport> {
  const startedAt = new Date();
  const context = input.context ?? {};
  const timeoutMs = input.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const options = { statementTimeoutMs: timeoutMs, maxRows: MAX_ROWS };
  const sessions: Sessions = {
    target: new ReadOnlySession(input.target, options),
    source: input.source ? new ReadOnlySession(input.source, options) : undefined,
    timeoutMs,
  };

  const checks: RunnableCheck[] = [
    ...BUILTIN_CHECKS.filter((check) => check.appliesTo(context)).map((check) => ({
      name: check.name,
      kind: "builtin" as const,
      description: check.description,
      sql: check.sql,
      severity: check.severity(context),
      fallbackExpectation: check.expectation(context),
      run: () => sessions.target.readOnly((query) => check.run(query, context)),
    })),
    ...(input.checks ?? []).map((check) => ({
      name: check.name,
      kind: "configured" as const,
      description: check.description ?? "",
      sql: check.sql,
      severity: check.severity,
      fallbackExpectation: evaluateExpectation(check.expect, { actual: null, manifestTables: context.manifestTables }).expectationText,
      run: () => runConfiguredCheck(check, sessions, context),
    })),
  ];

  const results: CheckResult[] = [];
  try {
    for (const check of checks) results.push(await settle(check, timeoutMs));
  } finally {
    await Promise.all([sessions.target.close(), sessions.source?.close()]);
  }
  return {
    passed: validationPassed(results),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    results,
  };
}
