import { runAsPostgres } from "@/lib/providers/postgres/cluster";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalPitrSource } from "@/lib/config/schema";
import { ConflictError } from "@/lib/errors";
import { listBaseBackups, pruneBaseBackups, takeBaseBackup, type BaseBackup } from "@/lib/providers/local/base-backups";
import { LocalPitrProvider } from "@/lib/providers/local/local-pitr-provider";
import {
  finalSnapshotIdentifier,
  NameCollisionError,
  PitrFailedError,
  PitrTimeoutError,
  RestoreWindowError,
  type PitrEndpoint,
  type RecoveryPoint,
} from "@/lib/providers/pitr";
import { describePitrContract } from "@/lib/providers/pitr-contract";
import { findPgBinaries } from "@/lib/providers/postgres/binaries";
import { freeLoopbackPort, type LocalCluster } from "@/lib/providers/postgres/cluster";
import { startArchivingSource } from "@/lib/testing/pitr-source";

// Real point-in-time recovery: a source cluster archiving its WAL (in Asia/Tokyo, so a target
// read without its offset would land 9 h early), a base backup, rows A, the target time, rows B.

const PASSWORD_ENV = "RC_LOCAL_PITR_TEST_PASSWORD";
const PASSWORD = randomBytes(12).toString("hex");
const ROWS = 50;

let tmp: string;
let source: LocalCluster;
let config: LocalPitrSource;
let backup: BaseBackup;
/** Server time between the commit of rows A and that of rows B. */
let target: Date;

const runId = (n: number) => `6f1c2d3e-0000-4000-8000-${String(n).padStart(12, "0")}`;

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function sourceQuery<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: source.url("pitr") });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function restoredBatches(endpoint: PitrEndpoint): Promise<{ batches: Record<string, number>; timezone: string }> {
  const client = new pg.Client({ ...endpoint, password: PASSWORD });
  await client.connect();
  try {
    const { rows } = await client.query<{ batch: string; n: number }>("SELECT batch, count(*)::int AS n FROM items GROUP BY batch");
    const { rows: tz } = await client.query<{ TimeZone: string }>("SHOW timezone");
    return { batches: Object.fromEntries(rows.map((row) => [row.batch, row.n])), timezone: tz[0]?.TimeZone ?? "" };
  } finally {
    await client.end();
  }
}

async function restoreAndRead(provider: LocalPitrProvider, run: string, restoreTarget: RecoveryPoint) {
  try {
    const { identifier, adopted } = await provider.restore(run, restoreTarget);
    expect(adopted).toBe(false);
    const endpoint = await provider.waitUntilAvailable(run, { timeoutMs: 60_000 });
    expect(endpoint).toMatchObject({ host: "127.0.0.1", database: "pitr", user: "postgres", identifier });
    return await restoredBatches(endpoint);
  } finally {
    await provider.cleanup(run, { finalSnapshot: false });
  }
}

beforeAll(async () => {
  // A space, a quote and a percent sign: restore_command must quote the archive's path for the shell and for %.
  tmp = await mkdtemp(path.join(tmpdir(), "rc-local pitr's 100%-"));
  let archiveDir: string;
  ({ source, archiveDir } = await startArchivingSource(tmp, {
    password: PASSWORD,
    settings: { timezone: "Asia/Tokyo", log_timezone: "Asia/Tokyo" },
  }));
  process.env[PASSWORD_ENV] = PASSWORD;
  config = {
    provider: "local",
    dataDir: source.dataDir,
    archiveDir,
    baseBackupDir: path.join(tmp, "base-backups"),
    restoreDir: path.join(tmp, "restores"),
    host: "127.0.0.1",
    port: source.port,
    database: "pitr",
    user: "postgres",
    passwordFrom: { env: PASSWORD_ENV },
  };

  const admin = new pg.Client({ connectionString: source.url() });
  await admin.connect();
  await admin.query("CREATE DATABASE pitr");
  await admin.end();
  await sourceQuery("CREATE TABLE items (id serial PRIMARY KEY, batch text NOT NULL)");
  backup = await takeBaseBackup({
    source: { host: "127.0.0.1", port: source.port, user: "postgres", password: PASSWORD },
    baseBackupDir: config.baseBackupDir,
  });

  await sourceQuery(`INSERT INTO items (batch) SELECT 'A' FROM generate_series(1, ${ROWS})`);
  await delay(150);
  const [now] = await sourceQuery<{ t: Date }>("SELECT clock_timestamp() AS t");
  target = now!.t;
  await delay(150);
  await sourceQuery(`INSERT INTO items (batch) SELECT 'B' FROM generate_series(1, ${ROWS})`);
  // Archive the segment holding B now, not at archive_timeout.
  const [switched] = await sourceQuery<{ wal: string }>("SELECT pg_walfile_name(pg_switch_wal()) AS wal");
  for (let i = 0; ; i++) {
    const [archiver] = await sourceQuery<{ wal: string | null }>("SELECT last_archived_wal AS wal FROM pg_stat_archiver");
    if (archiver?.wal && archiver.wal >= switched!.wal) break;
    if (i > 200) throw new Error("WAL was not archived within 20 s");
    await delay(100);
  }
}, 120_000);

