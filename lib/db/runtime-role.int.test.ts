import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANONYMOUS, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { createDb } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { createBoss, installJobSchema } from "@/lib/jobs/boss";
import { adminUrl, sqlOn, withDatabase } from "@/lib/testing/databases";
import { grantRuntimeRole, roleOf } from "./runtime-role";

// The app's two roles: migrations as the owner, the app as a runtime role that may append to the
// audit log and read it, and do its ordinary work, but not rewrite history.

const suffix = randomBytes(4).toString("hex");
const owner = `rc_owner_${suffix}`;
const runtime = `rc_app_${suffix}`;
const database = `app_roles_${suffix}`;
let ownerUrl: string;
let runtimeUrl: string;
let client: pg.Client;

function urlAs(role: string): string {
  const url = new URL(withDatabase(adminUrl(), database));
  url.username = role;
  url.password = "";
  return url.toString();
}

beforeAll(async () => {
  await sqlOn("postgres", `CREATE ROLE ${owner} LOGIN`);
  await sqlOn("postgres", `CREATE ROLE ${runtime} LOGIN`);
  await sqlOn("postgres", `CREATE DATABASE ${database} OWNER ${owner}`);
  ownerUrl = urlAs(owner);
  runtimeUrl = urlAs(runtime);
  // What `npm run db:migrate` does: migrations and pg-boss's schema and queues as the owner, then the grants.
  await migrate(ownerUrl);
  await installJobSchema(ownerUrl, [{ queue: "roles-test", options: { retryLimit: 0 } }]);
  await grantRuntimeRole(ownerUrl, runtime);
  client = new pg.Client({ connectionString: runtimeUrl });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await sqlOn("postgres", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await sqlOn("postgres", `DROP ROLE IF EXISTS ${runtime}`);
  await sqlOn("postgres", `DROP ROLE IF EXISTS ${owner}`);
});

async function refused(sql: string): Promise<string> {
  const error = await client.query(sql).then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(error, `${sql} should be refused`).not.toBeNull();
  return error?.message ?? "";
}

describe("the runtime role", () => {
  it("connects as itself and owns nothing", async () => {
    expect(roleOf(runtimeUrl)).toBe(runtime);
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('public', 'pgboss') AND pg_get_userbyid(c.relowner) <> $1`,
      [owner],
    );
    expect(rows[0]?.n).toBe(0);
  });

  it("can append to the audit log and read it", async () => {
    const db = createDb(runtimeUrl);
    try {
      await recordAuditEvent(db, {
        actor: ANONYMOUS,
        action: "test.roles",
        outcome: "ok",
        payload: { note: "as the runtime role" },
        requestId: "roles-test",
      });
      const rows = await db.auditEvent.findMany({ where: { action: "test.roles" } });
      expect(rows).toHaveLength(1);
    } finally {
      await db.$disconnect();
    }
    expect((await client.query(`SELECT 1 FROM audit_events WHERE action = 'test.roles'`)).rowCount).toBe(1);
  });

  it("is refused UPDATE, DELETE, TRUNCATE, ALTER and DROP of the audit log, and disabling or dropping its trigger", async () => {
    expect(await refused(`UPDATE audit_events SET action = 'rewritten'`)).toMatch(/permission denied/);
    expect(await refused(`DELETE FROM audit_events`)).toMatch(/permission denied/);
    expect(await refused(`TRUNCATE audit_events`)).toMatch(/permission denied/);
    expect(await refused(`ALTER TABLE audit_events ADD COLUMN forged text`)).toMatch(/must be owner/);
    expect(await refused(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`)).toMatch(/must be owner/);
    expect(await refused(`ALTER TABLE audit_events DISABLE TRIGGER ALL`)).toMatch(/must be owner/);
    expect(await refused(`DROP TRIGGER audit_events_no_update_delete ON audit_events`)).toMatch(/must be owner/);
    expect(await refused(`DROP FUNCTION audit_events_append_only() CASCADE`)).toMatch(/must be owner/);
    expect(await refused(`DROP TABLE audit_events`)).toMatch(/must be owner/);
    expect(await refused(`ALTER TABLE audit_events RENAME TO audit_events_old`)).toMatch(/must be owner/);
    expect(await refused(`SET session_replication_role = replica`)).toMatch(/permission denied/);
    // Granting itself more only warns "no privileges were granted": UPDATE stays refused.
    await client.query(`GRANT UPDATE ON audit_events TO ${runtime}`);
    expect(await refused(`UPDATE audit_events SET action = 'rewritten'`)).toMatch(/permission denied/);
    expect(await refused(`CREATE TABLE public.sneaky (id int)`)).toMatch(/permission denied/);
    const { rows } = await client.query<{ enabled: string }>(
      `SELECT tgenabled AS enabled FROM pg_trigger WHERE tgname = 'audit_events_no_update_delete'`,
    );
    expect(rows[0]?.enabled).toBe("O");
  });

  it("does the app's ordinary work: users, migrations read, pg-boss jobs sent and fetched", async () => {
    const db = createDb(runtimeUrl);
    try {
      const user = await db.user.create({ data: { email: `roles-${suffix}@example.com`, role: "viewer", passwordHash: "x" } });
      await db.user.update({ where: { id: user.id }, data: { name: "Ada" } });
      await db.user.delete({ where: { id: user.id } });
    } finally {
      await db.$disconnect();
    }
    expect((await client.query(`SELECT count(*) FROM _prisma_migrations`)).rowCount).toBe(1);
    expect(await refused(`DELETE FROM _prisma_migrations`)).toMatch(/permission denied/);

    const boss = createBoss(runtimeUrl, "worker");
    await boss.start();
    try {
      // The worker's own createQueue is a no-op for a queue the migration created.
      await boss.createQueue("roles-test", { name: "roles-test", retryLimit: 0 });
      const id = await boss.send("roles-test", { hello: "world" });
      const [job] = await boss.fetch("roles-test");
      expect(job?.id).toBe(id);
      await boss.complete("roles-test", job?.id ?? "");
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  });

  it("runs pg-boss's cron as the runtime role: a scheduled job is sent without anyone sending it", async () => {
    const boss = createBoss(runtimeUrl, "worker");
    await boss.start();
    try {
      // Every minute: the timekeeper looks every 30 s, and finds the fire of the current minute due.
      await boss.schedule("roles-test", "* * * * *", { from: "cron" });
      let job: Awaited<ReturnType<typeof boss.fetch>>[number] | undefined;
      for (let i = 0; i < 400 && !job; i++) {
        [job] = await boss.fetch("roles-test");
        if (!job) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(job?.data).toEqual({ from: "cron" });
    } finally {
      await boss.unschedule("roles-test");
      await boss.stop({ graceful: false, wait: true });
    }
  }, 100_000);

  it("can use a table a later migration creates as the owner, without anyone granting it again", async () => {
    const ownerClient = new pg.Client({ connectionString: ownerUrl });
    await ownerClient.connect();
    try {
      await ownerClient.query(`CREATE TABLE later_feature (id bigserial PRIMARY KEY, note text)`);
    } finally {
      await ownerClient.end();
    }
    await client.query(`INSERT INTO later_feature (note) VALUES ('default privileges')`);
    expect((await client.query(`SELECT note FROM later_feature`)).rows).toEqual([{ note: "default privileges" }]);
  });

  it("refuses to grant a runtime role that could act as the owner", async () => {
    const member = `rc_member_${suffix}`;
    await sqlOn("postgres", `CREATE ROLE ${member} LOGIN IN ROLE ${owner}`);
    try {
      await expect(grantRuntimeRole(ownerUrl, member)).rejects.toThrow(/member of/);
    } finally {
      await sqlOn("postgres", `DROP ROLE ${member}`);
    }
  });
});
