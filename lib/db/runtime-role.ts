import "server-only";
import pg from "pg";

// Two database roles (see README, "Two database roles"): migrations run as the OWNER of the app's
// tables; the web server and the worker connect as a RUNTIME role that owns nothing. It may read
// and write the app's rows, but on the audit log only INSERT and SELECT, and since it does not own
// the table it cannot ALTER, DROP or TRUNCATE it or disable its append-only trigger.

/** The audit log: the runtime role may only append to it and read it. */
export const AUDIT_TABLE = "audit_events";
/** Schemas the app's objects live in: Prisma's tables and pg-boss's queue. */
export const APP_SCHEMAS = ["public", "pgboss"] as const;

export interface DatabaseUrls {
  /** What the web server and the worker use (DATABASE_URL). */
  runtimeUrl: string;
  /** What migrations use: MIGRATION_DATABASE_URL, or DATABASE_URL when it is unset. */
  ownerUrl: string;
  /** Set when the two are the same role, so the audit log is not protected from the app. */
  warning?: string;
}

/** The role a connection URL logs in as (libpq's default: the OS user, which we never rely on). */
export function roleOf(connectionString: string): string {
  const user = decodeURIComponent(new URL(connectionString).username);
  if (!user) throw new Error("The database URL must name its user (postgresql://USER:PASSWORD@host/db).");
  return user;
}

/** Resolves the owner (migrations) and runtime (app) URLs from DATABASE_URL and MIGRATION_DATABASE_URL. */
export function databaseUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseUrls {
  const runtimeUrl = env.DATABASE_URL?.trim() ?? "";
  if (!runtimeUrl) throw new Error("DATABASE_URL is not set.");
  const ownerUrl = env.MIGRATION_DATABASE_URL?.trim() || runtimeUrl;
  if (ownerUrl === runtimeUrl || roleOf(ownerUrl) === roleOf(runtimeUrl)) {
    return {
      runtimeUrl,
      ownerUrl,
      warning:
        "MIGRATION_DATABASE_URL is not set (or names the same role as DATABASE_URL): migrations and the app use one role, " +
        "so the app's role owns the audit log and could alter it. Set MIGRATION_DATABASE_URL to the owner role and DATABASE_URL " +
        "to a runtime role (see the README, 'Two database roles').",
    };
  }
  return { runtimeUrl, ownerUrl };
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Grants the runtime role what the app needs and nothing more, as the owner (run after every
 * migration, idempotent): DML on the app's tables and pg-boss's, sequences, pg-boss's functions;
 * only INSERT and SELECT on the audit log; SELECT on the migrations table. Default privileges make
 * tables a later migration creates (as the owner, e.g. by `prisma migrate deploy`) usable at once.
 * Refuses a runtime role that could act as the owner, since the protection would then be void.
 */
export async function grantRuntimeRole(ownerConnectionString: string, runtimeRole: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerConnectionString, application_name: "restore-console-migrate" });
  await client.connect();
  try {
    const { rows } = await client.query<{ owner: string; database: string; exists: boolean; super: boolean; member: boolean }>(
      `SELECT current_user AS owner, current_database() AS database,
              r.oid IS NOT NULL AS exists, coalesce(r.rolsuper, false) AS super,
              r.oid IS NOT NULL AND pg_has_role(r.oid, current_user, 'MEMBER') AS member
         FROM (SELECT 1) one LEFT JOIN pg_roles r ON r.rolname = $1`,
      [runtimeRole],
    );
    const info = rows[0];
    if (!info?.exists)
      throw new Error(`The runtime role ${runtimeRole} does not exist; create it first (see the README, 'Two database roles').`);
    if (info.owner === runtimeRole) return;
    if (info.super || info.member) {
      throw new Error(
        `The runtime role ${runtimeRole} is a superuser or a member of ${info.owner}, so it could alter the audit log as its owner. ` +
          `Give the app a role of its own (LOGIN only) and grant it nothing else.`,
      );
    }
    const rt = ident(runtimeRole);
    const statements = [`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(info.database)} TO ${rt}`];
    const { rows: schemas } = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])`, [
      [...APP_SCHEMAS],
    ]);
    for (const { nspname } of schemas) {
      const s = ident(nspname);
      statements.push(
        `GRANT USAGE ON SCHEMA ${s} TO ${rt}`,
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${rt}`,
        `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${rt}`,
        `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${s} TO ${rt}`,
        `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${rt}`,
        `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT USAGE, SELECT ON SEQUENCES TO ${rt}`,
      );
    }
    const { rows: tables } = await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = ANY($1::text[])`,
      [[AUDIT_TABLE, "_prisma_migrations"]],
    );
    for (const { relname } of tables) {
      statements.push(`REVOKE ALL ON TABLE public.${ident(relname)} FROM ${rt}`);
      statements.push(`GRANT ${relname === AUDIT_TABLE ? "SELECT, INSERT" : "SELECT"} ON TABLE public.${ident(relname)} TO ${rt}`);
    }
    await client.query("BEGIN");
    try {
      for (const sql of statements) await client.query(sql);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  } finally {
    await client.end();
  }
}
