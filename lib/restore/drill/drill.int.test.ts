import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import { refreshCatalog } from "@/lib/backups/refresh-catalog";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { declareIncident } from "@/lib/incidents/declare-incident";
import { evaluateAlerts } from "@/lib/alerts/evaluate-alerts";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { createTestUser } from "@/lib/testing/auth";
import { adminUrl, sqlOn } from "@/lib/testing/databases";
import {
  backupIdOf,
  seedLoanServeDatabases,
  sleepBeforeEnd,
  startRestoreTestApp,
  waitForRunStatus,
  writeChangedDump,
  writeRestoreConfig,
  type RestoreTestApp,
} from "@/lib/testing/restore-runs";
import { collect } from "@/lib/testing/streams";
import { createNightlyDump } from "@/scripts/lib/demo/nightly-dump";
import { cancelRestore } from "../cancel-restore";
import { confirmSwap } from "../logical/confirm-swap";
import { createRestoreRunJob } from "../restore-run-job";
import { fireDueDrills } from "./fire-due-drills";
import { listDrills } from "./list-drills";
import { startDrill } from "./start-drill";

// Restore drills against real services: PostgreSQL, an S3-protocol server holding real pg_dump
// output, and the pg-boss worker running the drills on the same engine as every restore.

const id = randomBytes(4).toString("hex");
const ROLE = `rc_drill_${id}`;
const OWNER = `loanserve_owner_${id}`;
const ROLE_PASSWORD = `pw-${randomBytes(8).toString("hex")}`;
const SOURCE_DB = `drillsource_${id}`;
const LIVE_DB = `drilllive_${id}`;
/** The sandbox target's database: it need not exist, a drill never touches it. */
const SANDBOX_DB = `drillsandbox_${id}`;
const PREFIX = `drills-${id}/`;

let app: RestoreTestApp;
let db: Db;
let worker: RunningWorker | undefined;
let operator: SessionUser;
const backupIds = { good: "", miscounted: "", slow: "" };

const ctx = () => ({ db, user: operator, requestId: randomUUID() });

/** This file's databases that a drill made (scratch copies are named after the sandbox database). */
async function scratchCopies(): Promise<string[]> {
  const rows = await sqlOn<{ datname: string }>("postgres", "SELECT datname FROM pg_database WHERE strpos(datname, $1) > 0", [
    `${SANDBOX_DB}_restore_`,
  ]);
  return rows.map((r) => r.datname);
}

/** Only these backups count as verified, so the drill's choice is the one under test. */
async function verifiedOnly(environment: string, ids: string[]): Promise<void> {
  await db.backup.updateMany({ where: { environment }, data: { verificationState: "never" } });
  await db.backup.updateMany({ where: { id: { in: ids } }, data: { verificationState: "verified", verifiedAt: new Date() } });
}

