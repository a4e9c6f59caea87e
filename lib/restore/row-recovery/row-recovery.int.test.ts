import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as comparableTablesRoute } from "@/app/api/restores/[runId]/comparable-tables/route";
import { GET as listRoute, POST as compareRoute } from "@/app/api/restores/[runId]/comparisons/route";
import { approveApproval } from "@/lib/approvals/approve-approval";
import { GET as repairFileRoute } from "@/app/api/row-comparisons/[comparisonId]/repair.sql/route";
import { POST as repairRoute } from "@/app/api/row-comparisons/[comparisonId]/repair/route";
import { readBackupTables } from "@/lib/backups/read-backup-tables";
import { refreshCatalog } from "@/lib/backups/refresh-catalog";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { plural } from "@/lib/format";
import { declareIncident } from "@/lib/incidents/declare-incident";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { createTestUser, type TestUser } from "@/lib/testing/auth";
import { sqlOn } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import { adminUrl } from "@/lib/testing/databases";
import {
  backupIdOf,
  seedLoanServeDatabases,
  startRestoreTestApp,
  waitForRunStatus,
  writeRestoreConfig,
  type RestoreTestApp,
} from "@/lib/testing/restore-runs";
import { createNightlyDump } from "@/scripts/lib/demo/nightly-dump";
import { startLogicalRestore } from "../logical/start-logical-restore";
import { createRestoreRunJob } from "../restore-run-job";
import { compareRowsJob } from "./compare-rows-job";
import { getRowComparison } from "./get-row-comparisons";
import { repairConfirmationText, type RowComparisonView } from "./model";

// Row-level recovery end to end on real services: a nightly dump in an S3-protocol store, a
// restore of one table into a new database by the worker, a bad migration on the live database,
// then the comparison (a job), the repair file, the dry run and the guarded write, as the
// routes serve them. The target user is no superuser.

const id = randomBytes(4).toString("hex");
const ROLE = `rc_rows_${id}`;
const ROLE_PASSWORD = `pw-${randomBytes(8).toString("hex")}`;
const LIVE_DB = `rowslive_${id}`;
const SIDE_DB = `rowsside_${id}`;
const PREFIX = `rows-${id}/`;
const TENANT_4 = "tenant_id = 4 AND created_at < '2026-11-19T00:00:00Z'";

let app: RestoreTestApp;
let db: Db;
let worker: RunningWorker | undefined;
let operator: TestUser;
let admin: TestUser;
let secondAdmin: TestUser;
let viewer: TestUser;
let runId: string;
let incidentId: string;
/** Tenant 4's payments as the backup holds them. */
let before: { rows: number; digest: string };

const ctxOf = (user: TestUser) => ({ db, user: { id: user.id, email: user.email, name: null, role: user.role }, requestId: randomUUID() });

type Json = { error?: { message: string; details?: { expected?: string } } } & Record<string, unknown>;

async function call(
  handler: (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>,
  path: string,
  params: Record<string, string>,
  user: TestUser,
  body?: unknown,
): Promise<{ status: number; json: Json; text: string }> {
  const response = await handler(apiRequest(path, { cookie: user.cookie, ...(body === undefined ? {} : { method: "POST", body }) }), {
    params: Promise.resolve(params),
  });
  const text = await response.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    // A file, not JSON.
  }
  return { status: response.status, json, text };
}

const tenant4 = async () =>
  (
    await sqlOn<{ rows: number; digest: string }>(
      LIVE_DB,
      `SELECT count(*)::int AS rows, md5(string_agg(p::text, '|' ORDER BY id)) AS digest FROM payments p WHERE ${TENANT_4}`,
    )
  )[0] ?? { rows: 0, digest: "" };

