import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/backups/[backupId]/tables/route";
import type { SessionUser } from "@/lib/auth/roles";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { ForbiddenError } from "@/lib/errors";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { createTestUser, type TestUser } from "@/lib/testing/auth";
import { adminUrl, sqlOn } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import {
  backupIdOf,
  seedLoanServeDatabases,
  startRestoreTestApp,
  writeRestoreConfig,
  type RestoreTestApp,
} from "@/lib/testing/restore-runs";
import { collect } from "@/lib/testing/streams";
import { createNightlyDump } from "@/scripts/lib/demo/nightly-dump";
import type { BackupTablesView } from "./backup-tables-view";
import { getBackupTables } from "./get-backup-tables";
import { readBackupTablesJob } from "./read-backup-tables-job";
import { refreshCatalog } from "./refresh-catalog";
import { requestBackupTables } from "./request-backup-tables";

// Reading a backup's tables for a restore of chosen tables, against real services: pg_dump output
// (plain and custom) of the LoanServe schema in the S3-protocol server, the pg-boss worker running
// the read job, and the app database keeping what was read.

const id = randomBytes(4).toString("hex");
const SOURCE_DB = `tables_source_${id}`;
const PREFIX = `tables-${id}/`;
const ENVIRONMENT = "tables-it";

let app: RestoreTestApp;
let db: Db;
let worker: RunningWorker | undefined;
let operatorUser: TestUser;
let viewerUser: TestUser;
let operator: SessionUser;
let viewer: SessionUser;
const backups = { plain: "", custom: "", corruptPlain: "", truncatedCustom: "" };

const asPerson = (user: SessionUser) => ({ db, user, requestId: randomUUID() });
const params = (backupId: string) => ({ params: Promise.resolve({ backupId }) });
const tablesUrl = (backupId: string) => `/api/backups/${backupId}/tables`;

