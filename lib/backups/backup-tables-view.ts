import type { DumpTable } from "@/lib/providers/postgres/dump-toc-model";

// What the restore form reads about a backup's tables. Types only from lib/providers (erased at
// build time), so the browser may import this file's types.

export const BACKUP_TABLES_STATES = ["unread", "reading", "ready", "failed"] as const;
export type BackupTablesState = (typeof BACKUP_TABLES_STATES)[number];

/**
 * A read that has said nothing for this long lost its worker: the job's expiry (30 min) has
 * passed, so pg-boss will not run it again. Shown as failed, and a new read may be asked for.
 */
export const TABLES_READ_STALE_AFTER_MS = 35 * 60_000;

/** One table of the dump as the picker lists it. */
export type BackupTable = DumpTable;

export interface BackupTablesView {
  state: BackupTablesState;
  /** Why the last read failed, written to be shown, with what to do next. */
  error: string | null;
  /** When the tables were read (ready), or when the read began (reading). */
  readAt: string | null;
  /** The dump's tables in the dump's order; null until read. */
  tables: BackupTable[] | null;
}

export const STALE_READ_ERROR =
  "Reading the tables stopped without an answer (the worker was lost or the read took over 30 minutes). Read them again.";

/** The state the person sees: a read whose worker was lost is failed, not reading for ever. */
export function tablesStateOf(row: { tablesState: string; tablesReadAt: Date | null }, now = new Date()): BackupTablesState {
  const state = (BACKUP_TABLES_STATES as readonly string[]).includes(row.tablesState) ? (row.tablesState as BackupTablesState) : "unread";
  if (state === "reading" && row.tablesReadAt && now.getTime() - row.tablesReadAt.getTime() > TABLES_READ_STALE_AFTER_MS) return "failed";
  return state;
}
