import "server-only";
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { errorCode } from "@/lib/errors";
import { giveToOwner, runAsPostgres } from "@/lib/providers/postgres/cluster";
import { findPgBinaries } from "@/lib/providers/postgres/binaries";
import { pgPassfileLine, pgToolEnv, type PgConnection } from "@/lib/providers/postgres/connection";
import { PitrFailedError, type RecoveryPoint } from "@/lib/providers/pitr";

// Base backups for the local PITR provider: `pg_basebackup -Fp -Xstream` copies, one folder each
// (`<name>/data` plus `<name>/base-backup.json`), built under `<name>.partial` and renamed when
// complete, so a folder without the suffix is always a whole, usable backup.

const METADATA_FILE = "base-backup.json";
const PARTIAL_SUFFIX = ".partial";

/**
 * Creates `dir` (private, owned by postgres, which must reach into it) with traversable parents;
 * an existing folder is left as it is.
 */
export async function ensurePostgresDir(dir: string): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    if (errorCode(error) === "EEXIST") return;
    throw error;
  }
  await giveToOwner(dir);
}

const BaseBackupMetadata = z.object({
  /** Our clock just before pg_basebackup started. */
  startedAt: z.iso.datetime(),
  /**
   * Our clock once pg_basebackup returned, after the backup's end-of-backup WAL: recovery from this
   * backup is consistent by then, so it is the earliest time a restore from it can reach. Same
   * machine as the source, so the same clock as its commit timestamps.
   */
  finishedAt: z.iso.datetime(),
  /** backup_label's START TIME as the server wrote it (its log_timezone, seconds only): for people. */
  labelStartTime: z.string(),
  startLsn: z.string(),
  startWalFile: z.string().regex(/^[0-9A-F]{24}$/),
  /** From backup_manifest's WAL-Ranges; null when the server wrote no manifest. */
  endLsn: z.string().nullable(),
  timeline: z.number().int().positive(),
  pgMajor: z.number().int().positive(),
  sizeBytes: z.number().int().nonnegative(),
});
type BaseBackupMetadata = z.infer<typeof BaseBackupMetadata>;

export interface BaseBackup {
  name: string;
  /** The backup's folder (holds data/ and base-backup.json). */
  path: string;
  /** The copied data directory: what a restore starts from. */
  dataDir: string;
  startedAt: Date;
  finishedAt: Date;
  labelStartTime: string;
  startLsn: string;
  startWalFile: string;
  endLsn: string | null;
  timeline: number;
  pgMajor: number;
  sizeBytes: number;
}

function toBaseBackup(folder: string, metadata: BaseBackupMetadata): BaseBackup {
  return {
    ...metadata,
    name: path.basename(folder),
    path: folder,
    dataDir: path.join(folder, "data"),
    startedAt: new Date(metadata.startedAt),
    finishedAt: new Date(metadata.finishedAt),
  };
}

/** `START WAL LOCATION: 0/2000028 (file 000000010000000000000002)` and friends. */
function parseBackupLabel(label: string): Pick<BaseBackupMetadata, "labelStartTime" | "startLsn" | "startWalFile" | "timeline"> {
  const start = /^START WAL LOCATION: ([0-9A-F]+\/[0-9A-F]+) \(file ([0-9A-F]{24})\)$/m.exec(label);
  const time = /^START TIME: (.+)$/m.exec(label);
  const timeline = /^START TIMELINE: (\d+)$/m.exec(label);
  if (!start?.[1] || !start[2] || !time?.[1] || !timeline?.[1]) {
    throw new PitrFailedError("The base backup's backup_label is not in the expected format; the backup was discarded.");
  }
  return { startLsn: start[1], startWalFile: start[2], labelStartTime: time[1], timeline: Number(timeline[1]) };
}

async function manifestEndLsn(dataDir: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, "backup_manifest"), "utf8");
  } catch {
    return null;
  }
  const manifest = z.object({ "WAL-Ranges": z.array(z.object({ "End-LSN": z.string() })).optional() }).safeParse(JSON.parse(text));
  return manifest.success ? (manifest.data["WAL-Ranges"]?.at(-1)?.["End-LSN"] ?? null) : null;
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? await directorySize(full) : (await lstat(full)).size;
  }
  return total;
}

/** `2026-11-02T10-11-12.345Z`: sorts by time and needs no quoting anywhere. */
function backupName(at: Date): string {
  return at.toISOString().replaceAll(":", "-");
}

/** pg_basebackup's error line (libpq's "password retrieved from file" follows it); it never holds the password. */
function errorLine(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.find((line) => line.includes("error:")) ?? lines.at(-1) ?? "no message";
}

