import "server-only";
import { createHash, randomBytes, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Transform, Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, type ZlibOptions } from "node:zlib";
import { AppError } from "@/lib/errors";
import { conninfoDbname, pgToolEnv, withPgEnv, type PgConnection } from "./connection";
import { CancelledError, ChecksumMismatchError, DumpReadError, DumpRefusedError, IncompleteDumpError, RestoreToolError } from "./errors";
import { END_MARKER, PlainDumpGuard, type GuardReport } from "./plain-dump-guard";
import { findPgTool, maskSecrets, runTool, spawnTool, type ToolExit, type ToolProcess } from "./tools";

export interface RestoreDumpOptions {
  format: "plain-gzip" | "custom";
  /** Opens the dump's bytes as stored (gzip for plain) — e.g. the backup store's read(). */
  open: (signal: AbortSignal) => Promise<Readable>;
  /** Null only with an admin override: then no checksum gate, but the end marker is still required. */
  expectedSha256: string | null;
  /** For % and ETA. */
  totalBytes: number | null;
  target: PgConnection;
  /** An EXISTING, empty scratch database; creating it and dropping it on failure is the caller's job. */
  database: string;
  /** pg_restore -j for the custom format (default 2). */
  jobs?: number;
  /** Cancels: the tool is killed and the promise rejects with a CancelledError. */
  signal?: AbortSignal;
  /** Throttled to about four calls a second, plus one per phase change. */
  onProgress?: (progress: RestoreProgress) => void;
  /** psql / pg_restore notices and errors, secrets filtered. */
  onMessage?: (line: string) => void;
  /** Where a custom-format archive is staged for pg_restore (default: the OS temp folder). */
  tempDir?: string;
  /** The target's roles: the dump's grants to other roles are skipped and reported (see GuardReport). */
  existingRoles?: ReadonlySet<string>;
  /** The target connection is the run's loader role: a refused privilege is the dump's doing, not a setup problem. */
  asLoader?: boolean;
}

export interface RestoreProgress {
  /** Bytes read from the store (compressed, for plain dumps). */
  bytesRead: number;
  totalBytes: number | null;
  /** Decompressed SQL bytes sent to psql (plain dumps only). */
  sqlBytes: number;
  /** COPY data lines and INSERT statements sent to psql (plain dumps only). */
  rows: number;
  phase: "downloading" | "restoring" | "committing";
  /** Custom format: tables whose data pg_restore has started loading, of all in the archive. */
  tables?: { started: number; total: number };
}

export interface RestoreResult {
  sha256: string;
  bytesRead: number;
  sqlBytes: number;
  rows: number;
  durationMs: number;
  /** What the statement guard set aside (plain dumps), or what the ACL pass skipped (custom). */
  guard: GuardReport;
}

const MIB = 1 << 20;
const PROGRESS_EVERY_MS = 250;
const CUSTOM_MAGIC = "PGDMP";

/** Hashes and counts the bytes as stored, passing them on unchanged. */
function checksumTap(hash: Hash, onBytes: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      onBytes(chunk);
      callback(null, chunk);
    },
  });
}

/**
 * Feeds a tool's stdin with backpressure but never ends or destroys it: when the stream fails,
 * the tool must be killed, not handed an EOF it would treat as the end of a good input.
 */
/** The tool stopped reading: it is exiting by itself, and its exit says why. */
class ToolClosedInputError extends Error {
  constructor() {
    super("the tool closed its input");
  }
}

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

/** Callbacks belong to the caller's display: a failing one must never fail or corrupt a restore. */
function quietly<A>(fn: ((arg: A) => void) | undefined): (arg: A) => void {
  return (arg) => {
    try {
      fn?.(arg);
    } catch {
      // ignored on purpose (see above)
    }
  };
}

class Reporter {
  readonly state: RestoreProgress;
  private last = 0;
  private readonly emitter: (progress: RestoreProgress) => void;

  constructor(
    options: RestoreDumpOptions,
    private readonly live?: () => Pick<RestoreProgress, "sqlBytes" | "rows">,
  ) {
    this.emitter = quietly(options.onProgress);
    this.state = { bytesRead: 0, totalBytes: options.totalBytes, sqlBytes: 0, rows: 0, phase: "downloading" };
  }

