import "server-only";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { LocalPitrSource } from "@/lib/config/schema";
import { ConflictError, errorCode } from "@/lib/errors";
import { chooseBaseBackup, ensurePostgresDir } from "@/lib/providers/local/base-backups";
import { serverPid, startServer, writeOwned } from "@/lib/providers/local/local-pitr-cluster";
import {
  collisionError,
  exists,
  markerTarget,
  protect,
  readMarker,
  runDir,
  sameTarget,
  targetOf,
  writeMarker,
  type RunMarker,
} from "@/lib/providers/local/local-pitr-run-folder";
import { describeTarget, windowProblem, type LocalPitrWindow } from "@/lib/providers/local/local-pitr-window";
import { RestoreWindowError, type PitrCallContext, type RecoveryPoint } from "@/lib/providers/pitr";
import { giveToOwner, runAsPostgres } from "@/lib/providers/postgres/cluster";

// The restore itself: a base backup copied into the run's folder as a data directory set to
// recover to the target, then started. Safe to call again: a folder this run already made is
// adopted (its server restarted if it stopped, its copy redone if it was interrupted).

export interface LocalPitrRestoreDeps {
  source: LocalPitrSource;
  window: LocalPitrWindow;
  now: () => Date;
}

export async function restoreToTarget(
  { source, window: restoreWindow, now }: LocalPitrRestoreDeps,
  runId: string,
  target: RecoveryPoint,
  ctx?: PitrCallContext,
): Promise<{ identifier: string; adopted: boolean }> {
  const dir = runDir(source.restoreDir, runId);
  const dataDir = path.join(dir, "data");
  const found = await readMarker(dir, runId);
  if (found.state === "foreign") throw collisionError(dir, found.reason);
  if (found.state === "ours") {
    if (!sameTarget(found.marker.target, target)) {
      throw new ConflictError(`This run already restored to ${describeTarget(targetOf(found.marker))}; start a new run for another time.`);
    }
    if (await exists(dataDir)) {
      await protect(dir, runId, now);
      if (await serverPid(dataDir)) {
        ctx?.log?.(`Adopting this run's restored server in ${dir}`);
      } else {
        ctx?.log?.(`Adopting this run's restore in ${dir}; starting its server again`);
        await startServer(source, runId, found.marker, ctx);
      }
      return { identifier: dir, adopted: true };
    }
  }

  // Refuse before creating anything: the window is described afresh, never trusted from the caller.
  const { window, backups } = await restoreWindow.describe(ctx);
  const problem = windowProblem(window, backups, target);
  if (problem) throw new RestoreWindowError(problem);
  const backup = chooseBaseBackup(backups, target);
  if (!backup) throw new RestoreWindowError(`No base backup finished before ${describeTarget(target)}.`);

  let marker: RunMarker;
  if (found.state === "ours") {
    // An earlier attempt stopped while copying: copy again.
    marker = { ...found.marker, baseBackup: backup.name };
  } else {
    await ensurePostgresDir(source.restoreDir);
    try {
      // Not recursive: EEXIST rather than adopting a folder someone else just made.
      await mkdir(dir, { mode: 0o700 });
    } catch (error) {
      if (errorCode(error) === "EEXIST") throw collisionError(dir, "it appeared while this run was starting");
      throw error;
    }
    marker = { runId, target: markerTarget(target), baseBackup: backup.name, createdAt: now().toISOString() };
  }
  await writeMarker(dir, marker);
  await protect(dir, runId, now);
  await giveToOwner(dir);

  ctx?.log?.(`Copying base backup ${backup.name} (${Math.ceil(backup.sizeBytes / 1024 / 1024)} MB) into ${dataDir}`);
  const partial = `${dataDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await runAsPostgres("cp", ["-a", "--", backup.dataDir, partial], { signal: ctx?.signal });
  // A running server's files, and a standby role, must not come along.
  for (const file of ["postmaster.pid", "postmaster.opts", "standby.signal"]) await rm(path.join(partial, file), { force: true });
  await fillMissingConfig(partial);
  await writeOwned(path.join(partial, "recovery.signal"), "");
  await rename(partial, dataDir);

  await startServer(source, runId, marker, ctx);
  return { identifier: dir, adopted: found.state === "ours" };
}

/** Clusters with their configuration outside the data directory (Debian's /etc/postgresql) copy without it. */
async function fillMissingConfig(dataDir: string): Promise<void> {
  const conf = path.join(dataDir, "postgresql.conf");
  if (!(await exists(conf))) await writeOwned(conf, "# restore-console: the source keeps its configuration elsewhere\n");
  const hba = path.join(dataDir, "pg_hba.conf");
  if (!(await exists(hba))) {
    await writeOwned(hba, "host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
  }
}
