import { runAsPostgres } from "@/lib/providers/postgres/cluster";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { access, constants, mkdir, readdir, readFile, rename, rm, stat, statfs, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { z } from "zod";
import type { LocalPitrSource } from "@/lib/config/schema";
import { resolveSecret } from "@/lib/config/secrets";
import { BadRequestError, ConflictError } from "@/lib/errors";
import { ensurePostgresDir, listBaseBackups, type BaseBackup } from "@/lib/providers/local/base-backups";
import {
  finalSnapshotIdentifier,
  NameCollisionError,
  PitrFailedError,
  PitrResourceNotFoundError,
  PitrTimeoutError,
  RestoreWindowError,
  type PitrCallContext,
  type PitrCleanupOptions,
  type PitrCleanupResult,
  type PitrEndpoint,
  type PitrPreflight,
  type PitrProvider,
  type RestoreTarget,
  type RestoreWindow,
} from "@/lib/providers/pitr";
import { findPgBinaries } from "@/lib/providers/postgres/binaries";
import { freeLoopbackPort, giveToOwner } from "@/lib/providers/postgres/cluster";

// Point-in-time recovery of a self-hosted PostgreSQL from a base backup plus its WAL archive,
// into `<restoreDir>/<run>/data` on a free loopback port. A run's folder carries a marker naming
// the run: the folder is adopted when the marker is ours and never touched when it is not.

const MARKER_FILE = "restore-console-run.json";
/** A run's folder name: 8 hex characters of the run id's hash (see runDir). */
const RUN_FOLDER = /^[0-9a-f]{8}$/;
const PROTECTION_FILE = "restore-console-deletion-protection.json";
const SETTINGS_BEGIN = "# restore-console: recovery settings (begin)";
const SETTINGS_END = "# restore-console: recovery settings (end)";
const SEGMENT_NAME = /^[0-9A-F]{24}$/;
/** Newest archived segments read looking for a commit; a bulk load without commits spans many. */
const MAX_SEGMENTS_SCANNED = 64;
const POLL_MS = 100;
const START_TIMEOUT_S = 120;
const CONNECT_TIMEOUT_MS = 5_000;

const RunMarker = z.object({
  runId: z.string(),
  target: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("latest") }),
    z.object({ kind: z.literal("time"), time: z.iso.datetime() }),
  ]),
  baseBackup: z.string(),
  createdAt: z.iso.datetime(),
  /** Set each time the server is started: where to reach it, and where its log for that start begins. */
  port: z.number().int().positive().optional(),
  logOffset: z.number().int().nonnegative().optional(),
});
type RunMarker = z.infer<typeof RunMarker>;

type MarkerState = { state: "absent" } | { state: "ours"; marker: RunMarker } | { state: "foreign"; reason: string };

/** The newest commit in the archive, in microseconds since the epoch (commit records carry µs). */
type ArchiveScan = { commitMicros: number | null; newestSegment: string | null } | { error: string; newestSegment: string | null };

type ArchiverStats = { lastArchivedTime: Date | null; lastFailedTime: Date | null; lastFailedWal: string | null };

export interface LocalPitrProviderOptions {
  now?: () => Date;
}

function formatUtc(date: Date): string {
  return `${date.toISOString().replace("T", " ").replace("Z", "")} UTC`;
}

/** A recovery_target_time the server cannot misread: always with an explicit +00 offset. */
function recoveryTargetTime(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "+00");
}

/** A postgresql.conf string literal: the parser reads backslash escapes and doubled quotes. */
function confString(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function errorCode(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function fileSize(file: string): Promise<number> {
  return stat(file).then(
    (info) => info.size,
    () => 0,
  );
}

function sameTarget(recorded: RunMarker["target"], target: RestoreTarget): boolean {
  if (recorded.kind === "latest" || target.kind === "latest") return recorded.kind === target.kind;
  return new Date(recorded.time).getTime() === target.time.getTime();
}

function describeTarget(target: RestoreTarget): string {
  return target.kind === "latest" ? "the latest archived WAL" : formatUtc(target.time);
}

/** The PID in postmaster.pid if that process is alive (EPERM: alive, owned by someone else). */
async function serverPid(dataDir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, "postmaster.pid"), "utf8");
  } catch {
    return undefined;
  }
  const pid = Number(text.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return errorCode(error) === "EPERM" ? pid : undefined;
  }
}

/**
 * The newest commit (or abort) timestamp in one archived segment, read with pg_waldump. Those are
 * the only records a time target can stop at. Output is streamed: a busy segment has 100k+ lines.
 */
