import pg, { type CustomTypesConfig, type QueryConfig } from "pg";
import type { ValidationCheck } from "@/lib/config/schema";
import { BUILTIN_CHECKS } from "./builtin-checks";
import { actualFrom, evaluateExpectation } from "./expectations";
import { validationPassed } from "./severity";
import {
  MAX_ROWS,
  type CheckOutcome,
  type CheckResult,
  type JsonValue,
  type QueryRows,
  type ReadOnlyQuery,
  type ResultRow,
  type Severity,
  type ValidationContext,
  type ValidationReport,
} from "./types";

const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

/** Beyond the server's statement_timeout, how long the client waits before giving up on a silent server. */
const CLIENT_GRACE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 30_000;
const CURSOR = "restore_console_validation";

export interface RunValidationInput {
  /** The restored database. */
  connectionString: string;
  /** The environment's configured checks, run after the built-ins. */
  checks?: readonly ValidationCheck[];
  context?: ValidationContext;
  /** Per statement; a check that runs longer is cancelled and fails. */
  statementTimeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Values: everything a check returns must survive JSON (it is stored with the run and shown).

const OID = { bytea: 17, int8: 20, date: 1082, time: 1083, timestamp: 1114, interval: 1186, timetz: 1266, numeric: 1700 } as const;

/** Numeric text as a number when the number says exactly the same, else the text. */
function parseNumeric(text: string): number | string {
  const value = Number(text);
  const canonical = text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
  return Number.isFinite(value) && String(value) === canonical ? value : text;
}

// Dates, times without a zone and intervals stay PostgreSQL's text: turning them into JavaScript
// Dates would shift them by this machine's time zone.
const KEEP_AS_TEXT = new Set<number>([OID.bytea, OID.date, OID.time, OID.timestamp, OID.interval, OID.timetz]);
const keepText = (text: string) => text;

const JSON_FRIENDLY_TYPES: CustomTypesConfig = {
  getTypeParser: (oid: number, format?: "text" | "binary") => {
    if (oid === OID.int8 || oid === OID.numeric) return parseNumeric;
    if (KEEP_AS_TEXT.has(oid)) return keepText;
    return pg.types.getTypeParser(oid, format);
  },
};

function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)]));
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// A connection that runs each check in its own READ ONLY transaction

type ArrayQuery = QueryConfig & { rowMode: "array"; queryMode?: "extended" };

/**
 * Through a cursor, so a check returning millions of rows costs MAX_ROWS rows of memory; the
 * extended protocol refuses a second statement smuggled into the check's SQL.
 */
async function fetchRows(client: pg.Client, sql: string, params: readonly unknown[] = []): Promise<QueryRows> {
  const declare: ArrayQuery = { text: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`, values: [...params], rowMode: "array", queryMode: "extended" };
  await client.query(declare);
  const fetch: ArrayQuery = { text: `FETCH ${MAX_ROWS} FROM ${CURSOR}`, rowMode: "array" };
  const fetched = await client.query<unknown[]>(fetch);
  const rest = fetched.rows.length === MAX_ROWS ? ((await client.query(`MOVE FORWARD ALL IN ${CURSOR}`)).rowCount ?? 0) : 0;
  await client.query(`CLOSE ${CURSOR}`);
  const columns = fetched.fields.map((field) => field.name);
  const rows = fetched.rows.map((values): ResultRow => Object.fromEntries(columns.map((column, i) => [column, toJson(values[i])])));
  return { columns, rows, firstValue: toJson(fetched.rows[0]?.[0]), rowCount: fetched.rows.length + rest };
}

class ReadOnlySession {
  private client: pg.Client | undefined;
  private connectError: unknown;

  constructor(
    private readonly connectionString: string,
    private readonly timeoutMs: number,
  ) {}

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    // An unreachable database fails every check at once rather than waiting out the timeout for each.
    if (this.connectError !== undefined) throw this.connectError;
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: "restore-console-validation",
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: this.timeoutMs + CLIENT_GRACE_MS,
      types: JSON_FRIENDLY_TYPES,
    });
    // A connection lost between checks is replaced for the next one.
    client.on("error", () => this.discard(client));
    try {
      await client.connect();
    } catch (error) {
      this.connectError = error;
      void client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  private discard(client: pg.Client) {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
  }

  /** Runs `work` in a READ ONLY transaction that is always rolled back: a check can never change data. */
  async readOnly<T>(work: (query: ReadOnlyQuery) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await client.query("BEGIN READ ONLY");
      // UTC so per-day groupings and printed times do not depend on the server's settings.
      await client.query(
        "SELECT set_config('statement_timeout', $1, true), set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO', true)",
        [`${this.timeoutMs}ms`],
      );
      return await work((sql, params) => fetchRows(client, sql, params));
    } catch (error) {
      // A server-side error leaves the connection usable; anything else (a client timeout, a
      // broken socket) may leave a statement in flight, so the connection is dropped.
      if (!(error instanceof pg.DatabaseError)) this.discard(client);
      throw error;
    } finally {
      if (this.client === client) await client.query("ROLLBACK").catch(() => this.discard(client));
    }
  }

  async close() {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Checks

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** What went wrong, for the person reading the report. Never a stack trace. */
function describeError(error: unknown, database: string, timeoutMs: number): string {
  if (error instanceof pg.DatabaseError) {
    const missing = /^relation "(.+)" does not exist$/.exec(error.message);
    if (error.code === "42P01" && missing) return `The table ${missing[1]} does not exist in the ${database}.`;
    if (error.code === "57014") return `The query did not finish within ${formatDuration(timeoutMs)} on the ${database} and was cancelled.`;
    if (error.code === "25006") {
      return `The check tried to change data (${error.message}). Checks run in a read-only transaction, so nothing was changed.`;
    }
    // The extended protocol's answer to "SELECT …; DELETE …".
    if (error.message === "cannot insert multiple commands into a prepared statement") {
      return "The check's SQL holds more than one statement; a check is a single SELECT, so it was not run.";
    }
    if (error.code === "42501") return `The ${database} refused the query: ${error.message}. The validation user needs read access.`;
    return `The query failed on the ${database}: ${error.message}.`;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (message === "Query read timeout") return `The ${database} did not answer within ${formatDuration(timeoutMs + CLIENT_GRACE_MS)}.`;
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
    outcome = { expectation: check.fallbackExpectation, actual: null, passed: false, message: describeError(error, "restored database", timeoutMs) };
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
  const sessions: Sessions = {
    target: new ReadOnlySession(input.connectionString, timeoutMs),
    source: context.sourceConnectionString ? new ReadOnlySession(context.sourceConnectionString, timeoutMs) : undefined,
    timeoutMs,
  };

  const checks: RunnableCheck[] = [
    ...BUILTIN_CHECKS.map((check) => ({
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
