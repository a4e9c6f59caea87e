import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { AppError } from "@/lib/errors";
import { conninfoDbname, pgToolEnv, withPgEnv } from "./connection";
import { CancelledError, DumpRefusedError, IncompleteDumpError, RestoreToolError } from "./errors";
import { restorePlainParallel } from "./parallel-load";
import { END_MARKER, PlainDumpGuard } from "./plain-dump-guard";
import {
  checkChecksum,
  checksumTap,
  describe,
  GUNZIP_OPTIONS,
  isAbort,
  MIB,
  openSource,
  PSQL_REFUSED,
  quietly,
  Reporter,
  Run,
  settledWithin,
  streamFailure,
  type RestoreDumpOptions,
  type RestoreResult,
} from "./restore-common";
import { findPgTool, maskSecrets, runTool, spawnTool, type ToolExit, type ToolProcess } from "./tools";
import { parseRestoreListLine } from "./dump-toc";
import { SelectionStream } from "./selection-stream";

export type { RestoreDumpOptions, RestoreProgress, RestoreResult } from "./restore-common";

/** A custom archive's list line stays unless a restore of chosen tables leaves its object out. */
function keptByList(line: string, keepEntry: RestoreDumpOptions["keepEntry"]): boolean {
  const entry = keepEntry ? parseRestoreListLine(line) : null;
  return !entry || !keepEntry || keepEntry(entry);
}

const CUSTOM_MAGIC = "PGDMP";

/** The tool stopped reading: it is exiting by itself, and its exit says why. */
class ToolClosedInputError extends Error {
  constructor() {
    super("the tool closed its input");
  }
}

/**
 * Feeds a tool's stdin with backpressure but never ends or destroys it: when the stream fails,
 * the tool must be killed, not handed an EOF it would treat as the end of a good input.
 */
function toolInput(stdin: Writable): Writable {
  return new Writable({
    highWaterMark: MIB,
    write(chunk: Buffer, _encoding, callback) {
      if (stdin.destroyed || stdin.writableEnded) return callback(new ToolClosedInputError());
      if (stdin.write(chunk)) return callback();
      const done = (error?: Error) => {
        stdin.off("drain", onDrain);
        stdin.off("close", onClose);
        callback(error);
      };
      const onDrain = () => done();
      const onClose = () => done(new ToolClosedInputError());
      stdin.on("drain", onDrain);
      stdin.on("close", onClose);
    },
  });
}

/** Lines we write before the dump (`\restrict KEY`, `BEGIN;`): psql's line N is the dump's line N − 2. */
const PREAMBLE_LINES = 2;
/** How long a tool that stopped reading gets to exit by itself before it is killed. */
const SELF_EXIT_GRACE_MS = 5_000;

/** psql's `psql:<stdin>:N:` prefix as the dump's own line number (dropped statements keep their newlines). */
export function withDumpLine(line: string): string {
  return line.replace(/^psql:<stdin>:(\d+):/, (_match, n: string) => `line ${Math.max(1, Number(n) - PREAMBLE_LINES)} of the dump:`);
}

/**
 * Plain dump, one pass: store → sha256 → gunzip → statement guard → psql inside our own
 * transaction, committed only when the checksum matched and the end marker arrived; otherwise
 * psql is killed (the server rolls back) and never sees an EOF after a bad stream. With jobs > 1,
 * the same pass feeds several psql connections instead (parallel-load.ts).
 */
async function restorePlain(options: RestoreDumpOptions, run: Run, secrets: readonly string[]): Promise<RestoreResult> {
  const jobs = checkedJobs(options.jobs ?? 1);
  // Several connections cannot share one transaction: the scratch database itself is the unit that is kept or dropped.
  if (jobs > 1) return restorePlainParallel(options, run, secrets, jobs);
  const source = await openSource(options, run.upstream.signal, secrets);
  return loadSql(options, run, secrets, source, { gunzip: true });
}

function checkedJobs(jobs: number): number {
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new RangeError(`jobs must be an integer from 1 to 64, not ${jobs}`);
  return jobs;
}

