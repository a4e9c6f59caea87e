import path from "node:path";
import pg from "pg";
import { APP_SCHEMAS } from "@/lib/db/runtime-role";
import { LocalCluster } from "@/lib/providers/postgres/cluster";
import { scramVerifier } from "@/lib/providers/postgres/loader-role";
import { dataDir, persistentSecret } from "./data-dir";

export const APP_DATABASE = "restore_console";
/** Owns the app database and every object in it; used only by migrations. */
export const OWNER_ROLE = "restore_console_owner";
/** What the web server and the worker log in as: DML on the app's tables, append-only on the audit log. */
export const RUNTIME_ROLE = "restore_console_app";

export interface EmbeddedDatabase {
  /** The runtime role's URL: for the web server, the worker and anything acting as the app. */
  url: string;
  /** The owner's URL: for migrations only. */
  ownerUrl: string;
  cluster: LocalCluster;
  stop(): Promise<void>;
}

function roleUrl(cluster: LocalCluster, role: string, password: string): string {
  const url = new URL(cluster.url(APP_DATABASE));
  url.username = role;
  url.password = password;
  return url.toString();
}

/**
 * Creates the owner and runtime roles (or resets their passwords to the stored ones, as SCRAM
 * verifiers so no password travels in SQL), makes the owner own the app database, and hands it
 * every object an earlier version created as the superuser: a data folder from before the two
 * roles is upgraded in place, its data kept.
 */
async function ensureRoles(cluster: LocalCluster, ownerPassword: string, runtimePassword: string): Promise<void> {
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  try {
    const attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
    for (const [role, password] of [
      [OWNER_ROLE, ownerPassword],
      [RUNTIME_ROLE, runtimePassword],
    ] as const) {
      const { rowCount } = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
      await admin.query(
        `${rowCount ? "ALTER" : "CREATE"} ROLE ${role} WITH ${attributes} PASSWORD ${admin.escapeLiteral(scramVerifier(password))}`,
      );
    }
    // Neither may act as the other: the runtime role must never gain the owner's rights.
    await admin.query(`REVOKE ${OWNER_ROLE} FROM ${RUNTIME_ROLE}`);
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [APP_DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${OWNER_ROLE}`);
    else await admin.query(`ALTER DATABASE ${APP_DATABASE} OWNER TO ${OWNER_ROLE}`);
  } finally {
    await admin.end();
  }

  const db = new pg.Client({ connectionString: cluster.url(APP_DATABASE) });
  await db.connect();
  try {
    await db.query("SELECT set_config('restore_console.owner', $1, false), set_config('restore_console.schemas', $2, false)", [
      OWNER_ROLE,
      APP_SCHEMAS.join(","),
    ]);
    await db.query(HAND_OVER_TO_OWNER);
  } finally {
    await db.end();
  }
}

/**
 * Every object in the app's schemas not yet owned by the owner role (all of them, in a folder the
 * previous version made as the superuser) is given to it; indexes and a table's own sequences
 * follow their table. Runs on every start and changes nothing once done.
 */
const HAND_OVER_TO_OWNER = `
DO $$
DECLARE
  target oid := (SELECT oid FROM pg_roles WHERE rolname = current_setting('restore_console.owner'));
  owner_name text := current_setting('restore_console.owner');
  schemas text[] := string_to_array(current_setting('restore_console.schemas'), ',');
  r record;
BEGIN
  FOR r IN SELECT nspname FROM pg_namespace WHERE nspname = ANY (schemas) AND nspname <> 'public' AND nspowner <> target LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, owner_name);
  END LOOP;
  FOR r IN
    SELECT c.oid::regclass AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY (schemas) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relowner <> target
       AND NOT (c.relkind = 'S' AND EXISTS (
         SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO %I',
      CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
      r.name, owner_name);
  END LOOP;
  FOR r IN
    SELECT p.oid::regprocedure AS name, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = ANY (schemas) AND p.proowner <> target
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO %I', CASE r.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, r.name, owner_name);
  END LOOP;
  FOR r IN
    SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = ANY (schemas) AND t.typowner <> target
       AND (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
  LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO %I', r.name, owner_name);
  END LOOP;
END
$$`;

/**
 * The app's private PostgreSQL cluster under .data/app-db: created on first run, started on a
 * free loopback port, password-protected (scram). Three roles, each password generated once and
 * kept in .data/secrets: the superuser (postgres, used only here to create the others), the owner
 * (migrations) and the runtime role (the web server and the worker).
 */
export async function startEmbeddedDatabase(): Promise<EmbeddedDatabase> {
  const password = await persistentSecret("app-db-password");
  const ownerPassword = await persistentSecret("app-db-owner-password");
  const runtimePassword = await persistentSecret("app-db-runtime-password");
  const cluster = await LocalCluster.open({ baseDir: path.join(dataDir(), "app-db"), password });
  const { startedHere } = await cluster.start();
  try {
    await ensureRoles(cluster, ownerPassword, runtimePassword);
  } catch (error) {
    if (startedHere) await cluster.stop("fast").catch(() => undefined);
    throw error;
  }
  // A cluster someone else started (the running dashboard) is left running.
  return {
    url: roleUrl(cluster, RUNTIME_ROLE, runtimePassword),
    ownerUrl: roleUrl(cluster, OWNER_ROLE, ownerPassword),
    cluster,
    stop: async () => (startedHere ? cluster.stop("fast") : undefined),
  };
}
