import "server-only";
import { readFile } from "node:fs/promises";
import pg from "pg";
import type { PitrSource } from "@/lib/config/schema";
import { checkRdsCaBundle } from "@/lib/providers/aws/rds-ca-bundle";
import type { PitrEndpoint } from "@/lib/providers/pitr";
import type { PgConnection } from "./connection";

// A database the worker reads with the `pg` driver (a restored database to validate, a source to
// compare with), addressed by structured settings: never a URL carrying the password.

/** One database on a server. Holds the password: never log, store or put it in a URL. */
export interface DatabaseEndpoint extends PgConnection {
  database: string;
  /**
   * With sslMode "verify-full": the PEM file of the certificate authorities to trust instead of
   * the system's (libpq's sslrootcert), e.g. an RDS CA bundle. The chain must lead to one of
   * them and the certificate must name the host.
   */
  sslRootCert?: string;
}

/**
 * A restored point-in-time server's database, as the source's user with the source's password
 * (the restored server has the same roles). An RDS/Aurora endpoint is reached with verify-full
 * against the source's CA bundle; a missing or unreadable bundle throws (CaBundleError) rather
 * than connecting unverified. A local restored server listens on loopback only, without TLS.
 */
export async function restoredDatabaseEndpoint(
  source: PitrSource,
  endpoint: PitrEndpoint,
  password: string | undefined,
): Promise<DatabaseEndpoint> {
  const base = {
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    user: endpoint.user,
    ...(password ? { password } : {}),
  };
  if (source.provider === "aws") {
    const caFile = source.caBundleFile;
    // Throws, saying where AWS publishes the bundle, when there is none or it is not certificates.
    await checkRdsCaBundle(caFile);
    return { ...base, sslMode: "verify-full", ...(caFile ? { sslRootCert: caFile } : {}) };
  }
  return { ...base, sslMode: "disable" };
}

type SslSetting = NonNullable<pg.ClientConfig["ssl"]>;

/** libpq's sslmode in the driver's terms; "prefer" (libpq's default, and ours when unset) tries TLS first, then plain. */
async function sslCandidates(endpoint: DatabaseEndpoint): Promise<SslSetting[]> {
  switch (endpoint.sslMode) {
    case "disable":
      return [false];
    case "require":
      return [{ rejectUnauthorized: false }];
    case "verify-full":
      // Node's defaults check the chain and the host name; `ca` replaces the system's CAs.
      return [
        endpoint.sslRootCert
          ? { rejectUnauthorized: true, ca: await readFile(endpoint.sslRootCert, "utf8") }
          : { rejectUnauthorized: true },
      ];
    default:
      return [{ rejectUnauthorized: false }, false];
  }
}

/**
 * The driver's settings for `endpoint`, one per TLS attempt in order (two only for "prefer").
 * A driver type: it stays in lib/providers (connectEndpoint, the read-only session, the
 * connectivity test).
 */
export async function connectionConfigsFor(endpoint: DatabaseEndpoint): Promise<pg.ClientConfig[]> {
  const base: pg.ClientConfig = {
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    user: endpoint.user,
    ...(endpoint.password ? { password: endpoint.password } : {}),
  };
  return (await sslCandidates(endpoint)).map((ssl) => ({ ...base, ssl }));
}

export interface ConnectOptions {
  applicationName: string;
  connectTimeoutMs: number;
  /** The client's own limit per query (beyond the server's statement_timeout). */
  queryTimeoutMs?: number;
  types?: pg.CustomTypesConfig;
}

const NO_SSL = /does not support SSL/i;

/**
 * A connected client on `endpoint`, trying each TLS setting in turn (plain only after a server
 * that says it does not speak TLS). Driver errors pass through: each caller translates them.
 */
export async function connectEndpoint(endpoint: DatabaseEndpoint, options: ConnectOptions): Promise<pg.Client> {
  const candidates = await connectionConfigsFor(endpoint);
  let lastError: unknown;
  for (const [i, config] of candidates.entries()) {
    const client = new pg.Client({
      ...config,
      application_name: options.applicationName,
      connectionTimeoutMillis: options.connectTimeoutMs,
      ...(options.queryTimeoutMs !== undefined ? { query_timeout: options.queryTimeoutMs } : {}),
      ...(options.types ? { types: options.types } : {}),
    });
    // A connection dropped later surfaces through the next query; unhandled it would crash the process.
    client.on("error", () => undefined);
    try {
      await client.connect();
      return client;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      const fallBack = i < candidates.length - 1 && error instanceof Error && NO_SSL.test(error.message);
      if (!fallBack) break;
    }
  }
  throw lastError;
}
