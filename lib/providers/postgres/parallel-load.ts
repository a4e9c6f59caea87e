import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { withPgEnv } from "./connection";
import { classifyStatement, postConflicts, type TableKey, type TableLock } from "./dump-sections";
import {
  CancelledError,
  ChecksumMismatchError,
  DumpReadError,
  DumpRefusedError,
  IncompleteDumpError,
  PARTLY_LOADED,
  RestoreToolError,
} from "./errors";
import { END_MARKER, PlainDumpGuard, type DumpPiece } from "./plain-dump-guard";
import {
  checkChecksum,
  checksumTap,
  describe,
  GUNZIP_OPTIONS,
  MIB,
  openSource,
  PSQL_REFUSED,
  quietly,
  Reporter,
  streamFailure,
  type RestoreDumpOptions,
  type RestoreResult,
  type Run,
} from "./restore-common";
import { findPgTool, maskSecrets, spawnTool, type ToolExit, type ToolProcess } from "./tools";
import { SelectionStream } from "./selection-stream";

// A plain dump loaded over several connections, split as it streams. The guard passes on whole
// statements and COPY data (piece mode); each becomes a unit of work for one psql:
//   - pre-data (and anything not recognised): "ordered" — after everything before it, before
//     everything after it; consecutive ones run as one batch on one connection, in dump order;
//   - a table's COPY data: cut at line ends into COPYs of a few MiB ("data"), loaded on every
//     connection at once, all after the pre-data, each connection's COPYs in one transaction
//     committed when the data ends (see commitData);
//   - indexes and key, unique, exclusion and foreign-key constraints ("post"): after all the
//     data, in parallel with each other unless they touch a common table (index builds on one
//     table share it), so a foreign key waits for both tables' keys;
//   - session settings: run by every connection at their place in the dump.
// Each psql runs as the given role (the run's loader) in restrict mode with a key only we know,
// and reports each unit's end with a \warn we write after it, so the next units can be placed.
// There is no transaction around it all: the scratch database is the unit that is kept (the
// caller hands it over only after this resolves, i.e. after the checksum matched, pg_dump's end
// marker arrived and every unit ran) or dropped.

const NL = 0x0a;
/** A table's data is sent as COPYs of about this size: small enough to keep every connection busy, large enough to cost nothing per COPY. */
const CHUNK_BYTES = 4 * MIB;
/** An ordered batch is closed (its end reported) at the first statement boundary past this, so memory and line maps stay small. */
const BATCH_BYTES = 4 * MIB;
/** Reading stops while more than this waits to be sent, or while a psql has this much unread input. */
const WAITING_BYTES = 4 * CHUNK_BYTES;
const WAITING_UNITS = 10_000;
const STDIN_BYTES = 2 * CHUNK_BYTES;
/** COPYs per connection at once: one loading, the next queued behind it, so no connection idles between two. */
const DATA_DEPTH = 2;
const TAIL_LINES = 20;

/**
 * Our own settings for each loader session, before the dump's:
 *  - a commit need not wait for its WAL to reach disk: if the server crashes, the run fails and
 *    the scratch database is dropped anyway;
 *  - index and key builds sort in memory when they can (PostgreSQL's advice for loading data;
 *    never lowered when the server's setting is higher), so each connection may use this much
 *    on the target while it builds;
 *  - no parallel workers inside a statement: the connections are the parallelism, and workers on
 *    top of them compete for the same cores and split maintenance_work_mem so sorts spill to
 *    disk (measured here: 5–8 % slower with them).
 */