function stderrOf(error: unknown): string {
  return error instanceof Error && "stderr" in error && typeof error.stderr === "string" ? error.stderr : "";
}

/**
 * Takes a base backup of `source` into `baseBackupDir` with pg_basebackup (fast checkpoint, WAL
 * streamed alongside so the copy is self-consistent). The password reaches pg_basebackup through a
 * 0600 passfile readable only by the user it runs as; never argv.
 */
export async function takeBaseBackup(options: {
  source: PgConnection;
  baseBackupDir: string;
  signal?: AbortSignal;
  now?: () => Date;
}): Promise<BaseBackup> {
  const now = options.now ?? (() => new Date());
  const binaries = await findPgBinaries();
  await ensurePostgresDir(options.baseBackupDir);
  const startedAt = now();
  const name = backupName(startedAt);
  const partial = path.join(options.baseBackupDir, name + PARTIAL_SUFFIX);
  const final = path.join(options.baseBackupDir, name);
  // Not recursive: a folder of the same name means another backup started in the same millisecond.
  await mkdir(partial, { mode: 0o700 });
  let secretDir: string | undefined;
  try {
    await giveToOwner(partial);
    let passfile: string | undefined;
    if (options.source.password) {
      secretDir = await mkdtemp(path.join(tmpdir(), "rc-basebackup-"));
      passfile = path.join(secretDir, "pgpass");
      // `*` for the database: replication connections match only "replication" or a wildcard.
      await writeFile(passfile, pgPassfileLine(options.source, "*", options.source.password), { mode: 0o600, flag: "wx" });
      await giveToOwner(secretDir);
      await giveToOwner(passfile);
    }
    const dataDir = path.join(partial, "data");
    try {
      await runAsPostgres(binaries.path("pg_basebackup"), ["-D", dataDir, "-Fp", "-Xstream", "-c", "fast", "--no-password"], {
        env: pgToolEnv(options.source, "postgres", passfile),
        signal: options.signal,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      throw new PitrFailedError(
        `pg_basebackup failed: ${errorLine(stderrOf(error))}. Check that the source is running, that ${options.source.user} has the ` +
          `REPLICATION attribute, and that pg_hba.conf allows replication connections from this host.`,
        { cause: error },
      );
    }
    const finishedAt = now();
    const label = parseBackupLabel(await readFile(path.join(dataDir, "backup_label"), "utf8"));
    const metadata: BaseBackupMetadata = {
      ...label,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      endLsn: await manifestEndLsn(dataDir),
      pgMajor: Number((await readFile(path.join(dataDir, "PG_VERSION"), "utf8")).trim()),
      sizeBytes: await directorySize(dataDir),
    };
    await writeFile(path.join(partial, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
    // The rename is the commit point: listBaseBackups never sees a half-written backup.
    await rename(partial, final);
    return toBaseBackup(final, metadata);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  } finally {
    if (secretDir) await rm(secretDir, { recursive: true, force: true });
  }
}

/** Complete base backups in `dir`, newest first; unfinished (`.partial`) and unreadable folders are skipped. */
export async function listBaseBackups(dir: string): Promise<BaseBackup[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === "ENOENT") return [];
    throw error;
  }
  const backups: BaseBackup[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.endsWith(PARTIAL_SUFFIX)) continue;
    const folder = path.join(dir, entry.name);
    try {
      const metadata = BaseBackupMetadata.safeParse(JSON.parse(await readFile(path.join(folder, METADATA_FILE), "utf8")));
      if (metadata.success) backups.push(toBaseBackup(folder, metadata.data));
    } catch {
      // Not one of ours (no metadata file, or not JSON): not a backup we can restore from.
    }
  }
  return backups.sort((a, b) => b.finishedAt.getTime() - a.finishedAt.getTime());
}

/** The newest of `backups` (newest first) a restore to `target` can start from: one finished by then. */
export function chooseBaseBackup(backups: BaseBackup[], target: RecoveryPoint): BaseBackup | undefined {
  return target.kind === "latest" ? backups[0] : backups.find((backup) => backup.finishedAt <= target.time);
}

/**
 * Deletes all but the newest `keep` base backups (at least one always stays) and returns their
 * names. Each is renamed to `.partial` first, so a half-deleted backup is never listed.
 */
export async function pruneBaseBackups(dir: string, keep: number): Promise<string[]> {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError("keep must be a whole number of at least 1");
  const removed: string[] = [];
  for (const backup of (await listBaseBackups(dir)).slice(keep)) {
    const doomed = `${backup.path}.pruning${PARTIAL_SUFFIX}`;
    await rename(backup.path, doomed);
    await rm(doomed, { recursive: true, force: true });
    removed.push(backup.name);
  }
  return removed;
}
