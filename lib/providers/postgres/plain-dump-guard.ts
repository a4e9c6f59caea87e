import "server-only";
import { Transform, type TransformCallback } from "node:stream";
import { DumpRefusedError } from "./errors";
import { RoutineBodyTracker } from "./psql-routine-body";
import { refusal, StatementPolicy, type Decision, type GuardReport } from "./statement-policy";

export type { GuardReport } from "./statement-policy";

// A plain dump passes through this guard on its way to psql. It reads the stream the way psql
// does (quotes, dollar quotes, comments, parentheses, CREATE FUNCTION … BEGIN ATOMIC bodies,
// backslash commands, COPY data) so that it sees the same top-level statements psql will send,
// and has each judged (statement-policy.ts) before psql gets it. COPY data, nearly all of a
// dump's bytes, is only counted line by line.

const MIB = 1 << 20;
export const END_MARKER = "-- PostgreSQL database dump complete";
const CUSTOM_MAGIC = "PGDMP";
/** A statement longer than this is judged by its first MiB and then streamed (pg_dump's long ones are data). */
const HOLD_LIMIT = MIB;
/** Only `\restrict KEY` / `\unrestrict KEY` are accepted, and they are short. */
const MAX_META_LINE = 256;
/** Enough of a comment line to recognise the end marker. */
const COMMENT_PREFIX = 64;

const NL = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const QUOTE = 0x27;
const DQUOTE = 0x22;
const DOLLAR = 0x24;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const SEMICOLON = 0x3b;
const LPAREN = 0x28;
const RPAREN = 0x29;

const enum Mode {
  Normal,
  String,
  EscapeString,
  QuotedIdent,
  DollarTag,
  Dollar,
  LineComment,
  BlockComment,
  Meta,
  AfterCopy,
  CopyData,
}

function isIdentStart(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b >= 0x80;
}

function isIdentCont(b: number): boolean {
  return isIdentStart(b) || (b >= 0x30 && b <= 0x39) || b === DOLLAR;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === NL || b === CR || b === 0x09 || b === 0x0c;
}

export interface PlainDumpGuardOptions {
  /** The target's roles: grants to others are skipped and reported. Absent: grants are not checked. */
  existingRoles?: ReadonlySet<string>;
  /**
   * Pass on typed pieces (DumpPiece) instead of bytes: whole statements and COPY data, each with
   * the dump line it starts on, for a loader that spreads the dump over several connections.
   */
  pieces?: boolean;
}

/** Where a piece of the dump starts, and how many line breaks it holds (its last line may go on in the next piece). */
export interface PieceLines {
  /** The dump's line number of the piece's first byte (1-based). */
  line: number;
  newlines: number;
}

/**
 * What the guard passes on in piece mode. Only what psql should run arrives: dropped statements,
 * comments and pg_dump's \restrict lines do not, so line numbers travel with each piece instead.
 */
export type DumpPiece =
  | (PieceLines & {
      kind: "statement";
      /** The statement's bytes (with the comments before it), as judged. */
      parts: Buffer[];
      /** The same bytes as text (empty for an over-long statement, which is judged by its first MiB and streamed). */
      text: string;
      /** COPY … FROM stdin: its data follows as "copy" pieces. */
      copyFromStdin: boolean;
      /** pg_dump's BEGIN or COMMIT around large-object data (validated; the single-connection path drops them). */
      largeObject: "begin" | "commit" | null;
      /** An over-long statement: judged by its head, the rest follows as "more" pieces. */
      open: boolean;
    })
  /** More of an over-long statement; `end` on its last piece. */
  | (PieceLines & { kind: "more"; data: Buffer; end: boolean })
  /** COPY data as it arrives: starts right after the COPY statement's `;`; `end` on the piece holding the `\.` line. */
  | (PieceLines & { kind: "copy"; data: Buffer; end: boolean });

