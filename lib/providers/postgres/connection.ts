import "server-only";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** Where a libpq tool connects; the database is passed separately because it changes per step. */
export interface PgConnection {
  host: string;
  port: number;
  user: string;
  password?: string;
  sslMode?: "disable" | "prefer" | "require" | "verify-full";
}

/** Seconds libpq waits for a server before giving up, so an unreachable target never hangs a run. */
const CONNECT_TIMEOUT_SECONDS = 15;

/** Splits a `postgresql://user:pass@host:port/db` URL into a connection and a database name. */
export function pgConnectionFromUrl(url: string): { connection: PgConnection; database: string } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  const sslMode = parsed.searchParams.get("sslmode");
  const connection: PgConnection = {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username) || "postgres",
    ...(password ? { password } : {}),
    ...(sslMode === "disable" || sslMode === "prefer" || sslMode === "require" || sslMode === "verify-full" ? { sslMode } : {}),
  };
  return { connection, database: decodeURIComponent(parsed.pathname.slice(1)) || "postgres" };
}

/** One ~/.pgpass-format line; `:` and `\` inside a field are escaped with a backslash. */
export function pgPassfileLine(conn: PgConnection, database: string, password: string): string {
  const field = (value: string) => value.replace(/[\\:]/g, (c) => `\\${c}`);
  return `${[conn.host, String(conn.port), database, conn.user, password].map(field).join(":")}\n`;
}

/**
 * `dbname=…` as a conninfo string: tools that take a database argument treat anything with
 * `=` (or a URL) as a connection string, so a bare name could smuggle in other parameters.
 */
export function conninfoDbname(database: string): string {
  return `dbname='${database.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * The environment for a libpq tool: ours minus every inherited PG* variable (a stray PGPASSWORD,
 * PGSERVICE or PGOPTIONS would silently change where and how it connects), plus the target's.
 */
export function pgToolEnv(conn: PgConnection, database: string, passfile?: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^PG[A-Z]/.test(key) || key === "LC_ALL") delete env[key];
  }
  return {
    ...env,
    PGHOST: conn.host,
    PGPORT: String(conn.port),
    PGUSER: conn.user,
    PGDATABASE: database,
    PGSSLMODE: conn.sslMode ?? "prefer",
    PGCONNECT_TIMEOUT: String(CONNECT_TIMEOUT_SECONDS),
    PGAPPNAME: "restore-console",
    // Our error mapping reads the tools' own messages, so keep them untranslated.
    LC_MESSAGES: "C",
    ...(passfile ? { PGPASSFILE: passfile } : {}),
  };
}

/** Passfile folders are named after the process that owns them: `rc-pgpass-<pid>-XXXXXX`. */
const PASSFILE_DIR = /^rc-pgpass-(\d+)-/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, just not ours to signal.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes passfile folders whose process is gone: a worker killed mid-restore (SIGKILL, OOM)
 * never reaches its `finally`, and its password must not stay on disk until the next reboot.
 */
export async function sweepOrphanedPassfiles(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => []);
  for (const entry of entries) {
    const pid = Number(PASSFILE_DIR.exec(entry)?.[1]);
    if (pid && pid !== process.pid && !isAlive(pid)) await rm(path.join(tmpdir(), entry), { recursive: true, force: true });
  }
}

/**
 * Runs `fn` with a child-process environment that connects to `database` on `conn`. A password
 * reaches the tool only through a 0600 passfile in a private temporary folder, removed when `fn`
 * settles — never argv (visible to every local user) and never PGPASSWORD.
 */
export async function withPgEnv<T>(conn: PgConnection, database: string, fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  if (!conn.password) return fn(pgToolEnv(conn, database));
  await sweepOrphanedPassfiles();
  const dir = await mkdtemp(path.join(tmpdir(), `rc-pgpass-${process.pid}-`));
  try {
    const passfile = path.join(dir, "pgpass");
    await writeFile(passfile, pgPassfileLine(conn, database, conn.password), { mode: 0o600, flag: "wx" });
    return await fn(pgToolEnv(conn, database, passfile));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
