import "server-only";
import { access, constants, readdir, statfs } from "node:fs/promises";
import path from "node:path";
import type { LocalPitrSource } from "@/lib/config/schema";
import { errorMessage } from "@/lib/errors";
import { chooseBaseBackup, type BaseBackup } from "@/lib/providers/local/base-backups";
import { collisionError, exists, fileSize, readMarker, runDir } from "@/lib/providers/local/local-pitr-run-folder";
import { describeTarget, formatUtc, SEGMENT_NAME, windowProblem, type LocalPitrWindow } from "@/lib/providers/local/local-pitr-window";
import type { PitrCallContext, PitrPreflight, RecoveryPoint } from "@/lib/providers/pitr";
import { findPgBinaries } from "@/lib/providers/postgres/binaries";
import { runAsPostgres } from "@/lib/providers/postgres/cluster";

// What a local restore needs before it starts, checked without changing anything: the target in
// the window, the run's folder free (or already ours), matching server binaries, folders the
// server's user can use, and room for the copy.

type Check = PitrPreflight["checks"][number];

export async function preflightRestore(
  { source, window: restoreWindow }: { source: LocalPitrSource; window: LocalPitrWindow },
  runId: string,
  target: RecoveryPoint,
  ctx?: PitrCallContext,
): Promise<PitrPreflight> {
  const checks: PitrPreflight["checks"] = [];
  const { window, backups } = await restoreWindow.describe(ctx);
  const problem = windowProblem(window, backups, target);
  checks.push({
    name: "window",
    ok: problem === null,
    message:
      problem ??
      `${describeTarget(target)} is restorable (window ${window.earliest ? formatUtc(window.earliest) : "unknown"} to ${window.latest ? formatUtc(window.latest) : "unknown"}).`,
  });

  const dir = runDir(source.restoreDir, runId);
  const marker = await readMarker(dir, runId);
  checks.push(
    marker.state === "foreign"
      ? { name: "identifiers", ok: false, message: collisionError(dir, marker.reason).message }
      : {
          name: "identifiers",
          ok: true,
          message: marker.state === "ours" ? `${dir} already holds this run's restore; it will be adopted.` : `${dir} is free.`,
        },
  );

  const backup = chooseBaseBackup(backups, target);
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

  checks.push(await accessCheck(source));
  if (backup) checks.push(await diskSpaceCheck(source, backup));
  return { ok: checks.every((check) => check.ok), checks };
}

/**
 * The server runs as postgres: it must read the archive and the base backups, and write in the
 * restore folder; a restore folder that does not exist yet is created by us and handed over.
 */
async function accessCheck({ archiveDir, baseBackupDir, restoreDir }: LocalPitrSource): Promise<Check> {
  const restoreExists = await exists(restoreDir);
  const nearest = await nearestExisting(restoreDir);
  const fix = "Fix the folders' owner or permissions.";
  try {
    await runAsPostgres("test", [
      "-r",
      archiveDir,
      "-a",
      "-x",
      archiveDir,
      "-a",
      "-x",
      baseBackupDir,
      "-a",
      "-x",
      nearest,
      ...(restoreExists ? ["-a", "-w", restoreDir] : []),
    ]);
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
  return {
    name: "permissions",
    ok: true,
    message: `The archive and base backups are readable and ${restoreDir} is usable by the server's user.`,
  };
}

async function nearestExisting(dir: string): Promise<string> {
  let current = path.resolve(dir);
  while (!(await exists(current)) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

/** A warning only: the WAL to replay is an upper bound (replayed segments are recycled). */
async function diskSpaceCheck(source: LocalPitrSource, backup: BaseBackup): Promise<Check> {
  const where = await nearestExisting(source.restoreDir);
  let walBytes = 0;
  try {
    for (const name of await readdir(source.archiveDir)) {
      if (SEGMENT_NAME.test(name) && name.slice(8) >= backup.startWalFile.slice(8)) {
        walBytes += await fileSize(path.join(source.archiveDir, name));
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
