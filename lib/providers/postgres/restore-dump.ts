import { createHash, randomBytes, type Hash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Transform, Writable, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, type ZlibOptions } from "node:zlib";
import { AppError } from "@/lib/errors";
import { conninfoDbname, withPgEnv, type PgConnection } from "./connection";
import { CancelledError, ChecksumMismatchError, DumpReadError, DumpRefusedError, IncompleteDumpError, RestoreToolError } from "./errors";
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
}

const MIB = 1 << 20;
const PROGRESS_EVERY_MS = 250;
const END_MARKER = "-- PostgreSQL database dump complete";
const CUSTOM_MAGIC = "PGDMP";

const BACKSLASH = 0x5c;
const DOT = 0x2e;
const NEWLINE = 0x0a;
const CR = 0x0d;
/** Only `\restrict KEY` / `\unrestrict KEY` are ever dropped, and they are short: longer lines pass straight on. */
const MAX_DROPPABLE_LINE = 256;
const HEAD_BYTES = 64;
const TAIL_BYTES = 16;

/** A line that started in an earlier chunk. */
interface PartialLine {
  head: Buffer;
  tail: Buffer;
  length: number;
  /** Bytes not sent downstream yet, while the line might still be one we drop. */
  held: Buffer[] | null;
}

function lastBytes(a: Buffer, b: Buffer, count: number): Buffer {
  if (b.length >= count) return b.subarray(b.length - count);
  const joined = Buffer.concat([a, b]);
  return joined.subarray(Math.max(0, joined.length - count));
}

/**
 * Passes a plain SQL dump through to psql untouched except for pg_dump's own `\restrict KEY`
 * header line and `\unrestrict KEY` trailer (we run psql restricted under our own key), and
 * watches it: COPY data (never inspected beyond its `\.` terminator), rows, and whether the dump
 * ended with pg_dump's end marker followed only by comments.
 */
export class PlainDumpFilter extends Transform {
  rows = 0;
  sqlBytes = 0;
  /** Lines seen so far (1-based numbering of the dump as stored). */
  lines = 0;
  /** The first line outside COPY data that starts with a backslash (psql refuses it; we name it). */
  firstMetaCommand: { line: number; text: string } | null = null;
  private inCopy = false;
  private sawStatement = false;
  private droppedHeader = false;
  private markerLast = false;
  private partial: PartialLine | null = null;

  constructor() {
    super({ highWaterMark: MIB });
  }

