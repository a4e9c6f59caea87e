import "server-only";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type pg from "pg";
import type { LocalPitrSource } from "@/lib/config/schema";
import { errorCode } from "@/lib/errors";
import { ensurePostgresDir } from "@/lib/providers/local/base-backups";
import { connectAsSourceUser, sourcePassword } from "@/lib/providers/local/local-pitr-connect";
import {
  collisionError,
  fileSize,
  liftProtection,
  readMarker,
  RUN_FOLDER,
  runDir,
  targetOf,
  writeMarker,
  type RunMarker,
} from "@/lib/providers/local/local-pitr-run-folder";
import { describeTarget } from "@/lib/providers/local/local-pitr-window";
import {
  finalSnapshotIdentifier,
  NameCollisionError,
  PitrFailedError,
  PitrResourceNotFoundError,
  PitrTimeoutError,
  type PitrCallContext,
  type PitrCleanupOptions,
  type PitrCleanupResult,
  type PitrEndpoint,
} from "@/lib/providers/pitr";
import { findPgBinaries } from "@/lib/providers/postgres/binaries";
import { freeLoopbackPort, giveToOwner, runAsPostgres } from "@/lib/providers/postgres/cluster";

// The restored server's life, from its run folder's data directory: started on a free loopback
// port with our recovery settings, waited on until promoted, stopped, and finally kept as a
// snapshot or deleted. Its log is where failures are read from.

const SETTINGS_BEGIN = "# restore-console: recovery settings (begin)";
const SETTINGS_END = "# restore-console: recovery settings (end)";
const POLL_MS = 100;
const START_TIMEOUT_S = 120;

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

/** Files in a data directory must belong to the server's user. */
export async function writeOwned(file: string, content: string): Promise<void> {
  await writeFile(file, content, { mode: 0o600 });
  await giveToOwner(file);
}

