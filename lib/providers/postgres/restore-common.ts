import "server-only";
import type { Hash } from "node:crypto";
import { Transform, type Readable } from "node:stream";
import type { ZlibOptions } from "node:zlib";
import { AppError } from "@/lib/errors";
import type { PgConnection } from "./connection";
import { CancelledError, ChecksumMismatchError, DumpReadError, IncompleteDumpError } from "./errors";
import type { GuardReport } from "./plain-dump-guard";
import { maskSecrets, type ToolProcess } from "./tools";
import type { DumpObjectRef } from "./dump-toc";

// What the restore paths share (restore-dump.ts: one psql, or pg_restore; parallel-load.ts:
// several psql): the options and results, progress, the checksum tap, how a failed stream is
// explained, and cancellation.

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
  /**
   * Connections to load with. Custom format: pg_restore -j (default 2). Plain: 1 (the default)
   * runs the dump in one transaction committed only at the gate; more split it over that many
   * psql connections (parallel-load.ts), each committing as it goes, so on failure what was
   * loaded stays in `database` until the caller drops it.
   */
  jobs?: number;
  /** A restore of chosen tables: which of the dump's objects to load (sections of a plain dump, lines of a custom archive's list). */
  keepEntry?: (entry: DumpObjectRef) => boolean;
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

export const MIB = 1 << 20;
const PROGRESS_EVERY_MS = 250;

/** Hashes and counts the bytes as stored, passing them on unchanged. */
export function checksumTap(hash: Hash, onBytes: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      onBytes(chunk);
      callback(null, chunk);
    },
  });
}

/** Callbacks belong to the caller's display: a failing one must never fail or corrupt a restore. */
export function quietly<A>(fn: ((arg: A) => void) | undefined): (arg: A) => void {
  return (arg) => {
    try {
      fn?.(arg);
    } catch {
      // ignored on purpose (see above)
    }
  };
}

export class Reporter {
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

export function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "AbortError";
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("Z_");
}

/** What a failed stream means for the person: a bad dump, a store that failed, or our own refusal. */
export function streamFailure(error: unknown, secrets: readonly string[]): Error {
  if (error instanceof AppError) return error;
  if (isZlibError(error)) {
    return new IncompleteDumpError(`it could not be decompressed to the end (${describe(error)}); it is truncated or corrupt`, {
      cause: error,
    });
  }
  return new DumpReadError(maskSecrets(describe(error), secrets), { cause: error });
}

export async function openSource(options: RestoreDumpOptions, signal: AbortSignal, secrets: readonly string[]): Promise<Readable> {
  try {
    return await options.open(signal);
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError("Nothing was restored.");
    throw streamFailure(error, secrets);
  }
}

export function checkChecksum(expected: string | null, actual: string, aftermath?: string): void {
  if (expected !== null && expected.toLowerCase() !== actual)
    throw new ChecksumMismatchError(expected.toLowerCase(), actual, aftermath === undefined ? {} : { aftermath });
}

/** Links the caller's signal to ours, and kills the running tools on cancel. */
export class Run {
  readonly upstream = new AbortController();
  /** The tools running for this restore (one psql or pg_restore, or one psql per connection). */
  readonly tools = new Set<ToolProcess>();
  private readonly onAbort = () => {
    this.upstream.abort();
    for (const tool of this.tools) tool.kill();
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
export const GUNZIP_OPTIONS: ZlibOptions & { highWaterMark: number } = { highWaterMark: MIB, chunkSize: 256 * 1024 };

export const PSQL_REFUSED = /backslash commands are restricted|\\unrestrict: wrong key/;

export function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([promise.catch(() => null), timeout]).finally(() => clearTimeout(timer));
}