async function newestCommitIn(waldump: string, archiveDir: string, segment: string): Promise<number | null> {
  const child = spawn(waldump, ["-p", archiveDir, "-r", "Transaction", segment, segment], {
    env: { ...process.env, TZ: "UTC", LC_ALL: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const record = /desc: (?:COMMIT|ABORT)(?:_PREPARED)? (?:\d+: )?(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6}) UTC/;
  let newest: number | null = null;
  for await (const line of createInterface({ input: child.stdout })) {
    const m = record.exec(line);
    if (!m) continue;
    const [, y, mo, d, h, mi, s, us] = m.map(Number) as number[];
    const micros = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) * 1000 + us!;
    if (newest === null || micros > newest) newest = micros;
  }
  const code = await exited;
  if (code !== 0 && newest === null) {
    throw new Error(stderr.trim().split("\n").at(-1) || `pg_waldump exited with code ${code}`);
  }
  return newest;
}

/**
 * Self-hosted PostgreSQL PITR: restores a base backup into a new data directory on a free
 * loopback port, replays the WAL archive to the target and promotes.
 *
 * The window: earliest is when the oldest base backup finished (a restore from it is consistent
 * only after its end-of-backup WAL, so a target before that cannot be reached). Latest is the
 * newest commit found in the archive, minus a microsecond: recovery to a time stops only at the
 * first commit AFTER the target, so a target at or after the last archived commit runs out of
 * WAL and fails ("recovery ended before configured recovery target was reached"). The source's
 * pg_stat_archiver.last_archived_time is later than that commit by up to archive_timeout and
 * would promise times that fail; it is used for notes (a failing archiver), and as an
 * approximate fallback when the archive cannot be read.
 */
export class LocalPitrProvider implements PitrProvider {
  readonly kind = "local" as const;
  private readonly now: () => Date;
  /** Archived segments never change: the newest commit in each, by file name. */
  private readonly segmentCommits = new Map<string, number | null>();

  constructor(
    private readonly source: LocalPitrSource,
    options: LocalPitrProviderOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  resourceIdentifiers(runId: string): string[] {
    return [this.runDir(runId)];
  }

  /** `<restoreDir>/<8 hex of sha256(run id)>`: deterministic, filesystem-safe, distinct for ids sharing a prefix. */
  private runDir(runId: string): string {
    if (!runId) throw new BadRequestError("A restore run needs an id.");
    return path.join(this.source.restoreDir, createHash("sha256").update(runId).digest("hex").slice(0, 8));
  }

  async describeWindow(ctx?: PitrCallContext): Promise<RestoreWindow> {
    return (await this.describe(ctx)).window;
  }

  private async describe(ctx?: PitrCallContext): Promise<{ window: RestoreWindow; backups: BaseBackup[] }> {
    const backups = await listBaseBackups(this.source.baseBackupDir);
    const oldest = backups.at(-1);
    const [scan, archiver] = await Promise.all([this.scanArchive(oldest?.startWalFile), this.readArchiver()]);
    const describedAt = this.now();
    const notes: string[] = [];
    const earliest = oldest?.finishedAt ?? null;
    if (!oldest) notes.push("No base backup yet — take one first: every restore starts from a base backup.");

    let latest: Date | null = null;
    if ("error" in scan) {
      const fallback = "stats" in archiver ? archiver.stats.lastArchivedTime : await this.newestSegmentTime(scan.newestSegment);
      latest = fallback;
      notes.push(
        `The WAL archive could not be read with pg_waldump (${scan.error}). Latest is approximate: when the newest segment ` +
          "was archived, which can be up to archive_timeout after its last commit; a target close to it may fail.",
      );
    } else if (scan.commitMicros !== null) {
      // Milliseconds (what a Date holds), strictly before the last archived commit.
      latest = new Date(Math.floor((scan.commitMicros - 1) / 1000));
      if (earliest && latest < earliest) {
        notes.push(
          `Nothing committed after the oldest base backup finished (${formatUtc(earliest)}) has been archived yet, so no time ` +
            'can be restored to; "latest" restores everything archived. The archive catches up within archive_timeout of the next commit.',
        );
        latest = null;
      }
    } else if (scan.newestSegment === null) {
      notes.push(`The WAL archive ${this.source.archiveDir} holds no WAL segments yet: check archive_mode and archive_command on the source.`);
    } else {
      notes.push('No committed transaction has been archived since the oldest base backup started; only "latest" can be restored.');
    }

    if ("stats" in archiver) {
      const { lastFailedTime, lastArchivedTime, lastFailedWal } = archiver.stats;
      if (lastFailedTime && (!lastArchivedTime || lastFailedTime > lastArchivedTime)) {
        notes.push(
          `The source's archiver is failing (last failure ${formatUtc(lastFailedTime)}${lastFailedWal ? ` on ${lastFailedWal}` : ""}): ` +
            "newer WAL is not reaching the archive, so the window stops growing. Check archive_command and the archive folder's space and permissions.",
        );
      }
    } else {
      notes.push(`The source could not be reached (${archiver.error}); the window comes from the base backups and the archive alone.`);
    }

    const lagSeconds = latest === null ? null : Math.max(0, Math.round((describedAt.getTime() - latest.getTime()) / 1000));
    ctx?.log?.(
      `Restore window: ${earliest ? formatUtc(earliest) : "unknown"} to ${latest ? formatUtc(latest) : "unknown"}` +
        (lagSeconds === null ? "" : ` (latest lags by ${lagSeconds} s)`),
    );
    return { window: { earliest, latest, lagSeconds, describedAt, notes }, backups };
  }

  /** The newest commit in the archive, reading segments newest first down to `floorSegment`. */
  private async scanArchive(floorSegment: string | undefined): Promise<ArchiveScan> {
    let names: string[];
    try {
      names = (await readdir(this.source.archiveDir)).filter((name) => SEGMENT_NAME.test(name));
    } catch (error) {
      return { error: errorMessage(error), newestSegment: null };
    }
    // Timeline first in the name: the newest timeline's segments come first.
    names.sort().reverse();
    const newestSegment = names[0] ?? null;
    let waldump: string;
    try {
      waldump = (await findPgBinaries()).path("pg_waldump");
    } catch (error) {
      return { error: errorMessage(error), newestSegment };
    }
    for (const name of names.slice(0, MAX_SEGMENTS_SCANNED)) {
      // Commits older than the oldest base backup can never be a target; compare segment numbers across timelines.
      if (floorSegment && name.slice(8) < floorSegment.slice(8)) break;
      let commit = this.segmentCommits.get(name);
      if (commit === undefined) {
        try {
          commit = await newestCommitIn(waldump, this.source.archiveDir, name);
        } catch (error) {
          return { error: errorMessage(error), newestSegment };
        }
        this.segmentCommits.set(name, commit);
      }
      if (commit !== null) return { commitMicros: commit, newestSegment };
    }
    return { commitMicros: null, newestSegment };
  }

  private async newestSegmentTime(segment: string | null): Promise<Date | null> {
    if (!segment) return null;
    return stat(path.join(this.source.archiveDir, segment)).then(
      (info) => info.mtime,
      () => null,
    );
  }

  private async password(): Promise<string | undefined> {
    return this.source.passwordFrom ? resolveSecret(this.source.passwordFrom) : undefined;
  }

  private async connect(port: number, host: string, database: string, password: string | undefined): Promise<pg.Client> {
    const client = new pg.Client({
      host,
      port,
      database,
      user: this.source.user,
      password,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: "restore-console",
    });
    // A server that goes away later emits 'error' on the client; unhandled, that would crash the process.
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  private async readArchiver(): Promise<{ stats: ArchiverStats } | { error: string }> {
    let client: pg.Client | undefined;
    try {
      client = await this.connect(this.source.port, this.source.host, this.source.database, await this.password());
      const { rows } = await client.query<{ last_archived_time: Date | null; last_failed_time: Date | null; last_failed_wal: string | null }>(
        "SELECT last_archived_time, last_failed_time, last_failed_wal FROM pg_stat_archiver",
      );
      const row = rows[0];
      return {
        stats: {
          lastArchivedTime: row?.last_archived_time ?? null,
          lastFailedTime: row?.last_failed_time ?? null,
          lastFailedWal: row?.last_failed_wal ?? null,
        },
      };
    } catch (error) {
      return { error: `${this.source.host}:${this.source.port}: ${errorMessage(error)}` };
    } finally {
      await client?.end().catch(() => undefined);
    }
  }

  /** Why `target` cannot be restored, or null. */
  private windowProblem(window: RestoreWindow, backups: BaseBackup[], target: RestoreTarget): string | null {
    if (backups.length === 0) return "There is no base backup yet — take one first: every restore starts from a base backup.";
    if (target.kind === "latest") return null;
    const time = target.time;
    if (window.latest === null) {
      return `No time can be restored to yet: ${window.notes.join(" ")} Choose "latest" instead.`;
    }
    if (time > window.latest) {
      return (
        `${formatUtc(time)} is after the last archived commit (latest restorable ${formatUtc(window.latest)}): recovery would run ` +
        'out of archived WAL before reaching it. Choose an earlier time or "latest", or wait for the source to archive more ' +
        "WAL (within archive_timeout; SELECT pg_switch_wal() on the source archives it at once)."
      );
    }
    if (window.earliest && time < window.earliest) {
      return `${formatUtc(time)} is before the oldest base backup finished (earliest restorable ${formatUtc(window.earliest)}). Choose a later time.`;
    }
    return null;
  }

  /** The newest base backup a restore to `target` can start from (finished by then). */
  private chooseBackup(backups: BaseBackup[], target: RestoreTarget): BaseBackup | undefined {
    return target.kind === "latest" ? backups[0] : backups.find((backup) => backup.finishedAt <= target.time);
  }

  private async readMarker(runId: string): Promise<MarkerState> {
    return readMarkerIn(this.runDir(runId), runId);
  }

  /**
   * Deletion protection, the local equivalent of RDS's flag: a file in the run's folder saying
   * it may serve an application now. Written with the restore; only clean-up removes it.
   */
  private async protect(runId: string): Promise<void> {
    const file = path.join(this.runDir(runId), PROTECTION_FILE);
    if (await exists(file)) return;
    const note = { runId, protectedAt: this.now().toISOString(), why: "This restored server may serve an application after a cutover; only the run's clean-up in Restore Console removes it." };
    await writeFile(file, `${JSON.stringify(note, null, 2)}\n`, { mode: 0o600 });
  }

  /** Written whole or not at all: a half-written marker would make our own folder look foreign. */
  private async writeMarker(runId: string, marker: RunMarker): Promise<void> {
    const file = path.join(this.runDir(runId), MARKER_FILE);
    await writeFile(`${file}.tmp`, `${JSON.stringify(marker, null, 2)}\n`, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  private collision(runId: string, reason: string): NameCollisionError {
    return new NameCollisionError(
      `${this.runDir(runId)} already exists and is not this run's (${reason}). Nothing was changed. Move it away, or point restoreDir elsewhere.`,
    );
  }

  async preflight(runId: string, target: RestoreTarget, ctx?: PitrCallContext): Promise<PitrPreflight> {
    const checks: PitrPreflight["checks"] = [];
    const { window, backups } = await this.describe(ctx);
    const problem = this.windowProblem(window, backups, target);
    checks.push({
      name: "window",
      ok: problem === null,
      message: problem ?? `${describeTarget(target)} is restorable (window ${window.earliest ? formatUtc(window.earliest) : "unknown"} to ${window.latest ? formatUtc(window.latest) : "unknown"}).`,
    });

    const marker = await this.readMarker(runId);
    const dir = this.runDir(runId);
    checks.push(
      marker.state === "foreign"
        ? { name: "identifiers", ok: false, message: this.collision(runId, marker.reason).message }
        : {
            name: "identifiers",
            ok: true,
            message: marker.state === "ours" ? `${dir} already holds this run's restore; it will be adopted.` : `${dir} is free.`,
          },
    );

    const backup = this.chooseBackup(backups, target);
    try {
      const binaries = await findPgBinaries();
      const mismatch = backup && backup.pgMajor !== binaries.major;
      checks.push({
        name: "binaries",
        ok: !mismatch,
        message: mismatch
          ? `Base backup ${backup.name} is from PostgreSQL ${backup.pgMajor} but the server binaries in ${binaries.binDir} are ${binaries.major}. Install PostgreSQL ${backup.pgMajor} or set PG_BIN_DIR.`
          : `PostgreSQL ${binaries.major} server binaries in ${binaries.binDir}.`,
      });
    } catch (error) {
      checks.push({ name: "binaries", ok: false, message: errorMessage(error) });
    }

    checks.push(await this.accessCheck());
    if (backup) checks.push(await this.diskSpaceCheck(backup));
    return { ok: checks.every((check) => check.ok), checks };
  }

  /**
   * The server runs as postgres: it must read the archive and the base backups, and write in the
   * restore folder; a restore folder that does not exist yet is created by us and handed over.
   */
  private async accessCheck(): Promise<PitrPreflight["checks"][number]> {
    const { archiveDir, baseBackupDir, restoreDir } = this.source;
    const restoreExists = await exists(restoreDir);
    const nearest = await this.nearestExisting(restoreDir);
    const fix = "Fix the folders' owner or permissions.";
    try {
      await runAsPostgres("test", ["-r", archiveDir, "-a", "-x", archiveDir, "-a", "-x", baseBackupDir, "-a", "-x", nearest, ...(restoreExists ? ["-a", "-w", restoreDir] : [])]);
    } catch {
      return {
        name: "permissions",
        ok: false,
        message: `The server's user (postgres) cannot read ${archiveDir} or ${baseBackupDir}, or cannot ${restoreExists ? "write in" : "reach"} ${nearest}. ${fix}`,
      };
    }
    if (!restoreExists) {
      try {
        await access(nearest, constants.W_OK);
      } catch {
        return { name: "permissions", ok: false, message: `Restore Console cannot create ${restoreDir}: ${nearest} is not writable. ${fix}` };
      }
    }
    return { name: "permissions", ok: true, message: `The archive and base backups are readable and ${restoreDir} is usable by the server's user.` };
  }

  private async nearestExisting(dir: string): Promise<string> {
    let current = path.resolve(dir);
    while (!(await exists(current)) && path.dirname(current) !== current) current = path.dirname(current);
    return current;
  }

  /** A warning only: the WAL to replay is an upper bound (replayed segments are recycled). */
  private async diskSpaceCheck(backup: BaseBackup): Promise<PitrPreflight["checks"][number]> {
    const where = await this.nearestExisting(this.source.restoreDir);
    let walBytes = 0;
    try {
      for (const name of await readdir(this.source.archiveDir)) {
        if (SEGMENT_NAME.test(name) && name.slice(8) >= backup.startWalFile.slice(8)) {
          walBytes += await fileSize(path.join(this.source.archiveDir, name));
        }
      }
    } catch {
      // The archive's own problems are reported by the window check.
    }
    const needed = backup.sizeBytes + walBytes;
    const mb = (bytes: number) => `${Math.ceil(bytes / 1024 / 1024)} MB`;
    try {
      const fs = await statfs(where);
      const free = fs.bavail * fs.bsize;
      return {
        name: "disk space",
        ok: true,
        message:
          free >= needed
            ? `${mb(free)} free in ${where}; the restore needs about ${mb(needed)}.`
            : `Warning: only ${mb(free)} free in ${where}; the restore may need up to ${mb(needed)} (base backup ${mb(backup.sizeBytes)} plus archived WAL ${mb(walBytes)}).`,
      };
    } catch (error) {
      return { name: "disk space", ok: true, message: `Warning: could not check the free space in ${where} (${errorMessage(error)}).` };
    }
  }

  async restore(runId: string, target: RestoreTarget, ctx?: PitrCallContext): Promise<{ identifier: string; adopted: boolean }> {
    const dir = this.runDir(runId);
    const dataDir = path.join(dir, "data");
    const found = await this.readMarker(runId);
    if (found.state === "foreign") throw this.collision(runId, found.reason);
    if (found.state === "ours") {
      if (!sameTarget(found.marker.target, target)) {
        throw new ConflictError(
          `This run already restored to ${describeTarget(targetOf(found.marker))}; start a new run for another time.`,
        );
      }
      if (await exists(dataDir)) {
        await this.protect(runId);
        if (await serverPid(dataDir)) {
          ctx?.log?.(`Adopting this run's restored server in ${dir}`);
        } else {
          ctx?.log?.(`Adopting this run's restore in ${dir}; starting its server again`);
          await this.start(runId, found.marker, ctx);
        }
        return { identifier: dir, adopted: true };
      }
    }

    // Refuse before creating anything: the window is described afresh, never trusted from the caller.
    const { window, backups } = await this.describe(ctx);
    const problem = this.windowProblem(window, backups, target);
    if (problem) throw new RestoreWindowError(problem);
    const backup = this.chooseBackup(backups, target);
    if (!backup) throw new RestoreWindowError(`No base backup finished before ${describeTarget(target)}.`);

    let marker: RunMarker;
    if (found.state === "ours") {
      // An earlier attempt stopped while copying: copy again.
      marker = { ...found.marker, baseBackup: backup.name };
    } else {
      await ensurePostgresDir(this.source.restoreDir);
      try {
        // Not recursive: EEXIST rather than adopting a folder someone else just made.
        await mkdir(dir, { mode: 0o700 });
      } catch (error) {
        if (errorCode(error) === "EEXIST") throw this.collision(runId, "it appeared while this run was starting");
        throw error;
      }
      marker = {
        runId,
        target: target.kind === "latest" ? { kind: "latest" } : { kind: "time", time: target.time.toISOString() },
        baseBackup: backup.name,
        createdAt: this.now().toISOString(),
      };
    }
    await this.writeMarker(runId, marker);
    await this.protect(runId);
    await giveToOwner(dir);

    ctx?.log?.(`Copying base backup ${backup.name} (${Math.ceil(backup.sizeBytes / 1024 / 1024)} MB) into ${dataDir}`);
    const partial = `${dataDir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await runAsPostgres("cp", ["-a", "--", backup.dataDir, partial], { signal: ctx?.signal });
    // A running server's files, and a standby role, must not come along.
    for (const file of ["postmaster.pid", "postmaster.opts", "standby.signal"]) await rm(path.join(partial, file), { force: true });
    await this.fillMissingConfig(partial);
    await writeOwned(path.join(partial, "recovery.signal"), "");
    await rename(partial, dataDir);

    await this.start(runId, marker, ctx);
    return { identifier: dir, adopted: found.state === "ours" };
  }

  /** Clusters with their configuration outside the data directory (Debian's /etc/postgresql) copy without it. */
  private async fillMissingConfig(dataDir: string): Promise<void> {
    const conf = path.join(dataDir, "postgresql.conf");
    if (!(await exists(conf))) await writeOwned(conf, "# restore-console: the source keeps its configuration elsewhere\n");
    const hba = path.join(dataDir, "pg_hba.conf");
    if (!(await exists(hba))) {
      await writeOwned(hba, "host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
    }
  }

  /** Our block in postgresql.auto.conf (read last, so it wins), replaced on every start with the new port. */
  private async writeSettings(dataDir: string, port: number, target: RunMarker["target"]): Promise<void> {
    const file = path.join(dataDir, "postgresql.auto.conf");
    const current = await readFile(file, "utf8").catch(() => "");
    const start = current.indexOf(SETTINGS_BEGIN);
    const end = current.indexOf(SETTINGS_END);
    const kept = start >= 0 && end > start ? current.slice(0, start) + current.slice(end + SETTINGS_END.length + 1) : current;
    // restore_command runs through the shell, and % starts its own placeholders.
    const archive = shellQuote(this.source.archiveDir).replaceAll("%", "%%");
    const settings = [
      SETTINGS_BEGIN,
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      // Never archive into the source's archive: a restored timeline there would confuse its own recovery.
      "archive_mode = off",
      `restore_command = ${confString(`cp ${archive}/%f %p`)}`,
      // A source that was itself restored may carry other targets; two targets are a startup error.
      "recovery_target = ''",
      "recovery_target_name = ''",
      "recovery_target_lsn = ''",
      "recovery_target_xid = ''",
      `recovery_target_time = ${target.kind === "time" ? confString(recoveryTargetTime(new Date(target.time))) : "''"}`,
      "recovery_target_inclusive = on",
      "recovery_target_timeline = 'latest'",
      "recovery_target_action = 'promote'",
      "hot_standby = on",
      // Failures must land in our log file, in words our error mapping reads.
      "logging_collector = off",
      "lc_messages = 'C'",
      SETTINGS_END,
    ];
    const body = `${kept}${kept === "" || kept.endsWith("\n") ? "" : "\n"}${settings.join("\n")}\n`;
    await writeOwned(file, body);
  }

  private async start(runId: string, marker: RunMarker, ctx?: PitrCallContext): Promise<void> {
    const dir = this.runDir(runId);
    const dataDir = path.join(dir, "data");
    const logFile = path.join(dir, "server.log");
    const binaries = await findPgBinaries();
    for (let attempt = 0; ; attempt++) {
      const port = await freeLoopbackPort();
      await this.writeSettings(dataDir, port, marker.target);
      const logOffset = await fileSize(logFile);
      await this.writeMarker(runId, { ...marker, port, logOffset });
      ctx?.log?.(`Starting the restored server on 127.0.0.1:${port}, recovering to ${describeTarget(targetOf(marker))}`);
      try {
        await runAsPostgres(binaries.path("pg_ctl"), ["-D", dataDir, "-l", logFile, "-w", "-t", String(START_TIMEOUT_S), "start"], {
          signal: ctx?.signal,
        });
        return;
      } catch (error) {
        // Still replaying towards consistency after pg_ctl gave up waiting: waitUntilAvailable takes over.
        if (await serverPid(dataDir)) return;
        const lines = await logSince(logFile, logOffset);
        if (attempt < 2 && lines.some((line) => line.includes("could not bind"))) continue;
        throw failureFromLog(lines, logFile, error);
      }
    }
  }

  async createWriter(): Promise<{ identifier: string | null; adopted: boolean }> {
    return { identifier: null, adopted: false };
  }

  async waitUntilAvailable(runId: string, options: PitrCallContext & { timeoutMs: number }): Promise<PitrEndpoint> {
    const dir = this.runDir(runId);
    const dataDir = path.join(dir, "data");
    const logFile = path.join(dir, "server.log");
    const found = await this.readMarker(runId);
    if (found.state === "foreign") throw this.collision(runId, found.reason);
    const port = found.state === "ours" ? found.marker.port : undefined;
    if (found.state !== "ours" || port === undefined) {
      throw new PitrResourceNotFoundError(`No restored server was started for this run in ${dir}. Run the restore step first.`);
    }
    const { logOffset = 0 } = found.marker;
    const password = await this.password();
    const deadline = Date.now() + options.timeoutMs;
    options.log?.(`Waiting for recovery to finish and the server to promote (log: ${logFile})`);
    let client: pg.Client | undefined;
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        if (!(await serverPid(dataDir))) throw failureFromLog(await logSince(logFile, logOffset), logFile);
        try {
          client ??= await this.connect(port, "127.0.0.1", this.source.database, password);
          const { rows } = await client.query<{ in_recovery: boolean }>("SELECT pg_is_in_recovery() AS in_recovery");
          if (rows[0]?.in_recovery === false) {
            return { host: "127.0.0.1", port, database: this.source.database, user: this.source.user, identifier: dir };
          }
        } catch (error) {
          await client?.end().catch(() => undefined);
          client = undefined;
          await this.failFastOnConnectError(error, port, password);
          // Otherwise still starting (refused, "starting up", "not yet accepting connections"): poll again.
        }
        if (Date.now() >= deadline) {
          throw new PitrTimeoutError(
            `The restored server did not finish recovery within ${Math.round(options.timeoutMs / 1000)} s. It is still running; ` +
              `see ${logFile}. Wait again with a longer limit, or clean up this run.`,
          );
        }
        await delay(POLL_MS, undefined, { signal: options.signal });
      }
    } finally {
      await client?.end().catch(() => undefined);
    }
  }

  /** Errors that polling will not fix: wrong credentials, or a database that did not exist at the target time. */
  private async failFastOnConnectError(error: unknown, port: number, password: string | undefined): Promise<void> {
    const code = errorCode(error);
    if (code === "28P01" || code === "28000") {
      throw new PitrFailedError(
        `The restored server refused ${this.source.user}'s credentials. Roles and passwords are the source's as of the target ` +
          "time: a password changed after it is not in effect there.",
        { cause: error },
      );
    }
    if (code !== "3D000") return;
    // Not there yet during replay, or never there at the target time: template1 tells which.
    let probe: pg.Client | undefined;
    try {
      probe = await this.connect(port, "127.0.0.1", "template1", password);
      const { rows } = await probe.query<{ in_recovery: boolean }>("SELECT pg_is_in_recovery() AS in_recovery");
      if (rows[0]?.in_recovery !== false) return;
    } catch {
      return;
    } finally {
      await probe?.end().catch(() => undefined);
    }
    throw new PitrFailedError(
      `Database ${this.source.database} does not exist in the restored server: it did not exist at the target time. Choose a later time.`,
      { cause: error },
    );
  }

  /**
   * Stops the restored server, lifts the protection, then keeps the run's folder as its final
   * snapshot (moved, whole, to `<restoreDir>/snapshots/<folder>-final`, startable with pg_ctl) or,
   * when asked, deletes it. A snapshot already there from this run (a clean-up interrupted after
   * the move) is adopted; someone else's stops clean-up with nothing deleted.
   */
  async cleanup(runId: string, options: PitrCleanupOptions, ctx?: PitrCallContext): Promise<PitrCleanupResult> {
    const dir = this.runDir(runId);
    const dataDir = path.join(dir, "data");
    const found = await this.readMarker(runId);
    const snapshot = options.finalSnapshot ? finalSnapshotIdentifier(this.kind, dir) : null;
    const snapshotState = snapshot ? await readMarkerIn(snapshot, runId) : null;
    if (found.state === "absent") return { deleted: [], finalSnapshot: snapshotState?.state === "ours" ? snapshot : null };
    if (found.state === "foreign") {
      ctx?.log?.(`Left ${dir} alone: ${found.reason}`);
      return { deleted: [], finalSnapshot: null };
    }
    if (snapshot && snapshotState?.state === "foreign") {
      throw new NameCollisionError(`${snapshot} already exists and is not this run's final snapshot (${snapshotState.reason}), so ${dir} was not deleted. Move it away, or clean up without a final snapshot.`);
    }
    await stopServer(dataDir, ctx);
    ctx?.log?.(`Lifting deletion protection on ${dir}`);
    await rm(path.join(dir, PROTECTION_FILE), { force: true });
    await rm(`${dataDir}.partial`, { recursive: true, force: true });
    if (snapshot && snapshotState?.state === "absent") {
      await ensurePostgresDir(path.dirname(snapshot));
      // One rename: the folder is either still the run's or already the snapshot, never half of each.
      await rename(dir, snapshot);
      ctx?.log?.(`Kept the restored data as the final snapshot ${snapshot}; removed ${dir}`);
      return { deleted: [dir], finalSnapshot: snapshot };
    }
    if (snapshot) ctx?.log?.(`The final snapshot ${snapshot} already exists with this run's marker (an earlier clean-up moved it); deleting ${dir} without another`);
    else ctx?.log?.(`Deleting ${dir} without a final snapshot (as asked)`);
    // The data first and the marker last: an interrupted clean-up leaves a folder that is still ours.
    await rm(dataDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
    ctx?.log?.(`Removed ${dir}`);
    return { deleted: [dir], finalSnapshot: snapshot };
  }
}

/** Stops a restored server if it runs: fast (rolls back sessions), immediate if that hangs. */
async function stopServer(dataDir: string, ctx?: PitrCallContext): Promise<boolean> {
  if (!(await serverPid(dataDir))) return false;
  ctx?.log?.(`Stopping the restored server in ${dataDir}`);
  const pgCtl = (await findPgBinaries()).path("pg_ctl");
  try {
    await runAsPostgres(pgCtl, ["-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"]);
  } catch {
    await runAsPostgres(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "-t", "60", "stop"]);
  }
  return true;
}

/**
 * Stops every restored server still running under `restoreDir` (run folders only; final
 * snapshots never run), changing no files: for a host shutting down, such as the demo's Ctrl-C.
 * The run keeps its folder; the restore step starts the server again if the run resumes.
 */
export async function stopRestoredServers(restoreDir: string, log?: (message: string) => void): Promise<string[]> {
  const stopped: string[] = [];
  for (const entry of await readdir(restoreDir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || !RUN_FOLDER.test(entry.name)) continue;
    const dataDir = path.join(restoreDir, entry.name, "data");
    if (await stopServer(dataDir, { log })) stopped.push(dataDir);
  }
  return stopped;
}


/** Whose folder `dir` is, from its marker: absent, this run's, or someone else's (and why). */
async function readMarkerIn(dir: string, runId: string): Promise<MarkerState> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MARKER_FILE), "utf8");
  } catch {
    return (await exists(dir)) ? { state: "foreign", reason: `it has no ${MARKER_FILE}` } : { state: "absent" };
  }
  let parsed;
  try {
    parsed = RunMarker.safeParse(JSON.parse(text));
  } catch {
    return { state: "foreign", reason: `its ${MARKER_FILE} is not readable` };
  }
  if (!parsed.success) return { state: "foreign", reason: `its ${MARKER_FILE} is not readable` };
  if (parsed.data.runId !== runId) return { state: "foreign", reason: `it belongs to run ${parsed.data.runId}` };
  return { state: "ours", marker: parsed.data };
}

