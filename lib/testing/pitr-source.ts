import { mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { giveToOwner, LocalCluster, type ServerSettings } from "@/lib/providers/postgres/cluster";

// A source for real point-in-time recovery in tests: a PostgreSQL cluster archiving its WAL.

/**
 * Starts a cluster in `<dir>/source` archiving its WAL into `<dir>/wal-archive` (what the local
 * PITR provider restores from). `settings` add to or override the archiving ones.
 */
export async function startArchivingSource(
  dir: string,
  options: { password: string; settings?: ServerSettings },
): Promise<{ source: LocalCluster; archiveDir: string }> {
  await giveToOwner(dir);
  const archiveDir = path.join(dir, "wal-archive");
  await mkdir(archiveDir, { mode: 0o700 });
  await giveToOwner(archiveDir);
  // Double quotes and a doubled %: the command survives a path with spaces, quotes or percent signs
  // (LocalCluster writes settings without escaping backslashes, so no '\'' here).
  const archive = `"${archiveDir.replaceAll("%", "%%")}"`;
  const source = await LocalCluster.open({
    baseDir: path.join(dir, "source"),
    password: options.password,
    settings: {
      wal_level: "replica",
      archive_mode: true,
      archive_command: `test ! -f ${archive}/%f && cp %p ${archive}/%f.tmp && mv ${archive}/%f.tmp ${archive}/%f`,
      archive_timeout: 60,
      ...options.settings,
    },
  });
  await source.start();
  return { source, archiveDir };
}

/** The rows of `sql` on one of the source's databases, as its superuser. */
export async function querySource<T extends pg.QueryResultRow>(source: LocalCluster, database: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: source.url(database) });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
