import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import { KEEP_BASE_BACKUPS } from "@/lib/restore/pitr/base-backups/base-backup-views";
import { listPitrBaseBackups } from "@/lib/restore/pitr/base-backups/list-pitr-base-backups";
import { pitrBaseBackupJob } from "@/lib/restore/pitr/base-backups/pitr-base-backup-job";
import { takePitrBaseBackup } from "@/lib/restore/pitr/base-backups/take-pitr-base-backup";
import { resetConfigCache } from "@/lib/config/load-config";
import { createDb, type Db } from "@/lib/db/client";
import { BadRequestError, ConflictError } from "@/lib/errors";
import { installJobSchema } from "@/lib/jobs/boss";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { LocalPitrProvider } from "@/lib/providers/local/local-pitr-provider";
import { RestoreWindowError, type PitrCallContext, type PitrEndpoint, type RecoveryPoint } from "@/lib/providers/pitr";
import type { LocalCluster } from "@/lib/providers/postgres/cluster";
import { querySource, startArchivingSource } from "@/lib/testing/pitr-source";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import { waitForRunStatus } from "@/lib/testing/restore-runs";
import { applyLoanServeSchema, seedLoanServe } from "@/scripts/lib/demo/seed-loanserve";
import { cleanupPitrRestore } from "./cleanup-pitr-restore";
import { cleanupRestore } from "../cleanup-restore";
import { markPitrCutOver } from "./mark-pitr-cut-over";
import { describePitrWindow } from "./describe-pitr-window";
import { getRestoreRun } from "../get-restore-run";
import { planPitrRestore } from "./plan-pitr-restore";
import { createRestoreRunJob } from "../restore-run-job";
import { restoreSweeperJob } from "../restore-sweeper-job";
import { driveRun } from "../engine/drive-run";
import { pitrKind } from "./kind";
import { sweepRestoreRuns } from "../sweep-restore-runs";
import { StartPitrRestoreInput, startPitrRestore } from "./start-pitr-restore";
import { systemCtx } from "@/lib/db/ctx";

// Point-in-time restores through the engine, for real: a source cluster archiving its WAL, a
// base backup taken by the verb, rows A before the target and rows B after it, the local
// provider restoring into new servers, and the pg-boss worker running the steps.

const PASSWORD_ENV = "RC_PITR_IT_PASSWORD";
const PASSWORD = randomBytes(12).toString("hex");
const ROWS = 40;
const ENVIRONMENT = "itest";
/** A restored server must start and recover first: longer than a logical run takes here. */
const RUN_TIMEOUT_MS = 90_000;

let tmp: string;
let source: LocalCluster;
let restoreDir: string;
let appUrl: string;
let db: Db;
let worker: RunningWorker | undefined;
let operator: SessionUser;
let operatorCookie: string;
/** Server time between the commit of rows A and that of rows B. */
let target: Date;

const ctx = () => ({ db, user: operator, requestId: randomUUID() });
const runOf = (runId: string) => getRestoreRun({ ctx: systemCtx(db), input: { runId } });

const sourceQuery = <T extends pg.QueryResultRow>(sql: string, database = "loanserve") => querySource<T>(source, database, sql);

/** Archives the current WAL segment now rather than at archive_timeout, and waits for it. */
async function archiveNow(): Promise<void> {
  const [switched] = await sourceQuery<{ wal: string }>("SELECT pg_walfile_name(pg_switch_wal()) AS wal");
  for (let i = 0; ; i++) {
    const [archiver] = await sourceQuery<{ wal: string | null }>("SELECT last_archived_wal AS wal FROM pg_stat_archiver");
    if (archiver?.wal && switched && archiver.wal >= switched.wal) return;
    if (i > 200) throw new Error("WAL was not archived within 20 s");
    await delay(100);
  }
}