export const MAINTENANCE_WORK_MEM_KB = 256 * 1024;
// One statement, through pg_settings: a server too old to know a setting just keeps running.
const SESSION_SETTINGS =
  "SELECT pg_catalog.set_config(s.name, v.value, false)\n" +
  "  FROM (VALUES ('synchronous_commit', 'off'), ('max_parallel_maintenance_workers', '0'), ('max_parallel_workers_per_gather', '0'),\n" +
  `               ('maintenance_work_mem', '${MAINTENANCE_WORK_MEM_KB}')) AS v (name, value)\n` +
  "  JOIN pg_catalog.pg_settings s ON s.name = v.name\n" +
  " WHERE v.name <> 'maintenance_work_mem' OR (s.unit = 'kB' AND s.setting::bigint < v.value::bigint);\n";

/** Bytes for one psql, and the dump line they start on (null for our own lines). */
interface Segment {
  parts: readonly Buffer[];
  line: number | null;
  newlines: number;
  bytes: number;
}

type UnitKind = "ordered" | "data" | "post" | "session";

interface Unit {
  readonly id: number;
  readonly kind: UnitKind;
  readonly locks: ReadonlyMap<TableKey, TableLock>;
  /** What waits to be written when the unit is placed. */
  segments: Segment[];
  bytes: number;
  /** An ordered batch still taking statements (its end is written when it closes). */
  open: boolean;
  connection: Connection | null;
  /** The psql line it starts on, once placed. */
  startLine: number;
  /** Post-data: the data bytes of its tables, to start the longest builds first. */
  weight: number;
  foreignKey: boolean;
}

const NO_LOCKS: ReadonlyMap<TableKey, TableLock> = new Map();

function ownSegment(text: string): Segment {
  const data = Buffer.from(text);
  let newlines = 0;
  for (let at = data.indexOf(NL); at !== -1; at = data.indexOf(NL, at + 1)) newlines++;
  return { parts: [data], line: null, newlines, bytes: data.length };
}

const NEWLINE = ownSegment("\n");
const COPY_END = ownSegment("\\.\n");
const BEGIN = ownSegment("\nBEGIN;\n");
const COMMIT = ownSegment("\nCOMMIT;\n");

/** One psql and what it has been given. */
class Connection {
  /** Units written to it whose end it has not reported yet, in order. */
  readonly inflight: Unit[] = [];
  inflightBytes = 0;
  /** The psql line the next byte written lands on, and whether that line already holds something. */
  psqlLine = 1;
  private midLine = false;
  /** psql line → dump line, from each point where the two stop running in step. */
  private anchors: Array<{ psql: number; dump: number | null }> = [];
  /** Its last messages, with dump line numbers, for an error. */
  readonly tail: string[] = [];
  /** Its COPYs run inside one transaction, committed when the data is all loaded (see commitData). */
  inDataTransaction = false;
  /** We ended its input; it should exit 0 after reporting that it read to the end. */
  closing = false;
  readEverything = false;
  exit: ToolExit | null = null;

  constructor(
    readonly tool: ToolProcess,
    readonly stdin: Writable,
  ) {}

  write(segment: Segment): void {
    // A segment that starts within a line (after a `;`) shares that line with what came before:
    // its own lines start after its first line break.
    const shared = this.midLine ? 1 : 0;
    if (segment.newlines >= shared) {
      const psql = this.psqlLine + shared;
      const dump = segment.line === null ? null : segment.line + shared;
      const last = this.anchors.at(-1);
      const inStep =
        last !== undefined && (dump === null ? last.dump === null : last.dump !== null && last.dump - last.psql === dump - psql);
      if (!inStep) this.anchors.push({ psql, dump });
    }
    for (const part of segment.parts) {
      if (part.length === 0) continue;
      this.stdin.write(part);
      this.midLine = part[part.length - 1] !== NL;
    }
    this.psqlLine += segment.newlines;
  }

  dumpLine(psqlLine: number): number | null {
    for (let i = this.anchors.length - 1; i >= 0; i--) {
      const anchor = this.anchors[i] as { psql: number; dump: number | null };
      if (anchor.psql <= psqlLine) return anchor.dump === null ? null : anchor.dump + (psqlLine - anchor.psql);
    }
    return null;
  }

