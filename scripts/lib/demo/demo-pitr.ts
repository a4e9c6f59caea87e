import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { recordDemoActivity } from "@/lib/demo/record-demo-activity";
import { listBaseBackups, takeBaseBackup } from "@/lib/providers/local/base-backups";

const ARCHIVE_WAIT_MS = 20_000;

const log = (message: string) => console.log(`demo: ${message}`);

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Makes a fresh demo's restore window usable at once: the first base backup (the scheduled job
 * takes the next ones), then one committed write and a WAL switch, waiting until that segment is
 * archived, so the window's latest end is already past its earliest. Later starts change nothing:
 * the minute-by-minute demo activity and archive_timeout keep the window moving.
 */
export async function prepareDemoPitr(options: {
  adminUrl: string;
  loanserveUrl: string;
  port: number;
  password: string;
  baseBackupDir: string;
}): Promise<void> {
  if ((await listBaseBackups(options.baseBackupDir)).length > 0) return;
  const started = Date.now();
  const backup = await takeBaseBackup({
    source: { host: "127.0.0.1", port: options.port, user: "postgres", password: options.password },
    baseBackupDir: options.baseBackupDir,
  });
  log(`base backup ${backup.name} (${Math.round(backup.sizeBytes / 1024 / 1024)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await recordDemoActivity(options.loanserveUrl);
  const [switched] = await query<{ wal: string }>(options.adminUrl, "SELECT pg_walfile_name(pg_switch_wal()) AS wal");
  const deadline = Date.now() + ARCHIVE_WAIT_MS;
  while (Date.now() < deadline) {
    const [archiver] = await query<{ wal: string | null }>(options.adminUrl, "SELECT last_archived_wal AS wal FROM pg_stat_archiver");
    if (switched && archiver?.wal && archiver.wal >= switched.wal) return;
    await delay(200);
  }
  log("the WAL archive is slow to catch up; the restore window will grow within archive_timeout");
}
