import pg from "pg";
import { scramVerifier } from "@/lib/providers/postgres/loader-role";

// LoanServe's roles as a managed database would have them: the application's tables belong to an
// application role, a reporting role may read them, and restores run as a user that is NOT a
// superuser (only LOGIN CREATEDB CREATEROLE, like an RDS/Aurora master user), so the demo and the
// restore benchmark exercise the least-privilege loader and dumps carry OWNER TO and GRANT lines.

/** Owns the LoanServe database and everything in it; nobody logs in as it. */
export const APP_OWNER_ROLE = "loanserve";
/** Read-only access for reports: the GRANT a dump must carry through a restore. */
export const REPORTING_ROLE = "reporting";
/** The restore target's user in the demo and the benchmark. */
export const RESTORE_USER = "restore_admin";

/** Relations whose owner a dump records (an identity or serial sequence follows its table). */
const OWNED_RELATIONS = `
  SELECT format('ALTER %s %I.%I OWNER TO %I',
                CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                n.nspname, c.relname, $1::text) AS statement
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
     AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
     AND pg_get_userbyid(c.relowner) <> $1
     AND NOT (c.relkind = 'S' AND EXISTS (
       SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))`;

/** One connection for `work`, closed whatever happens. */
export async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The same server and user, another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/**
 * Creates the application, reporting and restore roles where missing and brings existing ones
 * back to these attributes, so a cluster made before least-privilege mode is upgraded in place.
 * `adminUrl` is a superuser's. The restore user's password is sent only as a SCRAM verifier.
 */
export async function ensureLoanServeRoles(adminUrl: string, restoreUser: { name: string; password: string }): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])", [
      [APP_OWNER_ROLE, REPORTING_ROLE, restoreUser.name],
    ]);
    const existing = new Set(rows.map((r) => r.rolname));
    for (const role of [APP_OWNER_ROLE, REPORTING_ROLE]) {
      if (!existing.has(role)) await client.query(`CREATE ROLE ${pg.escapeIdentifier(role)} NOLOGIN`);
    }
    const user = pg.escapeIdentifier(restoreUser.name);
    const verb = existing.has(restoreUser.name) ? "ALTER" : "CREATE";
    await client.query(
      `${verb} ROLE ${user} WITH LOGIN NOSUPERUSER CREATEDB CREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(scramVerifier(restoreUser.password))}`,
    );
    // Member of the owner, so it can hand restored objects over and rename or drop the owner's
    // databases; pg_signal_backend, so the swap can end other users' sessions (never a superuser's).
    await client.query(`GRANT ${pg.escapeIdentifier(APP_OWNER_ROLE)} TO ${user}`);
    await client.query(`GRANT pg_signal_backend TO ${user}`);
  });
}

/**
 * Gives `database` and its relations to the application role and lets the reporting role read
 * its tables. Safe to repeat: only what is owned by someone else is changed.
 */
export async function applyLoanServeOwnership(adminUrl: string, database: string): Promise<void> {
  await withClient(adminUrl, (client) =>
    client.query(`ALTER DATABASE ${pg.escapeIdentifier(database)} OWNER TO ${pg.escapeIdentifier(APP_OWNER_ROLE)}`),
  );
  await withClient(databaseUrl(adminUrl, database), async (client) => {
    const { rows } = await client.query<{ statement: string }>(OWNED_RELATIONS, [APP_OWNER_ROLE]);
    for (const { statement } of rows) await client.query(statement);
    await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${pg.escapeIdentifier(REPORTING_ROLE)}`);
  });
}

/**
 * The application's databases on the demo cluster: the live one and every copy a restore made of
 * it (`<database>…`: scratch, before-restore and rolled-back copies, a DR copy), but not the
 * nightly dump's transient clones. Copies made as a superuser by an earlier version belong to it,
 * and a restore user that is not one could neither rename nor drop them.
 */
export async function applicationDatabases(adminUrl: string, database: string): Promise<string[]> {
  return withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE datallowconn AND (datname = $1 OR starts_with(datname, $1 || '_')) AND NOT starts_with(datname, $1 || '_night_')
        ORDER BY datname`,
      [database],
    );
    return rows.map((r) => r.datname);
  });
}

/** The roles a dump of the database at `connectionString` names: owners of its schemas and relations, and their grantees. */
export async function rolesNamedByDump(connectionString: string): Promise<string[]> {
  return withClient(connectionString, async (client) => {
    const { rows } = await client.query<{ role: string }>(
      `WITH objects AS (
         SELECT c.relowner AS owner, c.relacl AS acl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
         UNION ALL
         SELECT nspowner, nspacl FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
       ), roles AS (
         SELECT owner AS oid FROM objects
         UNION SELECT (aclexplode(acl)).grantee FROM objects WHERE acl IS NOT NULL
       )
       -- Built-in roles (pg_database_owner owns the public schema) exist on every target.
       SELECT DISTINCT r.rolname AS role FROM roles JOIN pg_roles r ON r.oid = roles.oid
        WHERE r.rolname NOT LIKE 'pg\\_%' ORDER BY 1`,
    );
    return rows.map((r) => r.role);
  });
}