async function waitForTables(backupId: string, states: BackupTablesView["state"][], timeoutMs = 60_000): Promise<BackupTablesView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await getBackupTables({ ctx: systemCtx(db), input: { backupId } });
    if (states.includes(view.state)) return view;
    if (Date.now() > deadline) throw new Error(`the tables of ${backupId} did not become ${states.join(" or ")}; last seen ${view.state}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const requestsAudited = (backupId: string) =>
  db.auditEvent.count({ where: { action: "backup.tables.request", subjectType: "backup", subjectId: backupId } });

async function jobsQueued(backupId: string): Promise<number> {
  const rows = await db.$queryRawUnsafe<Array<{ count: number }>>(
    "SELECT count(*)::int AS count FROM pgboss.job WHERE name = 'read-backup-tables' AND data->>'backupId' = $1",
    backupId,
  );
  return rows[0]?.count ?? 0;
}

beforeAll(async () => {
  app = await startRestoreTestApp("rc-tables-it-");
  db = app.db;
  operatorUser = await createTestUser(app.appUrl, "operator");
  viewerUser = await createTestUser(app.appUrl, "viewer");
  operator = { id: operatorUser.id, email: operatorUser.email, name: null, role: "operator" };
  viewer = { id: viewerUser.id, email: viewerUser.email, name: null, role: "viewer" };

  await sqlOn("postgres", `CREATE DATABASE ${SOURCE_DB}`);
  await seedLoanServeDatabases(SOURCE_DB, []);
  const store = app.s3.store(PREFIX);
  const night = (date: string) => new Date(`${date}T00:00:00Z`);
  await createNightlyDump({ sourceUrl: adminUrl(), store, night: night("2026-11-19"), format: "plain", database: SOURCE_DB });
  const custom = await createNightlyDump({
    sourceUrl: adminUrl(),
    store,
    night: night("2026-11-18"),
    format: "custom",
    database: SOURCE_DB,
  });
  // Damaged uploads: bytes that are no gzip at all, and a custom archive cut off half way.
  await store.write(`${PREFIX}2026-11-17.sql.gz`, randomBytes(4096));
  const archive = await collect(await store.read(custom.key));
  await store.write(`${PREFIX}2026-11-16.dump`, archive.subarray(0, Math.floor(archive.length / 2)));

  await writeRestoreConfig(app.tempDir, {
    environments: [{ name: ENVIRONMENT, protected: false, targets: {} }],
    user: "unused",
    password: "unused",
    s3: app.s3,
    prefix: PREFIX,
    envPrefix: "RC_TABLES_IT",
  });
  await refreshCatalog({ ctx: systemCtx(db), input: { environment: resolveEnvironment(ENVIRONMENT), store } });
  backups.plain = await backupIdOf(db, ENVIRONMENT, "2026-11-19.sql.gz");
  backups.custom = await backupIdOf(db, ENVIRONMENT, "2026-11-18.dump");
  backups.corruptPlain = await backupIdOf(db, ENVIRONMENT, "2026-11-17.sql.gz");
  backups.truncatedCustom = await backupIdOf(db, ENVIRONMENT, "2026-11-16.dump");

  worker = await startWorker({ connectionString: app.appUrl, db, jobs: [readBackupTablesJob] });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await app?.stop();
  await sqlOn("postgres", `DROP DATABASE IF EXISTS ${SOURCE_DB} WITH (FORCE)`).catch(() => undefined);
});

describe("reading a backup's tables", () => {
  it("refuses a viewer, in the verb and at the route, and reads nothing", async () => {
    await expect(requestBackupTables({ ctx: asPerson(viewer), input: { backupId: backups.plain } })).rejects.toBeInstanceOf(ForbiddenError);
    const refused = await POST(apiRequest(tablesUrl(backups.plain), { method: "POST", cookie: viewerUser.cookie }), params(backups.plain));
    expect(refused.status).toBe(403);
    // A viewer may still look.
    const looked = await GET(apiRequest(tablesUrl(backups.plain), { cookie: viewerUser.cookie }), params(backups.plain));
    expect(looked.status).toBe(200);
    expect(await looked.json()).toEqual({ state: "unread", error: null, readAt: null, tables: null });
    expect(await requestsAudited(backups.plain)).toBe(0);
    expect(await jobsQueued(backups.plain)).toBe(0);
  });

  it("reads a plain dump's tables once, as a job, and keeps them", async () => {
    const response = await POST(
      apiRequest(tablesUrl(backups.plain), { method: "POST", cookie: operatorUser.cookie }),
      params(backups.plain),
    );
    expect(response.status).toBe(202);
    expect(((await response.json()) as BackupTablesView).state).toBe("reading");

    const ready = await waitForTables(backups.plain, ["ready", "failed"]);
    expect(ready.error).toBeNull();
    expect(ready.state).toBe("ready");
    expect(ready.readAt).not.toBeNull();
    const byName = new Map(ready.tables?.map((t) => [t.qualifiedName, t]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining([
        "public.tenants",
        "public.users",
        "public.loans",
        "public.payments",
        "public.documents",
        "public.audit_logs",
      ]),
    );
    const payments = byName.get("public.payments");
    expect(payments).toMatchObject({ schema: "public", name: "payments", hasData: true });
    expect(payments?.indexes).toEqual(expect.arrayContaining(["payments_loan_id_idx", "payments_created_at_idx"]));
    expect(payments?.constraints).toContain("payments_pkey");
    expect(payments?.foreignKeys.map((k) => k.references)).toContain("public.loans");

    const audit = await db.auditEvent.findFirst({ where: { action: "backup.tables.request", subjectId: backups.plain } });
    expect(audit).toMatchObject({ actorEmail: operatorUser.email, outcome: "ok" });
    expect(await db.auditEvent.count({ where: { action: "backup.tables.result", subjectId: backups.plain, outcome: "ok" } })).toBe(1);
  });

  it("serves the tables already read without reading the dump again", async () => {
    const before = await getBackupTables({ ctx: systemCtx(db), input: { backupId: backups.plain } });
    const again = await requestBackupTables({ ctx: asPerson(operator), input: { backupId: backups.plain } });
    expect(again).toEqual(before);
    const response = await POST(
      apiRequest(tablesUrl(backups.plain), { method: "POST", cookie: operatorUser.cookie }),
      params(backups.plain),
    );
    expect(response.status).toBe(200);
    expect(await requestsAudited(backups.plain)).toBe(1);
    expect(await jobsQueued(backups.plain)).toBe(1);
  });

  it("reads a custom archive's tables the same way, once even when asked twice at once", async () => {
    const [first, second] = await Promise.all([
      requestBackupTables({ ctx: asPerson(operator), input: { backupId: backups.custom } }),
      requestBackupTables({ ctx: asPerson(operator), input: { backupId: backups.custom } }),
    ]);
    expect([first.state, second.state]).toEqual(["reading", "reading"]);
    const ready = await waitForTables(backups.custom, ["ready", "failed"]);
    expect(ready.error).toBeNull();
    expect(await requestsAudited(backups.custom)).toBe(1);
    expect(await jobsQueued(backups.custom)).toBe(1);

    // The same tables, with the same dependencies, as the plain dump of the same data.
    const plain = await getBackupTables({ ctx: systemCtx(db), input: { backupId: backups.plain } });
    const shape = (view: BackupTablesView) =>
      view.tables
        ?.map((t) => ({ ...t, indexes: [...t.indexes].sort(), constraints: [...t.constraints].sort() }))
        .sort((a, b) => a.qualifiedName.localeCompare(b.qualifiedName));
    expect(shape(ready)).toEqual(shape(plain));
  });

  it("fails clearly on a corrupt dump, and lets the read be asked for again", async () => {
    for (const backupId of [backups.corruptPlain, backups.truncatedCustom]) {
      await requestBackupTables({ ctx: asPerson(operator), input: { backupId } });
      const failed = await waitForTables(backupId, ["ready", "failed"]);
      expect(failed.state).toBe("failed");
      expect(failed.tables).toBeNull();
      expect(failed.error).toMatch(/^Could not read the tables of 2026-11-1[67]\.(sql\.gz|dump): .+ verify the backup/);
      expect(await db.auditEvent.count({ where: { action: "backup.tables.result", subjectId: backupId, outcome: "failed" } })).toBe(1);
    }

    const retried = await requestBackupTables({ ctx: asPerson(operator), input: { backupId: backups.corruptPlain } });
    expect(retried).toMatchObject({ state: "reading", error: null });
    expect((await waitForTables(backups.corruptPlain, ["ready", "failed"])).state).toBe("failed");
    expect(await requestsAudited(backups.corruptPlain)).toBe(2);
  });

  it("treats a read whose worker was lost as failed, and reads again on request", async () => {
    const lost = new Date(Date.now() - 60 * 60_000);
    await db.backup.update({
      where: { id: backups.corruptPlain },
      data: { tablesState: "reading", tablesError: null, tablesReadAt: lost },
    });
    const view = await getBackupTables({ ctx: systemCtx(db), input: { backupId: backups.corruptPlain } });
    expect(view.state).toBe("failed");
    expect(view.error).toMatch(/Read them again/);
    expect((await requestBackupTables({ ctx: asPerson(operator), input: { backupId: backups.corruptPlain } })).state).toBe("reading");
    await waitForTables(backups.corruptPlain, ["ready", "failed"]);
  });

  it("answers 404 for a backup not in the catalog", async () => {
    const missing = randomUUID();
    expect((await GET(apiRequest(tablesUrl(missing), { cookie: viewerUser.cookie }), params(missing))).status).toBe(404);
    expect((await POST(apiRequest(tablesUrl(missing), { method: "POST", cookie: operatorUser.cookie }), params(missing))).status).toBe(404);
  });
});
