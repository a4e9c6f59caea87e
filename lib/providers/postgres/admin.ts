import "server-only";
import pg from "pg";
import { AppError, BadRequestError, UnavailableError } from "@/lib/errors";
import type { PgConnection } from "./connection";
import { connectEndpoint } from "./endpoint-connection";

// Database-level administration on a restore target (create, drop, rename, sessions), over the
// `pg` driver while connected to the maintenance database. Names are always quoted identifiers;
// which names may be touched is the caller's rule (lib/restore checks them against the target).

/** A server and the database we stay connected to while administering the others. */
export interface AdminTarget {
  connection: PgConnection;
  maintenanceDatabase: string;
}

export interface ServerVersion {
  /** e.g. "15.14 (Debian 15.14-1.pgdg120+1)" */
  version: string;
  major: number;
  /** server_version_num, e.g. 150014 */
  number: number;
}

export interface DatabaseSession {
  pid: number;
  user: string | null;
  applicationName: string;
  clientAddress: string | null;
  state: string | null;
  backendStart: string | null;
}

export type AdminFailure = "connection-failed" | "permission-denied" | "in-use" | "exists" | "missing" | "other";

/** A target's administrative operation failed; the message says what to check, never a secret. */
export class TargetAdminError extends UnavailableError {
  constructor(
    readonly failure: AdminFailure,
    message: string,
    options?: { cause?: unknown; code?: string },
  ) {
    super(message, { cause: options?.cause, details: { failure, code: options?.code ?? null } });
  }
}

const CONNECT_TIMEOUT_MS = 15_000;
/** Creating, dropping (file removal of a large database) and renaming can take a while. */
const QUERY_TIMEOUT_MS = 5 * 60_000;
const MAX_IDENTIFIER_BYTES = 63;