/**
 * Passes a plain SQL dump to psql statement by statement, refusing what no dump of ours needs
 * (transaction control, database and role DDL, server programs and files, role switches,
 * backslash commands), skipping ownership changes and grants the loader cannot make, and folding
 * pg_dump's large-object `BEGIN`/`COMMIT` into the restore's own transaction. A dropped statement
 * is replaced by its newlines, so psql's line numbers still match the dump's.
 */
export class PlainDumpGuard extends Transform {
  rows = 0;
  sqlBytes = 0;
  /** Newlines seen (line numbers are 1-based: the current line is `lines + 1`). */
  lines = 0;

  private readonly policy: StatementPolicy;
  private readonly routine = new RoutineBodyTracker();
  private readonly pieces: boolean;
  private mode = Mode.Normal;
  /** Where the bytes of the chunk being scanned stop being accounted for (sent or held). */
  private from = 0;
  /** Line breaks before `from` (piece mode's line numbers). */
  private fromLines = 0;
  /** Bytes of the current statement (or of comments since the last one), not yet sent. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Sending the current, over-long statement as it arrives (already judged by its head). */
  private streaming = false;
  /** The statement has begun (a byte that is not a comment or white space). */
  private started = false;
  private startLine = 0;
  private anyStatement = false;
  private atLineStart = true;
  // One-byte look-aheads that may straddle chunks: `--`, `/*`, a doubled quote, an escape.
  private pendingDash = false;
  private pendingSlash = false;
  private pendingQuoteEnd = false;
  private escapeNext = false;
  private blockDepth = 0;
  private blockPrev = 0;
  private dollarTag = "";
  private dollarMatch = 0;
  private dollarClose: Buffer = Buffer.alloc(0);
  private wordActive = false;
  private wordIsNumber = false;
  private word = "";
  private parenDepth = 0;
  // The line being read as a comment (end marker), a backslash command, or a COPY data line that straddles chunks.
  private lineText = "";
  private lineLength = 0;
  private commentAtLineStart = false;
  private markerLast = false;
  private droppedHeader = false;

  constructor(options: PlainDumpGuardOptions = {}) {
    super(options.pieces ? { writableHighWaterMark: MIB, readableObjectMode: true } : { highWaterMark: MIB });
    this.pieces = options.pieces ?? false;
    this.policy = new StatementPolicy(options.existingRoles);
  }

  get report(): GuardReport {
    return this.policy.report;
  }