beforeAll(async () => {
  app = await startRestoreTestApp("rc-drill-it-");
  db = app.db;
  const user = await createTestUser(app.appUrl, "operator");
  operator = { id: user.id, email: user.email, name: null, role: "operator" };

  // Like a managed database's master user: CREATEDB CREATEROLE, no superuser.
  await sqlOn("postgres", `CREATE ROLE ${ROLE} LOGIN CREATEDB CREATEROLE PASSWORD '${ROLE_PASSWORD}'`);
  await sqlOn("postgres", `CREATE ROLE ${OWNER} NOLOGIN`);
  await sqlOn("postgres", `GRANT ${OWNER} TO ${ROLE}`);
  for (const database of [SOURCE_DB, LIVE_DB]) await sqlOn("postgres", `CREATE DATABASE ${database} OWNER ${OWNER}`);
  await seedLoanServeDatabases(SOURCE_DB, [LIVE_DB]);

  const store = app.s3.store(PREFIX);
  const good = await createNightlyDump({
    sourceUrl: adminUrl(),
    store,
    night: new Date("2026-11-19T00:00:00Z"),
    format: "plain",
    database: SOURCE_DB,
  });
  // The same dump, its manifest counting 5 loans more than it holds: it restores, and its counts differ.
  const dump = await collect(await store.read(`${PREFIX}2026-11-19.sql.gz`));
  await store.write(`${PREFIX}2026-11-16.sql.gz`, dump);
  const miscounted = {
    ...good.manifest,
    file: "2026-11-16.sql.gz",
    created_at: "2026-11-16T02:00:00.000Z",
    tables: { ...good.manifest.tables, loans: (good.manifest.tables.loans ?? 0) + 5 },
  };
  await store.write(`${PREFIX}2026-11-16.manifest.json`, Buffer.from(JSON.stringify(miscounted)));
  await writeChangedDump(store, {
    prefix: PREFIX,
    from: "2026-11-19",
    manifest: good.manifest,
    date: "2026-11-17",
    transform: sleepBeforeEnd(30),
  });

  const drills = { schedule: "0 3 * * *", timeZone: "Europe/Berlin", target: "sandbox" };
  await writeRestoreConfig(app.tempDir, {
    environments: [
      { name: "drilltest", protected: false, targets: { live: LIVE_DB, sandbox: SANDBOX_DB }, drills },
      { name: "drillold", protected: false, targets: { sandbox: SANDBOX_DB }, drills: { ...drills, backup: "oldest-in-retention" } },
    ],
    user: ROLE,
    password: ROLE_PASSWORD,
    s3: app.s3,
    prefix: PREFIX,
    envPrefix: "RC_DRILL",
  });
  for (const environment of ["drilltest", "drillold"])
    await refreshCatalog({ ctx: systemCtx(db), input: { environment: resolveEnvironment(environment), store } });
  backupIds.good = await backupIdOf(db, "drilltest", "2026-11-19.sql.gz");
  backupIds.miscounted = await backupIdOf(db, "drillold", "2026-11-16.sql.gz");
  backupIds.slow = await backupIdOf(db, "drilltest", "2026-11-17.sql.gz");
  await verifiedOnly("drilltest", [backupIds.good]);
  await verifiedOnly("drillold", [backupIds.miscounted, await backupIdOf(db, "drillold", "2026-11-19.sql.gz")]);

  worker = await startWorker({ connectionString: app.appUrl, db, jobs: [createRestoreRunJob({ renewEveryMs: 1_000 })] });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await app?.stop();
});