async function marks(endpoint: PitrEndpoint): Promise<Record<string, number>> {
  const client = new pg.Client({ ...endpoint, password: PASSWORD });
  await client.connect();
  try {
    const { rows } = await client.query<{ batch: string; n: number }>("SELECT batch, count(*)::int AS n FROM pitr_marks GROUP BY batch");
    return Object.fromEntries(rows.map((row) => [row.batch, row.n]));
  } finally {
    await client.end();
  }
}

async function restoreFolders(): Promise<string[]> {
  return readdir(restoreDir).catch(() => []);
}

/** The environment's provider, for teardown: removes what a test left, as a person would by hand. */
function testProvider(): LocalPitrProvider {
  return new LocalPitrProvider({
    provider: "local",
    dataDir: source.dataDir,
    archiveDir: path.join(tmp, "wal-archive"),
    baseBackupDir: path.join(tmp, "base-backups"),
    restoreDir,
    host: "127.0.0.1",
    port: source.port,
    database: "loanserve",
    user: "postgres",
  });
}

/** A person's clean-up: the restored server's name typed as the page shows it; no final snapshot unless asked. */
async function cleanUp(runId: string, finalSnapshot = false) {
  const confirmation = (await runOf(runId)).run.pitrCleanup?.confirmation;
  return cleanupPitrRestore({ ctx: ctx(), input: { runId, confirmation, finalSnapshot } });
}

async function postAs(
  cookie: string,
  url: string,
  body: unknown,
  handler: (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>,
  runId: string,
): Promise<Response> {
  return handler(apiRequest(url, { method: "POST", cookie, body }), { params: Promise.resolve({ runId }) });
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "rc-pitr-it-"));
  let archiveDir: string;
  ({ source, archiveDir } = await startArchivingSource(tmp, { password: PASSWORD, settings: { timezone: "Asia/Tokyo" } }));
  restoreDir = path.join(tmp, "restores");
  await sourceQuery("CREATE DATABASE loanserve", "postgres");
  await applyLoanServeSchema(source.url("loanserve"));
  await seedLoanServe(source.url("loanserve"), { scale: 0.05, now: new Date() });
  await sourceQuery("CREATE TABLE pitr_marks (id serial PRIMARY KEY, batch text NOT NULL)");

  appUrl = await createMigratedDatabase();
  useTestEnv(appUrl);
  await installJobSchema(appUrl);
  db = createDb(appUrl);
  const user: TestUser = await createTestUser(appUrl, "operator");
  operator = { id: user.id, email: user.email, name: null, role: "operator" };
  operatorCookie = user.cookie;

  const configFile = path.join(tmp, "restore-console.yaml");
  await writeFile(
    configFile,
    `version: 1
defaultEnvironment: ${ENVIRONMENT}
environments:
  - name: ${ENVIRONMENT}
    pitr:
      provider: local
      dataDir: ${source.dataDir}
      archiveDir: ${archiveDir}
      baseBackupDir: ${path.join(tmp, "base-backups")}
      restoreDir: ${restoreDir}
      port: ${source.port}
      database: loanserve
      user: postgres
      passwordFrom: { env: ${PASSWORD_ENV} }
      # Yearly: never due during this file, so only on-demand backups are taken.
      baseBackupSchedule: "0 0 1 1 *"
    validation:
      checks:
        - name: marks-before-target
          sql: SELECT count(*) FROM pitr_marks WHERE batch = 'A'
          expect: { equals: ${ROWS} }
`,
  );
  process.env.RESTORE_CONSOLE_CONFIG = configFile;
  process.env[PASSWORD_ENV] = PASSWORD;
  resetConfigCache();

  const taken = await takePitrBaseBackup({ ctx: systemCtx(db), input: { environment: ENVIRONMENT, reason: "on-demand" } });
  expect(taken.pruned).toEqual([]);
  await sourceQuery(`INSERT INTO pitr_marks (batch) SELECT 'A' FROM generate_series(1, ${ROWS})`);
  await delay(200);
  const [now] = await sourceQuery<{ t: Date }>("SELECT clock_timestamp() AS t");
  target = now!.t;
  await delay(200);
  await sourceQuery(`INSERT INTO pitr_marks (batch) SELECT 'B' FROM generate_series(1, ${ROWS})`);
  await archiveNow();

  worker = await startWorker({ connectionString: appUrl, db, jobs: [createRestoreRunJob({ renewEveryMs: 1_000 }), restoreSweeperJob] });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  // Every restored server this file started is stopped and removed, whatever the tests did.
  if (db && source) {
    const provider = testProvider();
    for (const run of await db.restoreRun.findMany({ where: { kind: "pitr" }, select: { id: true } }))
      await provider.cleanup(run.id, { finalSnapshot: false }).catch(() => undefined);
  }
  await db?.$disconnect();
  await source?.stop("immediate");
  delete process.env[PASSWORD_ENV];
  if (tmp) await rm(tmp, { recursive: true, force: true });
  resetConfigCache();
});