async function compare(filter: Array<{ column: string; value: string }>): Promise<RowComparisonView> {
  const queued = await call(compareRoute, `/api/restores/${runId}/comparisons`, { runId }, operator, {
    tables: [{ schema: "public", name: "payments" }],
    filter,
  });
  expect(queued.status).toBe(202);
  const comparisonId = String(queued.json.id);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const view = await getRowComparison({ ctx: systemCtx(db), input: { comparisonId } });
    if (view.status === "succeeded" || view.status === "failed") return view;
    if (Date.now() > deadline) throw new Error(`comparison ${comparisonId} still ${view.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const repair = (comparisonId: string, user: TestUser, body: Record<string, unknown>) =>
  call(repairRoute, `/api/row-comparisons/${comparisonId}/repair`, { comparisonId }, user, body);

/** The environment "rows", its one target the live database; `fourEyes` guards its row repairs. */
const configure = (fourEyes?: { actions: ["row-repair"]; approverRole: "admin" }) =>
  writeRestoreConfig(app.tempDir, {
    environments: [{ name: "rows", protected: false, targets: { prod: LIVE_DB }, ...(fourEyes ? { fourEyes } : {}) }],
    user: ROLE,
    password: ROLE_PASSWORD,
    s3: app.s3,
    prefix: PREFIX,
    envPrefix: "RC_ROWS",
  });

beforeAll(async () => {
  app = await startRestoreTestApp("rc-rows-it-");
  db = app.db;
  operator = await createTestUser(app.appUrl, "operator");
  admin = await createTestUser(app.appUrl, "admin");
  secondAdmin = await createTestUser(app.appUrl, "admin");
  viewer = await createTestUser(app.appUrl, "viewer");
  await sqlOn("postgres", `CREATE ROLE ${ROLE} LOGIN CREATEDB CREATEROLE PASSWORD '${ROLE_PASSWORD}'`);
  await sqlOn("postgres", `CREATE DATABASE ${LIVE_DB} OWNER ${ROLE}`);
  await seedLoanServeDatabases(LIVE_DB, []);
  await sqlOn(
    LIVE_DB,
    `DO $$ DECLARE t record; BEGIN
      FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        EXECUTE format('ALTER TABLE public.%I OWNER TO %I', t.tablename, '${ROLE}');
      END LOOP; END $$;`,
  );
  const store = app.s3.store(PREFIX);
  await createNightlyDump({ sourceUrl: adminUrl(), store, night: new Date("2026-11-19T00:00:00Z"), format: "plain", database: LIVE_DB });
  await configure();
  await refreshCatalog({ ctx: systemCtx(db), input: { environment: resolveEnvironment("rows"), store } });
  const backupId = await backupIdOf(db, "rows", "2026-11-19.sql.gz");
  await readBackupTables({ ctx: systemCtx(db), input: { backupId, store } });
  worker = await startWorker({ connectionString: app.appUrl, db, jobs: [createRestoreRunJob({ renewEveryMs: 1_000 }), compareRowsJob] });

  before = await tenant4();
  const started = await startLogicalRestore({
    ctx: { db, user: { id: operator.id, email: operator.email, name: null, role: "operator" }, requestId: randomUUID() },
    input: {
      backupId,
      targetName: "prod",
      mode: "new-database",
      newDatabaseName: SIDE_DB,
      confirmation: LIVE_DB,
      tables: ["public.payments"],
    },
  });
  runId = started.id;
  const done = await waitForRunStatus(db, runId, ["succeeded", "failed"]);
  expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });

  const adminCtx = { db, user: { id: admin.id, email: admin.email, name: null, role: "admin" as const }, requestId: randomUUID() };
  incidentId = (
    await declareIncident({
      ctx: adminCtx,
      input: {
        title: "Payments for tenant 4 deleted by a bad migration",
        severity: "sev2",
        environment: "rows",
        scope: "payments of tenant 4",
      },
    })
  ).id;
  // The bad migration, after the backup: most of tenant 4's payments deleted, the rest ×100.
  await sqlOn(
    LIVE_DB,
    `DELETE FROM payments WHERE ${TENANT_4} AND id % 4 <> 0; UPDATE payments SET amount = amount * 100 WHERE ${TENANT_4}`,
  );
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await app?.stop();
  for (const database of [SIDE_DB, LIVE_DB]) await sqlOn("postgres", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await sqlOn("postgres", `DROP ROLE IF EXISTS ${ROLE}`);
});

describe("row-level recovery", () => {
  it("lists the restored copy's tables, only those restored, with their keys", async () => {
    const listed = await call(comparableTablesRoute, `/api/restores/${runId}/comparable-tables`, { runId }, operator);
    expect(listed.status).toBe(200);
    const tables = listed.json as unknown as Array<{ name: string; primaryKey: string[]; refusal: string | null; columns: string[] }>;
    expect(tables.map((t) => [t.name, t.primaryKey, t.refusal])).toEqual([["payments", ["id"], null]]);
    expect(tables[0]?.columns).toContain("tenant_id");
    const outside = await call(compareRoute, `/api/restores/${runId}/comparisons`, { runId }, operator, {
      tables: [{ schema: "public", name: "loans" }],
    });
    expect(outside.status).toBe(400);
    expect(outside.json.error?.message).toMatch(/did not restore public\.loans/);
  });

  it("compares tenant 4, offers the repair as a file, and writes it only for an admin after a dry run and the typed count", async () => {
    const damaged = await tenant4();
    const comparison = await compare([{ column: "tenant_id", value: "4" }]);
    expect(comparison.status).toBe("succeeded");
    const [result] = comparison.results;
    const missing = before.rows - damaged.rows;
    expect(missing).toBeGreaterThan(0);
    expect(result?.missing.count).toBe(missing);
    expect(result?.changed.count).toBe(damaged.rows);
    expect(comparison.repair).toEqual({ inserts: missing, updates: damaged.rows });

    const file = await call(repairFileRoute, `/api/row-comparisons/${comparison.id}/repair.sql`, { comparisonId: comparison.id }, operator);
    expect(file.status).toBe(200);
    expect(file.text.match(/^INSERT INTO "public"\."payments"/gm)).toHaveLength(missing);
    expect(file.text).not.toMatch(/^UPDATE/m);
    expect(file.text).toMatch(/^BEGIN;$/m);

    expect((await repair(comparison.id, operator, { dryRun: true })).status).toBe(403);
    const early = await repair(comparison.id, admin, { dryRun: false, confirmation: repairConfirmationText(missing, LIVE_DB) });
    expect(early.status).toBe(409);
    expect(early.json.error?.message).toMatch(/dry run/);

    const rehearsal = await repair(comparison.id, admin, { dryRun: true });
    expect(rehearsal.json).toMatchObject({ dryRun: true, rowsWritten: missing, expectedRows: missing, committed: false });
    expect((await tenant4()).rows).toBe(damaged.rows);

    const mistyped = await repair(comparison.id, admin, { dryRun: false, confirmation: "write them" });
    expect(mistyped.status).toBe(400);
    expect(mistyped.json.error?.details?.expected).toBe(repairConfirmationText(missing, LIVE_DB));

    const written = await repair(comparison.id, admin, { dryRun: false, confirmation: repairConfirmationText(missing, LIVE_DB) });
    expect(written.json).toMatchObject({ dryRun: false, rowsWritten: missing, committed: true });
    expect((await tenant4()).rows).toBe(before.rows);
    const again = await repair(comparison.id, admin, { dryRun: false, confirmation: repairConfirmationText(missing, LIVE_DB) });
    expect(again.status).toBe(409);

    // The damaged amounts remain: a second comparison finds only them, and its updates put them back.
    const second = await compare([{ column: "tenant_id", value: "4" }]);
    expect(second.results[0]?.missing.count).toBe(0);
    expect(second.results[0]?.changed.count).toBe(damaged.rows);
    expect((await repair(second.id, admin, { dryRun: true, includeUpdates: true })).json.rowsWritten).toBe(damaged.rows);
    const fixed = await repair(second.id, admin, {
      dryRun: false,
      includeUpdates: true,
      confirmation: repairConfirmationText(damaged.rows, LIVE_DB),
    });
    expect(fixed.json.rowsWritten).toBe(damaged.rows);
    expect(await tenant4()).toEqual(before);

    const audit = await db.auditEvent.findMany({
      where: { subjectId: comparison.id },
      orderBy: { at: "asc" },
      select: { action: true, outcome: true },
    });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "rows.compare.request",
        "rows.compare.result",
        "rows.repair.download",
        "rows.repair.dry-run",
        "rows.repair.apply",
      ]),
    );
    const timeline = await db.incidentEvent.findMany({
      where: { incidentId, type: { in: ["rows-compared", "repair-applied"] } },
      orderBy: { at: "asc" },
    });
    expect(timeline.map((e) => e.type)).toEqual(["rows-compared", "repair-applied", "rows-compared", "repair-applied"]);
    expect(String((timeline[1]?.payload as { description?: string }).description)).toContain(
      `Wrote ${plural(missing, "repaired row")} (tenant_id = 4)`,
    );
  }, 120_000);

  it("a repair whose rows came back meanwhile is refused whole: nothing written, and it can be tried again", async () => {
    await sqlOn(LIVE_DB, `DELETE FROM payments WHERE ${TENANT_4} AND id % 3 = 0`);
    const comparison = await compare([{ column: "tenant_id", value: "4" }]);
    const missing = comparison.results[0]?.missing.count ?? 0;
    expect(missing).toBeGreaterThan(1);
    await repair(comparison.id, admin, { dryRun: true });
    // An engineer restores one row by hand after the dry run.
    const side = await sqlOn<{ id: string }>(SIDE_DB, `SELECT id::text FROM payments WHERE ${TENANT_4} AND id % 3 = 0 ORDER BY id LIMIT 1`);
    const row = await sqlOn<Record<string, unknown>>(SIDE_DB, "SELECT * FROM payments WHERE id = $1", [side[0]?.id]);
    const columns = Object.keys(row[0] ?? {});
    await sqlOn(
      LIVE_DB,
      `INSERT INTO payments (${columns.join(", ")}) OVERRIDING SYSTEM VALUE VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
      columns.map((c) => row[0]?.[c]),
    );
    const beforeAttempt = await tenant4();
    const refused = await repair(comparison.id, admin, { dryRun: false, confirmation: repairConfirmationText(missing, LIVE_DB) });
    expect(refused.status).toBe(409);
    expect(refused.json.error?.message).toMatch(/Nothing was written; compare again/);
    expect(await tenant4()).toEqual(beforeAttempt);
    const view = await getRowComparison({ ctx: systemCtx(db), input: { comparisonId: comparison.id } });
    expect(view.applied).toBeNull();
    const failed = await db.auditEvent.findFirst({ where: { subjectId: comparison.id, action: "rows.repair.apply" } });
    expect(failed?.outcome).toBe("failed");
  }, 120_000);

  it("viewers see the counts, not the rows; on a four-eyes environment the write waits for a second admin, then runs as written", async () => {
    await sqlOn(LIVE_DB, `DELETE FROM payments WHERE ${TENANT_4} AND id % 5 = 0`);
    const comparison = await compare([{ column: "tenant_id", value: "4" }]);
    const missing = comparison.results[0]?.missing.count ?? 0;
    expect(missing).toBeGreaterThan(0);
    expect(comparison.results[0]?.missing.samples.length).toBeGreaterThan(0);
    const seen = await call(listRoute, `/api/restores/${runId}/comparisons`, { runId }, viewer);
    const forViewer = (seen.json as unknown as RowComparisonView[]).find((c) => c.id === comparison.id);
    expect(forViewer?.samplesHidden).toBe(true);
    expect(forViewer?.results[0]?.missing).toEqual({ count: missing, samples: [] });

    await configure({ actions: ["row-repair"], approverRole: "admin" });
    try {
      await repair(comparison.id, admin, { dryRun: true });
      const before = await tenant4();
      const asked = await repair(comparison.id, admin, { dryRun: false, confirmation: repairConfirmationText(missing, LIVE_DB) });
      expect(asked.status).toBe(400);
      expect(asked.json.error?.message).toMatch(/needs a second person/);
      const requested = await repair(comparison.id, admin, {
        dryRun: false,
        confirmation: repairConfirmationText(missing, LIVE_DB),
        reason: "tenant 4 lost payments in the bad migration",
      });
      expect(requested.status).toBe(202);
      expect(await tenant4()).toEqual(before);
      const approvalId = String((requested.json.approval as { id: string }).id);
      await expect(approveApproval({ ctx: ctxOf(admin), input: { approvalId } })).rejects.toThrow(/different person|yourself|own request/i);
      await approveApproval({ ctx: ctxOf(secondAdmin), input: { approvalId } });
      expect((await tenant4()).rows).toBe(before.rows + missing);
      const view = await getRowComparison({ ctx: systemCtx(db), input: { comparisonId: comparison.id } });
      expect(view.applied).toMatchObject({ rows: missing, byEmail: secondAdmin.email });
      const written = await db.auditEvent.findFirst({ where: { subjectId: comparison.id, action: "rows.repair.apply" } });
      expect(written?.payload).toMatchObject({ approval: { requestedBy: admin.email, approvedBy: secondAdmin.email } });
    } finally {
      await configure();
    }
  }, 120_000);
});