  /** psql has run everything before `psqlLine`: only the anchor that covers it is still needed. */
  forget(psqlLine: number): void {
    let drop = 0;
    while (drop + 1 < this.anchors.length && (this.anchors[drop + 1] as { psql: number }).psql <= psqlLine) drop++;
    if (drop > 0) this.anchors.splice(0, drop);
  }
}

interface CopyInProgress {
  table: TableKey;
  statement: Segment;
  first: boolean;
  pending: Segment[];
  pendingBytes: number;
}

interface Settings {
  jobs: number;
  psql: string;
  env: NodeJS.ProcessEnv;
  secrets: readonly string[];
  /** The connections are the run's loader role (a refused privilege is then the dump's doing). */
  loader: boolean;
  message: (line: string) => void;
  /** Called once, with the first failure of a psql that stopped by itself. */
  onFailure: () => void;
}

/** The scheduler: takes the guard's pieces in dump order and places them on the connections. */
class ParallelLoad {
  readonly input: Writable;
  readonly connections: Connection[] = [];
  failure: Error | null = null;

  private readonly key = randomBytes(24).toString("hex");
  private readonly marker: string;
  private waiting: Unit[] = [];
  private waitingBytes = 0;
  private nextId = 1;
  /** The ordered unit still taking statements. */
  private batch: Unit | null = null;
  private lastOrdered: Connection | null = null;
  /** pg_dump's COPY whose data is being cut into units. */
  private copy: CopyInProgress | null = null;
  /** Data bytes per table, so far. */
  private readonly tableBytes = new Map<TableKey, number>();
  // What must reach one psql unbroken, so the batch it is in may not be closed yet.
  private largeObjectOpen = false;
  private statementOpen = false;
  private copyInBatch = false;
  /** The input's callback, held while too much waits. */
  private resume: ((error?: Error | null) => void) | null = null;
  private finishing: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private stopping = false;
  private readonly unitEnd: (id: number) => Segment;
  private readonly inputEnd: Segment;

  constructor(private readonly settings: Settings) {
    const marker = `restore-console ran ${randomBytes(12).toString("hex")}`;
    this.marker = `${maskSecrets(marker, settings.secrets)} `;
    for (let i = 0; i < settings.jobs; i++) this.connections.push(this.spawn());
    // Our own lines, given to psql before and after each unit; only these leave restrict mode. A
    // statement ends at its `;`, so they start on a line of their own: psql names the line a
    // statement ends on in its errors, and that line must map to the dump, not to us.
    this.unitEnd = (id) => ownSegment(`\n\\unrestrict ${this.key}\n\\warn ${marker} ${id}\n\\restrict ${this.key}\n`);
    this.inputEnd = ownSegment(`\n\\unrestrict ${this.key}\n\\warn ${marker} end\n`);
    for (const connection of this.connections) connection.write(ownSegment(`\\restrict ${this.key}\n${SESSION_SETTINGS}`));
    this.input = new Writable({
      objectMode: true,
      write: (piece: DumpPiece, _encoding, callback) => this.accept(piece, callback),
      final: (callback) => {
        this.closeBatch();
        this.pump();
        callback();
      },
    });
  }

  get tools(): ToolProcess[] {
    return this.connections.map((c) => c.tool);
  }

