import "server-only";
import pg from "pg";
import { UnavailableError, errorCode } from "@/lib/errors";

/**
 * Why a query on a database we read (a restored database, a source) gave no answer:
 * - the server refused or cancelled it: "missing-table" (`table` names it), "timeout" (its
 *   statement_timeout), "read-only-violation" (it tried to write in a READ ONLY transaction),
 *   "multiple-statements" (more than one statement where one is allowed), "permission", "server"
 *   (any other server error);
 * - no server answer: "unreachable" (could not connect, or the connection broke), "client-timeout"
 *   (the server stayed silent for `waitedMs`).
 */
export type QueryFailure =
  "missing-table" | "timeout" | "read-only-violation" | "multiple-statements" | "permission" | "server" | "unreachable" | "client-timeout";

/**
 * A query failed; `message` is the server's or the connection's own words (never the password),
 * for the caller to put in a sentence of its own.
 */
export class QueryFailedError extends UnavailableError {
  /** The table the server said does not exist ("missing-table"). */
  readonly table: string | undefined;
  /** How long the client waited for a silent server ("client-timeout"). */
  readonly waitedMs: number | undefined;
  /** The SQLSTATE, or a system error's code (ECONNREFUSED…). */
  readonly sqlState: string | undefined;
  /** The server answered (with an error): the connection is still usable. */
  readonly fromServer: boolean;

  constructor(
    readonly kind: QueryFailure,
    message: string,
    options: { cause?: unknown; table?: string; waitedMs?: number; code?: string; fromServer: boolean },
  ) {
    super(message, { cause: options.cause, details: { kind, table: options.table ?? null, code: options.code ?? null } });
    this.table = options.table;
    this.waitedMs = options.waitedMs;
    this.sqlState = options.code;
    this.fromServer = options.fromServer;
  }
}

/** The extended protocol's answer to "SELECT …; DELETE …". */
const MULTIPLE_STATEMENTS = "cannot insert multiple commands into a prepared statement";
const MISSING_RELATION = /^relation "(.+)" does not exist$/;
/** node-postgres's words when its query_timeout elapses. */
const CLIENT_TIMEOUT = "Query read timeout";

/**
 * A driver error as a QueryFailedError. `queryTimeoutMs` is the client's own limit, reported
 * with a client timeout; `password` is masked should a message ever carry it.
 */
export function translateQueryError(error: unknown, options: { queryTimeoutMs?: number; password?: string } = {}): QueryFailedError {
  if (error instanceof QueryFailedError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = options.password ? raw.split(options.password).join("********") : raw;
  if (error instanceof pg.DatabaseError) {
    const server = (kind: QueryFailure, extra: { table?: string } = {}) =>
      new QueryFailedError(kind, message, { cause: error, code: error.code, fromServer: true, ...extra });
    const missing = MISSING_RELATION.exec(error.message);
    if (error.code === "42P01" && missing?.[1] !== undefined) return server("missing-table", { table: missing[1] });
    if (error.code === "57014") return server("timeout");
    if (error.code === "25006") return server("read-only-violation");
    if (error.message === MULTIPLE_STATEMENTS) return server("multiple-statements");
    if (error.code === "42501") return server("permission");
    return server("server");
  }
  const code = errorCode(error);
  if (raw === CLIENT_TIMEOUT) {
    return new QueryFailedError("client-timeout", message, {
      cause: error,
      code,
      fromServer: false,
      ...(options.queryTimeoutMs !== undefined ? { waitedMs: options.queryTimeoutMs } : {}),
    });
  }
  return new QueryFailedError("unreachable", message, { cause: error, code, fromServer: false });
}