function targetOf(marker: RunMarker): RestoreTarget {
  return marker.target.kind === "latest" ? { kind: "latest" } : { kind: "time", time: new Date(marker.target.time) };
}

/** Files in a data directory must belong to the server's user. */
async function writeOwned(file: string, content: string): Promise<void> {
  await writeFile(file, content, { mode: 0o600 });
  await giveToOwner(file);
}

async function logSince(logFile: string, offset: number): Promise<string[]> {
  try {
    const text = await readFile(logFile);
    return text.subarray(Math.min(offset, text.length)).toString("utf8").split("\n");
  } catch {
    return [];
  }
}

/** The restored server stopped: say why, from its log, in the runbook's terms. */
function failureFromLog(lines: string[], logFile: string, cause?: unknown): PitrFailedError {
  const fatal = lines
    .map((line) => /\b(?:FATAL|PANIC):\s+(.*)$/.exec(line)?.[1]?.trim())
    .filter((line): line is string => Boolean(line));
  const details = { log: logFile };
  if (fatal.some((line) => line.includes("recovery ended before configured recovery target was reached"))) {
    return new PitrFailedError(
      "Recovery reached the end of the archived WAL before the target time: nothing committed after it has been archived yet. " +
        'Choose an earlier time (inside the restore window) or "latest"; SELECT pg_switch_wal() on the source archives the current WAL at once.',
      { cause, details },
    );
  }
  if (fatal.some((line) => line.includes("before consistent recovery point"))) {
    return new PitrFailedError(
      "The target time is before the base backup became consistent, so it cannot be reached from this backup. Choose a later time.",
      { cause, details },
    );
  }
  if (fatal.some((line) => line.includes("could not create any TCP/IP sockets"))) {
    return new PitrFailedError(`The restored server could not listen on its port (another process took it). Run the restore step again.`, {
      cause,
      details,
    });
  }
  const first = fatal[0];
  return new PitrFailedError(
    first ? `The restored server stopped: "${first}". See ${logFile}.` : `The restored server stopped unexpectedly. See ${logFile}.`,
    { cause, details },
  );
}