  /** Resolves once every unit ran and every psql exited cleanly; rejects with the first failure. */
  finish(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.finishing = { resolve, reject };
      this.pump();
      this.checkFinished();
    });
  }

  /** Kills every psql (the caller explains why) and waits until they are gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const connection of this.connections) connection.tool.kill();
    await Promise.all(this.connections.map((c) => c.tool.exited.catch(() => null)));
  }

  private spawn(): Connection {
    const { psql, env, secrets } = this.settings;
    // stderr is read only after this returns, once the connection exists.
    const spawned: { connection?: Connection } = {};
    const tool = spawnTool(psql, ["-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-f", "-"], {
      env,
      secrets,
      stdin: "pipe",
      onStderrLine: (line) => {
        if (spawned.connection) this.onStderr(spawned.connection, line);
      },
      keepInTail: () => false,
    });
    if (!tool.stdin) throw new Error("psql was spawned without stdin");
    const connection = new Connection(tool, tool.stdin);
    spawned.connection = connection;
    tool.stdin.on("drain", () => this.release());
    tool.exited.then(
      (exit) => this.onExit(connection, exit),
      (error: unknown) => {
        connection.tail.push(describe(error));
        this.onExit(connection, { code: null, signal: null });
      },
    );
    return connection;
  }

  // ---- the input side ------------------------------------------------------------------------

  private accept(piece: DumpPiece, callback: (error?: Error | null) => void): void {
    if (this.failure) return callback(this.failure);
    try {
      this.take(piece);
      this.pump();
    } catch (error) {
      // Our own invariant broke: said as it is, never as a failure of the store.
      this.fail(error as Error);
      return callback(error as Error);
    }
    if (this.congested()) this.resume = callback;
    else callback();
  }

  private congested(): boolean {
    return (
      this.waitingBytes > WAITING_BYTES ||
      this.waiting.length > WAITING_UNITS ||
      this.connections.some((c) => c.stdin.writableLength > STDIN_BYTES)
    );
  }

  private release(): void {
    if (!this.resume || (!this.failure && this.congested())) return;
    const callback = this.resume;
    this.resume = null;
    callback(this.failure);
  }

  private take(piece: DumpPiece): void {
    if (piece.kind === "more") {
      this.appendToBatch(segmentOf(piece.data, piece));
      if (piece.end) this.statementOpen = false;
      return;
    }
    if (piece.kind === "copy") {
      if (this.copy) return this.copyData(this.copy, piece);
      this.appendToBatch(segmentOf(piece.data, piece));
      if (piece.end) this.copyInBatch = false;
      return;
    }
    const segment: Segment = { parts: piece.parts, line: piece.line, newlines: piece.newlines, bytes: byteLength(piece.parts) };
    if (piece.largeObject || piece.open) {
      // pg_dump's large-object BEGIN … COMMIT and an over-long statement go to one psql, whole.
      this.ordered(segment);
      if (piece.largeObject) this.largeObjectOpen = piece.largeObject === "begin";
      if (piece.open) this.statementOpen = true;
      return;
    }
    const kind = classifyStatement(piece.text);
    if (piece.copyFromStdin) {
      if (kind.kind === "copy" && kind.table !== undefined) {
        this.closeBatch();
        this.copy = { table: kind.table, statement: segment, first: true, pending: [], pendingBytes: 0 };
      } else {
        // Another shape of COPY (CSV, options): its rows may span lines, so it is streamed whole, in order.
        this.ordered(segment);
        this.copyInBatch = true;
      }
      return;
    }
    if (kind.kind === "session") this.add(this.unit("session", [segment]));
    else if (kind.kind === "post") {
      const unit = this.unit("post", [segment], kind.locks);
      unit.foreignKey = kind.foreignKey;
      for (const table of kind.locks.keys()) unit.weight += this.tableBytes.get(table) ?? 0;
      this.add(unit);
    } else this.ordered(segment);
  }

  /** Cuts COPY data at a line end once a chunk is big enough: each chunk is a complete COPY of its own. */
  private copyData(copy: CopyInProgress, piece: Extract<DumpPiece, { kind: "copy" }>): void {
    const segment = segmentOf(piece.data, piece);
    copy.pending.push(segment);
    copy.pendingBytes += segment.bytes;
    this.tableBytes.set(copy.table, (this.tableBytes.get(copy.table) ?? 0) + segment.bytes);
    if (piece.end) {
      this.copyChunk(copy, true);
      this.copy = null;
      return;
    }
    if (copy.pendingBytes < CHUNK_BYTES) return;
    const cut = piece.data.lastIndexOf(NL);
    // A row longer than this piece: cut after a later one.
    if (cut === -1) return;
    copy.pending[copy.pending.length - 1] = {
      parts: [piece.data.subarray(0, cut + 1)],
      line: piece.line,
      newlines: piece.newlines,
      bytes: cut + 1,
    };
    const rest = piece.data.subarray(cut + 1);
    this.copyChunk(copy, false);
    if (rest.length > 0) {
      copy.pending = [{ parts: [rest], line: piece.line + piece.newlines, newlines: 0, bytes: rest.length }];
      copy.pendingBytes = rest.length;
    }
  }

  private copyChunk(copy: CopyInProgress, last: boolean): void {
    // The first chunk starts right after the statement's `;` (the rest of its line); later ones need that line end.
    const segments = [copy.statement, ...(copy.first ? [] : [NEWLINE]), ...copy.pending, ...(last ? [] : [COPY_END])];
    copy.first = false;
    copy.pending = [];
    copy.pendingBytes = 0;
    this.add(this.unit("data", segments));
  }

  private unit(kind: UnitKind, segments: Segment[], locks: ReadonlyMap<TableKey, TableLock> = NO_LOCKS): Unit {
    return {
      id: this.nextId++,
      kind,
      locks,
      segments,
      bytes: segments.reduce((sum, s) => sum + s.bytes, 0),
      open: false,
      connection: null,
      startLine: 0,
      weight: 0,
      foreignKey: false,
    };
  }

  private add(unit: Unit): void {
    this.closeBatch();
    this.waiting.push(unit);
    this.waitingBytes += unit.bytes;
  }

  /** An ordered statement joins the open batch, unless the batch is big enough and may be cut here. */
  private ordered(segment: Segment): void {
    const mustStayWhole = this.largeObjectOpen || this.statementOpen || this.copyInBatch;
    if (this.batch && (this.batch.bytes < BATCH_BYTES || mustStayWhole)) {
      this.append(this.batch, segment);
      return;
    }
    this.closeBatch();
    const batch = this.unit("ordered", [segment]);
    batch.open = true;
    this.batch = batch;
    this.waiting.push(batch);
    this.waitingBytes += batch.bytes;
  }

  private appendToBatch(segment: Segment): void {
    if (!this.batch) throw new Error("dump data arrived outside the statement it belongs to");
    this.append(this.batch, segment);
  }

  private append(unit: Unit, segment: Segment): void {
    unit.bytes += segment.bytes;
    if (unit.connection) {
      unit.connection.write(segment);
      unit.connection.inflightBytes += segment.bytes;
    } else {
      unit.segments.push(segment);
      this.waitingBytes += segment.bytes;
    }
  }

  private closeBatch(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = null;
    batch.open = false;
    if (batch.connection) batch.connection.write(this.unitEnd(batch.id));
  }

  // ---- placing units -------------------------------------------------------------------------

  /**
   * Places every waiting unit that may start now. A unit waits for earlier ones it conflicts
   * with, whether they are running or still waiting; a session setting waits until everything
   * before it is placed, and nothing after it is placed before it. Among post-data units, index
   * and key builds give the same result in any order, and so do foreign keys: they only wait for
   * earlier ones of the other sort on a common table, and never run at the same time as one that
   * shares a table (placement). Those ready start heaviest first: the biggest table's builds are
   * the longest chain.
   */
  private pump(): void {
    if (this.failure || this.stopping) return;
    const remaining: Unit[] = [];
    const ready: Unit[] = [];
    let blockedAll = false;
    let blockedData = false;
    let blockedPost = false;
    const blockedByKeys = new Map<TableKey, TableLock>();
    const blockedByForeignKeys = new Map<TableKey, TableLock>();
    for (const unit of this.waiting) {
      if (blockedAll) {
        remaining.push(unit);
        continue;
      }
      if (unit.kind === "session") {
        if (remaining.length === 0) this.broadcast(unit);
        else {
          remaining.push(unit);
          blockedAll = true;
        }
        continue;
      }
      if (unit.kind === "post") {
        const before = unit.foreignKey ? blockedByKeys : blockedByForeignKeys;
        if (!blockedData && !postConflicts(unit.locks, before)) ready.push(unit);
        // Placed below or not, it counts as waiting for the units after it.
        remaining.push(unit);
        blockedPost = true;
        const locks = unit.foreignKey ? blockedByForeignKeys : blockedByKeys;
        for (const [table, lock] of unit.locks) if (locks.get(table) !== "exclusive") locks.set(table, lock);
        continue;
      }
      const earlier = unit.kind === "ordered" ? remaining.length > 0 : blockedPost;
      const connection = earlier ? null : this.placement(unit);
      if (connection) {
        this.place(unit, connection);
        continue;
      }
      remaining.push(unit);
      if (unit.kind === "ordered") blockedAll = true;
      else blockedData = true;
    }
    ready.sort((a, b) => b.weight - a.weight || a.id - b.id);
    const placed = new Set<Unit>();
    for (const unit of ready) {
      const connection = this.placement(unit);
      if (!connection) continue;
      this.place(unit, connection);
      placed.add(unit);
    }
    this.waiting = placed.size > 0 ? remaining.filter((unit) => !placed.has(unit)) : remaining;
    this.commitData();
  }

  /**
   * Each connection loads its COPYs inside one transaction, committed once no more data comes
   * before what waits next (or, at the end, once the gate passed). Until then autovacuum sees no
   * new rows: it would otherwise start on the tables being loaded, compete for the cores and hold
   * up their key builds until it is cancelled; and a failed load leaves less behind.
   */
  private commitData(): void {
    const next = this.waiting[0];
    const dataDone = next ? next.kind !== "data" : this.finishing !== null && this.batch === null && this.copy === null;
    if (!dataDone) return;
    for (const connection of this.connections) {
      if (!connection.inDataTransaction) continue;
      // Behind its last COPYs; post-data and ordered units wait for it like for any data.
      const commit = this.unit("data", [COMMIT]);
      commit.connection = connection;
      commit.startLine = connection.psqlLine;
      connection.inflight.push(commit);
      connection.inflightBytes += commit.bytes;
      connection.write(COMMIT);
      connection.write(this.unitEnd(commit.id));
      connection.inDataTransaction = false;
    }
  }

  /** Where a unit may start now, if anywhere. */
  private placement(unit: Unit): Connection | null {
    const busy = this.connections.filter((c) => c.inflight.length > 0);
    switch (unit.kind) {
      case "ordered":
        // Behind everything running, on the one connection running it (no round trip), or alone.
        if (busy.length === 0) return this.lastOrdered ?? this.connections[0] ?? null;
        return busy.length === 1 ? (busy[0] ?? null) : null;
      case "data": {
        if (busy.some((c) => c.inflight.some((u) => u.kind !== "data"))) return null;
        let best: Connection | null = null;
        for (const c of this.connections) if (c.inflight.length < DATA_DEPTH && (!best || c.inflightBytes < best.inflightBytes)) best = c;
        return best;
      }
      case "post":
        for (const c of busy) for (const u of c.inflight) if (u.kind !== "post" || postConflicts(u.locks, unit.locks)) return null;
        return this.connections.find((c) => c.inflight.length === 0) ?? null;
      case "session":
        return null;
    }
  }

  private place(unit: Unit, connection: Connection): void {
    unit.connection = connection;
    if (unit.kind === "data" && !connection.inDataTransaction) {
      connection.write(BEGIN);
      connection.inDataTransaction = true;
    }
    unit.startLine = connection.psqlLine;
    connection.inflight.push(unit);
    connection.inflightBytes += unit.bytes;
    this.waitingBytes -= unit.bytes;
    for (const segment of unit.segments) connection.write(segment);
    unit.segments = [];
    if (!unit.open) connection.write(this.unitEnd(unit.id));
    if (unit.kind === "ordered") this.lastOrdered = connection;
  }

  /** A session setting goes to every psql, after what each was given before it. */
  private broadcast(unit: Unit): void {
    this.waitingBytes -= unit.bytes;
    for (const connection of this.connections) for (const segment of unit.segments) connection.write(segment);
    unit.segments = [];
  }

  // ---- what the psql processes say -----------------------------------------------------------

  private onStderr(connection: Connection, line: string): void {
    if (line.startsWith(this.marker)) {
      const what = line.slice(this.marker.length);
      if (what === "end") connection.readEverything = true;
      else this.onUnitDone(connection, Number(what));
      return;
    }
    const mapped = line.replace(/^psql:<stdin>:(\d+):/, (_match, n: string) => {
      const dumpLine = connection.dumpLine(Number(n));
      return dumpLine === null ? "psql:" : `line ${dumpLine} of the dump:`;
    });
    connection.tail.push(mapped);
    if (connection.tail.length > TAIL_LINES) connection.tail.shift();
    this.settings.message(mapped);
  }

  private onUnitDone(connection: Connection, id: number): void {
    const unit = connection.inflight[0];
    if (!unit || unit.id !== id) {
      this.fail(new Error(`psql reported the end of unit ${id}, which it was not running`));
      return;
    }
    connection.inflight.shift();
    connection.inflightBytes -= unit.bytes;
    connection.forget(connection.inflight[0]?.startLine ?? connection.psqlLine);
    this.pump();
    this.release();
    this.checkFinished();
  }

  private onExit(connection: Connection, exit: ToolExit): void {
    connection.exit = exit;
    if (this.stopping) return;
    if (connection.closing && exit.code === 0 && !exit.signal && connection.readEverything) {
      this.checkFinished();
      return;
    }
    this.fail(this.toolFailure(connection, exit));
  }

  /** psql stopped by itself: its own message (with the dump's line) says why. */
  private toolFailure(connection: Connection, exit: ToolExit): Error {
    const refusal = connection.tail.find((line) => PSQL_REFUSED.test(line));
    if (refusal) {
      return new DumpRefusedError(
        `it contains a psql meta-command, which pg_dump never writes. Restores run psql in restricted mode so a dump cannot run commands on this host (psql said: ${refusal}). Investigate where this file came from`,
        { aftermath: PARTLY_LOADED },
      );
    }
    const ended =
      exit.code === 0 && !exit.signal ? [...connection.tail, "psql ended before it had run everything it was given"] : connection.tail;
    return new RestoreToolError("psql", exit, ended, { aftermath: PARTLY_LOADED, loader: this.settings.loader });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.settings.onFailure();
    this.release();
    this.finishing?.reject(error);
  }

  private checkFinished(): void {
    const finishing = this.finishing;
    if (!finishing) return;
    if (this.failure) return finishing.reject(this.failure);
    if (this.waiting.length > 0 || this.batch || this.connections.some((c) => c.inflight.length > 0 || c.inDataTransaction)) return;
    for (const connection of this.connections) {
      if (connection.closing) continue;
      connection.closing = true;
      connection.write(this.inputEnd);
      connection.stdin.end();
    }
    if (this.connections.every((c) => c.exit !== null)) finishing.resolve();
  }
}

