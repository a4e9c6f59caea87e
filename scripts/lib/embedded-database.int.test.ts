import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { ALL_JOBS } from "@/scripts/job-registry";
import { installJobSchema } from "@/lib/jobs/boss";
import { LocalCluster } from "@/lib/providers/postgres/cluster";
import { persistentSecret } from "./data-dir";
import { APP_DATABASE, OWNER_ROLE, RUNTIME_ROLE, startEmbeddedDatabase, type EmbeddedDatabase } from "./embedded-database";
import { prepareAppDatabase } from "./prepare-database";

// The embedded default with two roles: a fresh data folder gets an owner and a runtime role, and a
// folder made by the previous version (the app connected as the superuser, which owned
// everything) is upgraded in place, its data kept.

const dirs: string[] = [];
const previousDataDir = process.env.RESTORE_CONSOLE_DATA_DIR;
let running: EmbeddedDatabase | undefined;

async function useDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "rc-embedded-"));
  // The server runs as postgres and must reach the cluster folder below.
  await chmod(dir, 0o755);
  dirs.push(dir);
  process.env.RESTORE_CONSOLE_DATA_DIR = path.join(dir, "data");
  return process.env.RESTORE_CONSOLE_DATA_DIR;
}

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

afterAll(async () => {
  if (previousDataDir === undefined) delete process.env.RESTORE_CONSOLE_DATA_DIR;
  else process.env.RESTORE_CONSOLE_DATA_DIR = previousDataDir;
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function refusedAsRuntime(url: string, sql: string): Promise<string> {
  return query(url, sql).then(
    () => "accepted",
    (error: unknown) => (error as Error).message,
  );
}

async function expectTwoRoles(embedded: EmbeddedDatabase, dataDir: string): Promise<void> {
  expect(new URL(embedded.url).username).toBe(RUNTIME_ROLE);
  expect(new URL(embedded.ownerUrl).username).toBe(OWNER_ROLE);
  // Passwords are generated and kept in private files, one per role.
  for (const name of ["app-db-password", "app-db-owner-password", "app-db-runtime-password"]) {
    const file = path.join(dataDir, "secrets", name);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, "utf8")).length).toBeGreaterThanOrEqual(32);
  }
  expect(decodeURIComponent(new URL(embedded.url).password)).toBe(
    await readFile(path.join(dataDir, "secrets", "app-db-runtime-password"), "utf8"),
  );
  const owners = await query<{ owner: string; n: number }>(
    embedded.ownerUrl,
    `SELECT pg_get_userbyid(c.relowner) AS owner, count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'pgboss') GROUP BY 1`,
  );
  expect(owners.map((o) => o.owner)).toEqual([OWNER_ROLE]);
  const [database] = await query<{ owner: string }>(
    embedded.ownerUrl,
    `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1`,
    [APP_DATABASE],
  );
  expect(database?.owner).toBe(OWNER_ROLE);
  const [attributes] = await query<{ rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean }>(
    embedded.url,
    `SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user`,
  );
  expect(attributes).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });

  // The runtime role appends to the audit log and cannot rewrite it.
  await query(
    embedded.url,
    `INSERT INTO audit_events (actor_email, action, request_id) VALUES ('system', 'test.embedded', 'embedded-test')`,
  );
  expect((await query(embedded.url, `SELECT 1 FROM audit_events WHERE action = 'test.embedded'`)).length).toBeGreaterThan(0);
  expect(await refusedAsRuntime(embedded.url, `ALTER TABLE audit_events DISABLE TRIGGER ALL`)).toMatch(/must be owner/);
  expect(await refusedAsRuntime(embedded.url, `TRUNCATE audit_events`)).toMatch(/permission denied/);
  expect(await refusedAsRuntime(embedded.url, `DROP TABLE audit_events`)).toMatch(/must be owner/);
}

describe("the embedded database's two roles", () => {
  it("a fresh data folder: owner and runtime role created, migrations as the owner, the app as the runtime role", async () => {
    const dataDir = await useDataDir();
    running = await startEmbeddedDatabase();
    const result = await prepareAppDatabase({ ownerUrl: running.ownerUrl, runtimeUrl: running.url });
    expect(result.applied.length).toBeGreaterThan(0);
    await expectTwoRoles(running, dataDir);
  });

  it("a data folder from the previous version (the app as the superuser) is upgraded in place, data kept", async () => {
    const dataDir = await useDataDir();
    // What the previous version made: the superuser owns the database and every object in it.
    const password = await persistentSecret("app-db-password");
    const old = await LocalCluster.open({ baseDir: path.join(dataDir, "app-db"), password });
    await old.start();
    await query(old.url(), `CREATE DATABASE ${APP_DATABASE}`);
    const oldUrl = old.url(APP_DATABASE);
    await migrate(oldUrl);
    // …and the old worker created every queue (a partition table each) as the superuser too.
    await installJobSchema(oldUrl, ALL_JOBS);
    const db = createDb(oldUrl);
    try {
      await db.user.create({ data: { email: "kept@example.com", role: "admin", passwordHash: "x" } });
      await db.auditEvent.create({ data: { action: "before.upgrade", actorEmail: "kept@example.com", requestId: "old-version" } });
    } finally {
      await db.$disconnect();
    }
    await old.stop("fast");

    running = await startEmbeddedDatabase();
    await prepareAppDatabase({ ownerUrl: running.ownerUrl, runtimeUrl: running.url });
    await expectTwoRoles(running, dataDir);
    // The data survived and the runtime role can read and use it.
    expect(await query(running.url, `SELECT email FROM users`)).toEqual([{ email: "kept@example.com" }]);
    expect((await query(running.url, `SELECT 1 FROM audit_events WHERE action = 'before.upgrade'`)).length).toBe(1);
    // The superuser keeps its password (used only here, to manage the roles).
    expect(await query(running.cluster.url(), "SELECT 1 AS ok")).toEqual([{ ok: 1 }]);
    await running.stop();

    // A second start changes nothing and works the same.
    running = await startEmbeddedDatabase();
    const again = await prepareAppDatabase({ ownerUrl: running.ownerUrl, runtimeUrl: running.url });
    expect(again.applied).toEqual([]);
    await expectTwoRoles(running, dataDir);
  });
});
