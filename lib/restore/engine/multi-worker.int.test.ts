import { randomBytes, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import { refreshCatalog } from "@/lib/backups/refresh-catalog";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { Db } from "@/lib/db/client";
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
import { startWorkerProcess, type WorkerProcess } from "@/lib/testing/worker-process";
import { createNightlyDump } from "@/scripts/lib/demo/nightly-dump";
import { getRestoreRun } from "../get-restore-run";
import { startLogicalRestore } from "../logical/start-logical-restore";
import { systemCtx } from "@/lib/db/ctx";

// Two worker processes share one app database and eight runs. One is killed (SIGKILL) while it
// holds four of them: two validating (a step that resumes) and two restoring (one that cannot).
// The other worker must notice within the lease plus one sweep, resume the first two, end the
// others cleanly, and every step must have completed exactly once, provably from the database.

const id = randomBytes(4).toString("hex");
const ROLE = `rc_multi_${id}`;
const OWNER = `multi_owner_${id}`;
const PASSWORD = `pw-${randomBytes(8).toString("hex")}`;
const SOURCE = `multisrc_${id}`;
const PREFIX = `multi-${id}/`;
const LEASE_MS = 3_000;
const SWEEP_EVERY_MS = 1_000;
/** A check that takes this long keeps a run in its validate step while the worker is killed. */
const SLOW_CHECK = {
  name: "slow-count",
  sql: "WITH pause AS (SELECT pg_sleep(8)) SELECT count(*) FROM loans, pause",
  expect: { atLeast: 1 },
};

const targets = Array.from({ length: 8 }, (_, i) => `multi${i}_${id}`);

let app: RestoreTestApp;
let db: Db;
let operator: SessionUser;
const workers: WorkerProcess[] = [];
const backups = { fast: "", slow: "", fastSlowCheck: "" };

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function start(environment: string, targetName: string, backupId: string) {
  const live = targets[Number(targetName.slice(1))] ?? "";
  return startLogicalRestore({
    ctx: { db, user: operator, requestId: randomUUID() },
    input: { backupId, environment, targetName, mode: "new-database", newDatabaseName: `${live}_copy`, confirmation: live },
  });
}

/** The runs a worker process holds now (its lease owner carries its pid). */
async function heldBy(worker: WorkerProcess, runIds: string[]): Promise<number> {
  return db.restoreRun.count({ where: { id: { in: runIds }, leaseOwner: { contains: `:${worker.pid}:` } } });
}

beforeAll(async () => {
  app = await startRestoreTestApp("rc-multi-it-");
  db = app.db;
  const user = await createTestUser(app.appUrl, "operator");
  operator = { id: user.id, email: user.email, name: null, role: "operator" };
  await sqlOn("postgres", `CREATE ROLE ${ROLE} LOGIN CREATEDB CREATEROLE PASSWORD '${PASSWORD}'`);
  await sqlOn("postgres", `CREATE ROLE ${OWNER} NOLOGIN`);
  await sqlOn("postgres", `GRANT ${OWNER} TO ${ROLE}`);
  for (const database of [SOURCE, ...targets]) await sqlOn("postgres", `CREATE DATABASE ${database} OWNER ${OWNER}`);
  await seedLoanServeDatabases(SOURCE, []);

  const store = app.s3.store(PREFIX);
  const { manifest } = await createNightlyDump({
    sourceUrl: adminUrl(),
    store,
    night: new Date("2026-11-19T00:00:00Z"),
    format: "plain",
    database: SOURCE,
  });
  await writeChangedDump(store, { prefix: PREFIX, from: "2026-11-19", manifest, date: "2026-11-18", transform: sleepBeforeEnd(60) });
  // Two environments over the same store: one validates slowly.
  const targetsOf = (indexes: number[]) => Object.fromEntries(indexes.map((i) => [`t${i}`, targets[i] ?? ""]));
  await writeRestoreConfig(app.tempDir, {
    environments: [
      { name: "multi", protected: false, targets: targetsOf([0, 1, 2, 3, 4, 5]) },
      { name: "multislow", protected: false, targets: targetsOf([6, 7]), validation: { checks: [SLOW_CHECK] } },
    ],
    user: ROLE,
    password: PASSWORD,
    s3: app.s3,
    prefix: PREFIX,
    envPrefix: "RC_MULTI",
  });
  for (const environment of ["multi", "multislow"])
    await refreshCatalog({ ctx: systemCtx(db), input: { environment: resolveEnvironment(environment), store } });
  backups.fast = await backupIdOf(db, "multi", "2026-11-19.sql.gz");
  backups.slow = await backupIdOf(db, "multi", "2026-11-18.sql.gz");
  backups.fastSlowCheck = await backupIdOf(db, "multislow", "2026-11-19.sql.gz");
}, 180_000);

afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await app?.stop();
});