/** `"name"` with embedded quotes doubled; refuses what PostgreSQL could not name (empty, NUL, > 63 bytes). */
export function quoteIdent(name: string): string {
  if (name === "" || name.includes("\u0000") || Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) {
    throw new BadRequestError(`${JSON.stringify(name)} is not a usable database name (1–63 bytes, no NUL).`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** libpq's sslmode in the driver's terms; "prefer" tries TLS first and falls back to plain. */
function where(connection: PgConnection): string {
  return `${connection.user}@${connection.host}:${connection.port}`;
}

function pgCode(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : (error as { code?: string } | null)?.code;
}

/** Driver errors become ours, with the runbook's next step; the password never appears in them. */
function translate(error: unknown, connection: PgConnection, doing: string): Error {
  if (error instanceof AppError) return error;
  const code = pgCode(error);
  const raw = (error instanceof Error ? error.message : String(error)).split(connection.password || "\u0000").join("********");
  if (code === "42501") {
    return new TargetAdminError(
      "permission-denied",
      `${doing} was refused on ${where(connection)}: ${raw}. Ensure the target user has CREATEDB and CREATEROLE, is a member of the role that owns the restored objects, and owns the databases it renames or drops.`,
      { cause: error, code },
    );
  }
  if (code === "55006") {
    return new TargetAdminError("in-use", `${doing} failed: ${raw}. Other sessions are connected to that database.`, {
      cause: error,
      code,
    });
  }
  if (code === "42P04") return new TargetAdminError("exists", `${doing} failed: ${raw}.`, { cause: error, code });
  if (code === "3D000") return new TargetAdminError("missing", `${doing} failed: ${raw}.`, { cause: error, code });
  if (
    code === "28P01" ||
    code === "28000" ||
    (code && /^(ECONN|ENOTFOUND|EAI_|ETIMEDOUT|EHOSTUNREACH)/.test(code)) ||
    /timeout|terminated|connect/i.test(raw)
  ) {
    return new TargetAdminError(
      "connection-failed",
      `Could not connect to the target server as ${where(connection)} (${raw}). Check the connection parameters (host, port, user, password, SSL mode) and that the server is reachable from Restore Console.`,
      { cause: error, code },
    );
  }
  return new TargetAdminError("other", `${doing} failed on ${where(connection)}: ${raw}.`, { cause: error, code });
}

async function connect(target: AdminTarget, database = target.maintenanceDatabase): Promise<pg.Client> {
  const { connection } = target;
  try {
    return await connectEndpoint(
      { ...connection, database },
      { applicationName: "restore-console-admin", connectTimeoutMs: CONNECT_TIMEOUT_MS, queryTimeoutMs: QUERY_TIMEOUT_MS },
    );
  } catch (error) {
    throw translate(error, connection, "Connecting");
  }
}

/** One administrative connection (to the maintenance database unless `database` says otherwise), errors translated. */
export async function withClient<T>(
  target: AdminTarget,
  doing: string,
  work: (client: pg.Client) => Promise<T>,
  database?: string,
): Promise<T> {
  const client = await connect(target, database);
  try {
    return await work(client);
  } catch (error) {
    throw translate(error, target.connection, doing);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects and disconnects: proves the server answers with these credentials. */
export async function serverVersion(target: AdminTarget): Promise<ServerVersion> {
  return withClient(target, "Reading the server version", async (client) => {
    const { rows } = await client.query<{ version: string; number: number }>(
      "SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS number",
    );
    const row = rows[0];
    if (!row) throw new Error("the server did not report its version");
    return { version: row.version, number: row.number, major: Math.floor(row.number / 10_000) };
  });
}

/** Whether the connecting user may CREATE DATABASE (CREATEDB or superuser) and CREATE ROLE (for the run's loader). */
export async function canCreateDatabases(
  target: AdminTarget,
): Promise<{ allowed: boolean; superuser: boolean; createdb: boolean; createrole: boolean }> {
  return withClient(target, "Reading the user's privileges", async (client) => {
    const { rows } = await client.query<{ superuser: boolean; createdb: boolean; createrole: boolean }>(
      "SELECT rolsuper AS superuser, rolcreatedb AS createdb, rolcreaterole AS createrole FROM pg_roles WHERE rolname = current_user",
    );
    const row = rows[0] ?? { superuser: false, createdb: false, createrole: false };
    return { allowed: row.superuser || row.createdb, ...row };
  });
}

export async function databaseExists(target: AdminTarget, name: string): Promise<boolean> {
  return withClient(target, `Looking up database ${name}`, async (client) => {
    const { rows } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return rows.length > 0;
  });
}

/** Which of `names` exist, in one round trip (the swap's crash recovery reads the whole picture at once). */
export async function existingDatabases(target: AdminTarget, names: readonly string[]): Promise<Set<string>> {
  return withClient(target, "Listing databases", async (client) => {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname = ANY($1::text[])", [
      [...names],
    ]);
    return new Set(rows.map((r) => r.datname));
  });
}

/** Bytes on disk, or null when the database does not exist. */
export async function databaseSize(target: AdminTarget, name: string): Promise<number | null> {
  return withClient(target, `Measuring database ${name}`, async (client) => {
    const { rows } = await client.query<{ size: string }>(
      "SELECT pg_database_size(oid)::text AS size FROM pg_database WHERE datname = $1",
      [name],
    );
    return rows[0] ? Number(rows[0].size) : null;
  });
}

// Client sessions only: autovacuum workers (superuser processes we may not signal) are told to
// leave by the server itself when a database is renamed or dropped. backend_type is hidden from
// unprivileged users for other roles' sessions; those still have a user, background processes do not.
const CLIENT_SESSION = "coalesce(backend_type, 'client backend') = 'client backend' AND usename IS NOT NULL";

/** Everyone connected to `database` except us. */
export async function listSessions(target: AdminTarget, database: string): Promise<DatabaseSession[]> {
  return withClient(target, `Listing sessions on ${database}`, async (client) => {
    const { rows } = await client.query<{
      pid: number;
      user: string | null;
      application_name: string | null;
      client_addr: string | null;
      state: string | null;
      backend_start: Date | null;
    }>(
      `SELECT pid, usename AS user, application_name, client_addr::text AS client_addr, state, backend_start
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ${CLIENT_SESSION} ORDER BY backend_start`,
      [database],
    );
    return rows.map((r) => ({
      pid: r.pid,
      user: r.user,
      applicationName: r.application_name ?? "",
      clientAddress: r.client_addr,
      state: r.state,
      backendStart: r.backend_start?.toISOString() ?? null,
    }));
  });
}

// The sessions are chosen first (MATERIALIZED): in a plain WHERE the planner may call
// pg_terminate_backend before the other conditions have ruled a backend out. Only sessions we may
// signal are chosen: a non-superuser (a managed database's master user) asking to end a
// superuser's session gets an error that would fail the whole rename; left alone, such a session
// makes the rename report "in use" instead, which is retried and then shown to the person.
const TERMINATE_SQL = `
  WITH me AS (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
  sessions AS MATERIALIZED (
    SELECT a.pid FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid, me
     WHERE a.datname = $1 AND a.pid <> pg_backend_pid() AND ${CLIENT_SESSION}
       AND (me.rolsuper OR (NOT coalesce(r.rolsuper, false)
            AND (pg_has_role(current_user, a.usesysid, 'USAGE') OR pg_has_role(current_user, 'pg_signal_backend', 'USAGE'))))
  )
  SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM sessions`;

/** Ends every other session on `database`; returns how many were ended. */
export async function terminateSessions(target: AdminTarget, database: string): Promise<number> {
  return withClient(target, `Ending sessions on ${database}`, async (client) => {
    const { rows } = await client.query<{ n: number }>(TERMINATE_SQL, [database]);
    return rows[0]?.n ?? 0;
  });
}

/**
 * Creates an empty database from template0; with `like`, it takes that database's encoding and
 * locale so the restored data sorts and compares exactly as it did.
 */
export async function createDatabase(target: AdminTarget, name: string, options: { like?: string; owner?: string } = {}): Promise<void> {
  await withClient(target, `Creating database ${name}`, async (client) => {
    let settings = "";
    if (options.like) {
      const { rows } = await client.query<{ encoding: string; collate: string; ctype: string }>(
        "SELECT pg_encoding_to_char(encoding) AS encoding, datcollate AS collate, datctype AS ctype FROM pg_database WHERE datname = $1",
        [options.like],
      );
      const like = rows[0];
      if (like)
        settings = ` ENCODING ${client.escapeLiteral(like.encoding)} LC_COLLATE ${client.escapeLiteral(like.collate)} LC_CTYPE ${client.escapeLiteral(like.ctype)}`;
    }
    const owner = options.owner ? ` OWNER ${quoteIdent(options.owner)}` : "";
    await client.query(`CREATE DATABASE ${quoteIdent(name)}${owner} TEMPLATE template0${settings}`);
  });
}

/**
 * DROP DATABASE IF EXISTS. `force` (PostgreSQL 13+) ends its sessions first: only for scratch
 * databases we created, never for a database people use.
 */
export async function dropDatabase(target: AdminTarget, name: string, options: { force: boolean }): Promise<void> {
  await withClient(target, `Dropping database ${name}`, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}${options.force ? " WITH (FORCE)" : ""}`);
  });
}

/**
 * Several renames in ONE transaction: either all happen or none does (ALTER DATABASE RENAME is
 * transactional), so a swap can never leave the target without its database. With
 * `terminateSessionsOf`, those databases' sessions are ended inside the transaction, just before.
 */
export async function renameDatabases(
  target: AdminTarget,
  renames: ReadonlyArray<readonly [from: string, to: string]>,
  options: { terminateSessionsOf?: readonly string[] } = {},
): Promise<{ terminated: number }> {
  if (renames.length === 0) return { terminated: 0 };
  const doing = renames.map(([from, to]) => `renaming ${from} to ${to}`).join(", ");
  return withClient(target, doing.charAt(0).toUpperCase() + doing.slice(1), async (client) => {
    await client.query("BEGIN");
    try {
      // A lock wait would otherwise hold the swap open indefinitely.
      await client.query("SET LOCAL lock_timeout = '10s'");
      let terminated = 0;
      for (const database of options.terminateSessionsOf ?? []) {
        const { rows } = await client.query<{ n: number }>(TERMINATE_SQL, [database]);
        terminated += rows[0]?.n ?? 0;
      }
      // A terminated backend needs a moment to go; the rename fails (55006) while it is still there.
      if (terminated > 0) await client.query("SELECT pg_sleep(0.2)");
      for (const [from, to] of renames) await client.query(`ALTER DATABASE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`);
      await client.query("COMMIT");
      return { terminated };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  });
}

/** For callers that must tell "someone holds that database open" apart from other failures. */
export function isInUse(error: unknown): boolean {
  return error instanceof TargetAdminError && error.failure === "in-use";
}
