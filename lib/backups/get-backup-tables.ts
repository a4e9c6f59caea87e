import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import { DumpTableCatalog } from "@/lib/providers/postgres/dump-toc-model";
import { STALE_READ_ERROR, tablesStateOf, type BackupTablesView } from "./backup-tables-view";

/** The tables read from a backup (for a restore of chosen tables), or where reading them stands. */
export async function getBackupTables({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { backupId: string };
}): Promise<BackupTablesView> {
  const row = await ctx.db.backup.findUnique({
    where: { id: input.backupId },
    select: { tables: true, tablesState: true, tablesError: true, tablesReadAt: true },
  });
  if (!row) throw new NotFoundError("That backup is not in the catalog.");
  const state = tablesStateOf(row);
  if (state === "ready") {
    // Stored by an earlier version of the reader? Its shape is checked, not trusted.
    const parsed = DumpTableCatalog.safeParse(row.tables);
    if (!parsed.success) {
      return {
        state: "failed",
        error: "The stored table list is not readable by this version. Read the tables again.",
        readAt: null,
        tables: null,
      };
    }
    return { state, error: null, readAt: row.tablesReadAt?.toISOString() ?? null, tables: parsed.data.tables };
  }
  return {
    state,
    error: state === "failed" ? (row.tablesError ?? STALE_READ_ERROR) : null,
    readAt: state === "reading" ? (row.tablesReadAt?.toISOString() ?? null) : null,
    tables: null,
  };
}