function segmentOf(data: Buffer, lines: { line: number; newlines: number }): Segment {
  return { parts: [data], line: lines.line, newlines: lines.newlines, bytes: data.length };
}

function byteLength(parts: readonly Buffer[]): number {
  let bytes = 0;
  for (const part of parts) bytes += part.length;
  return bytes;
}

/** The errors the stream and the gate raise, saying what happens to the partly loaded scratch database. */
function partlyLoaded(error: Error): Error {
  if (error instanceof ChecksumMismatchError) return new ChecksumMismatchError(error.expected, error.actual, { aftermath: PARTLY_LOADED });
  if (error instanceof IncompleteDumpError) return new IncompleteDumpError(error.reason, { cause: error.cause, aftermath: PARTLY_LOADED });
  if (error instanceof DumpRefusedError) return new DumpRefusedError(error.reason, { aftermath: PARTLY_LOADED });
  if (error instanceof DumpReadError) return new DumpReadError(error.reason, { cause: error.cause, aftermath: PARTLY_LOADED });
  return error;
}

/**
 * Plain dump over `jobs` connections: store → sha256 → gunzip → statement guard (piece mode) →
 * the scheduler above. Resolves only when the checksum matched, the end marker arrived and every
 * psql ran everything and exited cleanly; on anything else every psql is killed and the first
 * cause is thrown, and the caller drops the scratch database.
 */