/** The PID in postmaster.pid if that process is alive (EPERM: alive, owned by someone else). */
export async function serverPid(dataDir: string): Promise<number | undefined> {
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

/** Our block in postgresql.auto.conf (read last, so it wins), replaced on every start with the new port. */
async function writeSettings(archiveDir: string, dataDir: string, port: number, target: RunMarker["target"]): Promise<void> {
  const file = path.join(dataDir, "postgresql.auto.conf");
  const current = await readFile(file, "utf8").catch(() => "");
  const start = current.indexOf(SETTINGS_BEGIN);
  const end = current.indexOf(SETTINGS_END);
  const kept = start >= 0 && end > start ? current.slice(0, start) + current.slice(end + SETTINGS_END.length + 1) : current;
  // restore_command runs through the shell, and % starts its own placeholders.
  const archive = shellQuote(archiveDir).replaceAll("%", "%%");
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

/** Starts the run's server on a free port, recording the port and log offset in its marker first. */
export async function startServer(source: LocalPitrSource, runId: string, marker: RunMarker, ctx?: PitrCallContext): Promise<void> {
  const dir = runDir(source.restoreDir, runId);
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  const binaries = await findPgBinaries();
  for (let attempt = 0; ; attempt++) {
    const port = await freeLoopbackPort();
    await writeSettings(source.archiveDir, dataDir, port, marker.target);
    const logOffset = await fileSize(logFile);
    await writeMarker(dir, { ...marker, port, logOffset });
    ctx?.log?.(`Starting the restored server on 127.0.0.1:${port}, recovering to ${describeTarget(targetOf(marker))}`);
    try {
      await runAsPostgres(binaries.path("pg_ctl"), ["-D", dataDir, "-l", logFile, "-w", "-t", String(START_TIMEOUT_S), "start"], {
        signal: ctx?.signal,
      });
      return;
    } catch (error) {
      // Still replaying towards consistency after pg_ctl gave up waiting: waitForServer takes over.
      if (await serverPid(dataDir)) return;
      const lines = await logSince(logFile, logOffset);
      if (attempt < 2 && lines.some((line) => line.includes("could not bind"))) continue;
      throw failureFromLog(lines, logFile, error);
    }
  }
}

/** Polls the run's server until recovery has finished and it has promoted (PitrProvider.waitUntilAvailable). */
export async function waitForServer(
  source: LocalPitrSource,
  runId: string,
  options: PitrCallContext & { timeoutMs: number },
): Promise<PitrEndpoint> {
  const dir = runDir(source.restoreDir, runId);
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  const found = await readMarker(dir, runId);
  if (found.state === "foreign") throw collisionError(dir, found.reason);
  const port = found.state === "ours" ? found.marker.port : undefined;
  if (found.state !== "ours" || port === undefined) {
    throw new PitrResourceNotFoundError(`No restored server was started for this run in ${dir}. Run the restore step first.`);
  }
  const { logOffset = 0 } = found.marker;
  const password = await sourcePassword(source);
  const deadline = Date.now() + options.timeoutMs;
  options.log?.(`Waiting for recovery to finish and the server to promote (log: ${logFile})`);
  let client: pg.Client | undefined;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      if (!(await serverPid(dataDir))) throw failureFromLog(await logSince(logFile, logOffset), logFile);
      try {
        client ??= await connectAsSourceUser(source, port, "127.0.0.1", source.database, password);
        const { rows } = await client.query<{ in_recovery: boolean }>("SELECT pg_is_in_recovery() AS in_recovery");
        if (rows[0]?.in_recovery === false) {
          return { host: "127.0.0.1", port, database: source.database, user: source.user, identifier: dir };
        }
      } catch (error) {
        await client?.end().catch(() => undefined);
        client = undefined;
        await failFastOnConnectError(source, error, port, password);
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
async function failFastOnConnectError(source: LocalPitrSource, error: unknown, port: number, password: string | undefined): Promise<void> {
  const code = errorCode(error);
  if (code === "28P01" || code === "28000") {
    throw new PitrFailedError(
      `The restored server refused ${source.user}'s credentials. Roles and passwords are the source's as of the target ` +
        "time: a password changed after it is not in effect there.",
      { cause: error },
    );
  }
  if (code !== "3D000") return;
  // Not there yet during replay, or never there at the target time: template1 tells which.
  let probe: pg.Client | undefined;
  try {
    probe = await connectAsSourceUser(source, port, "127.0.0.1", "template1", password);
    const { rows } = await probe.query<{ in_recovery: boolean }>("SELECT pg_is_in_recovery() AS in_recovery");
    if (rows[0]?.in_recovery !== false) return;
  } catch {
    return;
  } finally {
    await probe?.end().catch(() => undefined);
  }
  throw new PitrFailedError(
    `Database ${source.database} does not exist in the restored server: it did not exist at the target time. Choose a later time.`,
    { cause: error },
  );
}

/**
 * Stops the restored server, lifts the protection, then keeps the run's folder as its final
 * snapshot (moved, whole, to `<restoreDir>/snapshots/<folder>-final`, startable with pg_ctl) or,
 * when asked, deletes it. A snapshot already there from this run (a clean-up interrupted after
 * the move) is adopted; someone else's stops clean-up with nothing deleted.
 */
export async function cleanupRun(
  source: LocalPitrSource,
  runId: string,
  options: PitrCleanupOptions,
  ctx?: PitrCallContext,
): Promise<PitrCleanupResult> {
  const dir = runDir(source.restoreDir, runId);
  const dataDir = path.join(dir, "data");
  const found = await readMarker(dir, runId);
  const snapshot = options.finalSnapshot ? finalSnapshotIdentifier("local", dir) : null;
  const snapshotState = snapshot ? await readMarker(snapshot, runId) : null;
  if (found.state === "absent") return { deleted: [], finalSnapshot: snapshotState?.state === "ours" ? snapshot : null };
  if (found.state === "foreign") {
    ctx?.log?.(`Left ${dir} alone: ${found.reason}`);
    return { deleted: [], finalSnapshot: null };
  }
  if (snapshot && snapshotState?.state === "foreign") {
    throw new NameCollisionError(
      `${snapshot} already exists and is not this run's final snapshot (${snapshotState.reason}), so ${dir} was not deleted. Move it away, or clean up without a final snapshot.`,
    );
  }
  await stopServer(dataDir, ctx);
  ctx?.log?.(`Lifting deletion protection on ${dir}`);
  await liftProtection(dir);
  await rm(`${dataDir}.partial`, { recursive: true, force: true });
  if (snapshot && snapshotState?.state === "absent") {
    await ensurePostgresDir(path.dirname(snapshot));
    // One rename: the folder is either still the run's or already the snapshot, never half of each.
    await rename(dir, snapshot);
    ctx?.log?.(`Kept the restored data as the final snapshot ${snapshot}; removed ${dir}`);
    return { deleted: [dir], finalSnapshot: snapshot };
  }
  if (snapshot)
    ctx?.log?.(
      `The final snapshot ${snapshot} already exists with this run's marker (an earlier clean-up moved it); deleting ${dir} without another`,
    );
  else ctx?.log?.(`Deleting ${dir} without a final snapshot (as asked)`);
  // The data first and the marker last: an interrupted clean-up leaves a folder that is still ours.
  await rm(dataDir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
  ctx?.log?.(`Removed ${dir}`);
  return { deleted: [dir], finalSnapshot: snapshot };
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
  const fatal = lines.map((line) => /\b(?:FATAL|PANIC):\s+(.*)$/.exec(line)?.[1]?.trim()).filter((line): line is string => Boolean(line));
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
