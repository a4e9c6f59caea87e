import "server-only";
import pg from "pg";

/**
 * Runs one statement on a connection of its own to `connectionString` (a database we read from or
 * write to, not the app's) and returns its rows; the connection is closed either way. Driver
 * errors are passed through unchanged.
 */
export async function queryOnce<R extends Record<string, unknown>>(
  connectionString: string,
  sql: string,
  options: { applicationName: string },
): Promise<R[]> {
  const client = new pg.Client({ connectionString, application_name: options.applicationName });
  // A connection dropped by the server surfaces on the query; unhandled it would crash the process.
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}
