import "server-only";
import pg from "pg";

// Live feeds read their rows through a small pool per database, shared by every subscriber of the
// process: with the shared LISTEN connection (listen-hub.ts), live pages cost at most this many
// connections in all, however many people watch.
const READ_POOL_SIZE = 3;

export interface ReadPool {
  query<R extends object>(sql: string, params: readonly unknown[]): Promise<R[]>;
}

const globalForPools = globalThis as unknown as { restoreConsoleReadPools?: Map<string, pg.Pool> };
const pools = (globalForPools.restoreConsoleReadPools ??= new Map<string, pg.Pool>());

/** The process's shared reader for `connectionString` (the app database). */
export function sharedReadPool(connectionString: string): ReadPool {
  let pool = pools.get(connectionString);
  if (!pool) {
    pool = new pg.Pool({
      connectionString,
      max: READ_POOL_SIZE,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      application_name: "restore-console-live-reader",
    });
    pool.on("error", (error) => console.error("[live feeds] an idle reader connection failed:", error.message));
    pools.set(connectionString, pool);
  }
  const reader = pool;
  return {
    async query<R extends object>(sql: string, params: readonly unknown[]) {
      return (await reader.query<R>(sql, [...params])).rows;
    },
  };
}