export async function restorePlainParallel(
  options: RestoreDumpOptions,
  run: Run,
  secrets: readonly string[],
  jobs: number,
): Promise<RestoreResult> {
  const source = await openSource(options, run.upstream.signal, secrets);
  try {
    const psql = await findPgTool("psql");
    const hash = createHash("sha256");
    const guard = new PlainDumpGuard({ ...(options.existingRoles ? { existingRoles: options.existingRoles } : {}), pieces: true });
    const reporter = new Reporter(options, () => ({ sqlBytes: guard.sqlBytes, rows: guard.rows }));
    return await withPgEnv(options.target, options.database, async (env) => {
      const load = new ParallelLoad({
        jobs,
        psql,
        env,
        secrets,
        loader: options.asLoader ?? false,
        message: quietly(options.onMessage),
        onFailure: () => run.upstream.abort(),
      });
      for (const tool of load.tools) run.tools.add(tool);
      reporter.phase("restoring");
      const tap = checksumTap(hash, (chunk) => {
        reporter.state.bytesRead += chunk.length;
        reporter.emit();
      });
      try {
        const selection = options.keepEntry ? [new SelectionStream(options.keepEntry)] : [];
        await pipeline([source, tap, createGunzip(GUNZIP_OPTIONS), ...selection, guard, load.input], { signal: run.upstream.signal });
        reporter.emit(true);
        if (run.cancelled) throw new CancelledError(PARTLY_LOADED);
        if (load.failure) throw load.failure;
        const sha256 = hash.digest("hex");
        checkChecksum(options.expectedSha256, sha256, PARTLY_LOADED);
        if (!guard.complete) {
          throw new IncompleteDumpError(`it ended without pg_dump's end marker ("${END_MARKER}") after ${guard.lines} lines`, {
            aftermath: PARTLY_LOADED,
          });
        }
        // The gate passed: what was sent finishes (the last index and constraint builds), then each psql exits.
        reporter.phase("committing");
        await load.finish();
        if (run.cancelled) throw new CancelledError(PARTLY_LOADED);
        reporter.emit(true);
        return {
          sha256,
          bytesRead: reporter.state.bytesRead,
          sqlBytes: guard.sqlBytes,
          rows: guard.rows,
          durationMs: 0,
          guard: guard.report,
        };
      } catch (error) {
        // The first cause: a cancel; our own refusal of the dump (whatever psql did meanwhile);
        // a psql that stopped by itself (the broken stream behind it is only a consequence); the stream.
        const failure = load.failure;
        await load.stop();
        if (run.cancelled) throw new CancelledError(PARTLY_LOADED);
        if (error instanceof DumpRefusedError) throw partlyLoaded(error);
        if (failure) throw failure;
        throw partlyLoaded(streamFailure(error, secrets));
      }
    });
  } finally {
    // A no-op once the pipeline consumed it; covers a failure before the pipeline took it over.
    source.destroy();
  }
}
