import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import { resetConfigCache } from "@/lib/config/load-config";
import { createDb, type Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { installJobSchema } from "@/lib/jobs/boss";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import type { LocalCluster } from "@/lib/providers/postgres/cluster";
import { querySource, startArchivingSource } from "@/lib/testing/pitr-source";
import { createTestUser, useTestEnv } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { waitForRunStatus } from "@/lib/testing/restore-runs";
import { applyLoanServeSchema, seedLoanServe } from "@/scripts/lib/demo/seed-loanserve";
import { takePitrBaseBackup } from "../pitr/base-backups/take-pitr-base-backup";
import { createRestoreRunJob } from "../restore-run-job";
import { listDrills } from "./list-drills";
import { randomPointIn, startDrill } from "./start-drill";

// Point-in-time drills for real: a source cluster archiving its WAL, a base backup, and the local
// provider restoring to a random point into a new server, which the drill validates and deletes.

const PASSWORD_ENV = "RC_PITR_DRILL_PASSWORD";
const PASSWORD = randomBytes(12).toString("hex");
const RUN_TIMEOUT_MS = 120_000;

let tmp: string;
let source: LocalCluster;
let restoreDir: string;
let db: Db;
let worker: RunningWorker | undefined;
let operator: SessionUser;

const sourceQuery = <T extends pg.QueryResultRow>(sql: string, database = "loanserve") => querySource<T>(source, database, sql);

/** The run folders the local provider made (a restored server lives in one until it is deleted). */
async function restoredServers(): Promise<string[]> {
  return (await readdir(restoreDir).catch(() => [])).filter((name) => name !== "snapshots");
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "rc-pitr-drill-it-"));
  let archiveDir: string;
  ({ source, archiveDir } = await startArchivingSource(tmp, { password: PASSWORD }));
  restoreDir = path.join(tmp, "restores");
  await sourceQuery("CREATE DATABASE loanserve", "postgres");
  await applyLoanServeSchema(source.url("loanserve"));
  await seedLoanServe(source.url("loanserve"), { scale: 0.05, now: new Date() });

  const appUrl = await createMigratedDatabase();
  useTestEnv(appUrl);
  await installJobSchema(appUrl);
  db = createDb(appUrl);
  const user = await createTestUser(appUrl, "operator");
  operator = { id: user.id, email: user.email, name: null, role: "operator" };

  const pitr = `
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
      baseBackupSchedule: "0 0 1 1 *"
    drills:
      schedule: "0 3 * * *"
      pitr: true`;
  const configFile = path.join(tmp, "restore-console.yaml");
  await writeFile(
    configFile,
    `version: 1
environments:
  - name: pitrdrill${pitr}
  - name: pitrfail${pitr}
    validation:
      checks:
        - name: impossible
          sql: SELECT count(*) FROM loans
          expect: { equals: -1 }
`,
  );
  process.env.RESTORE_CONSOLE_CONFIG = configFile;
  process.env[PASSWORD_ENV] = PASSWORD;
  resetConfigCache();

  await takePitrBaseBackup({ ctx: systemCtx(db), input: { environment: "pitrdrill", reason: "on-demand" } });
  // Some WAL after the base backup, archived, so the window has room for a random point.
  await sourceQuery("CREATE TABLE drill_marks AS SELECT generate_series(1, 10) AS n");
  await delay(1_100);
  await sourceQuery("SELECT pg_switch_wal()", "postgres");
  await delay(1_000);

  worker = await startWorker({ connectionString: appUrl, db, jobs: [createRestoreRunJob({ renewEveryMs: 1_000 })] });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await db?.$disconnect();
  await source?.stop("immediate");
  delete process.env[PASSWORD_ENV];
  if (tmp) await rm(tmp, { recursive: true, force: true });
  resetConfigCache();
});

describe("point-in-time drills", () => {
  it("draws its point uniformly from the window, to the second, and refuses a window without ends", () => {
    const window = { earliest: "2026-11-25T10:00:00.000Z", latest: "2026-11-25T12:00:00.000Z", lagSeconds: 0, describedAt: "", notes: [] };
    expect(randomPointIn(window, () => 0)).toBe("2026-11-25T10:00:00.000Z");
    expect(randomPointIn(window, () => 0.5)).toBe("2026-11-25T11:00:00.000Z");
    expect(randomPointIn(window, () => 0.99999999)).toBe("2026-11-25T12:00:00.000Z");
    expect(() => randomPointIn({ ...window, latest: null, notes: ["no WAL archived yet"] })).toThrow(
      /no latest restorable time yet \(no WAL archived yet\)/,
    );
  });

  it(
    "restores the source to a random point of its window, validates the new server and deletes it; no cutover is offered",
    async () => {
      const started = await startDrill({ ctx: { db, user: operator, requestId: randomUUID() }, input: { environment: "pitrdrill" } });
      expect(started).toMatchObject({ kind: "drill", mode: "new-server", targetName: "pitr-drill" });
      const done = await waitForRunStatus(db, started.id, ["succeeded", "failed"], RUN_TIMEOUT_MS);
      expect(done.run.error).toBeNull();
      expect(done.steps.map((s) => [s.name, s.status])).toEqual([
        ["preflight", "succeeded"],
        ["restore", "succeeded"],
        ["writer", "succeeded"],
        ["wait", "succeeded"],
        ["connectivity", "succeeded"],
        ["validate", "succeeded"],
        ["drop", "succeeded"],
      ]);
      expect(await restoredServers()).toEqual([]);
      expect(done.run.actions).toMatchObject({ cutOver: false, cleanup: false });

      const [drill] = (await listDrills({ ctx: systemCtx(db), input: { environment: "pitrdrill" } })).environments[0]?.drills ?? [];
      expect(drill).toMatchObject({
        method: "pitr",
        outcome: "passed",
        withinRto: true,
        rtoMaxMinutes: 45,
        copyDropped: true,
        rowCounts: [],
      });
      const plan = (await db.restoreRun.findUniqueOrThrow({ where: { id: started.id } })).plan as {
        target: { time: string };
        window: { earliest: string; latest: string };
      };
      expect(plan.target.time >= plan.window.earliest && plan.target.time <= plan.window.latest).toBe(true);
      expect(drill?.backup.takenAt).toBe(new Date(plan.target.time).toISOString());
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it(
    "a failing check fails the drill, keeps its results and still deletes the restored server",
    async () => {
      const started = await startDrill({
        ctx: { db, user: operator, requestId: randomUUID() },
        input: { environment: "pitrfail", method: "pitr" },
      });
      const done = await waitForRunStatus(db, started.id, ["succeeded", "failed"], RUN_TIMEOUT_MS);
      expect(done.run.status).toBe("failed");
      expect(done.steps.find((s) => s.name === "validate")?.status).toBe("failed");
      expect(done.steps.find((s) => s.name === "drop")?.status).toBe("succeeded");
      expect(done.run.error).toMatch(/What the drill restored is deleted\.$/);
      expect(await restoredServers()).toEqual([]);
      expect(await db.validationResult.count({ where: { runId: started.id, name: "impossible", passed: false } })).toBe(1);
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});
