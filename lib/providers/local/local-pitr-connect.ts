import "server-only";
import pg from "pg";
import type { LocalPitrSource } from "@/lib/config/schema";
import { resolveSecret } from "@/lib/config/secrets";

// Connections as the source's user: to the source (its archiver's health, for the window) and to
// a restored server, which has the same roles and passwords as the source had at the target time.

const CONNECT_TIMEOUT_MS = 5_000;

export async function sourcePassword(source: LocalPitrSource): Promise<string | undefined> {
  return source.passwordFrom ? resolveSecret(source.passwordFrom) : undefined;
}

export async function connectAsSourceUser(
  source: LocalPitrSource,
  port: number,
  host: string,
  database: string,
  password: string | undefined,
): Promise<pg.Client> {
  const client = new pg.Client({
    host,
    port,
    database,
    user: source.user,
    password,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: "restore-console",
  });
  // A server that goes away later emits 'error' on the client; unhandled, that would crash the process.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}