  /** True when pg_dump's end marker arrived and nothing but comments and blank lines followed. */
  get endMarkerSeen(): boolean {
    return this.markerLast && !this.inCopy;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.sqlBytes += chunk.length;
      this.scan(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      const partial = this.partial;
      if (partial) {
        this.partial = null;
        const keep = this.endLine(partial.head, partial.tail, partial.length);
        if (keep && partial.held) for (const part of partial.held) this.push(part);
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private scan(chunk: Buffer): void {
    let pos = 0;
    let emitFrom = 0;
    const emitUpTo = (end: number) => {
      if (end > emitFrom) this.push(chunk.subarray(emitFrom, end));
    };
    if (this.partial) {
      const newline = chunk.indexOf(NEWLINE);
      const contentEnd = newline === -1 ? chunk.length : newline;
      const partial = this.continueLine(this.partial, chunk.subarray(0, contentEnd));
      if (newline === -1) {
        if (partial.held) partial.held.push(chunk);
        else this.push(chunk);
        return;
      }
      this.partial = null;
      if (this.endLine(partial.head, partial.tail, partial.length)) {
        if (partial.held) for (const part of partial.held) this.push(part);
      } else {
        emitFrom = newline + 1;
      }
      pos = newline + 1;
    }
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, pos);
      if (newline === -1) break;
      if (this.inCopy) {
        // The hot path: data lines are counted, never interpreted (they may begin with a backslash).
        this.lines++;
        const length = chunk[newline - 1] === CR ? newline - 1 - pos : newline - pos;
        if (length === 2 && chunk[pos] === BACKSLASH && chunk[pos + 1] === DOT) this.inCopy = false;
        else this.rows++;
      } else {
        const head = chunk.subarray(pos, Math.min(newline, pos + HEAD_BYTES));
        const tail = chunk.subarray(Math.max(pos, newline - TAIL_BYTES), newline);
        if (!this.endLine(head, tail, newline - pos)) {
          emitUpTo(pos);
          emitFrom = newline + 1;
        }
      }
      pos = newline + 1;
    }
    if (pos < chunk.length) {
      const rest = chunk.subarray(pos);
      const holdable = !this.inCopy && rest[0] === BACKSLASH && rest.length <= MAX_DROPPABLE_LINE;
      this.partial = {
        head: Buffer.from(rest.subarray(0, HEAD_BYTES)),
        tail: Buffer.from(rest.subarray(Math.max(0, rest.length - TAIL_BYTES))),
        length: rest.length,
        held: holdable ? [rest] : null,
      };
      if (holdable) {
        emitUpTo(pos);
        emitFrom = chunk.length;
      }
    }
    emitUpTo(chunk.length);
  }

  /** Extends a line spanning chunks; releases its held bytes once it is too long to be dropped. */
  private continueLine(partial: PartialLine, content: Buffer): PartialLine {
    if (partial.head.length < HEAD_BYTES) {
      partial.head = Buffer.concat([partial.head, content.subarray(0, HEAD_BYTES - partial.head.length)]);
    }
    partial.tail = Buffer.from(lastBytes(partial.tail, content, TAIL_BYTES));
    partial.length += content.length;
    if (partial.held && partial.length > MAX_DROPPABLE_LINE) {
      for (const part of partial.held) this.push(part);
      partial.held = null;
    }
    return partial;
  }

  /** Classifies one complete line (newline excluded); false means drop it. */
  private endLine(head: Buffer, tail: Buffer, length: number): boolean {
    this.lines++;
    if (this.inCopy) {
      const isEnd = (length === 2 || (length === 3 && head[2] === CR)) && head[0] === BACKSLASH && head[1] === DOT;
      if (isEnd) this.inCopy = false;
      else this.rows++;
      return true;
    }
    const text = head.toString("latin1").replace(/\r$/, "");
    if (this.lines === 1 && text.startsWith(CUSTOM_MAGIC)) {
      throw new DumpRefusedError("it is a custom-format archive (pg_dump -Fc), not plain SQL; restore it as the custom format");
    }
    if ((length <= HEAD_BYTES && text.trim() === "") || text.startsWith("--")) {
      if (text === END_MARKER) this.markerLast = true;
      return true;
    }
    const short = length <= MAX_DROPPABLE_LINE;
    if (short && !this.sawStatement && !this.droppedHeader && text.startsWith("\\restrict ")) {
      this.droppedHeader = true;
      return false;
    }
    if (short && this.markerLast && text.startsWith("\\unrestrict ")) return false;
    this.markerLast = false;
    if (head[0] === BACKSLASH) {
      this.firstMetaCommand ??= { line: this.lines, text: text.slice(0, 60) };
      return true;
    }
    this.sawStatement = true;
    if (text.startsWith("COPY ") && tail.toString("latin1").replace(/\r$/, "").endsWith("FROM stdin;")) this.inCopy = true;
    else if (text.startsWith("INSERT INTO ")) this.rows++;
    return true;
  }
}

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
function toolInput(stdin: Writable): Writable {
  return new Writable({
    highWaterMark: MIB,
    write(chunk: Buffer, _encoding, callback) {
      if (stdin.destroyed || stdin.writableEnded) return callback(new Error("the tool closed its input"));
      if (stdin.write(chunk)) return callback();
      const done = (error?: Error) => {
        stdin.off("drain", onDrain);
        stdin.off("close", onClose);
        callback(error);
      };
      const onDrain = () => done();
      const onClose = () => done(new Error("the tool closed its input"));
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
    return new IncompleteDumpError(`it could not be decompressed to the end (${describe(error)}); it is truncated or corrupt`, { cause: error });
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

/**
 * Plain dump, one pass: store → sha256 → gunzip → filter → psql inside our own transaction,
 * committed only when the checksum matched and the end marker arrived; otherwise psql is killed
 * (the server rolls back) and never sees an EOF after a bad stream.
 */
async function restorePlain(options: RestoreDumpOptions, run: Run, secrets: readonly string[]): Promise<RestoreResult> {
  const psql = await findPgTool("psql");
  const hash = createHash("sha256");
  const filter = new PlainDumpFilter();
  const reporter = new Reporter(options, () => ({ sqlBytes: filter.sqlBytes, rows: filter.rows }));
  const message = quietly(options.onMessage);
  const source = await openSource(options, run.upstream.signal, secrets);

  return withPgEnv(options.target, options.database, async (env) => {
    // psql refuses every meta-command (\!, \o |cmd, \copy … program…) until `\unrestrict <key>`, which only we know.
    const key = randomBytes(24).toString("hex");
    const committedLine = `restore-console committed ${randomBytes(12).toString("hex")}`;
    const committedSeen = maskSecrets(committedLine, secrets);
    let committed = false;
    let inputEnded = false;
    let killedByUs = false;
    const tool = spawnTool(psql, ["-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"], {
      env,
      secrets,
      stdin: "pipe",
      onStderrLine: (line) => {
        if (line === committedSeen) committed = true;
        else message(line);
      },
      keepInTail: (line) => line !== committedSeen,
    });
    run.tool = tool;
    const kill = () => {
      if (tool.kill()) killedByUs = true;
    };
    // psql stopping on its own (an SQL error, a refused meta-command, a lost connection) stops the stream.
    const exited = tool.exited.finally(() => {
      if (!inputEnded) run.upstream.abort();
    });
    exited.catch(() => {});

    const aftermath = "Nothing was committed to the scratch database.";
    const toolFailure = (exit: ToolExit, after = aftermath): Error => {
      const tail = tool.stderrTail();
      const refusal = tail.find((line) => PSQL_REFUSED.test(line));
      if (refusal) {
        const hint = filter.firstMetaCommand;
        return new DumpRefusedError(
          `it contains a psql meta-command${hint ? ` (line ${hint.line}: ${maskSecrets(hint.text, secrets)})` : ""}, which pg_dump never writes. ` +
            `Restores run psql in restricted mode so a dump cannot run commands on this host (psql said: ${refusal}). Investigate where this file came from`,
        );
      }
      return new RestoreToolError("psql", exit, tail, { aftermath: after });
    };
    const stop = async (failure: Error): Promise<never> => {
      kill();
      const exit = await exited.catch((error: unknown) => {
        throw new RestoreToolError("psql", { code: null, signal: null }, [describe(error)], { aftermath });
      });
      if (run.cancelled) throw new CancelledError(aftermath);
      // psql stopping by itself is the root cause; the stream only failed because of it.
      if (!killedByUs && (exit.code !== 0 || exit.signal)) throw toolFailure(exit);
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
      await pipeline(source, tap, createGunzip(GUNZIP_OPTIONS), filter, toolInput(stdin), {
        signal: run.upstream.signal,
      });
    } catch (error) {
      return stop(streamFailure(error, secrets));
    }
    const sha256 = hash.digest("hex");
    try {
      if (run.cancelled) throw new CancelledError(aftermath);
      checkChecksum(options.expectedSha256, sha256);
      if (!filter.endMarkerSeen) {
        throw new IncompleteDumpError(`it ended without pg_dump's end marker ("${END_MARKER}") after ${filter.lines} lines`);
      }
    } catch (error) {
      return stop(error as Error);
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
    return { sha256, bytesRead: reporter.state.bytesRead, sqlBytes: filter.sqlBytes, rows: filter.rows, durationMs: 0 };
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
const PG_RESTORE_CHATTER = /^pg_restore: (processing|creating|launching|finished|connecting|entering|executing|restoring|setting|dropping|disabling|enabling|implied|reducing|skipping|saving|transferring)\b/;
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

    return await withPgEnv(options.target, options.database, async (env) => {
      let total = 0;
      const listed = await runTool(pgRestore, ["--list", file], {
        env,
        secrets,
        onStdoutLine: (line) => {
          if (TOC_TABLE_DATA.test(line)) total++;
        },
      });
      if (listed.code !== 0) throw new RestoreToolError("pg_restore --list", listed, listed.stderrTail, { aftermath: "Nothing was restored." });
      reporter.state.tables = { started: 0, total };
      reporter.phase("restoring");
      if (run.cancelled) throw new CancelledError("Nothing was restored.");

      const args = [`--jobs=${jobs}`, "--no-owner", "--no-privileges", "--exit-on-error", "--verbose", "--no-password", `--dbname=${conninfoDbname(options.database)}`, file];
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
      const aftermath = "The scratch database holds a partial restore: drop it (the target database is untouched).";
      if (run.cancelled) throw new CancelledError(aftermath);
      if (exit.code !== 0 || exit.signal) throw new RestoreToolError("pg_restore", exit, tool.stderrTail(), { aftermath });
      reporter.emit(true);
      return { sha256, bytesRead: reporter.state.bytesRead, sqlBytes: 0, rows: 0, durationMs: 0 };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
