import { Transform, type TransformCallback } from "node:stream";
import { DumpRefusedError } from "./errors";
import { judgeStatement, type StatementVerdict } from "./dump-statements";

// A plain dump passes through this guard on its way to psql. It reads the stream the way psql
// does (quotes, dollar quotes, comments, parentheses, CREATE FUNCTION … BEGIN ATOMIC bodies,
// backslash commands, COPY data) so that it sees the same top-level statements psql will send,
// and judges each one before psql gets it (dump-statements.ts). COPY data, nearly all of a
// dump's bytes, is only counted line by line.

const MIB = 1 << 20;
export const END_MARKER = "-- PostgreSQL database dump complete";
const CUSTOM_MAGIC = "PGDMP";
/** A statement longer than this is judged by its first MiB and then streamed (pg_dump's long ones are data). */
const HOLD_LIMIT = MIB;
/** Only `\restrict KEY` / `\unrestrict KEY` are accepted, and they are short. */
const MAX_META_LINE = 256;
const MAX_REPORTED = 50;

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

/** What the guard set aside, for the run's record: nothing here ran on the server. */
export interface GuardReport {
  /** `ALTER … OWNER TO` statements: ownership is given to the target's owner role after the load. */
  ownerChangesSkipped: number;
  /** GRANT/REVOKE naming roles the target does not have, and `ALTER DEFAULT PRIVILEGES FOR ROLE …`. */
  skipped: Array<{ line: number; reason: "grant-to-missing-role" | "default-privileges"; roles: string[] }>;
  /** Roles the dump named that the target lacks. */
  missingRoles: string[];
  /** pg_dump's `BEGIN` … `COMMIT` around large-object data, folded into the restore's transaction. */
  largeObjectBlocks: number;
}