  emit(force = false): void {
    const now = Date.now();
    if (!force && now - this.last < PROGRESS_EVERY_MS) return;
    this.last = now;
    Object.assign(this.state, this.live?.());
    this.emitter({ ...this.state, ...(this.state.tables ? { tables: { ...this.state.tables } } : {}) });
  }

  phase(phase: RestoreProgress["phase"]): void {
    this.state.phase = phase;
    this.emit(true);
  }
}

function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "AbortError";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("Z_");
}

/** What a failed stream means for the person: a bad dump, a store that failed, or our own refusal. */
function streamFailure(error: unknown, secrets: readonly string[]): Error {
  if (error instanceof AppError) return error;
  if (isZlibError(error)) {
    return new IncompleteDumpError(`it could not be decompressed to the end (${describe(error)}); it is truncated or corrupt`, {
      cause: error,
    });
  }
  return new DumpReadError(maskSecrets(describe(error), secrets), { cause: error });
}

async function openSource(options: RestoreDumpOptions, signal: AbortSignal, secrets: readonly string[]): Promise<Readable> {
  try {
    return await options.open(signal);
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError("Nothing was restored.");
    throw streamFailure(error, secrets);
  }
}

function checkChecksum(expected: string | null, actual: string): void {
  if (expected !== null && expected.toLowerCase() !== actual) throw new ChecksumMismatchError(expected.toLowerCase(), actual);
}

/** Links the caller's signal to ours, and kills the running tool on cancel. */
class Run {
  readonly upstream = new AbortController();
  tool: ToolProcess | null = null;
  private readonly onAbort = () => {
    this.upstream.abort();
    this.tool?.kill();
  };

  constructor(private readonly signal: AbortSignal | undefined) {
    signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  get cancelled(): boolean {
    return this.signal?.aborted ?? false;
  }

  dispose(): void {
    this.signal?.removeEventListener("abort", this.onAbort);
  }
}

/** zlib streams accept stream options too; Node's types only list zlib's own. */
const GUNZIP_OPTIONS: ZlibOptions & { highWaterMark: number } = { highWaterMark: MIB, chunkSize: 256 * 1024 };

const PSQL_REFUSED = /backslash commands are restricted|\\unrestrict: wrong key/;
/** Lines we write before the dump (`\restrict KEY`, `BEGIN;`): psql's line N is the dump's line N − 2. */
const PREAMBLE_LINES = 2;
/** How long a tool that stopped reading gets to exit by itself before it is killed. */
const SELF_EXIT_GRACE_MS = 5_000;

/** psql's `psql:<stdin>:N:` prefix as the dump's own line number (dropped statements keep their newlines). */
export function withDumpLine(line: string): string {
  return line.replace(/^psql:<stdin>:(\d+):/, (_match, n: string) => `line ${Math.max(1, Number(n) - PREAMBLE_LINES)} of the dump:`);
}

function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([promise.catch(() => null), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Plain dump, one pass: store → sha256 → gunzip → statement guard → psql inside our own
 * transaction, committed only when the checksum matched and the end marker arrived; otherwise
 * psql is killed (the server rolls back) and never sees an EOF after a bad stream.
 */
async function restorePlain(options: RestoreDumpOptions, run: Run, secrets: readonly string[]): Promise<RestoreResult> {
  const source = await openSource(options, run.upstream.signal, secrets);
  return loadSql(options, run, secrets, source, { gunzip: true });
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
    run.tool = tool;
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
      const stages = input.gunzip ? [tap, createGunzip(GUNZIP_OPTIONS)] : [tap];
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
  const jobs = options.jobs ?? 2;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new RangeError(`jobs must be an integer from 1 to 64, not ${jobs}`);
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
    const entries = toc.filter((line) => TOC_ENTRY.test(line));
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
      run.tool = tool;
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
  run.tool = sql.tool;
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
 * only when the restore really finished; on any failure, the plain path has committed nothing.
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