afterAll(async () => {
  delete process.env[PASSWORD_ENV];
  await source?.stop("immediate");
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("base backups", () => {
  it("records where the backup starts and ends, and keeps unfinished copies out of the list", () => {
    expect(backup.timeline).toBe(1);
    expect(backup.startLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(backup.startWalFile).toMatch(/^00000001[0-9A-F]{16}$/);
    expect(backup.endLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(backup.finishedAt.getTime()).toBeGreaterThanOrEqual(backup.startedAt.getTime());
    expect(backup.sizeBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(backup.pgMajor).toBeGreaterThanOrEqual(13);
  });

  it("lists newest first, ignores .partial folders and prunes the oldest", async () => {
    const dir = path.join(tmp, "more-base-backups");
    const conn = { host: "127.0.0.1", port: source.port, user: "postgres", password: PASSWORD };
    const first = await takeBaseBackup({ source: conn, baseBackupDir: dir });
    const second = await takeBaseBackup({ source: conn, baseBackupDir: dir });
    await mkdir(path.join(dir, "2099-01-01T00-00-00.000Z.partial"));
    expect((await listBaseBackups(dir)).map((b) => b.name)).toEqual([second.name, first.name]);
    expect(await pruneBaseBackups(dir, 1)).toEqual([first.name]);
    expect((await listBaseBackups(dir)).map((b) => b.name)).toEqual([second.name]);
    expect(await exists(first.path)).toBe(false);
  });

  it("reports a refused connection without the password", async () => {
    const attempt = takeBaseBackup({
      source: { host: "127.0.0.1", port: source.port, user: "postgres", password: "wrong-password" },
      baseBackupDir: path.join(tmp, "refused"),
    });
    await expect(attempt).rejects.toBeInstanceOf(PitrFailedError);
    await expect(attempt).rejects.toThrow(/password authentication failed/);
    await expect(attempt).rejects.not.toThrow(/wrong-password/);
    expect(await readdir(path.join(tmp, "refused"))).toEqual([]);
  });
});

describe("LocalPitrProvider on a real WAL archive", () => {
  it("describes the window from the base backup's end to the last archived commit", async () => {
    const describedAt = new Date(Date.now() + 90_000);
    const window = await new LocalPitrProvider(config, { now: () => describedAt }).describeWindow();
    expect(window.earliest).toEqual(backup.finishedAt);
    expect(window.latest).not.toBeNull();
    expect(window.latest!.getTime()).toBeGreaterThan(target.getTime());
    expect(window.latest!.getTime()).toBeLessThan(Date.now());
    expect(window.lagSeconds).toBe(Math.round((describedAt.getTime() - window.latest!.getTime()) / 1000));
    expect(window.notes).toEqual([]);
  });

  it("describes the window from the archive alone when the source is down, approximately when the archive is unreadable", async () => {
    const closedPort = await freeLoopbackPort();
    const sourceDown = await new LocalPitrProvider({ ...config, port: closedPort }).describeWindow();
    expect(sourceDown.latest).toEqual((await new LocalPitrProvider(config).describeWindow()).latest);
    expect(sourceDown.notes.join(" ")).toMatch(/source could not be reached/);

    const badArchive = path.join(tmp, "unreadable-archive");
    await mkdir(badArchive);
    const segment = path.join(badArchive, "000000010000000000000099");
    await writeFile(segment, "not WAL");
    const archivedAt = new Date("2026-01-02T03:04:05.000Z");
    await utimes(segment, archivedAt, archivedAt);
    const approximate = await new LocalPitrProvider({ ...config, port: closedPort, archiveDir: badArchive }).describeWindow();
    expect(approximate.latest).toEqual(archivedAt);
    expect(approximate.notes.join(" ")).toMatch(/could not be read with pg_waldump.*approximate/);
  });

  it("says there is no base backup yet, and refuses to restore", async () => {
    const provider = new LocalPitrProvider({ ...config, baseBackupDir: path.join(tmp, "no-backups") });
    const window = await provider.describeWindow();
    expect(window.earliest).toBeNull();
    expect(window.notes.join(" ")).toMatch(/no base backup yet — take one first/i);
    await expect(provider.restore(runId(1), { kind: "latest" })).rejects.toBeInstanceOf(RestoreWindowError);
  });

  it("restores to a time given in UTC: rows committed before it are there, rows after it are not", async () => {
    const provider = new LocalPitrProvider(config);
    expect((await provider.preflight(runId(2), { kind: "time", time: target })).ok).toBe(true);
    const restored = await restoreAndRead(provider, runId(2), { kind: "time", time: new Date(target.toISOString()) });
    expect(restored.batches).toEqual({ A: ROWS });
    // The restored server reads times in Tokyo: only the explicit offset kept the target right.
    expect(restored.timezone).toBe("Asia/Tokyo");
  });

  it("restores to the same instant given in a non-UTC zone (+09:00)", async () => {
    const tokyo = new Date(target.getTime() + 9 * 3600_000).toISOString().replace("Z", "+09:00");
    const time = new Date(tokyo);
    expect(time.getTime()).toBe(target.getTime());
    const restored = await restoreAndRead(new LocalPitrProvider(config), runId(3), { kind: "time", time });
    expect(restored.batches).toEqual({ A: ROWS });
  });

  it("keeps its promise at the window's very end: the latest restorable time restores (just before the last commit)", async () => {
    const provider = new LocalPitrProvider(config);
    const { latest } = await provider.describeWindow();
    const restored = await restoreAndRead(provider, runId(12), { kind: "time", time: latest! });
    expect(restored.batches).toEqual({ A: ROWS });
  });

  it('restores "latest": everything archived, rows A and B', async () => {
    const restored = await restoreAndRead(new LocalPitrProvider(config), runId(4), { kind: "latest" });
    expect(restored.batches).toEqual({ A: ROWS, B: ROWS });
  });

  it("refuses a time after the last archived WAL, or before the oldest base backup, before creating anything", async () => {
    const provider = new LocalPitrProvider(config);
    const window = await provider.describeWindow();
    const [dir] = provider.resourceIdentifiers(runId(5));
    for (const time of [
      new Date(window.latest!.getTime() + 1),
      new Date(Date.now() + 3600_000),
      new Date(backup.finishedAt.getTime() - 1),
    ]) {
      await expect(provider.restore(runId(5), { kind: "time", time })).rejects.toBeInstanceOf(RestoreWindowError);
      expect(await exists(dir!)).toBe(false);
    }
    const preflight = await provider.preflight(runId(5), { kind: "time", time: new Date(window.latest!.getTime() + 1) });
    expect(preflight.ok).toBe(false);
    expect(preflight.checks.find((check) => check.name === "window")?.message).toMatch(/after the last archived commit/);
  });

  it("adopts its own restore when called again (running, or stopped), and refuses another target for the run", async () => {
    const provider = new LocalPitrProvider(config);
    const run = runId(6);
    const restoreTarget: RecoveryPoint = { kind: "time", time: target };
    try {
      const first = await provider.restore(run, restoreTarget);
      const again = await provider.restore(run, restoreTarget);
      expect(again).toEqual({ identifier: first.identifier, adopted: true });
      await provider.waitUntilAvailable(run, { timeoutMs: 60_000 });

      // A worker that died after the restore: the server is gone, the folder is ours.
      const { binDir } = await findPgBinaries();
      await runAsPostgres(path.join(binDir, "pg_ctl"), ["-D", path.join(first.identifier, "data"), "-m", "immediate", "-w", "stop"]);
      expect(await new LocalPitrProvider(config).restore(run, restoreTarget)).toEqual({ identifier: first.identifier, adopted: true });
      const endpoint = await provider.waitUntilAvailable(run, { timeoutMs: 60_000 });
      expect((await restoredBatches(endpoint)).batches).toEqual({ A: ROWS });

      await expect(provider.restore(run, { kind: "latest" })).rejects.toBeInstanceOf(ConflictError);
    } finally {
      await provider.cleanup(run, { finalSnapshot: false });
    }
    expect(await exists(provider.resourceIdentifiers(run)[0]!)).toBe(false);
  });

  it("never touches a folder that is not this run's; clean-up removes only its own", async () => {
    const provider = new LocalPitrProvider(config);
    const foreignRun = runId(7);
    const [foreignDir] = provider.resourceIdentifiers(foreignRun);
    await mkdir(foreignDir!, { recursive: true });
    await writeFile(path.join(foreignDir!, "restore-console-run.json"), JSON.stringify({ runId: "someone-else" }));

    const preflight = await provider.preflight(foreignRun, { kind: "latest" });
    expect(preflight.checks.find((check) => check.name === "identifiers")).toMatchObject({ ok: false });
    await expect(provider.restore(foreignRun, { kind: "latest" })).rejects.toBeInstanceOf(NameCollisionError);
    await expect(provider.waitUntilAvailable(foreignRun, { timeoutMs: 1_000 })).rejects.toBeInstanceOf(NameCollisionError);
    await provider.cleanup(foreignRun, { finalSnapshot: false });
    expect(await exists(path.join(foreignDir!, "restore-console-run.json"))).toBe(true);

    const ours = runId(8);
    const { identifier } = await provider.restore(ours, { kind: "latest" });
    await provider.cleanup(ours, { finalSnapshot: false });
    expect(await exists(identifier)).toBe(false);
    expect(await exists(foreignDir!)).toBe(true);
    await rm(foreignDir!, { recursive: true });
  });

  it("protects the restored folder until clean-up, which keeps it as the final snapshot unless told not to", async () => {
    const provider = new LocalPitrProvider(config);
    const run = runId(12);
    const { identifier } = await provider.restore(run, { kind: "latest" });
    const endpoint = await provider.waitUntilAvailable(run, { timeoutMs: 60_000 });
    const protection = path.join(identifier, "restore-console-deletion-protection.json");
    expect(JSON.parse(await readFile(protection, "utf8"))).toMatchObject({ runId: run });

    const snapshot = finalSnapshotIdentifier("local", identifier);
    expect(snapshot).toBe(path.join(config.restoreDir, "snapshots", `${path.basename(identifier)}-final`));
    const logs: string[] = [];
    await expect(provider.cleanup(run, { finalSnapshot: true }, { log: (line) => logs.push(line) })).resolves.toEqual({
      deleted: [identifier],
      finalSnapshot: snapshot,
    });
    expect(logs).toEqual(
      expect.arrayContaining([
        `Lifting deletion protection on ${identifier}`,
        `Kept the restored data as the final snapshot ${snapshot}; removed ${identifier}`,
      ]),
    );
    await expect(restoredBatches(endpoint)).rejects.toThrow();
    expect(await exists(identifier)).toBe(false);
    // The whole data directory is kept (startable with pg_ctl), the marker still naming the run; the protection is lifted.
    expect(await exists(path.join(snapshot, "data", "PG_VERSION"))).toBe(true);
    expect(await exists(path.join(snapshot, "data", "postmaster.pid"))).toBe(false);
    expect(JSON.parse(await readFile(path.join(snapshot, "restore-console-run.json"), "utf8"))).toMatchObject({ runId: run });
    expect(await exists(path.join(snapshot, "restore-console-deletion-protection.json"))).toBe(false);
    // Repeated: the snapshot is found again, nothing else happens.
    await expect(provider.cleanup(run, { finalSnapshot: true })).resolves.toEqual({ deleted: [], finalSnapshot: snapshot });

    // Someone else's folder under the snapshot's name stops clean-up with the run's folder intact.
    const other = runId(13);
    const { identifier: otherDir } = await provider.restore(other, { kind: "latest" });
    const otherSnapshot = finalSnapshotIdentifier("local", otherDir);
    await mkdir(otherSnapshot, { recursive: true });
    await expect(provider.cleanup(other, { finalSnapshot: true })).rejects.toBeInstanceOf(NameCollisionError);
    expect(await exists(path.join(otherDir, "restore-console-deletion-protection.json"))).toBe(true);
    await expect(provider.cleanup(other, { finalSnapshot: false })).resolves.toEqual({ deleted: [otherDir], finalSnapshot: null });
    expect(await exists(otherDir)).toBe(false);
    await rm(path.join(config.restoreDir, "snapshots"), { recursive: true });
  });

  describe("a restored server that does not come up", () => {
    /** A run folder as restore() leaves it, with a server that is gone (or never answers). */
    async function stagedRun(run: string, log: string, pid?: number): Promise<LocalPitrProvider> {
      const provider = new LocalPitrProvider(config);
      const [dir] = provider.resourceIdentifiers(run);
      await mkdir(path.join(dir!, "data"), { recursive: true });
      const marker = {
        runId: run,
        target: { kind: "latest" },
        baseBackup: backup.name,
        createdAt: new Date().toISOString(),
        port: 9,
        logOffset: 0,
      };
      await writeFile(path.join(dir!, "restore-console-run.json"), JSON.stringify(marker));
      await writeFile(path.join(dir!, "server.log"), log);
      if (pid) await writeFile(path.join(dir!, "data", "postmaster.pid"), `${pid}\n${dir}/data\n`);
      return provider;
    }

    it("fails fast, with guidance, when recovery ran out of archived WAL", async () => {
      const run = runId(9);
      const provider = await stagedRun(
        run,
        "2026-11-25 22:00:00.000 JST [1] LOG:  redo done\n2026-11-25 22:00:00.001 JST [1] FATAL:  recovery ended before configured recovery target was reached\n",
      );
      const wait = provider.waitUntilAvailable(run, { timeoutMs: 30_000 });
      await expect(wait).rejects.toBeInstanceOf(PitrFailedError);
      await expect(wait).rejects.toThrow(/end of the archived WAL before the target time/);
      await provider.cleanup(run, { finalSnapshot: false });
    });

    it("quotes any other fatal error from the log", async () => {
      const run = runId(10);
      const provider = await stagedRun(run, '2026-11-25 22:00:00.000 JST [1] FATAL:  could not load library "/nope.so"\n');
      await expect(provider.waitUntilAvailable(run, { timeoutMs: 30_000 })).rejects.toThrow(/could not load library/);
      await provider.cleanup(run, { finalSnapshot: false });
    });

    it("times out with PitrTimeoutError while the server is alive but not answering", async () => {
      const run = runId(11);
      // Our own process stands in for a postmaster that never accepts connections (port 9 is closed).
      const provider = await stagedRun(run, "", process.pid);
      await expect(provider.waitUntilAvailable(run, { timeoutMs: 300 })).rejects.toBeInstanceOf(PitrTimeoutError);
      await rm(provider.resourceIdentifiers(run)[0]!, { recursive: true });
    });
  });

  describePitrContract("LocalPitrProvider", {
    createProvider: () => new LocalPitrProvider(config),
    pickTimes: (window) => ({
      inside: target,
      before: new Date(window.earliest!.getTime() - 60_000),
      after: new Date(window.latest!.getTime() + 60_000),
    }),
    isValidIdentifier: (id) => path.dirname(id) === config.restoreDir && /^[0-9a-f]{8}$/.test(path.basename(id)),
    expectNothingStarted: async () => {
      expect(await readdir(config.restoreDir).catch(() => [])).toEqual([]);
    },
  });
});