  /** pg_dump's end marker arrived, nothing but comments followed, and no statement or large-object block is open. */
  get complete(): boolean {
    return this.markerLast && this.mode === Mode.Normal && !this.started && !this.policy.largeObjectBlockOpen;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (this.sqlBytes === 0 && chunk.subarray(0, CUSTOM_MAGIC.length).toString("latin1") === CUSTOM_MAGIC) {
        throw new DumpRefusedError("it is a custom-format archive (pg_dump -Fc), not plain SQL; restore it as the custom format");
      }
      this.sqlBytes += chunk.length;
      this.scan(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.mode === Mode.Meta) this.endMetaLine();
      // An unfinished statement is never sent: psql would run it at EOF. The end-marker check fails the restore.
      if (!this.started) this.sendHeld();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private scan(chunk: Buffer): void {
    this.setFrom(0);
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.mode) {
        case Mode.CopyData:
          i = this.copyData(chunk, i);
          break;
        case Mode.AfterCopy:
          i = this.afterCopy(chunk, i);
          break;
        case Mode.Meta:
          i = this.metaLine(chunk, i);
          break;
        case Mode.LineComment:
          i = this.lineComment(chunk, i);
          break;
        case Mode.String:
        case Mode.EscapeString:
        case Mode.QuotedIdent:
          i = this.quoted(chunk, i);
          break;
        case Mode.DollarTag:
          i = this.dollarTagByte(chunk, i);
          break;
        case Mode.Dollar:
          i = this.dollarBody(chunk, i);
          break;
        case Mode.BlockComment:
          i = this.blockComment(chunk, i);
          break;
        case Mode.Normal:
          i = this.normal(chunk, i);
          break;
      }
    }
    const from = this.from;
    if (from >= n) return;
    if (this.mode === Mode.CopyData || this.mode === Mode.AfterCopy) {
      this.sendData(chunk.subarray(from, n), "copy", false);
    } else if (this.streaming) {
      this.sendData(chunk.subarray(from, n), "more", false);
    } else if (this.mode !== Mode.Meta) {
      this.hold(chunk, from, n);
      if (this.heldBytes > HOLD_LIMIT) this.overLong();
    }
  }

  /** The hot path: one indexOf per data line; a line is only compared with `\.`. */
  private copyData(chunk: Buffer, i: number): number {
    const end = chunk.indexOf(NL, i);
    let terminator: boolean;
    if (this.lineLength === 0 && end !== -1) {
      const length = end - i;
      terminator = chunk[i] === BACKSLASH && chunk[i + 1] === DOT && (length === 2 || (length === 3 && chunk[i + 2] === CR));
    } else {
      // A line that spans chunks: its first three bytes and its length decide.
      const stop = end === -1 ? chunk.length : end;
      if (this.lineLength < 3) this.lineText += chunk.toString("latin1", i, Math.min(stop, i + 3 - this.lineLength));
      this.lineLength += stop - i;
      if (end === -1) return chunk.length;
      terminator = (this.lineText === "\\." && this.lineLength === 2) || (this.lineText === "\\.\r" && this.lineLength === 3);
      this.lineText = "";
      this.lineLength = 0;
    }
    this.lines++;
    const next = end + 1;
    if (!terminator) {
      this.rows++;
      return next;
    }
    this.mode = Mode.Normal;
    this.atLineStart = true;
    this.sendData(chunk.subarray(this.from, next), "copy", true);
    this.setFrom(next);
    return next;
  }

  /** psql reads the rest of a COPY line as SQL after the data, so only white space may follow. */
  private afterCopy(chunk: Buffer, i: number): number {
    const b = chunk[i] as number;
    if (b === NL) {
      this.lines++;
      this.mode = Mode.CopyData;
      this.lineText = "";
      this.lineLength = 0;
    } else if (!isSpace(b)) {
      throw refusal(this.lines + 1, "text after COPY … FROM stdin on the same line", "psql would read it after the data");
    }
    return i + 1;
  }

  /** A backslash line is read aside (never sent) until its end decides. */
  private metaLine(chunk: Buffer, i: number): number {
    const b = chunk[i] as number;
    if (b === NL) {
      this.endMetaLine();
      this.lines++;
    } else {
      if (this.lineLength < MAX_META_LINE) this.lineText += String.fromCharCode(b);
      this.lineLength++;
    }
    this.setFrom(i + 1);
    return i + 1;
  }

  private lineComment(chunk: Buffer, i: number): number {
    const end = chunk.indexOf(NL, i);
    const stop = end === -1 ? chunk.length : end;
    if (this.commentAtLineStart && this.lineLength < COMMENT_PREFIX)
      this.lineText += chunk.toString("latin1", i, Math.min(stop, i + COMMENT_PREFIX - this.lineLength));
    this.lineLength += stop - i;
    if (end === -1) return chunk.length;
    this.lines++;
    this.mode = Mode.Normal;
    this.atLineStart = true;
    if (this.commentAtLineStart && !this.started && this.lineText.replace(/\r$/, "") === END_MARKER) this.markerLast = true;
    this.lineText = "";
    this.lineLength = 0;
    return end + 1;
  }

  /** '…', E'…' (backslash escapes) and "…"; a doubled quote stands for itself. */
  private quoted(chunk: Buffer, i: number): number {
    const b = chunk[i] as number;
    const close = this.mode === Mode.QuotedIdent ? DQUOTE : QUOTE;
    if (this.pendingQuoteEnd) {
      this.pendingQuoteEnd = false;
      if (b === close) return i + 1;
      this.mode = Mode.Normal;
      return i; // read this byte again as ordinary SQL
    }
    if (this.mode === Mode.EscapeString) {
      if (this.escapeNext) this.escapeNext = false;
      else if (b === BACKSLASH) this.escapeNext = true;
      else if (b === close) this.pendingQuoteEnd = true;
      if (b === NL) this.lines++;
      return i + 1;
    }
    const end = chunk.indexOf(close, i);
    this.countNewlines(chunk, i, end === -1 ? chunk.length : end);
    if (end === -1) return chunk.length;
    this.pendingQuoteEnd = true;
    return end + 1;
  }

  private dollarTagByte(chunk: Buffer, i: number): number {
    const b = chunk[i] as number;
    if (b === DOLLAR) {
      this.mode = Mode.Dollar;
      this.dollarClose = Buffer.from(`$${this.dollarTag}$`, "latin1");
      this.dollarMatch = 0;
      return i + 1;
    }
    if ((this.dollarTag === "" ? isIdentStart(b) : isIdentCont(b)) && this.dollarTag.length < 64) {
      this.dollarTag += String.fromCharCode(b);
      return i + 1;
    }
    // `$1` or a lone `$`: not a dollar quote after all.
    this.mode = Mode.Normal;
    return i;
  }

  private dollarBody(chunk: Buffer, i: number): number {
    let at = i;
    if (this.dollarMatch === 0) {
      const next = chunk.indexOf(DOLLAR, i);
      this.countNewlines(chunk, i, next === -1 ? chunk.length : next);
      if (next === -1) return chunk.length;
      at = next;
    }
    const c = chunk[at] as number;
    if (c === this.dollarClose[this.dollarMatch]) {
      this.dollarMatch++;
      if (this.dollarMatch === this.dollarClose.length) this.mode = Mode.Normal;
    } else {
      // The tag holds no `$`, so a mismatch restarts the match at this byte only if it is one.
      this.dollarMatch = c === DOLLAR ? 1 : 0;
      if (c === NL) this.lines++;
    }
    return at + 1;
  }

  /** Block comments nest in PostgreSQL. */
  private blockComment(chunk: Buffer, i: number): number {
    const b = chunk[i] as number;
    if (b === NL) this.lines++;
    if (this.blockPrev === SLASH && b === STAR) {
      this.blockDepth++;
      this.blockPrev = 0;
    } else if (this.blockPrev === STAR && b === SLASH) {
      this.blockDepth--;
      this.blockPrev = 0;
      if (this.blockDepth === 0) this.mode = Mode.Normal;
    } else {
      this.blockPrev = b;
    }
    return i + 1;
  }

  /** Ordinary SQL: words, punctuation, and the starts of everything else. */
  private normal(chunk: Buffer, i: number): number {
    const b = chunk[i] as number;
    if (this.pendingDash || this.pendingSlash) {
      const wasDash = this.pendingDash;
      this.pendingDash = this.pendingSlash = false;
      if (wasDash && b === DASH) {
        this.mode = Mode.LineComment;
        this.commentAtLineStart = this.atLineStart;
        this.lineText = "--";
        this.lineLength = 2;
        return i + 1;
      }
      if (!wasDash && b === STAR) {
        this.mode = Mode.BlockComment;
        this.blockDepth = 1;
        this.blockPrev = 0;
        return i + 1;
      }
      // The `-` or `/` was an operator: it began (or continues) the statement.
      this.significant();
      this.atLineStart = false;
    }
    if (isSpace(b)) {
      this.endWord();
      if (b === NL) {
        this.lines++;
        this.atLineStart = true;
      }
      return i + 1;
    }
    if (b === DASH || b === SLASH) {
      this.endWord();
      if (b === DASH) this.pendingDash = true;
      else this.pendingSlash = true;
      return i + 1;
    }
    const wasLineStart = this.atLineStart;
    this.atLineStart = false;
    if (b === BACKSLASH) return this.startMetaLine(chunk, i, wasLineStart);
    this.significant();
    if (this.wordActive) {
      if (isIdentCont(b)) {
        if (this.word.length < 16) this.word += String.fromCharCode(b | 0x20);
        return i + 1;
      }
      if (b === QUOTE && !this.wordIsNumber && this.word === "e") {
        // E'…': backslash escapes apply (the E belongs to the string, not a word).
        this.wordActive = false;
        this.mode = Mode.EscapeString;
        this.escapeNext = false;
        return i + 1;
      }
      this.endWord();
    }
    switch (b) {
      case QUOTE:
        this.mode = Mode.String;
        return i + 1;
      case DQUOTE:
        this.mode = Mode.QuotedIdent;
        return i + 1;
      case DOLLAR:
        this.mode = Mode.DollarTag;
        this.dollarTag = "";
        return i + 1;
      case LPAREN:
        this.parenDepth++;
        return i + 1;
      case RPAREN:
        this.parenDepth = Math.max(0, this.parenDepth - 1);
        return i + 1;
      case SEMICOLON:
        return this.parenDepth === 0 ? this.semicolon(chunk, i) : i + 1;
      default:
        if (isIdentStart(b) || (b >= 0x30 && b <= 0x39)) {
          this.wordActive = true;
          this.wordIsNumber = !isIdentStart(b);
          this.word = String.fromCharCode(b | 0x20);
        }
        return i + 1;
    }
  }

  private semicolon(chunk: Buffer, i: number): number {
    const next = i + 1;
    const ends = this.routine.semicolon();
    if (ends === "joined")
      throw refusal(this.startLine, "several statements sent as one", "a BEGIN or CASE word in CREATE FUNCTION makes psql join them");
    if (ends === "body") return next;
    this.hold(chunk, this.from, next);
    this.setFrom(next);
    this.endStatement();
    return next;
  }

  private startMetaLine(chunk: Buffer, i: number, atLineStart: boolean): number {
    this.endWord();
    if (this.started || !atLineStart)
      throw refusal(this.lines + 1, "a psql backslash command", "pg_dump never writes one inside a statement");
    // Everything before it is comments: send it, then read the command line on its own.
    this.hold(chunk, this.from, i);
    this.sendHeld();
    this.mode = Mode.Meta;
    this.lineText = "\\";
    this.lineLength = 1;
    this.setFrom(i + 1);
    return i + 1;
  }

  private countNewlines(chunk: Buffer, from: number, to: number): void {
    for (let at = chunk.indexOf(NL, from); at !== -1 && at < to; at = chunk.indexOf(NL, at + 1)) this.lines++;
  }

  /** A byte that is not a comment or white space: the statement has begun. */
  private significant(): void {
    if (this.started) return;
    this.started = true;
    this.startLine = this.lines + 1;
    this.markerLast = false;
    this.anyStatement = true;
  }

  private endWord(): void {
    if (!this.wordActive) return;
    this.wordActive = false;
    if (!this.wordIsNumber) this.routine.word(this.word, this.parenDepth);
  }

  private hold(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.held.push(chunk.subarray(from, to));
    this.heldBytes += to - from;
  }

  private setFrom(at: number): void {
    this.from = at;
    this.fromLines = this.lines;
  }

  /** Held bytes that are not a judged statement (comments, or the end of an over-long one): psql needs none of them in piece mode. */
  private sendHeld(): void {
    if (!this.pieces) for (const part of this.held) this.push(part);
    this.held = [];
    this.heldBytes = 0;
  }

  private dropHeld(): void {
    if (!this.pieces) {
      const newlines = heldNewlines(this.held);
      if (newlines > 0) this.push(Buffer.from("\n".repeat(newlines)));
    }
    this.held = [];
    this.heldBytes = 0;
  }

  /** Bytes that follow a statement already passed on: COPY data, or the rest of an over-long statement. */
  private sendData(data: Buffer, kind: "copy" | "more", end: boolean): void {
    if (!this.pieces) {
      this.push(data);
      return;
    }
    const newlines = this.lines - this.fromLines;
    this.push({ kind, data, end, line: this.fromLines + 1, newlines } satisfies DumpPiece);
  }

  /** A judged statement, as a piece: it ends at the scan position, so its first line follows from its line breaks. */
  private sendStatement(text: string, decision: Decision, open: boolean): void {
    const newlines = heldNewlines(this.held);
    this.push({
      kind: "statement",
      parts: this.held,
      text,
      copyFromStdin: decision.copyFromStdin,
      largeObject: decision.largeObject ?? null,
      open,
      line: this.lines - newlines + 1,
      newlines,
    } satisfies DumpPiece);
    this.held = [];
    this.heldBytes = 0;
  }

  private describeHead(): string {
    const text = Buffer.concat(this.held)
      .subarray(0, 400)
      .toString("utf8")
      .replace(/--[^\n]*\n/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  }

  /** A statement too long to hold: judged by its head, then streamed. */
  private overLong(): void {
    if (!this.started) {
      this.sendHeld();
      return;
    }
    const what = `a statement over ${HOLD_LIMIT / MIB} MiB (${this.describeHead()})`;
    const head = Buffer.concat(this.held).toString("utf8");
    this.apply(this.policy.decideStreamed(head, this.startLine, what), head, true);
    this.streaming = true;
  }

  private endStatement(): void {
    if (this.streaming) {
      if (this.pieces) {
        // The statement's last bytes end at the scan position, like a whole statement's.
        const newlines = heldNewlines(this.held);
        this.push({
          kind: "more",
          data: Buffer.concat(this.held),
          end: true,
          line: this.lines - newlines + 1,
          newlines,
        } satisfies DumpPiece);
      } else this.sendHeld();
    } else {
      const text = Buffer.concat(this.held).toString("utf8");
      this.apply(
        this.policy.decide(text, this.startLine, () => this.describeHead()),
        text,
        false,
      );
    }
    this.held = [];
    this.heldBytes = 0;
    this.started = false;
    this.streaming = false;
    this.parenDepth = 0;
    this.wordActive = false;
    this.routine.reset();
  }

  private apply(decision: Decision, text: string, open: boolean): void {
    if (decision.insert) this.rows++;
    if (this.pieces && (decision.send || decision.largeObject)) this.sendStatement(open ? "" : text, decision, open);
    else if (decision.send) this.sendHeld();
    else this.dropHeld();
    if (decision.copyFromStdin) this.mode = Mode.AfterCopy;
  }

  /** A backslash line between statements: only pg_dump's own `\restrict` header and `\unrestrict` trailer. */
  private endMetaLine(): void {
    this.mode = Mode.Normal;
    this.atLineStart = true;
    const text = this.lineText.replace(/\r$/, "");
    const line = this.lines + 1;
    const short = this.lineLength <= MAX_META_LINE;
    this.lineText = "";
    this.lineLength = 0;
    const header = short && !this.anyStatement && !this.droppedHeader && /^\\restrict \S+\s*$/.test(text);
    const trailer = short && this.markerLast && /^\\unrestrict \S+\s*$/.test(text);
    if (!header && !trailer) throw refusal(line, `a psql backslash command (${text.slice(0, 60)})`, "restores never run psql commands");
    if (header) this.droppedHeader = true;
    if (!this.pieces) this.push(Buffer.from("\n"));
  }
}

function heldNewlines(parts: readonly Buffer[]): number {
  let newlines = 0;
  for (const part of parts) for (let at = part.indexOf(NL); at !== -1; at = part.indexOf(NL, at + 1)) newlines++;
  return newlines;
}