/** SQL (gzipped as stored, or as a tool writes it) through the guard into psql, as above. */
async function loadSql(
  options: RestoreDumpOptions,
  run: Run,
  secrets: readonly string[],
  source: Readable,
  input: { gunzip: boolean },
): Promise<RestoreResult> {
  const psql = await findPgTool("psql");
  const hash = createHash("sha256");
  const guard = new PlainDumpGuard(options.existingRoles ? { existingRoles: options.existingRoles } : {});
  const reporter = new Reporter(options, () => ({ sqlBytes: guard.sqlBytes, rows: guard.rows }));
  const message = quietly(options.onMessage);

  return withPgEnv(options.target, options.database, async (env) => {
    // psql refuses every meta-command (\!, \o |cmd, \copy … program…) until `\unrestrict <key>`, which only we know.
    const key = randomBytes(24).toString("hex");
    const committedLine = `restore-console committed ${randomBytes(12).toString("hex")}`;
    const committedSeen = maskSecrets(committedLine, secrets);
    let committed = false;
    let inputEnded = false;
    let exitedByItself = false;
    // `-f -` (not plain stdin) makes psql name the line of each error: psql:<stdin>:N:.
    const tool = spawnTool(psql, ["-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-f", "-"], {
      env,
      secrets,
      stdin: "pipe",
      onStderrLine: (line) => {
        if (line === committedSeen) committed = true;
        else message(withDumpLine(line));
      },
      keepInTail: (line) => line !== committedSeen,
    });
    run.tools.add(tool);
    // psql stopping on its own (an SQL error, a refused meta-command, a lost connection) stops the stream.
    const exited = tool.exited.finally(() => {
      if (!inputEnded) {
        exitedByItself = !run.cancelled;
        run.upstream.abort();
      }
    });
    exited.catch(() => {});

    const aftermath = "Nothing was committed to the scratch database.";
    const toolFailure = (exit: ToolExit, after = aftermath): Error => {
      const tail = tool.stderrTail().map(withDumpLine);
      const refusal = tail.find((line) => PSQL_REFUSED.test(line));
      if (refusal) {
        return new DumpRefusedError(
          `it contains a psql meta-command, which pg_dump never writes. Restores run psql in restricted mode so a dump cannot run commands on this host (psql said: ${refusal}). Investigate where this file came from`,
        );
      }
      return new RestoreToolError("psql", exit, tail, { aftermath: after, loader: options.asLoader ?? false });
    };
    const stop = async (failure: Error, selfExit: boolean): Promise<never> => {
      // The first cause wins: when psql stopped reading by itself, its exit explains the broken stream.
      if (selfExit) {
        const exit = await settledWithin(exited, SELF_EXIT_GRACE_MS);
        if (run.cancelled) throw new CancelledError(aftermath);
        if (exit && (exit.code !== 0 || exit.signal)) throw toolFailure(exit);
      }
      const killedByUs = tool.kill();
      const exit = await exited.catch((error: unknown) => {
        throw new RestoreToolError("psql", { code: null, signal: null }, [describe(error)], { aftermath });
      });
      if (run.cancelled) throw new CancelledError(aftermath);
      // Our refusal of the dump stands whatever psql did meanwhile.
      if (!killedByUs && (exit.code !== 0 || exit.signal) && !(failure instanceof DumpRefusedError)) throw toolFailure(exit);
      throw failure;
    };

    reporter.phase("restoring");
    const stdin = tool.stdin;
    if (!stdin) throw new Error("psql was spawned without stdin");
    stdin.write(`\\restrict ${key}\nBEGIN;\n`);
    const tap = checksumTap(hash, (chunk) => {
      reporter.state.bytesRead += chunk.length;
      reporter.emit();
    });
    try {
      const stages = [
        tap,
        ...(input.gunzip ? [createGunzip(GUNZIP_OPTIONS)] : []),
        ...(options.keepEntry ? [new SelectionStream(options.keepEntry)] : []),
      ];
      await pipeline([source, ...stages, guard, toolInput(stdin)], { signal: run.upstream.signal });
    } catch (error) {
      const selfExit = !(error instanceof DumpRefusedError) && (error instanceof ToolClosedInputError || exitedByItself || isAbort(error));
      return stop(streamFailure(error, secrets), selfExit);
    }
    const sha256 = hash.digest("hex");
    try {
      if (run.cancelled) throw new CancelledError(aftermath);
      checkChecksum(options.expectedSha256, sha256);
      if (!guard.complete) {
        throw new IncompleteDumpError(`it ended without pg_dump's end marker ("${END_MARKER}") after ${guard.lines} lines`);
      }
    } catch (error) {
      return stop(error as Error, false);
    }

    inputEnded = true;
    reporter.phase("committing");
    // `\warn` after COMMIT proves psql really executed our COMMIT (and not, say, swallowed it in an open quote).
    stdin.end(`\nCOMMIT;\n\\unrestrict ${key}\n\\warn ${committedLine}\n`);
    const exit = await exited;
    if (run.cancelled) throw new CancelledError("psql was stopped while committing; drop the scratch database.");
    if (exit.code !== 0 || exit.signal || !committed) {
      throw toolFailure(exit, "psql failed at or before COMMIT, so the scratch database may be empty or whole: drop it.");
    }
    reporter.emit(true);
    return { sha256, bytesRead: reporter.state.bytesRead, sqlBytes: guard.sqlBytes, rows: guard.rows, durationMs: 0, guard: guard.report };
  }).finally(() => {
    // A no-op once the pipeline consumed it; covers a failure before the pipeline took it over.
    source.destroy();
  });
}