describe("restore drills", () => {
  it("restores the newest verified backup, validates it, counts every table against the manifest and drops the copy; incidents hear nothing", async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { title: "Drill must not count", severity: "sev3", environment: "drilltest", scope: "nothing: a drill runs" },
    });
    const eventsBefore = await db.incidentEvent.count({ where: { incidentId: incident.id } });

    const started = await startDrill({ ctx: ctx(), input: { environment: "drilltest" } });
    expect(started).toMatchObject({ kind: "drill", status: "queued" });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed"], 120_000);
    expect(done.run.error).toBeNull();
    expect(done.run.status).toBe("succeeded");
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ["preflight", "succeeded"],
      ["restore", "succeeded"],
      ["validate", "succeeded"],
      ["drop", "succeeded"],
    ]);
    expect(await scratchCopies()).toEqual([]);
    // The target's own database was never made: a drill only ever writes its scratch copy.
    expect(await sqlOn("postgres", "SELECT 1 FROM pg_database WHERE datname = $1", [SANDBOX_DB])).toEqual([]);

    const { environments } = await listDrills({ ctx: ctx(), input: { environment: "drilltest" } });
    const [drill] = environments[0]?.drills ?? [];
    expect(drill).toMatchObject({
      id: started.id,
      outcome: "passed",
      trigger: "person",
      startedBy: operator.email,
      backup: { id: backupIds.good, name: "2026-11-19.sql.gz" },
      withinRto: true,
      copyDropped: true,
      rtoMaxMinutes: 120,
    });
    expect(drill?.durationMs).toBeGreaterThan(0);
    expect(drill?.rowCounts.length).toBeGreaterThanOrEqual(4);
    expect(drill?.rowCounts.every((row) => row.restored === row.manifest)).toBe(true);
    expect(environments[0]?.schedule).toMatchObject({ cron: "0 3 * * *", timeZone: "Europe/Berlin", target: "sandbox" });

    expect(await db.incidentEvent.count({ where: { incidentId: incident.id } })).toBe(eventsBefore);
    const audit = await db.auditEvent.findMany({ where: { subjectId: started.id }, select: { action: true } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["drill.start", "drill.succeeded"]));
    // A drill is never swapped.
    await expect(confirmSwap({ ctx: ctx(), input: { runId: started.id, confirmation: "x" } })).rejects.toThrow();
  }, 180_000);

  it("fails a drill whose row counts differ from the manifest, keeps its results and still drops the copy", async () => {
    const started = await startDrill({ ctx: ctx(), input: { environment: "drillold" } });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed"], 120_000);
    expect(done.run.status).toBe("failed");
    expect(done.run.error).toMatch(/loans \(\d+ restored, \d+ in the manifest\)/);
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ["preflight", "succeeded"],
      ["restore", "succeeded"],
      ["validate", "failed"],
      ["drop", "succeeded"],
    ]);
    expect(await scratchCopies()).toEqual([]);
    expect(await db.validationResult.count({ where: { runId: started.id } })).toBeGreaterThan(0);
    const [drill] = (await listDrills({ ctx: ctx(), input: { environment: "drillold" } })).environments[0]?.drills ?? [];
    expect(drill).toMatchObject({
      outcome: "failed",
      backup: { name: "2026-11-16.sql.gz" },
      durationMs: null,
      withinRto: null,
      copyDropped: true,
    });
    expect(drill?.rowCounts.find((row) => row.table.endsWith("loans"))).toMatchObject({ restored: expect.any(Number) });
  }, 180_000);

  it("drops the copy of a drill cancelled mid-restore", async () => {
    await verifiedOnly("drilltest", [backupIds.slow]);
    const started = await startDrill({ ctx: ctx(), input: { environment: "drilltest" } });
    await waitForRunStatus(db, started.id, ["running"], 60_000);
    for (let i = 0; i < 200 && (await scratchCopies()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await scratchCopies()).toHaveLength(1);
    await cancelRestore({ ctx: ctx(), input: { runId: started.id } });
    const done = await waitForRunStatus(db, started.id, ["cancelled"], 60_000);
    expect(done.run.error).toMatch(/What the drill restored is deleted; nothing else was touched/);
    expect(done.steps.find((s) => s.name === "drop")?.status).toBe("succeeded");
    for (let i = 0; i < 100 && (await scratchCopies()).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await scratchCopies()).toEqual([]);
    expect(done.steps.find((s) => s.name === "restore")?.status).toBe("cancelled");
    await verifiedOnly("drilltest", [backupIds.good]);
  }, 120_000);

  it("starts one drill per fire of the schedule, in its time zone, however many workers tick; a fire that cannot start raises an alert", async () => {
    await db.drillSchedule.deleteMany();
    // 03:00 in Berlin is 02:00 UTC in November. First sight: the schedule counts from its latest fire.
    const first = await fireDueDrills({ ctx: systemCtx(db), now: new Date("2026-11-25T12:00:00Z") });
    expect(first.get("drilltest")).toBe("first-seen");
    expect(await db.drillSchedule.findUnique({ where: { environment: "drilltest" } })).toMatchObject({
      lastFireAt: new Date("2026-11-25T02:00:00Z"),
    });
    // Nothing new before the next fire.
    expect((await fireDueDrills({ ctx: systemCtx(db), now: new Date("2026-11-26T01:59:00Z") })).get("drilltest")).toBe("not-due");

    // drillold has no verified backup now: its fire is kept with the reason, and alerts.
    await db.backup.updateMany({ where: { environment: "drillold" }, data: { verificationState: "never" } });
    const before = await db.restoreRun.count({ where: { kind: "drill" } });
    const at = new Date("2026-11-26T02:00:30Z");
    const racing = await Promise.all([1, 2, 3].map(() => fireDueDrills({ ctx: systemCtx(db), now: at })));
    expect(racing.map((r) => r.get("drilltest")).sort()).toEqual(["not-due", "not-due", "started"]);
    expect(racing.map((r) => r.get("drillold")).sort()).toEqual(["not-due", "not-due", "not-started"]);
    const drills = await db.restoreRun.findMany({ where: { kind: "drill" }, orderBy: { createdAt: "desc" }, take: 1 });
    expect(await db.restoreRun.count({ where: { kind: "drill" } })).toBe(before + 1);
    const scheduled = drills[0];
    expect(scheduled).toMatchObject({ environment: "drilltest", requestedByEmail: "system", requestedById: null });
    expect(scheduled?.plan).toMatchObject({ drill: { trigger: "schedule", scheduledFor: "2026-11-26T02:00:00.000Z" } });
    expect((await db.drillSchedule.findUnique({ where: { environment: "drillold" } }))?.lastError).toMatch(/no verified backup/);

    const alerts = await evaluateAlerts({ ctx: systemCtx(db) });
    expect(alerts.fired.map((a) => [a.rule, a.subject])).toContainEqual(["drill-not-started", "drillold"]);
    if (scheduled) await waitForRunStatus(db, scheduled.id, ["succeeded", "failed"], 120_000);
    expect(await scratchCopies()).toEqual([]);
  }, 180_000);
});