describe("point-in-time restore", () => {
  it("describes the window, and refuses a time outside it at submit with nothing created", async () => {
    const summary = await describePitrWindow({ ctx: systemCtx(db), input: { environment: ENVIRONMENT } });
    expect(summary.provider).toBe("local");
    const { earliest, latest } = summary.window;
    expect(earliest && latest && earliest < target.toISOString() && target.toISOString() < latest).toBe(true);
    expect((await listPitrBaseBackups({ input: { environment: ENVIRONMENT } })).backups).toHaveLength(1);

    const runsBefore = await db.restoreRun.count();
    const after = new Date(Date.parse(latest ?? "") + 3_600_000).toISOString();
    await expect(
      startPitrRestore({
        ctx: ctx(),
        input: { environment: ENVIRONMENT, target: { kind: "time", time: after }, confirmation: ENVIRONMENT },
      }),
    ).rejects.toBeInstanceOf(RestoreWindowError);

    // Through the API as the page calls it: 400 with the reason, whatever the page had checked.
    const { POST } = await import("@/app/api/pitr/restores/route");
    const before = new Date(Date.parse(earliest ?? "") - 60_000).toISOString();
    const response = await POST(
      apiRequest("/api/pitr/restores", {
        method: "POST",
        cookie: operatorCookie,
        body: { environment: ENVIRONMENT, target: { kind: "time", time: before }, confirmation: ENVIRONMENT },
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/is before the earliest restorable time/);

    // A time without its offset never gets that far; nor does a wrong confirmation.
    expect(
      StartPitrRestoreInput.safeParse({ target: { kind: "time", time: "2026-11-25T10:00:00" }, confirmation: ENVIRONMENT }).success,
    ).toBe(false);
    await expect(
      startPitrRestore({
        ctx: ctx(),
        input: { environment: ENVIRONMENT, target: { kind: "time", time: target.toISOString() }, confirmation: "loanserve" },
      }),
    ).rejects.toBeInstanceOf(BadRequestError);
    expect(await db.restoreRun.count()).toBe(runsBefore);
    expect(await restoreFolders()).toEqual([]);
  });

  it("restores to a time given in another zone: rows before it present, rows after it absent, validated, endpoint recorded", async () => {
    const { declareIncident } = await import("@/lib/incidents/declare-incident");
    const { getIncident } = await import("@/lib/incidents/get-incident");
    const { id: incidentId } = await declareIncident({
      ctx: ctx(),
      input: {
        title: "Rows B written by a bad deploy",
        severity: "sev2",
        environment: ENVIRONMENT,
        scope: "pitr_marks",
        startedAt: new Date(target.getTime() + 100),
      },
    });
    // The same instant as `target`, written the way someone in Tokyo would.
    const tokyo = new Date(target.getTime() + 9 * 3_600_000).toISOString().replace("Z", "+09:00");
    const choice = { environment: ENVIRONMENT, target: { kind: "time" as const, time: tokyo }, incidentId };

    const preview = await planPitrRestore({ ctx: systemCtx(db), input: choice });
    expect(preview.canStart).toBe(true);
    expect(preview.plan.preflight?.ok).toBe(true);
    expect(preview.plan.dataLoss).toMatchObject({ restorePointAt: target.toISOString(), untilKind: "incident-start", lostMs: 100 });
    expect(await restoreFolders()).toEqual([]);

    const started = await startPitrRestore({ ctx: ctx(), input: { ...choice, confirmation: ENVIRONMENT } });
    expect(started).toMatchObject({
      kind: "pitr",
      status: "queued",
      targetName: "pitr",
      mode: "new-server",
      restorePointAt: target.toISOString(),
    });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed", "cancelled"], RUN_TIMEOUT_MS);
    expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ["preflight", "succeeded"],
      ["restore", "succeeded"],
      ["writer", "succeeded"],
      ["wait", "succeeded"],
      ["connectivity", "succeeded"],
      ["validate", "succeeded"],
      ["ready-for-cutover", "succeeded"],
      ["cleanup", "pending"],
    ]);
    for (const step of done.steps.filter((s) => s.status === "succeeded")) expect(step.durationMs, step.name).not.toBeNull();
    const endpoint = done.run.endpoint;
    expect(endpoint).toMatchObject({ host: "127.0.0.1", database: "loanserve", user: "postgres" });
    expect(endpoint?.port).not.toBe(source.port);
    expect(await marks(endpoint as PitrEndpoint)).toEqual({ A: ROWS });
    expect(done.steps.find((s) => s.name === "connectivity")?.output).toMatchObject({ query: "SELECT count(*) FROM loans", rows: 1 });
    expect(done.steps.find((s) => s.name === "ready-for-cutover")?.output).toMatchObject({
      checklist: expect.arrayContaining([
        expect.stringMatching(/^Update connection strings\/DNS: point the application at postgres@127\.0\.0\.1:/),
      ]),
    });
    expect(done.validation.passed).toBe(true);
    expect(done.validation.results.map((r) => r.name)).toEqual(
      expect.arrayContaining(["critical-table-rows", "orphaned-payments", "marks-before-target"]),
    );
    expect(done.run.restorePointAt).toBe(target.toISOString());
    // The source is untouched: both batches still there.
    expect(await sourceQuery<{ n: number }>("SELECT count(*)::int AS n FROM pitr_marks")).toEqual([{ n: 2 * ROWS }]);

    // The incident saw it: checklist ticked from the run, RTO/RPO measured as a PITR.
    const incident = await getIncident({ ctx: systemCtx(db), input: { incidentId } });
    const items = incident.phases.flatMap((phase) => phase.items);
    for (const text of ["Initiate PITR or logical restore", "Monitor restore progress", "Validate critical data integrity"]) {
      expect(
        items.find((item) => item.text === text),
        text,
      ).toMatchObject({ checkedByEmail: "system", evidence: { href: `/restores/${started.id}` } });
    }
    expect(incident.measurement?.method).toBe("pitr");
    expect(incident.measurement?.rpo.restorePointAt).toBe(target.toISOString());

    // Clean-up names what it deletes and needs it typed, checked on the server; nothing happens otherwise.
    const view = (await runOf(started.id)).run;
    const folder = path.basename(endpoint?.identifier ?? "");
    expect(view.pitrCleanup).toEqual({
      deletes: [endpoint?.identifier],
      finalSnapshot: path.join(restoreDir, "snapshots", `${folder}-final`),
      confirmation: folder,
      refusal: null,
    });
    expect(view.actions).toMatchObject({ cleanup: true, cutOver: true });
    await expect(cleanupRestore({ ctx: ctx(), input: { runId: started.id } })).rejects.toThrow(`Type exactly "${folder}" to confirm`);
    await expect(cleanupPitrRestore({ ctx: ctx(), input: { runId: started.id, confirmation: "loanserve" } })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    expect(await marks(endpoint as PitrEndpoint)).toEqual({ A: ROWS });

    // Through the generic clean-up, typed right: a final snapshot by default.
    const cleaned = await cleanupRestore({ ctx: ctx(), input: { runId: started.id, confirmation: folder } });
    expect(cleaned.run.status).toBe("succeeded");
    expect((await runOf(started.id)).steps.find((s) => s.name === "cleanup")).toMatchObject({
      status: "succeeded",
      output: { finalSnapshot: view.pitrCleanup?.finalSnapshot },
    });
    expect(await restoreFolders()).toEqual(["snapshots"]);
    expect(await readdir(path.join(restoreDir, "snapshots"))).toEqual([`${folder}-final`]);
    await expect(marks(endpoint as PitrEndpoint)).rejects.toThrow();
    const audit = await db.auditEvent.findMany({ where: { subjectId: started.id }, orderBy: { id: "asc" } });
    const actions = audit.map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "pitr.start",
        "restore.validate",
        "pitr.ready-for-cutover",
        "pitr.succeeded",
        "pitr.cleanup.requested",
        "pitr.cleanup",
      ]),
    );
    expect(audit.find((a) => a.action === "pitr.cleanup.requested")?.payload).toMatchObject({
      finalSnapshot: true,
      finalSnapshotName: view.pitrCleanup?.finalSnapshot,
    });
    await rm(path.join(restoreDir, "snapshots"), { recursive: true });
    expect(JSON.stringify(await db.restoreRunEvent.findMany({ where: { runId: started.id }, select: { payload: true } }))).not.toContain(
      PASSWORD,
    );
  }, 120_000);

  it("runs one PITR restore per environment at a time, and restores latest with every row", async () => {
    const input = { environment: ENVIRONMENT, target: { kind: "latest" as const }, confirmation: ENVIRONMENT };
    const results = await Promise.allSettled([startPitrRestore({ ctx: ctx(), input }), startPitrRestore({ ctx: ctx(), input })]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(ConflictError);
    const winner = (won[0] as PromiseFulfilledResult<{ id: string }>).value;
    expect((lost[0]?.reason as Error).message).toMatch(new RegExp(`is being restored by run ${winner.id}`));

    const done = await waitForRunStatus(db, winner.id, ["succeeded", "failed"], RUN_TIMEOUT_MS);
    expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
    expect(await marks(done.run.endpoint as PitrEndpoint)).toEqual({ A: ROWS, B: ROWS });
    // "Latest" is pinned to the window's end when the restore starts: after rows B.
    expect(Date.parse(done.run.restorePointAt ?? "")).toBeGreaterThan(target.getTime());

    // A person cut over to it: marked through the API (a viewer may not), shown on the run, and clean-up refused on the server.
    const cutOver = await import("@/app/api/restores/[runId]/cut-over/route");
    const url = `http://127.0.0.1:3000/api/restores/${winner.id}/cut-over`;
    const viewer = await createTestUser(appUrl, "viewer");
    expect((await postAs(viewer.cookie, url, {}, cutOver.POST, winner.id)).status).toBe(403);
    const marked = await postAs(operatorCookie, url, {}, cutOver.POST, winner.id);
    expect(marked.status, await marked.clone().text()).toBe(200);
    const view = (await runOf(winner.id)).run;
    expect(view).toMatchObject({ cutOverByEmail: operator.email, actions: { cleanup: false, cutOver: false } });
    expect(view.pitrCleanup?.refusal).toMatch(
      new RegExp(`^${operator.email} marked this run as cut over at .*Restore Console will not delete it`),
    );
    const refused = cleanUp(winner.id, true);
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow("will not delete it");
    await expect(markPitrCutOver({ ctx: ctx(), input: { runId: winner.id } })).rejects.toThrow(/^Already cut over/);
    expect(await marks(done.run.endpoint as PitrEndpoint)).toEqual({ A: ROWS, B: ROWS });
    expect(await restoreFolders()).toHaveLength(1);
    const events = await db.restoreRunEvent.findMany({ where: { runId: winner.id, type: "cut-over" } });
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ by: operator.email, identifier: done.run.endpoint?.identifier }),
    ]);
    const audit = (await db.auditEvent.findMany({ where: { subjectId: winner.id } })).map((a) => a.action);
    expect(audit).toContain("pitr.cut-over");
    expect(audit).not.toContain("pitr.cleanup.requested");
    // The next tests restore in this environment too: the cut-over server is retired by hand, as a person would.
    await testProvider().cleanup(winner.id, { finalSnapshot: false });
  }, 120_000);

  /**
   * PITR's kind whose worker is stopped at a fixed point of the restore step, however fast this
   * machine is: when the provider says it starts copying the base backup, i.e. after it created
   * and marked the run's folder. The stop lands before the copy, which then never runs.
   */
  function stoppedWhileCopying(shutdown: AbortController): typeof pitrKind {
    return {
      ...pitrKind,
      async prepare(args) {
        const prepared = await pitrKind.prepare(args);
        const provider = prepared.context.provider;
        const stopping = new Proxy(provider, {
          get(target, property) {
            if (property === "restore") {
              return (runId: string, point: RecoveryPoint, call?: PitrCallContext) =>
                target.restore(runId, point, {
                  ...call,
                  log: (line: string) => {
                    call?.log?.(line);
                    if (line.startsWith("Copying base backup")) shutdown.abort();
                  },
                });
            }
            const value: unknown = Reflect.get(target, property);
            return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
        return { ...prepared, context: { ...prepared.context, provider: stopping } };
      },
    };
  }

  it("a worker stopped mid-run hands the run back, and the next worker resumes it, adopting what was created", async () => {
    await worker?.stop();
    worker = undefined;
    const started = await startPitrRestore({
      ctx: ctx(),
      input: { environment: ENVIRONMENT, target: { kind: "time", time: target.toISOString() }, confirmation: ENVIRONMENT },
    });

    // A worker of our own, stopped inside the restore step once the provider made the run's folder.
    const shutdown = new AbortController();
    const outcome = await driveRun(db, started.id, stoppedWhileCopying(shutdown), {
      workerId: "doomed-worker",
      signal: shutdown.signal,
      renewEveryMs: 1_000,
    });
    expect(outcome).toBe("released");
    const stopped = await runOf(started.id);
    expect(stopped.run.status).toBe("running");
    expect(stopped.steps.find((s) => s.name === "preflight")?.status).toBe("succeeded");
    // Left running on purpose: the lease says whether anyone is still at it.
    expect(stopped.steps.find((s) => s.name === "restore")?.status).toBe("running");

    // The job sent at start is still queued: a new worker claims the released run and resumes.
    worker = await startWorker({ connectionString: appUrl, db, jobs: [createRestoreRunJob({ renewEveryMs: 1_000 }), restoreSweeperJob] });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed", "interrupted"], RUN_TIMEOUT_MS);
    expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
    expect(await marks(done.run.endpoint as PitrEndpoint)).toEqual({ A: ROWS });
    // The folder the first worker started was taken over, not created twice.
    expect(done.steps.find((s) => s.name === "restore")?.output).toMatchObject({ adopted: true });
    expect(await restoreFolders()).toHaveLength(1);

    // Cut over and clean-up asked at once: the run's row lock lets exactly one through, and the other is told why.
    const confirmation = (await runOf(started.id)).run.pitrCleanup?.confirmation;
    const raced = await Promise.allSettled([
      markPitrCutOver({ ctx: ctx(), input: { runId: started.id } }),
      cleanupPitrRestore({ ctx: ctx(), input: { runId: started.id, confirmation, finalSnapshot: false } }),
    ]);
    const [markedResult, cleanedResult] = raced;
    expect(raced.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(raced.find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason).toBeInstanceOf(ConflictError);
    const after = (await runOf(started.id)).run;
    if (markedResult?.status === "fulfilled") {
      expect(after.cutOverAt).not.toBeNull();
      expect(await restoreFolders()).toHaveLength(1);
      await testProvider().cleanup(started.id, { finalSnapshot: false });
    } else {
      expect(cleanedResult?.status).toBe("fulfilled");
      expect(after.cutOverAt).toBeNull();
    }
    expect(await restoreFolders()).toEqual([]);
  }, 120_000);

  it("a worker killed during the restore step (its lease lapsed) is resumed by the sweeper, not interrupted", async () => {
    await worker?.stop();
    worker = undefined;
    const started = await startPitrRestore({
      ctx: ctx(),
      input: { environment: ENVIRONMENT, target: { kind: "latest" }, confirmation: ENVIRONMENT },
    });
    // What a SIGKILLed worker leaves: the run running under its lapsed lease, the restore step running.
    await db.$executeRaw`UPDATE restore_runs SET status = 'running', started_at = now(), lease_owner = 'killed-worker', lease_expires_at = now() - interval '1 second' WHERE id = ${started.id}::uuid`;
    await db.restoreStep.updateMany({
      where: { runId: started.id, name: "preflight" },
      data: { status: "succeeded", startedAt: new Date(), finishedAt: new Date() },
    });
    await db.restoreStep.updateMany({ where: { runId: started.id, name: "restore" }, data: { status: "running", startedAt: new Date() } });

    const swept = await sweepRestoreRuns({ ctx: systemCtx(db) });
    expect(swept.resumed).toContain(started.id);
    expect(swept.interrupted).not.toContain(started.id);

    worker = await startWorker({ connectionString: appUrl, db, jobs: [createRestoreRunJob({ renewEveryMs: 1_000 }), restoreSweeperJob] });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed", "interrupted"], RUN_TIMEOUT_MS);
    expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
    expect(await marks(done.run.endpoint as PitrEndpoint)).toEqual({ A: ROWS, B: ROWS });
    await cleanUp(started.id);
  }, 120_000);

  it("keeps the newest base backups, dropping older ones and the WAL only they needed; the window's earliest end moves", async () => {
    const before = await describePitrWindow({ ctx: systemCtx(db), input: { environment: ENVIRONMENT } });
    const archived = async () => (await readdir(path.join(tmp, "wal-archive"))).filter((name) => /^[0-9A-F]{24}$/.test(name)).sort();
    const segmentsBefore = await archived();
    let last;
    for (let i = 0; i < KEEP_BASE_BACKUPS; i++)
      last = await takePitrBaseBackup({ ctx: systemCtx(db), input: { environment: ENVIRONMENT, reason: "schedule" } });
    expect(last?.pruned).toHaveLength(1);
    expect(last?.walSegmentsRemoved).toBeGreaterThan(0);
    const list = await listPitrBaseBackups({ input: { environment: ENVIRONMENT } });
    expect(list.backups).toHaveLength(KEEP_BASE_BACKUPS);
    const oldestKept = list.backups.at(-1)?.startWalFile ?? "";
    expect((await archived()).every((name) => name >= oldestKept)).toBe(true);
    expect((await archived())[0]).not.toBe(segmentsBefore[0]);
    const after = await describePitrWindow({ ctx: systemCtx(db), input: { environment: ENVIRONMENT } });
    expect(Date.parse(after.window.earliest ?? "")).toBeGreaterThan(Date.parse(before.window.earliest ?? ""));
    const actions = await db.auditEvent.findMany({ where: { action: "pitr.base-backup" } });
    expect(actions.length).toBe(1 + KEEP_BASE_BACKUPS);

    // The job: its minute tick takes none (the schedule has not fired since the newest); on demand, one.
    const job = { jobId: randomUUID(), signal: new AbortController().signal };
    await pitrBaseBackupJob.run({}, job);
    expect(await db.auditEvent.count({ where: { action: "pitr.base-backup" } })).toBe(1 + KEEP_BASE_BACKUPS);
    await pitrBaseBackupJob.run({ environment: ENVIRONMENT }, job);
    expect(await db.auditEvent.findFirst({ where: { action: "pitr.base-backup" }, orderBy: { id: "desc" } })).toMatchObject({
      payload: { reason: "on-demand" },
    });
  }, 60_000);
});