/**
 * pg_restore -j workers write the "pg_restore: " prefix and the message separately, so lines can
 * arrive as "pg_restore:pg_restore: processing…" and " processing…"; this makes them whole again.
 */
function pgRestoreLine(line: string): string {
  return `pg_restore: ${line.replace(/^(\s*pg_restore:)*\s*/, "")}`;
}

/** pg_restore --verbose progress chatter: shown as messages, kept out of error tails. */
const PG_RESTORE_CHATTER =
  /^pg_restore: (processing|creating|launching|finished|connecting|entering|executing|restoring|setting|dropping|disabling|enabling|implied|reducing|skipping|saving|transferring)\b/;
const TOC_TABLE_DATA = /^\d+; \d+ \d+ TABLE DATA /;

/**
 * Custom format: pg_restore -j needs a seekable file, so the archive is staged in a private
 * folder (checksummed on the way) and verified BEFORE anything touches the database.
 */
async function restoreCustom(options: RestoreDumpOptions, run: Run, secrets: readonly string[]): Promise<RestoreResult> {
  const jobs = checkedJobs(options.jobs ?? 2);
  const pgRestore = await findPgTool("pg_restore");
  const reporter = new Reporter(options);
  const message = quietly(options.onMessage);
  const dir = await mkdtemp(path.join(options.tempDir ?? tmpdir(), "rc-restore-"));
  try {
    const file = path.join(dir, "archive.dump");
    const hash = createHash("sha256");
    let magic = "";
    const source = await openSource(options, run.upstream.signal, secrets);
    reporter.phase("downloading");
    const tap = checksumTap(hash, (chunk) => {
      if (magic.length < CUSTOM_MAGIC.length) magic += chunk.subarray(0, CUSTOM_MAGIC.length).toString("latin1");
      reporter.state.bytesRead += chunk.length;
      reporter.emit();
    });
    try {
      await pipeline(source, tap, createWriteStream(file, { flags: "wx", mode: 0o600 }), { signal: run.upstream.signal });
    } catch (error) {
      if (run.cancelled) throw new CancelledError("Nothing was restored.");
      throw streamFailure(error, secrets);
    }
    const sha256 = hash.digest("hex");
    checkChecksum(options.expectedSha256, sha256);
    if (!magic.startsWith(CUSTOM_MAGIC)) {
      throw new DumpRefusedError("it is not a custom-format archive (pg_dump -Fc); a .sql.gz dump is restored as plain SQL");
    }

    const toc: string[] = [];
    await withPgEnv(options.target, options.database, async (env) => {
      const listed = await runTool(pgRestore, ["--list", file], { env, secrets, onStdoutLine: (line) => toc.push(line) });
      if (listed.code !== 0)
        throw new RestoreToolError("pg_restore --list", listed, listed.stderrTail, { aftermath: "Nothing was restored." });
    });
    // Grants go last, as SQL through the guard (grants to roles the target lacks are skipped, not fatal).
    const entries = toc.filter((line) => TOC_ENTRY.test(line) && keptByList(line, options.keepEntry));
    const mainList = path.join(dir, "main.list");
    const aclList = path.join(dir, "acl.list");
    await writeFile(mainList, `${entries.filter((line) => !TOC_ACL.test(line)).join("\n")}\n`, { mode: 0o600 });
    await writeFile(aclList, `${entries.filter((line) => TOC_ACL.test(line)).join("\n")}\n`, { mode: 0o600 });
    await judgeArchiveSql(
      pgRestore,
      file,
      ["--section=pre-data", "--section=post-data", "--no-owner", `--use-list=${mainList}`],
      options,
      run,
      secrets,
    );
    if (run.cancelled) throw new CancelledError("Nothing was restored.");

    await withPgEnv(options.target, options.database, async (env) => {
      reporter.state.tables = { started: 0, total: entries.filter((line) => TOC_TABLE_DATA.test(line)).length };
      reporter.phase("restoring");
      const args = [
        `--jobs=${jobs}`,
        "--no-owner",
        "--exit-on-error",
        "--verbose",
        "--no-password",
        `--use-list=${mainList}`,
        `--dbname=${conninfoDbname(options.database)}`,
        file,
      ];
      const tool = spawnTool(pgRestore, args, {
        env,
        secrets,
        onStderrLine: (raw) => {
          const line = pgRestoreLine(raw);
          if (line.startsWith("pg_restore: processing data for table") && reporter.state.tables) {
            reporter.state.tables.started++;
            reporter.emit();
          }
          message(line);
        },
        keepInTail: (line) => !PG_RESTORE_CHATTER.test(pgRestoreLine(line)),
      });
      run.tools.add(tool);
      const exit = await tool.exited;
      if (run.cancelled) throw new CancelledError(PARTIAL);
      if (exit.code !== 0 || exit.signal)
        throw new RestoreToolError("pg_restore", exit, tool.stderrTail(), { aftermath: PARTIAL, loader: options.asLoader ?? false });
    });

    // The grants are small: written out first, so pg_restore's own failure is reported as such.
    const aclSql = path.join(dir, "acl.sql");
    const written = await runTool(pgRestore, ["--no-owner", `--use-list=${aclList}`, `--file=${aclSql}`, file], {
      env: pgToolEnv(options.target, options.database),
      secrets,
    });
    if (written.code !== 0 || written.signal) throw new RestoreToolError("pg_restore", written, written.stderrTail, { aftermath: PARTIAL });
    const grants = await loadSql(
      { ...options, expectedSha256: null, onProgress: undefined },
      run,
      secrets,
      createReadStream(aclSql, { highWaterMark: MIB }),
      { gunzip: false },
    );
    reporter.emit(true);
    return { sha256, bytesRead: reporter.state.bytesRead, sqlBytes: 0, rows: 0, durationMs: 0, guard: grants.guard };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const PARTIAL = "The scratch database holds a partial restore: drop it (the target database is untouched).";
const TOC_ENTRY = /^\d+; \d+ \d+ /;
const TOC_ACL = /^\d+; \d+ \d+ (ACL|DEFAULT ACL) /;

/** The SQL pg_restore would run for a part of the archive, written to a stream (it touches no database). */
function archiveSql(
  pgRestore: string,
  file: string,
  args: readonly string[],
  options: RestoreDumpOptions,
  secrets: readonly string[],
): { tool: ToolProcess; output: Readable } {
  const tool = spawnTool(pgRestore, ["--file=-", ...args, file], {
    env: pgToolEnv(options.target, options.database),
    secrets,
    stdout: "stream",
  });
  if (!tool.stdout) throw new Error("pg_restore was spawned without stdout");
  return { tool, output: tool.stdout };
}

/**
 * The archive's schema SQL through the statement guard, before anything touches the database:
 * a custom archive's entries are SQL text too, and pg_restore runs them as they are.
 */
async function judgeArchiveSql(
  pgRestore: string,
  file: string,
  args: readonly string[],
  options: RestoreDumpOptions,
  run: Run,
  secrets: readonly string[],
): Promise<void> {
  const sql = archiveSql(pgRestore, file, args, options, secrets);
  run.tools.add(sql.tool);
  const guard = new PlainDumpGuard();
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  try {
    await pipeline(sql.output, guard, discard, { signal: run.upstream.signal });
  } catch (error) {
    sql.tool.kill();
    if (run.cancelled) throw new CancelledError("Nothing was restored.");
    if (error instanceof AppError) throw error;
    throw new RestoreToolError("pg_restore", { code: null, signal: null }, [...sql.tool.stderrTail(), describe(error)], {
      aftermath: "Nothing was restored.",
    });
  }
  const exit = await sql.tool.exited;
  if (exit.code !== 0 || exit.signal)
    throw new RestoreToolError("pg_restore", exit, sql.tool.stderrTail(), { aftermath: "Nothing was restored." });
}

/**
 * Restores a dump into an existing, empty scratch database, verifying it on the way. Resolves
 * only when the restore really finished; on any failure, the plain path over one connection has
 * committed nothing, and over several it leaves what it loaded for the caller to drop.
 */
export async function restoreDump(options: RestoreDumpOptions): Promise<RestoreResult> {
  const started = performance.now();
  if (options.signal?.aborted) throw new CancelledError("Nothing was restored.");
  const secrets = options.target.password ? [options.target.password] : [];
  const run = new Run(options.signal);
  try {
    const result = options.format === "custom" ? await restoreCustom(options, run, secrets) : await restorePlain(options, run, secrets);
    return { ...result, durationMs: Math.round(performance.now() - started) };
  } finally {
    run.dispose();
  }
}
