import "server-only";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { UnavailableError } from "@/lib/errors";
import { DumpTocScanner, tableCatalog } from "./dump-toc";
import type { DumpTableCatalog } from "./dump-toc-model";
import { findPgTool, spawnTool } from "./tools";

/** A plain script's lines, fed to the scanner; memory stays flat whatever the dump's size. */
async function scanLines(lines: Readable, signal?: AbortSignal): Promise<DumpTableCatalog> {
  const scanner = new DumpTocScanner();
  const reader = createInterface({ input: lines, crlfDelay: Infinity });
  const stop = () => lines.destroy(new Error("The scan was stopped."));
  signal?.addEventListener("abort", stop, { once: true });
  try {
    for await (const line of reader) scanner.line(line);
  } finally {
    signal?.removeEventListener("abort", stop);
  }
  return tableCatalog(scanner.finish());
}

/**
 * The tables a dump holds, each with its sequences, indexes, constraints and foreign keys. A plain
 * `.sql.gz` is scanned as it streams (its COPY data skipped, never kept); a custom archive is
 * turned into the same script by `pg_restore --file=-` (from a pipe, so nothing is staged) and
 * scanned the same way. Nothing touches a database.
 */
export async function readDumpTables(dump: Readable, format: "plain-gzip" | "custom", signal?: AbortSignal): Promise<DumpTableCatalog> {
  if (format === "plain-gzip") {
    const gunzip = createGunzip();
    const [catalog] = await Promise.all([scanLines(gunzip, signal), pipeline(dump, gunzip, { signal })]);
    return catalog;
  }
  const tool = spawnTool(await findPgTool("pg_restore"), ["--file=-"], { env: process.env, stdin: "pipe", stdout: "stream" });
  const stdout = tool.stdout;
  const stdin = tool.stdin;
  if (!stdout || !stdin) throw new Error("pg_restore was started without its pipes.");
  const onAbort = () => tool.kill();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const [catalog, , exit] = await Promise.all([scanLines(stdout, signal), pipeline(dump, stdin), tool.exited]);
    if (exit.code !== 0) {
      throw new UnavailableError(
        `pg_restore could not read the archive's table of contents: ${tool.stderrTail().join(" ") || `exit ${exit.code ?? exit.signal}`}`,
      );
    }
    return catalog;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
