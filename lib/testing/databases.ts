import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migrate } from "@/lib/db/migrate";

export function adminUrl(): string {
  return inject("pgAdminUrl");
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs one statement (or several, without params) as the cluster's admin on `database`. */
export async function sqlOn<T extends pg.QueryResultRow = pg.QueryResultRow>(
  database: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: withDatabase(adminUrl(), database) });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export async function databaseExists(name: string): Promise<boolean> {
  return (await sqlOn("postgres", "SELECT 1 FROM pg_database WHERE datname = $1", [name])).length > 0;
}

/** Creates a fresh, uniquely named database on the shared test cluster and returns its URL. */
export async function createTestDatabase(prefix = "t"): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl(), name);
}

/** A fresh database with every migration applied: the app's schema as production has it. */
export async function createMigratedDatabase(): Promise<string> {
  const url = await createTestDatabase("app");
  await migrate(url);
  return url;
}
