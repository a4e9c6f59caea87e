import "server-only";
import pg from "pg";

// The app's database through the `pg` driver, for the few libraries that speak `pg` rather than
// Prisma (rate-limiter-flexible's PostgreSQL store for sign-in throttling).

export type AppPgPool = pg.Pool;

/**
 * A small pool of its own on the app's database. An idle client's error (a restarted database)
 * is logged under `label` and must not crash the process.
 */
export function createAppPgPool(connectionString: string, { label, max }: { label: string; max: number }): AppPgPool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000 });
  pool.on("error", (error) => console.error(`${label}: idle database connection failed`, error.message));
  return pool;
}
