import "server-only";
import type pg from "pg";
import { connectEndpoint, type DatabaseEndpoint } from "./endpoint-connection";
import { translateQueryError } from "./query-errors";

export interface ConnectivityResult {
  /** The first column of the first row: a number or text as the driver gave it, anything else as text. */
  result: string | number | null;
  rows: number;
  /** From the start of the connection to the answer. */
  durationMs: number;
}

export interface ConnectivityOptions {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** Closes the connection, ending the test, when aborted. */
  signal?: AbortSignal;
}

/**
 * Connects to `endpoint` and runs `query` once, in a READ ONLY transaction rolled back after,
 * under a statement timeout: proves the database answers (the runbook's `SELECT COUNT(*) FROM
 * loans;`). Throws QueryFailedError with the server's or the connection's own words.
 */
export async function testConnectivity(
  endpoint: DatabaseEndpoint,
  query: string,
  options: ConnectivityOptions,
): Promise<ConnectivityResult> {
  const started = Date.now();
  let client: pg.Client | undefined;
  const close = () => void client?.end().catch(() => undefined);
  options.signal?.addEventListener("abort", close, { once: true });
  try {
    client = await connectEndpoint(endpoint, { applicationName: "restore-console", connectTimeoutMs: options.connectTimeoutMs });
    if (options.signal?.aborted) throw options.signal.reason;
    await client.query("BEGIN READ ONLY");
    await client.query(`SET LOCAL statement_timeout = ${Math.round(options.statementTimeoutMs)}`);
    const { rows } = await client.query<unknown[]>({ text: query, rowMode: "array" });
    await client.query("ROLLBACK");
    const first = rows[0]?.[0];
    return {
      result: typeof first === "number" || typeof first === "string" || first === null ? first : String(first),
      rows: rows.length,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    if (options.signal?.aborted && error === options.signal.reason) throw error;
    throw translateQueryError(error, endpoint.password ? { password: endpoint.password } : {});
  } finally {
    options.signal?.removeEventListener("abort", close);
    await client?.end().catch(() => undefined);
  }
}