export interface PlainDumpGuardOptions {
  /** The target's roles: grants to others are skipped and reported. Absent: grants are not checked. */
  existingRoles?: ReadonlySet<string>;
}

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
  readonly report: GuardReport = { ownerChangesSkipped: 0, skipped: [], missingRoles: [], largeObjectBlocks: 0 };

  private mode = Mode.Normal;
  /** Bytes of the current statement (or of comments since the last one), not yet sent. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Sending the current, over-long statement as it arrives (already judged by its head). */
  private streaming = false;
  /** The statement has begun (a byte that is not a comment or white space). */
  private started = false;
  private startLine = 0;
  private anyStatement = false;
  private pendingDash = false;
  private pendingSlash = false;
  private pendingQuoteEnd = false;
  private escapeNext = false;
  private lastByte = 0;
  private atLineStart = true;
  private blockDepth = 0;
  private blockPrev = 0;
  private dollarTag = "";
  private dollarMatch = 0;
  private dollarClose: Buffer = Buffer.alloc(0);
  private wordActive = false;
  private wordIsNumber = false;
  private word = "";
  private parenDepth = 0;
  // psql's heuristic for CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN … END (psqlscan.l).
  private identifierCount = 0;
  private leadWords: string[] = [];
  private beginDepth = 0;
  private previousWord = "";
  private atomicLevel = 0;
  // The line being checked as a comment (end marker) or a backslash command.
  private lineText = "";
  private lineLength = 0;
  private commentAtLineStart = false;
  private markerLast = false;
  private droppedHeader = false;
  private largeObjectFrom: number | null = null;
  private readonly existingRoles: ReadonlySet<string> | undefined;
  private readonly missing = new Set<string>();

  constructor(options: PlainDumpGuardOptions = {}) {
    super({ highWaterMark: MIB });
    this.existingRoles = options.existingRoles;
  }

  /** pg_dump's end marker arrived, nothing but comments followed, and no statement or large-object block is open. */
  get complete(): boolean {
    return this.markerLast && this.mode === Mode.Normal && !this.started && this.largeObjectFrom === null;
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
    let from = 0;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const b = chunk[i] as number;
      switch (this.mode) {
        case Mode.CopyData: {
          // The hot path: one indexOf per data line; a line is only compared with `\.`.
          const end = chunk.indexOf(NL, i);
          let terminator: boolean;
          if (this.lineLength === 0 && end !== -1) {
            const length = end - i;
            terminator = chunk[i] === BACKSLASH && chunk[i + 1] === DOT && (length === 2 || (length === 3 && chunk[i + 2] === CR));
          } else {
            // A line that spans chunks: its first three bytes and its length decide.
            const stop = end === -1 ? n : end;
            if (this.lineLength < 3) this.lineText += chunk.toString("latin1", i, Math.min(stop, i + 3 - this.lineLength));
            this.lineLength += stop - i;
            if (end === -1) {
              i = n;
              continue;
            }
            terminator = (this.lineText === "\\." && this.lineLength === 2) || (this.lineText === "\\.\r" && this.lineLength === 3);
            this.lineText = "";
            this.lineLength = 0;
          }
          this.lines++;
          i = end + 1;
          if (terminator) {
            this.mode = Mode.Normal;
            this.atLineStart = true;
            this.push(chunk.subarray(from, i));
            from = i;
          } else {
            this.rows++;
          }
          continue;
        }
        case Mode.AfterCopy:
          if (b === NL) {
            this.lines++;
            this.mode = Mode.CopyData;
            this.lineText = "";
            this.lineLength = 0;
          } else if (!isSpace(b)) {
            this.refuse(this.lines + 1, "text after COPY … FROM stdin on the same line", "psql would read it after the data");
          }
          i++;
          continue;
        case Mode.Meta:
          if (b === NL) {
            this.endMetaLine();
            this.lines++;
            i++;
            from = i;
            continue;
          }
          if (this.lineLength < MAX_META_LINE) this.lineText += String.fromCharCode(b);
          this.lineLength++;
          i++;
          from = i;
          continue;
        case Mode.LineComment: {
          const end = chunk.indexOf(NL, i);
          const stop = end === -1 ? n : end;
          if (this.commentAtLineStart && this.lineLength < 64) this.lineText += chunk.toString("latin1", i, Math.min(stop, i + 64 - this.lineLength));
          this.lineLength += stop - i;
          if (end === -1) {
            i = n;
            continue;
          }
          this.lines++;
          i = end + 1;
          this.mode = Mode.Normal;
          this.atLineStart = true;
          if (this.commentAtLineStart && !this.started) {
            const text = this.lineText.replace(/\r$/, "");
            if (text === END_MARKER) this.markerLast = true;
          }
          this.lineText = "";
          this.lineLength = 0;
          continue;
        }
        case Mode.String:
        case Mode.EscapeString:
        case Mode.QuotedIdent: {
          const close = this.mode === Mode.QuotedIdent ? DQUOTE : QUOTE;
          if (this.pendingQuoteEnd) {
            this.pendingQuoteEnd = false;
            if (b === close) {
              i++; // a doubled quote stands for itself
              continue;
            }
            this.mode = Mode.Normal;
            this.lastByte = close;
            continue; // read this byte again as ordinary SQL
          }
          if (this.mode === Mode.EscapeString) {
            if (this.escapeNext) this.escapeNext = false;
            else if (b === BACKSLASH) this.escapeNext = true;
            else if (b === close) this.pendingQuoteEnd = true;
            if (b === NL) this.lines++;
            i++;
            continue;
          }
          const end = chunk.indexOf(close, i);
          const stop = end === -1 ? n : end;
          this.countNewlines(chunk, i, stop);
          if (end === -1) {
            i = n;
            continue;
          }
          this.pendingQuoteEnd = true;
          i = end + 1;
          continue;
        }
        case Mode.DollarTag:
          if (b === DOLLAR) {
            this.mode = Mode.Dollar;
            this.dollarClose = Buffer.from(`$${this.dollarTag}$`, "latin1");
            this.dollarMatch = 0;
            i++;
            continue;
          }
          if ((this.dollarTag === "" ? isIdentStart(b) : isIdentCont(b)) && b !== DOLLAR && this.dollarTag.length < 64) {
            this.dollarTag += String.fromCharCode(b);
            i++;
            continue;
          }
          // `$1` or a lone `$`: not a dollar quote after all.
          this.mode = Mode.Normal;
          this.lastByte = DOLLAR;
          continue;
        case Mode.Dollar: {
          if (this.dollarMatch === 0) {
            const next = chunk.indexOf(DOLLAR, i);
            const stop = next === -1 ? n : next;
            this.countNewlines(chunk, i, stop);
            if (next === -1) {
              i = n;
              continue;
            }
            i = next;
          }
          const c = chunk[i] as number;
          if (c === this.dollarClose[this.dollarMatch]) {
            this.dollarMatch++;
            if (this.dollarMatch === this.dollarClose.length) {
              this.mode = Mode.Normal;
              this.lastByte = DOLLAR;
            }
          } else {
            this.dollarMatch = c === DOLLAR ? 1 : 0;
            if (c === NL) this.lines++;
          }
          i++;
          continue;
        }
        case Mode.BlockComment:
          if (b === NL) this.lines++;
          if (this.blockPrev === SLASH && b === STAR) {
            this.blockDepth++;
            this.blockPrev = 0;
          } else if (this.blockPrev === STAR && b === SLASH) {
            this.blockDepth--;
            this.blockPrev = 0;
            if (this.blockDepth === 0) {
              this.mode = Mode.Normal;
              this.lastByte = 0x20;
            }
          } else {
            this.blockPrev = b;
          }
          i++;
          continue;
        case Mode.Normal: {
          if (this.pendingDash || this.pendingSlash) {
            const wasDash = this.pendingDash;
            this.pendingDash = this.pendingSlash = false;
            if (wasDash && b === DASH) {
              this.endWord();
              this.mode = Mode.LineComment;
              this.commentAtLineStart = this.atLineStart;
              this.lineText = "--";
              this.lineLength = 2;
              i++;
              continue;
            }
            if (!wasDash && b === STAR) {
              this.endWord();
              this.mode = Mode.BlockComment;
              this.blockDepth = 1;
              this.blockPrev = 0;
              i++;
              continue;
            }
            this.significant();
            this.atLineStart = false;
            this.lastByte = wasDash ? DASH : SLASH;
            // fall through to read `b` as ordinary SQL
          }
          if (b === NL) {
            this.endWord();
            this.lines++;
            this.atLineStart = true;
            this.lastByte = b;
            i++;
            continue;
          }
          if (isSpace(b)) {
            this.endWord();
            this.lastByte = b;
            i++;
            continue;
          }
          if (b === DASH || b === SLASH) {
            this.endWord();
            if (b === DASH) this.pendingDash = true;
            else this.pendingSlash = true;
            i++;
            continue;
          }
          const wasLineStart = this.atLineStart;
          this.atLineStart = false;
          if (b === BACKSLASH) {
            this.endWord();
            if (this.started || !wasLineStart) this.refuse(this.lines + 1, "a psql backslash command", "pg_dump never writes one inside a statement");
            // Everything before it is comments: send it, then read the command line on its own.
            this.held.push(chunk.subarray(from, i));
            this.heldBytes += i - from;
            this.sendHeld();
            this.mode = Mode.Meta;
            this.lineText = "\\";
            this.lineLength = 1;
            i++;
            from = i;
            continue;
          }
          this.significant();
          if (this.wordActive) {
            if (isIdentCont(b)) {
              if (this.word.length < 16) this.word += String.fromCharCode(b | 0x20);
              this.lastByte = b;
              i++;
              continue;
            }
            if (b === QUOTE && !this.wordIsNumber && this.word === "e") {
              // E'…': backslash escapes apply (the E is part of the string, not a word).
              this.wordActive = false;
              this.mode = Mode.EscapeString;
              this.escapeNext = false;
              i++;
              continue;
            }
            this.endWord();
          }
          if (b === QUOTE) {
            this.mode = Mode.String;
            i++;
            continue;
          }
          if (b === DQUOTE) {
            this.mode = Mode.QuotedIdent;
            i++;
            continue;
          }
          if (b === DOLLAR) {
            this.mode = Mode.DollarTag;
            this.dollarTag = "";
            i++;
            continue;
          }
          if (isIdentStart(b) || (b >= 0x30 && b <= 0x39)) {
            this.wordActive = true;
            this.wordIsNumber = !isIdentStart(b);
            this.word = String.fromCharCode(b | 0x20);
            this.lastByte = b;
            i++;
            continue;
          }
          this.lastByte = b;
          if (b === LPAREN) this.parenDepth++;
          else if (b === RPAREN) this.parenDepth = Math.max(0, this.parenDepth - 1);
          else if (b === SEMICOLON && this.parenDepth === 0) {
            if (this.beginDepth === 0) {
              i++;
              this.held.push(chunk.subarray(from, i));
              this.heldBytes += i - from;
              from = i;
              this.endStatement();
              continue;
            }
            // psql keeps going (it is inside BEGIN … END); the server would not, outside a BEGIN ATOMIC body.
            if (this.atomicLevel === 0 || this.beginDepth < this.atomicLevel) {
              this.refuse(this.startLine, "several statements sent as one", "a BEGIN or CASE word in CREATE FUNCTION makes psql join them");
            }
          }
          i++;
          continue;
        }
      }
    }
    if (from < n) {
      if (this.mode === Mode.CopyData || this.mode === Mode.AfterCopy || this.streaming) {
        this.push(chunk.subarray(from, n));
      } else if (this.mode !== Mode.Meta) {
        this.held.push(chunk.subarray(from, n));
        this.heldBytes += n - from;
        if (this.heldBytes > HOLD_LIMIT) this.overLong();
      }
    }
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
    if (this.wordIsNumber) return;
    const word = this.word;
    const lead = ["create", "function", "procedure", "or", "replace"].includes(word) ? word : "";
    if (this.identifierCount < 4) this.leadWords.push(lead);
    this.identifierCount++;
    const [w0, w1, w2, w3] = this.leadWords;
    const routine = (name: string | undefined) => name === "function" || name === "procedure";
    const createsRoutine = w0 === "create" && (routine(w1) || (w1 === "or" && w2 === "replace" && routine(w3)));
    if (createsRoutine && this.parenDepth === 0) {
      if (word === "begin") this.beginDepth++;
      else if (word === "case" && this.beginDepth >= 1) this.beginDepth++;
      else if (word === "end" && this.beginDepth > 0) {
        this.beginDepth--;
        if (this.beginDepth < this.atomicLevel) this.atomicLevel = 0;
      } else if (word === "atomic" && this.previousWord === "begin" && this.atomicLevel === 0) this.atomicLevel = this.beginDepth;
    }
    this.previousWord = word;
  }

  private resetStatement(): void {
    this.held = [];
    this.heldBytes = 0;
    this.started = false;
    this.streaming = false;
    this.parenDepth = 0;
    this.identifierCount = 0;
    this.leadWords = [];
    this.beginDepth = 0;
    this.atomicLevel = 0;
    this.previousWord = "";
    this.word = "";
    this.wordActive = false;
  }

  private sendHeld(): void {
    for (const part of this.held) this.push(part);
    this.held = [];
    this.heldBytes = 0;
  }

  private dropHeld(): void {
    let newlines = 0;
    for (const part of this.held) for (let at = part.indexOf(NL); at !== -1; at = part.indexOf(NL, at + 1)) newlines++;
    if (newlines > 0) this.push(Buffer.from("\n".repeat(newlines)));
    this.held = [];
    this.heldBytes = 0;
  }

  private heldText(): string {
    return Buffer.concat(this.held).toString("utf8");
  }

  private refuse(line: number, what: string, why: string): never {
    throw new DumpRefusedError(`line ${line} holds ${what} (${why}); pg_dump never writes that`);
  }

  /** A statement too long to hold: judged by its head, then streamed. Only plain statements may be that long. */
  private overLong(): void {
    if (!this.started) {
      this.sendHeld();
      return;
    }
    const verdict = judgeStatement(this.heldText());
    if (verdict.action !== "pass" || verdict.copyFromStdin || this.largeObjectFrom !== null) {
      this.refuse(this.startLine, `a statement over ${HOLD_LIMIT / MIB} MiB (${this.describeHead()})`, "only data statements are that long");
    }
    if (verdict.insert) this.rows++;
    this.sendHeld();
    this.streaming = true;
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

  private endStatement(): void {
    if (this.streaming) {
      this.sendHeld();
      this.resetStatement();
      return;
    }
    const line = this.startLine;
    const verdict: StatementVerdict = judgeStatement(this.heldText(), this.existingRoles);
    const head = this.describeHead();
    if (this.largeObjectFrom !== null && !(verdict.action === "large-object" && verdict.part !== "begin")) {
      this.refuse(this.largeObjectFrom, "a BEGIN", `it is followed by ${head} at line ${line}, not by pg_dump's large-object data`);
    }
    switch (verdict.action) {
      case "refuse":
        this.refuse(line, head, verdict.why);
        break;
      case "large-object":
        if (verdict.part === "begin") {
          this.largeObjectFrom = line;
          this.dropHeld();
        } else if (verdict.part === "commit") {
          if (this.largeObjectFrom === null) this.refuse(line, head, "transaction control, which would end the restore's own transaction");
          this.largeObjectFrom = null;
          this.report.largeObjectBlocks++;
          this.dropHeld();
        } else {
          this.sendHeld();
        }
        break;
      case "skip":
        if (verdict.reason === "owner") this.report.ownerChangesSkipped++;
        else {
          if (this.report.skipped.length < MAX_REPORTED) this.report.skipped.push({ line, reason: verdict.reason, roles: verdict.roles });
          for (const role of verdict.reason === "grant-to-missing-role" ? verdict.roles : []) {
            if (!this.missing.has(role)) {
              this.missing.add(role);
              this.report.missingRoles.push(role);
            }
          }
        }
        this.dropHeld();
        break;
      case "pass":
        if (verdict.insert) this.rows++;
        this.sendHeld();
        if (verdict.copyFromStdin) this.mode = Mode.AfterCopy;
        break;
    }
    this.resetStatement();
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
    if (short && !this.anyStatement && !this.droppedHeader && /^\\restrict \S+\s*$/.test(text)) {
      this.droppedHeader = true;
      this.push(Buffer.from("\n"));
      return;
    }
    if (short && this.markerLast && /^\\unrestrict \S+\s*$/.test(text)) {
      this.push(Buffer.from("\n"));
      return;
    }
    this.refuse(line, `a psql backslash command (${text.slice(0, 60)})`, "restores never run psql commands");
  }
}
