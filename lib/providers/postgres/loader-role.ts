import "server-only";
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { quoteIdent, withClient, type AdminTarget } from "./admin";
import type { PgConnection } from "./connection";

// A restore loads a dump as a role made for that run alone: LOGIN, no other attribute, owner of
// the scratch database and of nothing else. Whatever the dump's SQL tries, it has that role's
// power and no more; the configured user only creates, hands over and drops.

const LOADER_PREFIX = "rc_loader_";
/** The loader's own sessions: one psql per connection, or pg_restore's workers plus its leader (a target's `jobs` is at most 16). */
const LOADER_CONNECTION_LIMIT = 17;
const SCRAM_ITERATIONS = 4096;

export interface LoaderRole {
  name: string;
  /** Random, used once; the role is dropped when the run ends. Never log it. */
  password: string;
}

/** Deterministic per run, so a sweeper can find and drop what a dead worker left. */
export function loaderRoleName(runId: string): string {
  return `${LOADER_PREFIX}${runId.replace(/-/g, "").slice(0, 20)}`;
}

/**
 * A SCRAM-SHA-256 verifier (RFC 5802/7677, as PostgreSQL stores it), so the password itself never
 * travels in a CREATE ROLE statement the server might log.
 */
export function scramVerifier(password: string, salt = randomBytes(16)): string {
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, SCRAM_ITERATIONS, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest("base64");
  const serverKey = createHmac("sha256", salted).update("Server Key").digest("base64");
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString("base64")}$${storedKey}:${serverKey}`;
}

/**
 * Creates the run's loader (or resets the password of the one a crashed attempt left) and makes
 * the configured user a member, which PostgreSQL requires to give it a database and, later, to
 * hand its objects over.
 */
export async function createLoaderRole(target: AdminTarget, runId: string): Promise<LoaderRole> {
  const name = loaderRoleName(runId);
  const password = randomBytes(24).toString("base64url");
  const verifier = scramVerifier(password);
  await withClient(target, `Creating the loader role ${name}`, async (client) => {
    const { rows } = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name]);
    const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT ${LOADER_CONNECTION_LIMIT}`;
    const verb = rows.length > 0 ? "ALTER" : "CREATE";
    await client.query(`${verb} ROLE ${quoteIdent(name)} WITH ${attributes} PASSWORD ${client.escapeLiteral(verifier)}`);
    await client.query(`GRANT ${quoteIdent(name)} TO CURRENT_USER`);
  });
  return { name, password };
}

/** Where the loader connects: the target's server, as the loader. */
export function loaderConnection(target: AdminTarget, loader: LoaderRole): PgConnection {
  return { ...target.connection, user: loader.name, password: loader.password };
}

/**
 * Gives everything the loader made in `database` (and the database itself) to `owner`, then
 * removes what is left of the loader there. Runs as the configured user, who must have the
 * privileges of both roles.
 */
export async function handOverDatabase(target: AdminTarget, database: string, loader: string, owner: string): Promise<void> {
  await withClient(
    target,
    `Handing ${database} over to ${owner}`,
    async (client) => {
      await client.query(`REASSIGN OWNED BY ${quoteIdent(loader)} TO ${quoteIdent(owner)}`);
      await client.query(`DROP OWNED BY ${quoteIdent(loader)}`);
    },
    database,
  );
}

/** Ends the loader's sessions and drops it; safe to repeat (a missing role is fine). */
export async function dropLoaderRole(target: AdminTarget, runId: string): Promise<void> {
  const name = loaderRoleName(runId);
  await withClient(target, `Dropping the loader role ${name}`, async (client) => {
    await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()", [name]);
    await client.query(`DROP ROLE IF EXISTS ${quoteIdent(name)}`);
  });
}

/** The roles that exist on the server, for judging a dump's grants. */
export async function listRoles(target: AdminTarget): Promise<Set<string>> {
  return withClient(target, "Listing roles", async (client) => {
    const { rows } = await client.query<{ rolname: string }>("SELECT rolname FROM pg_roles");
    return new Set(rows.map((r) => r.rolname));
  });
}

export interface OwnerRoleCheck {
  owner: string;
  exists: boolean;
  /** The configured user may act as the owner (superuser, or a member with its privileges). */
  usable: boolean;
}

/**
 * The role that will own the restored database: the configured one, else the owner of the
 * database being replaced, else the configured user. And whether the hand-over can work.
 */
export async function resolveOwnerRole(target: AdminTarget, configured: string | undefined, liveDatabase: string): Promise<OwnerRoleCheck> {
  return withClient(target, "Resolving the owner role", async (client) => {
    const { rows } = await client.query<{ owner: string }>(
      "SELECT coalesce($1::text, (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $2), current_user::text) AS owner",
      [configured ?? null, liveDatabase],
    );
    const owner = rows[0]?.owner ?? target.connection.user;
    const checked = await client.query<{ exists: boolean; usable: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists,
              EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)
                AND ((SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, $1, 'USAGE')) AS usable`,
      [owner],
    );
    return { owner, exists: checked.rows[0]?.exists ?? false, usable: checked.rows[0]?.usable ?? false };
  });
}

/**
 * The tables of `database` that `owner` cannot read: each is really read (`LIMIT 0`, so the
 * executor checks privileges) as that role, inside a read-only transaction.
 */
export async function tablesUnreadableBy(
  target: AdminTarget,
  database: string,
  owner: string,
): Promise<Array<{ table: string; error: string }>> {
  return withClient(
    target,
    `Reading ${database} as ${owner}`,
    async (client) => {
      const { rows } = await client.query<{ name: string }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS name
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
          ORDER BY 1`,
      );
      const unreadable: Array<{ table: string; error: string }> = [];
      await client.query("BEGIN READ ONLY");
      try {
        await client.query(`SET LOCAL ROLE ${quoteIdent(owner)}`);
        for (const { name } of rows) {
          await client.query("SAVEPOINT read_check");
          try {
            await client.query(`SELECT 1 FROM ${name} LIMIT 0`);
            await client.query("RELEASE SAVEPOINT read_check");
          } catch (error) {
            await client.query("ROLLBACK TO SAVEPOINT read_check");
            unreadable.push({ table: name, error: error instanceof Error ? error.message : String(error) });
          }
        }
      } finally {
        await client.query("ROLLBACK").catch(() => undefined);
      }
      return unreadable;
    },
    database,
  );
}
