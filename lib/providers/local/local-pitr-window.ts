import "server-only";
import { spawn } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import type pg from "pg";
import type { LocalPitrSource } from "@/lib/config/schema";
import { errorMessage } from "@/lib/errors";
import { listBaseBackups, type BaseBackup } from "@/lib/providers/local/base-backups";
import { connectAsSourceUser, sourcePassword } from "@/lib/providers/local/local-pitr-connect";
import type { PitrCallContext, RecoveryPoint, RestoreWindow } from "@/lib/providers/pitr";
import { findPgBinaries } from "@/lib/providers/postgres/binaries";

// The restore window of a self-hosted PostgreSQL: which times its base backups plus its WAL
// archive can reach, and whether a given target is one of them.

export const SEGMENT_NAME = /^[0-9A-F]{24}$/;
/** Newest archived segments read looking for a commit; a bulk load without commits spans many. */
const MAX_SEGMENTS_SCANNED = 64;

/** The newest commit in the archive, in microseconds since the epoch (commit records carry µs). */
type ArchiveScan = { commitMicros: number | null; newestSegment: string | null } | { error: string; newestSegment: string | null };

type ArchiverStats = { lastArchivedTime: Date | null; lastFailedTime: Date | null; lastFailedWal: string | null };

export function formatUtc(date: Date): string {
  return `${date.toISOString().replace("T", " ").replace("Z", "")} UTC`;
}

export function describeTarget(target: RecoveryPoint): string {
  return target.kind === "latest" ? "the latest archived WAL" : formatUtc(target.time);
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
 * Earliest is when the oldest base backup finished (a restore from it is consistent only after
 * its end-of-backup WAL, so a target before that cannot be reached). Latest is the newest commit
 * found in the archive, minus a microsecond: recovery to a time stops only at the first commit
 * AFTER the target, so a target at or after the last archived commit runs out of WAL and fails
 * ("recovery ended before configured recovery target was reached"). The source's
 * pg_stat_archiver.last_archived_time is later than that commit by up to archive_timeout and
 * would promise times that fail; it is used for notes (a failing archiver), and as an
 * approximate fallback when the archive cannot be read.
 */
export class LocalPitrWindow {
  /** Archived segments never change: the newest commit in each, by file name. */
  private readonly segmentCommits = new Map<string, number | null>();

  constructor(
    private readonly source: LocalPitrSource,
    private readonly now: () => Date,
  ) {}

  /** The window, with the base backups it was described from (a restore chooses among them). */
  async describe(ctx?: PitrCallContext): Promise<{ window: RestoreWindow; backups: BaseBackup[] }> {
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
      notes.push(
        `The WAL archive ${this.source.archiveDir} holds no WAL segments yet: check archive_mode and archive_command on the source.`,
      );
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

  private async readArchiver(): Promise<{ stats: ArchiverStats } | { error: string }> {
    let client: pg.Client | undefined;
    try {
      client = await connectAsSourceUser(
        this.source,
        this.source.port,
        this.source.host,
        this.source.database,
        await sourcePassword(this.source),
      );
      const { rows } = await client.query<{
        last_archived_time: Date | null;
        last_failed_time: Date | null;
        last_failed_wal: string | null;
      }>("SELECT last_archived_time, last_failed_time, last_failed_wal FROM pg_stat_archiver");
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
}

/** Why `target` cannot be restored, or null. */
export function windowProblem(window: RestoreWindow, backups: BaseBackup[], target: RecoveryPoint): string | null {
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