describe("two workers", () => {
  it("run eight restores with every step completed exactly once; a killed worker's runs are taken over within the lease plus one sweep", async () => {
    // Worker A alone takes four runs (its limit): two that will be restoring and two validating when it dies.
    const a = await startWorkerProcess({ leaseMs: LEASE_MS, sweepEveryMs: SWEEP_EVERY_MS, cron: true });
    workers.push(a);
    const ofA = [
      await start("multi", "t0", backups.slow),
      await start("multi", "t1", backups.slow),
      await start("multislow", "t6", backups.fastSlowCheck),
      await start("multislow", "t7", backups.fastSlowCheck),
    ].map((r) => r.id);
    await waitFor("worker A to hold its four runs", async () => (await heldBy(a, ofA)) === 4);

    // Worker B takes the other four.
    const b = await startWorkerProcess({ leaseMs: LEASE_MS, sweepEveryMs: SWEEP_EVERY_MS, cron: true });
    workers.push(b);
    const ofB: string[] = [];
    for (const target of ["t2", "t3", "t4", "t5"]) ofB.push((await start("multi", target, backups.fast)).id);

    const [restoring, validating] = [ofA.slice(0, 2), ofA.slice(2)];
    await waitFor("A's runs to be restoring and validating", async () => {
      const running = await db.restoreStep.findMany({
        where: { runId: { in: ofA }, status: "running" },
        select: { runId: true, name: true },
      });
      const at = new Map(running.map((s) => [s.runId, s.name]));
      return restoring.every((r) => at.get(r) === "restore") && validating.every((r) => at.get(r) === "validate");
    });
    const killedAt = Date.now();
    await a.kill();

    const ends = await Promise.all(
      [...ofA, ...ofB].map((runId) => waitForRunStatus(db, runId, ["succeeded", "failed", "interrupted", "cancelled"], 150_000)),
    );
    const statusOf = new Map(ends.map((detail) => [detail.run.id, detail.run.status]));
    // B's own runs and A's validating runs succeed; A's restoring runs end interrupted, their scratch dropped.
    for (const runId of [...ofB, ...validating]) expect(statusOf.get(runId), `run ${runId}`).toBe("succeeded");
    for (const runId of restoring) expect(statusOf.get(runId), `run ${runId}`).toBe("interrupted");
    const leftovers = await sqlOn<{ datname: string }>("postgres", "SELECT datname FROM pg_database WHERE datname LIKE $1", [
      `multi%${id}_restore_%`,
    ]);
    expect(leftovers).toEqual([]);

    // Exactly once, from the database: no step has two succeeded attempts, attempts of a step never
    // overlap, every succeeded step has one succeeded attempt, and B's runs ran each step once.
    const attempts = await db.restoreStepAttempt.findMany({
      where: { runId: { in: [...ofA, ...ofB] } },
      include: { step: true },
      orderBy: [{ stepId: "asc" }, { attempt: "asc" }],
    });
    const byStep = new Map<string, typeof attempts>();
    for (const attempt of attempts) byStep.set(attempt.stepId, [...(byStep.get(attempt.stepId) ?? []), attempt]);
    for (const tries of byStep.values()) {
      const step = tries[0]?.step;
      expect(tries.filter((t) => t.outcome === "succeeded").length, `${step?.name} of ${step?.runId}`).toBe(
        step?.status === "succeeded" ? 1 : 0,
      );
      for (let i = 1; i < tries.length; i++) {
        const previous = tries[i - 1];
        const current = tries[i];
        expect(previous?.finishedAt, "an earlier attempt ended before the next began").not.toBeNull();
        expect(current!.startedAt.getTime()).toBeGreaterThanOrEqual(previous!.finishedAt!.getTime());
      }
    }
    for (const attempt of attempts.filter((t) => ofB.includes(t.runId))) {
      expect(attempt.attempt).toBe(1);
      expect(attempt.workerId).toContain(`:${b.pid}:`);
    }

    // The validating runs: attempt 1 by A (abandoned when the sweeper took over), attempt 2 by B.
    for (const runId of validating) {
      const validate = attempts.filter((t) => t.runId === runId && t.step.name === "validate");
      expect(validate.map((t) => [t.attempt, t.outcome])).toEqual([
        [1, "abandoned"],
        [2, "succeeded"],
      ]);
      expect(validate[0]?.workerId).toContain(`:${a.pid}:`);
      expect(validate[1]?.workerId).toContain(`:${b.pid}:`);
      // Noticed by B's sweep within the lease plus one sweep (plus slack for a loaded machine).
      const resumed = await db.restoreRunEvent.findFirstOrThrow({ where: { runId, type: "sweeper" }, orderBy: { id: "asc" } });
      expect(resumed.at.getTime() - killedAt).toBeLessThan(LEASE_MS + SWEEP_EVERY_MS + 5_000);
    }

    // The run page shows the retry: which process ran each attempt and how it ended.
    const shown = await getRestoreRun({ ctx: systemCtx(db), input: { runId: validating[0] ?? "" } });
    expect(shown.steps.find((step) => step.name === "validate")?.attempts.map((t) => [t.attempt, t.worker, t.outcome])).toEqual([
      [1, `${hostname()}:${a.pid}`, "abandoned"],
      [2, `${hostname()}:${b.pid}`, "succeeded"],
    ]);

    // A's pg-boss jobs were failed by the sweep, not left active until their 7-hour expiry.
    const jobs = await db.$queryRaw<Array<{ state: string }>>`
      SELECT j.state::text AS state FROM pgboss.job j WHERE j.name = 'restore-run' AND j.data->>'runId' = ANY(${ofA}) AND j.state::text = 'active'`;
    expect(jobs).toEqual([]);
  }, 300_000);
});
