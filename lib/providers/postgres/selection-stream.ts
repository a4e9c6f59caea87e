import "server-only";
import { Transform, type TransformCallback } from "node:stream";
import { COPY_FROM_STDIN, parseSectionHeader, type DumpObjectRef } from "./dump-toc";
import { END_MARKER } from "./plain-dump-guard";

/**
 * Passes on only the sections of a plain dump that `keeps` accepts, cut at pg_dump's section
 * headers; the preamble (settings, `\restrict`) and the end marker always pass. It sits before the
 * statement guard, which still judges every statement that passes: a dump whose headers lie can
 * only make a partial copy hold more or less than asked, inside the scratch database, as the
 * loader. COPY data is followed to its `\.`, so a data line that looks like a header is data.
 */
export class SelectionStream extends Transform {
  private pending = "";
  private keeping = true;
  private inCopyData = false;

  constructor(private readonly keeps: (entry: DumpObjectRef) => boolean) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = this.pending + chunk.toString("utf8");
    const lastBreak = text.lastIndexOf("\n");
    if (lastBreak === -1) {
      this.pending = text;
      callback();
      return;
    }
    this.pending = text.slice(lastBreak + 1);
    const kept = this.keptLines(text.slice(0, lastBreak + 1));
    if (kept) this.push(kept);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const kept = this.pending ? this.keptLines(this.pending) : "";
    if (kept) this.push(kept);
    callback();
  }

  /** Whole lines in (each ending in "\n" but perhaps the stream's last), kept lines out. */
  private keptLines(lines: string): string {
    let out = "";
    let start = 0;
    while (start < lines.length) {
      const end = lines.indexOf("\n", start);
      const stop = end === -1 ? lines.length : end + 1;
      const line = lines.slice(start, end === -1 ? lines.length : end);
      if (this.decide(line)) out += lines.slice(start, stop);
      start = stop;
    }
    return out;
  }

  private decide(line: string): boolean {
    if (this.inCopyData) {
      if (line === "\\.") this.inCopyData = false;
      return this.keeping;
    }
    const header = parseSectionHeader(line);
    if (header) this.keeping = this.keeps(header);
    else if (line === END_MARKER) this.keeping = true;
    else if (COPY_FROM_STDIN.test(line)) this.inCopyData = true;
    return this.keeping;
  }
}
