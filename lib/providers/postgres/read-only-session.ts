import "server-only";
import pg, { type CustomTypesConfig, type QueryConfig } from "pg";
import { connectEndpoint, type DatabaseEndpoint } from "./endpoint-connection";
import { QueryFailedError, translateQueryError } from "./query-errors";

// Reading a database we must not change (a restored database being validated, a live source it
// is compared with): each unit of work in its own READ ONLY transaction, always rolled back.

/** A value as stored with a run and sent to the browser: what JSON can carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type ResultRow = Record<string, JsonValue>;

/** A query's result: JSON-safe values, at most the session's `maxRows` rows kept. */
export interface QueryRows {
  columns: string[];
  rows: ResultRow[];
  /** The first column of the first row; null when there are no rows. */
  firstValue: JsonValue;
  /** Every row the query returned, kept or not. */
  rowCount: number;
}

/** Runs one statement inside the unit of work's READ ONLY transaction, under its statement_timeout. */
export type ReadOnlyQuery = (sql: string, params?: readonly unknown[]) => Promise<QueryRows>;

export interface ReadOnlySessionOptions {
  /** Per statement, enforced by the server (statement_timeout); a statement that runs longer is cancelled. */
  statementTimeoutMs: number;
  /** Rows kept per query; the rest are counted, not fetched. */
  maxRows: number;
  applicationName?: string;
}

/** Beyond the server's statement_timeout, how long the client waits before giving up on a silent server. */
export const CLIENT_GRACE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 30_000;
const CURSOR = "restore_console_validation";

// ---------------------------------------------------------------------------------------------
// Values: everything a query returns must survive JSON (it is stored with the run and shown).

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
// A connection that runs each unit of work in its own READ ONLY transaction

type ArrayQuery = QueryConfig & { rowMode: "array"; queryMode?: "extended" };

/**
 * Through a cursor, so a query returning millions of rows costs `maxRows` rows of memory; the
 * extended protocol refuses a second statement smuggled into the SQL.
 */
async function fetchRows(client: pg.Client, sql: string, params: readonly unknown[], maxRows: number): Promise<QueryRows> {
  const declare: ArrayQuery = {
    text: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`,
    values: [...params],
    rowMode: "array",
    queryMode: "extended",
  };
  await client.query(declare);
  const fetch: ArrayQuery = { text: `FETCH ${maxRows} FROM ${CURSOR}`, rowMode: "array" };
  const fetched = await client.query<unknown[]>(fetch);
  const rest = fetched.rows.length === maxRows ? ((await client.query(`MOVE FORWARD ALL IN ${CURSOR}`)).rowCount ?? 0) : 0;
  await client.query(`CLOSE ${CURSOR}`);
  const columns = fetched.fields.map((field) => field.name);
  const rows = fetched.rows.map((values): ResultRow => Object.fromEntries(columns.map((column, i) => [column, toJson(values[i])])));
  return { columns, rows, firstValue: toJson(fetched.rows[0]?.[0]), rowCount: fetched.rows.length + rest };
}

/**
 * One connection to `endpoint`, opened on first use, that runs each unit of work in a READ ONLY
 * transaction that is always rolled back. Failed queries throw QueryFailedError. Close it when done.
 */
export class ReadOnlySession {
  private client: pg.Client | undefined;
  private connectError: QueryFailedError | undefined;
  private readonly queryTimeoutMs: number;

  constructor(
    private readonly endpoint: DatabaseEndpoint,
    private readonly options: ReadOnlySessionOptions,
  ) {
    this.queryTimeoutMs = options.statementTimeoutMs + CLIENT_GRACE_MS;
  }

  private translate(error: unknown): QueryFailedError {
    return translateQueryError(error, {
      queryTimeoutMs: this.queryTimeoutMs,
      ...(this.endpoint.password ? { password: this.endpoint.password } : {}),
    });
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    // An unreachable database fails every unit of work at once rather than waiting out the timeout for each.
    if (this.connectError !== undefined) throw this.connectError;
    let client: pg.Client;
    try {
      client = await connectEndpoint(this.endpoint, {
        applicationName: this.options.applicationName ?? "restore-console-validation",
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        queryTimeoutMs: this.queryTimeoutMs,
        types: JSON_FRIENDLY_TYPES,
      });
    } catch (error) {
      this.connectError = this.translate(error);
      throw this.connectError;
    }
    // A connection lost between units of work is replaced for the next one.
    client.on("error", () => this.discard(client));
    this.client = client;
    return client;
  }

  private discard(client: pg.Client) {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Runs `work` in a READ ONLY transaction that is always rolled back: it can never change data. */
  async readOnly<T>(work: (query: ReadOnlyQuery) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await this.run(() => client.query("BEGIN READ ONLY"));
      // UTC so per-day groupings and printed times do not depend on the server's settings.
      await this.run(() =>
        client.query(
          "SELECT set_config('statement_timeout', $1, true), set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO', true)",
          [`${this.options.statementTimeoutMs}ms`],
        ),
      );
      return await work((sql, params = []) => this.run(() => fetchRows(client, sql, params, this.options.maxRows)));
    } catch (error) {
      // A server-side error leaves the connection usable; anything else (a client timeout, a
      // broken socket, a failure in `work` itself) may leave a statement in flight, so the
      // connection is dropped.
      if (!(error instanceof QueryFailedError && error.fromServer)) this.discard(client);
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
